"""Formatting for readers: every filter and test the templates use, registered in one place."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from briefing.compose.reports import independent_reports
from briefing.models import (
    Briefing,
    Evidence,
    FactKind,
    FetchOutcome,
    PartialDate,
    SourceDocument,
    SourceType,
    Story,
    When,
)
from briefing.sources.text import MAX_DOCUMENT_CHARS

if TYPE_CHECKING:
    from briefing.render.shown import EditionCounts

# Spelled out here rather than taken from the locale, so every machine prints the same dates.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

SOURCE_TYPE_LABELS = {
    SourceType.NEWS: "News report",
    SourceType.ANALYSIS: "Analysis",
    SourceType.WIRE: "Wire report",
}


def long_date(value: date) -> str:
    """Format a date as "13 January 2023"."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def partial_date(value: PartialDate) -> str:
    """Format a partial date to its precision: "13 January 2023", "January 2023" or "2023"."""
    if value.month is None:
        return str(value.year)
    if value.day is None:
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def display(value: object) -> str:
    """Format any metadata value for a reader: dates in words, everything else as text."""
    if isinstance(value, PartialDate):
        return partial_date(value)
    if isinstance(value, date):
        return long_date(value)
    return str(value)


def source_type_label(value: SourceType) -> str:
    """Name a source type in words: "News report", "Analysis", "Wire report"."""
    return SOURCE_TYPE_LABELS[value]


def fetch_status(outcome: FetchOutcome) -> str:
    """Name a fetch's outcome for a reader: "Fetched", "Unchanged (HTTP 304)" or "Failed"."""
    if outcome.status == "unchanged":
        return "Unchanged (HTTP 304), read from the copy kept"
    return outcome.status.capitalize()


def entry_counts(outcome: FetchOutcome) -> str:
    """What became of a feed's entries: "9 entries: 4 read (1 undated), 3 off topic (2 not
    about space, 1 names neither partner), ..."."""
    if outcome.status == "failed":
        return "none read"
    read = f"{outcome.kept} read" + (f" ({outcome.undated} undated)" if outcome.undated else "")
    reasons = ", ".join(f"{count} {reason}" for reason, count in outcome.off_topic_reasons.items())
    off_topic = f"off topic ({reasons})" if reasons else "off topic"
    left_out = [
        f"{count} {label}"
        for count, label in (
            (outcome.off_topic, off_topic),
            (outcome.out_of_period, "outside the period"),
            (outcome.empty, "without text"),
            (outcome.unread, "past the number read per feed"),
        )
        if count
    ]
    if outcome.cut:
        read += f", {outcome.cut} too long: only the first {MAX_DOCUMENT_CHARS:,} characters read"
    if outcome.at_fact_cap:
        read += f", {outcome.at_fact_cap} at the most facts one entry gives: the rest left out"
    noun = "entry" if outcome.items == 1 else "entries"
    return f"{outcome.items} {noun}: " + ", ".join([read, *left_out])


def article_counts(outcome: FetchOutcome) -> str:
    """What became of a feed's full articles: "3 articles fetched, 1 reused, 2 failed (1 HTTP
    404, 1 too little text ...)", or "" when none was wanted."""
    parts = [
        f"{count} {label}"
        for count, label in (
            (outcome.articles_fetched, "fetched"),
            (outcome.articles_reused, "reused from the copy kept"),
            (outcome.articles_failed, "failed, teaser kept"),
            (outcome.articles_over_cap, "not fetched: the edition's cap"),
            (outcome.articles_late, "not fetched: the article stage's deadline"),
        )
        if count
    ]
    if not parts:
        return ""
    reasons = "; ".join(f"{n} {reason}" for reason, n in outcome.article_failures.items())
    text = "Full articles: " + ", ".join(parts)
    return text + (f" ({reasons})" if reasons else "")


def source_number_of(document_id: str, briefing: Briefing) -> int:
    """A source's citation number, for mapping over document ids in a template."""
    return briefing.source_number(document_id)


def cited_numbers(evidence: Iterable[Evidence], briefing: Briefing) -> list[int]:
    """The distinct citation numbers of the documents a fact's evidence comes from, ascending."""
    return sorted({briefing.source_number(item.document_id) for item in evidence})


def is_web_url(value: object) -> bool:
    """Whether a value is an http(s) URL, the only kind a source URL is made a link for."""
    return isinstance(value, str) and urlsplit(value).scheme.lower() in {"http", "https"}


_QUALIFIER_WORDS = {
    "by": "by",
    "no-later-than": "no later than",
    "as-early-as": "as early as",
    "slated-for": "slated for",
    "around": "around",
    "through": "through",
    "until": "until",
    "since": "since",
    "during": "during",
    "before": "before",
    "after": "after",
}
KIND_LABELS = {
    FactKind.EVENT: "Event",
    FactKind.PLAN: "Plan or target",
    FactKind.ASSESSMENT: "Assessment",
}
STATUS_LABELS = {
    "upcoming": "Upcoming",
    "done": "Done; reported in the sources",
    "passed-reported": "Target date passed; reported on later",
    "passed-unreported": "Target date passed; no later report in the sources",
}


def _interval(value: When) -> str:
    start, end = value.start, value.end
    if value.precision == "day":
        return long_date(start)
    if value.precision == "week":
        return f"week of {long_date(start)}"
    if value.precision == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if value.precision == "fiscal-year":
        return (
            f"fiscal {start.year} ({MONTHS[start.month - 1]} {start.year} to "
            f"{MONTHS[end.month - 1]} {end.year})"
        )
    if value.precision == "year":
        return str(start.year)
    if value.precision == "decade":
        return f"the {start.year}s"
    return f"{long_date(start)} to {long_date(end)}"


def when_text(value: When) -> str:
    """A statement's time for a reader: "by 2030", "week of 9 January 2023 (“last week”)"."""
    text = _interval(value)
    if value.qualifier is not None:
        text = f"{_QUALIFIER_WORDS[value.qualifier]} {text}"
    if value.relative:
        text = f"{text} (“{value.text}”)"
    return text


def kind_label(value: FactKind) -> str:
    """Name what a statement does: "Event", "Plan or target", "Assessment"."""
    return KIND_LABELS[value]


def status_label(value: str) -> str:
    """Name a milestone's status in words."""
    return STATUS_LABELS[value]


def source_count(value: int) -> str:
    """ "1 source", "3 sources"."""
    return f"{value} source" if value == 1 else f"{value} sources"


def plural(value: int, one: str, many: str) -> str:
    """ "1 new story", "3 new stories"."""
    return f"{value} {one if value == 1 else many}"


NO_OUTLET = "Outlet not stated"


def outlet(source: SourceDocument) -> str:
    """A source's outlet as a reader sees it: its name, or that none is stated."""
    return source.outlet.value if source.outlet is not None else NO_OUTLET


def outlet_key(source: SourceDocument) -> str:
    """A source's outlet as outlets are counted: its name, or the source's own id where none is
    stated (two sources of unknown outlets are not one outlet)."""
    return source.outlet.value if source.outlet is not None else source.id


def outlets_of(document_ids: Iterable[str], briefing: Briefing) -> set[str]:
    """The outlets the documents name (``outlet_key``)."""
    return {outlet_key(briefing.source(d)) for d in document_ids}


def report_count(story: Story, briefing: Briefing) -> str:
    """ "1 report", "3 reports from 2 outlets", and where outlets ran one wire story's copies,
    how many reports are independent: "3 reports from 3 outlets, 2 independent reports".
    The same in every render of the edition: worked out once (``Briefing.derived``)."""
    return briefing.derive(("report count", story.id), lambda: _report_count(story, briefing))


def _report_count(story: Story, briefing: Briefing) -> str:
    reports = len(story.document_ids)
    if reports == 1:
        return "1 report"
    outlets = len(outlets_of(story.document_ids, briefing))
    counted = f"{reports} reports from {plural(outlets, 'outlet', 'outlets')}"
    independent = len(independent_reports([briefing.source(d) for d in story.document_ids]))
    if independent < reports:
        counted += f", {plural(independent, 'independent report', 'independent reports')}"
    return counted


def counts_line(counts: "EditionCounts") -> str:
    """The edition in one line of counts: its stories (or, with none, its statements), reports
    and outlets, what is new, what is coming up and the milestones that moved."""
    stories = [
        plural(counts.stories, "story", "stories"),
        plural(counts.reports, "report", "reports"),
        plural(counts.outlets, "outlet", "outlets"),
        f"{counts.new_stories} new",
    ]
    statements = [
        plural(counts.statements, "statement", "statements"),
        plural(counts.reports, "source", "sources"),
    ]
    parts = [
        *(stories if counts.stories else statements),
        plural(counts.coming_up, "date coming up", "dates coming up"),
        plural(counts.milestones_moved, "milestone done or passed", "milestones done or passed"),
    ]
    return "This edition: " + ", ".join(parts) + "."


FILTERS: dict[str, Callable[..., Any]] = {
    "long_date": long_date,
    "partial_date": partial_date,
    "outlet": outlet,
    "display": display,
    "source_type": source_type_label,
    "cited_numbers": cited_numbers,
    "when": when_text,
    "kind": kind_label,
    "status": status_label,
    "source_count": source_count,
    "source_number_of": source_number_of,
    "fetch_status": fetch_status,
    "entry_counts": entry_counts,
    "article_counts": article_counts,
    "plural": plural,
    "report_count": report_count,
    "counts_line": counts_line,
}
TESTS: dict[str, Callable[[Any], bool]] = {"web_url": is_web_url}
