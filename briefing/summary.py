"""What a reader sees first: key points, counts per theme, new facts and source health.

Pure functions of a briefing; the email bodies and the run's artifacts are built from them.
"""

import re
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from briefing.models import Briefing, Fact
from briefing.render import cited_numbers, partial_date


class KeyPoint(BaseModel):
    """One statement picked for the top of an email or a run summary, with its citation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    theme: str
    statement: str
    citation: str


def citation_text(fact: Fact, briefing: Briefing) -> str:
    """A fact's citations as the PDF prints them: "[2] SpaceNews, 13 January 2023; [4] ..."."""
    parts = []
    for number in cited_numbers(fact.evidence, briefing):
        source = briefing.sources[number - 1]
        text = f"[{number}] " + (source.outlet.value if source.outlet else "Outlet not stated")
        if source.published is not None:
            text += f", {partial_date(source.published.value)}"
        parts.append(text)
    return "; ".join(parts)


def key_points(briefing: Briefing) -> tuple[KeyPoint, ...]:
    """The edition's key points.

    Interim rule, until the document issue ranks statements: the first statement of each theme
    section (sections keep reading order), with its citation. A theme without facts gives none.
    """
    return tuple(
        KeyPoint(
            theme=section.title,
            statement=section.facts[0].statement,
            citation=citation_text(section.facts[0], briefing),
        )
        for section in briefing.sections
        if section.facts
    )


def theme_counts(briefing: Briefing) -> dict[str, int]:
    """How many statements each theme section holds, in section order."""
    return {section.title: len(section.facts) for section in briefing.sections}


def new_facts(briefing: Briefing, previous_ids: Iterable[str] | None) -> list[Fact]:
    """The facts not in the previous edition; all of them when there is no previous edition."""
    seen = set(previous_ids or ())
    return [fact for fact in briefing.facts() if fact.id not in seen]


def source_health(briefing: Briefing) -> list[dict[str, str | int]]:
    """One row per source: its number, outlet, where it was read from, and facts citing it."""
    cited: Counter[str] = Counter(
        document_id for fact in briefing.facts() for document_id in _document_ids(fact)
    )
    return [
        {
            "number": number,
            "outlet": source.outlet.value if source.outlet else "Outlet not stated",
            "location": source.location,
            "facts": cited[source.id],
            "status": "ok" if cited[source.id] else "no statements kept",
        }
        for number, source in enumerate(briefing.sources, start=1)
    ]


def _document_ids(fact: Fact) -> set[str]:
    return {item.document_id for item in fact.evidence}


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def markdown_text(text: str) -> str:
    """Text shown literally in Markdown: punctuation escaped, line breaks made spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def build_summary_markdown(
    briefing: Briefing, previous_ids: Iterable[str] | None, pdf_name: str
) -> str:
    """The run summary shown on the run's page: key points, counts, new facts, source health."""
    counts = theme_counts(briefing)
    fresh = new_facts(briefing, previous_ids)
    lines = [
        f"# Edition of {briefing.edition_date.isoformat()}",
        "",
        f"{sum(counts.values())} cited statements from {len(briefing.sources)} sources, "
        f"written to `{pdf_name}`.",
        "",
        "## Key points",
        "",
    ]
    lines += [
        f"- **{markdown_text(point.theme)}**: {markdown_text(point.statement)} "
        f"({markdown_text(point.citation)})"
        for point in key_points(briefing)
    ] or ["- No statements in this edition."]
    lines += ["", "## Statements per theme", "", "| Theme | Statements |", "|---|---|"]
    lines += [f"| {markdown_text(theme)} | {count} |" for theme, count in counts.items()]
    lines += ["", "## New facts", ""]
    if previous_ids is None:
        lines.append(f"No earlier edition in the output folder: all {len(fresh)} facts are new.")
    else:
        lines.append(
            f"{len(fresh)} of {sum(counts.values())} facts are new since the last edition."
        )
        lines += [f"- {markdown_text(fact.statement)}" for fact in fresh]
    lines += [
        "",
        "## Source health",
        "",
        "| # | Outlet | Read from | Statements | Status |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {row['number']} | {markdown_text(str(row['outlet']))} | "
        f"{markdown_text(str(row['location']))} | {row['facts']} | {row['status']} |"
        for row in source_health(briefing)
    ]
    return "\n".join(lines) + "\n"


def build_fact_rows(briefing: Briefing) -> list[dict[str, str]]:
    """One table row per statement: theme, statement, date it gives, actors, citations."""
    titles = {section.theme: section.title for section in briefing.sections}
    return [
        {
            "theme": titles[fact.theme],
            "statement": fact.statement,
            "date": partial_date(fact.when) if fact.when else "",
            "actors": ", ".join(fact.actors),
            "citations": citation_text(fact, briefing),
        }
        for fact in briefing.facts()
    ]
