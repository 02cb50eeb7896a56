"""What each stage of an edition reports as it ends: one line of plain text per stage.

The flow logs these; ``[n/7]`` numbers the stages a reader waits through.
"""

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from briefing.edition.facts import Extracted
from briefing.edition.gather import Selection
from briefing.edition.keep import EditionResult
from briefing.models import Briefing, FetchOutcome, SourceDocument
from briefing.reuse import StoredEdition

if TYPE_CHECKING:
    from briefing.edition.plan import EditionPlan

STAGES = 7


def stage_line(number: int, name: str, text: str) -> str:
    """``[n/7] name: text``."""
    return f"[{number}/{STAGES}] {name}: {text}"


def describe_load(seeds: Sequence[SourceDocument], feeds: int) -> str:
    """The load stage's line."""
    return stage_line(1, "load", f"{len(seeds)} seed documents, {feeds} feeds")


def describe_feed(outcome: FetchOutcome) -> str:
    """One feed's outcome: what was read of it, or why it failed."""
    if outcome.status == "failed":
        return f"feed {outcome.feed} failed: {outcome.reason}"
    despite = f"; read despite: {outcome.bozo}" if outcome.bozo else ""
    unread = f", {outcome.unread} past the number read per feed" if outcome.unread else ""
    cut = f", {outcome.cut} too long (their first part read)" if outcome.cut else ""
    return (
        f"feed {outcome.feed} {outcome.status}: {outcome.items} entries, {outcome.kept} read, "
        f"{outcome.off_topic} off topic, {outcome.out_of_period} outside the period"
        f"{unread}{cut}{despite}"
    )


def describe_articles(outcomes: Sequence[FetchOutcome], *, enabled: bool) -> list[str]:
    """The article round's lines: per feed that wanted articles, what they came to."""
    if not enabled:
        return ["articles: not fetched for this edition (teasers read as the feeds give them)"]
    lines = []
    for outcome in outcomes:
        failures = "; ".join(f"{n} {reason}" for reason, n in outcome.article_failures.items())
        total = outcome.articles_fetched + outcome.articles_reused + outcome.articles_failed
        if total or outcome.articles_over_cap or outcome.articles_late:
            lines.append(
                f"articles of {outcome.feed}: {outcome.articles_fetched} fetched, "
                f"{outcome.articles_reused} reused, {outcome.articles_failed} failed"
                + (f" ({failures})" if failures else "")
                + (f", {over} over the cap" if (over := outcome.articles_over_cap) else "")
                + (f", {late} past the deadline" if (late := outcome.articles_late) else "")
            )
    return lines or ["articles: no teaser item wanted its article"]


def describe_selection(selection: Selection) -> str:
    """The fetch stage's line."""
    return stage_line(
        2,
        "fetch",
        f"{len(selection.outcomes)} feeds, {len(selection.items)} items read, "
        f"{selection.duplicates} duplicate items left out",
    )


def describe_documents(extracted: Extracted) -> list[str]:
    """One line per document: its facts, and what was left out or that they were kept."""
    lines = []
    for result in extracted.results:
        if result.skipped is None:  # read only if the edition is composed
            lines.append(f"{result.document_id}: facts kept from an earlier run")
            continue
        left_out = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items()))
        lines.append(
            f"{result.document_id}: {len(result.facts)} facts; left out: {left_out or 'none'}"
        )
    return lines


def describe_extraction(extracted: Extracted) -> str:
    """The extract stage's line."""
    documents, fresh = len(extracted.results), len(extracted.fresh)
    return stage_line(
        3,
        "extract",
        f"{documents} documents: {fresh} read again, giving {len(extracted.facts)} facts; "
        f"the facts of {documents - fresh} kept from earlier runs",
    )


def describe_briefing(briefing: Briefing) -> str:
    """The compose stage's line: statements per section and what else the edition holds."""
    counts = ", ".join(f"{section.title}: {len(section.facts)}" for section in briefing.sections)
    previous = briefing.previous_edition
    new = f"{len(briefing.new_fact_ids)} since {previous}" if previous else "all (first edition)"
    return stage_line(
        4,
        "compose",
        f"{counts}; {len(briefing.key_points)} key points, {len(briefing.timeline)} timeline "
        f"events, {len(briefing.milestones)} milestones, {len(briefing.disagreements)} "
        f"disagreements; new: {new}",
    )


def describe_render(pdf: bytes, pages: int) -> str:
    """The render stage's line."""
    return stage_line(5, "render", f"{pages} pages, {len(pdf) // 1024} KiB of PDF")


def describe_reuse(stored: StoredEdition) -> str:
    """The line that says an edition was not made again: its inputs are those of the stored one."""
    return stage_line(
        4,
        "compose",
        f"inputs unchanged since run {stored.run_id}: its edition is reused, not composed or "
        f"rendered again ({stored.files.pdf})",
    )


def describe_files(result: EditionResult) -> str:
    """The write stage's line."""
    html = str(result.html_file)
    if result.html_pages:  # an HTML edition past PAGE_LIMIT: its front page and the rest
        html += f" (and {len(result.html_pages)} more pages beside it)"
    return stage_line(6, "write", f"{result.pdf_file}, {html} and {result.json_file}")


def describe_stage(name: str, value: Any, plan: "EditionPlan") -> list[tuple[int, str]]:
    """The lines a stage of ``make_edition`` reports as it ends, with their logging level."""
    info, warning = logging.INFO, logging.WARNING
    if name == "load":
        return [(info, describe_load(value[1], len(plan.feeds)))]
    if name == "fetch-feed":
        return [(info, f"{value.feed.name}: {value.outcome.reason or value.outcome.status}")]
    if name == "select":
        lines = [
            (warning if outcome.status == "failed" else info, describe_feed(outcome))
            for outcome in value.outcomes
        ]
        return [*lines, (info, describe_selection(value))]
    if name == "articles":
        return [
            (info, line) for line in describe_articles(value.outcomes, enabled=plan.fetch_articles)
        ]
    if name == "extract":
        lines = [(info, line) for line in describe_documents(value)]
        return [*lines, (info, describe_extraction(value))]
    if name == "recognise" and value[1] is not None:
        return [(info, describe_reuse(value[1]))]
    if name == "compose":
        return [(info, describe_briefing(value))]
    if name == "render":
        return [(info, describe_render(value.pdf, value.pages))]
    if name == "write":
        return [(info, describe_files(value))]
    if name == "remember":
        return [(info, stage_line(7, "remember", "edition recorded in the memory"))]
    if name == "message" and plan.delivery is not None:
        size, count = len(value) // 1024, len(plan.delivery.recipients)
        return [(info, f"message: {size} KiB for {count} recipients")]
    if name == "write-eml":
        return [(info, f"dry run: wrote {value} instead of sending it")]
    if name == "publish" and plan.bucket is not None:
        return [(info, f"publish: edition put in bucket {plan.bucket.name}: {value.pdf}")]
    return []
