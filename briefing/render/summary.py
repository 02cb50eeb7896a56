"""What a reader sees first: key points, counts per theme, new facts and source health.

Pure functions of a briefing; the email bodies and the run's artifacts are built from them.
"""

import re
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from briefing.models import Briefing, Fact
from briefing.render.formatting import (
    article_counts,
    cited_numbers,
    outlet,
    partial_date,
    when_text,
)


class KeyPoint(BaseModel):
    """One statement picked for the top of an email or a run summary, with its citation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    theme: str
    statement: str
    citation: str
    headline: bool = False  # a top story's headline, not a key point


def citation_text(fact: Fact, briefing: Briefing) -> str:
    """A fact's citations as the PDF prints them: "[2] SpaceNews, 13 January 2023; [4] ..."."""
    parts = []
    for number in cited_numbers(fact.evidence, briefing):
        source = briefing.sources[number - 1]
        text = f"[{number}] {outlet(source)}"
        if source.published is not None:
            text += f", {partial_date(source.published.value)}"
        parts.append(text)
    return "; ".join(parts)


SUMMARY_POINTS = 8


def key_points(briefing: Briefing) -> tuple[KeyPoint, ...]:
    """What an email or a run summary leads with, each with its theme and citation: the top
    stories' headlines, then the key points (both chosen when it was composed), at most
    ``SUMMARY_POINTS``."""
    titles = {section.theme: section.title for section in briefing.sections}
    headlines = [briefing.story(story_id).headline for story_id in briefing.top_stories]
    return tuple(
        KeyPoint(
            theme=titles[fact.theme],
            statement=fact.statement,
            citation=citation_text(fact, briefing),
            headline=fact.id in headlines,
        )
        for fact in (
            briefing.fact(fact_id)
            for fact_id in dict.fromkeys([*headlines, *briefing.key_points][:SUMMARY_POINTS])
        )
    )


def theme_counts(briefing: Briefing) -> dict[str, int]:
    """How many statements each theme section holds, in section order."""
    return {section.title: len(section.facts) for section in briefing.sections}


def source_health(briefing: Briefing) -> list[dict[str, str | int]]:
    """One row per source: its number, outlet, where it was read from, and facts citing it."""
    cited: Counter[str] = Counter(
        document_id for fact in briefing.facts() for document_id in _document_ids(fact)
    )
    return [
        {
            "number": number,
            "outlet": outlet(source),
            "location": source.location,
            "facts": cited[source.id],
            "status": "ok" if cited[source.id] else "no statements kept",
        }
        for number, source in enumerate(briefing.sources, start=1)
    ]


def feed_health(briefing: Briefing) -> list[dict[str, str | int]]:
    """One row per feed read for the edition: its outcome and what became of its entries."""
    return [
        {
            "feed": outcome.feed,
            "status": outcome.status,
            "reason": outcome.reason or "",
            "entries": outcome.items,
            "read": outcome.kept,
            "articles": article_counts(outcome).removeprefix("Full articles: "),
        }
        for outcome in briefing.source_health
    ]


def _document_ids(fact: Fact) -> set[str]:
    return {item.document_id for item in fact.evidence}


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def markdown_text(text: str) -> str:
    """Text shown literally in Markdown: punctuation escaped, line breaks made spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def build_summary_markdown(briefing: Briefing, pdf_name: str, warnings: Sequence[str] = ()) -> str:
    """The run summary shown on the run's page: what went wrong first (feeds, articles, email),
    then key points, counts, new facts, feed and source health."""
    counts = theme_counts(briefing)
    fresh = list(briefing.new_facts())
    lines = [
        f"# Edition {briefing.edition} of {briefing.edition_date.isoformat()}",
        "",
    ]
    if warnings:
        lines += ["## What went wrong", ""]
        lines += [f"- **{markdown_text(warning)}**" for warning in warnings]
        lines += [""]
    lines += [
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
    if briefing.previous_edition is None:
        lines.append(f"This is the first edition: all {len(fresh)} facts are new.")
    else:
        lines.append(
            f"{len(fresh)} of {sum(counts.values())} facts are new since the edition of "
            f"{briefing.previous_edition.isoformat()}."
        )
        lines += [f"- {markdown_text(fact.statement)}" for fact in fresh]
    lines += ["", "## Feed health", ""]
    rows = feed_health(briefing)
    if rows:
        lines += ["| Feed | Outcome | Entries | Read | Full articles |", "|---|---|---|---|---|"]
        lines += [
            f"| {markdown_text(str(row['feed']))} | {row['status']}"
            f"{': ' + markdown_text(str(row['reason'])) if row['reason'] else ''} | "
            f"{row['entries']} | {row['read']} | {markdown_text(str(row['articles']))} |"
            for row in rows
        ]
    else:
        lines.append("No feeds were read for this edition.")
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


ROW_STATEMENT_CHARS = 90  # a run page's table shows this much of each statement: it fits a screen


def build_fact_rows(briefing: Briefing) -> list[dict[str, str]]:
    """One table row per statement, narrow enough for the run page: theme, the statement's
    first ``ROW_STATEMENT_CHARS`` characters (cut at a word, marked "…"; the HTML and JSON
    editions hold it whole), the date it gives and its sources' numbers."""
    titles = {section.theme: section.title for section in briefing.sections}
    return [
        {
            "theme": titles[fact.theme],
            "statement": shortened(fact.statement, ROW_STATEMENT_CHARS),
            "date": when_text(fact.when) if fact.when else "",
            "sources": " ".join(f"[{number}]" for number in cited_numbers(fact.evidence, briefing)),
        }
        for fact in briefing.facts()
    ]


def shortened(text: str, limit: int) -> str:
    """The text if it fits in limit characters, else its words that do, then "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"
