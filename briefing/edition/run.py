"""The edition's sequence, written once: ``make_edition`` runs its stages (``steps.py``) in
order through a driver that says how each stage is run.

Three drivers run it: the Prefect flow (each stage a named task, with its retries and log line,
``flows/stages.py``), the benchmark (each stage timed) and ``Plainly`` (``plainly.py``: in this
process, for the news evaluation and the tests). The order, the turn on the memory, the
edition's lock and the reuse of a stored edition of the same inputs are decided here and
nowhere else.
"""

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from briefing.deliver import Missed
from briefing.edition.facts import Extracted, load_and_extract
from briefing.edition.gather import (
    Selection,
    fetch_full_articles,
    load_previous_copies,
    load_sources,
    select_news,
)
from briefing.edition.keep import (
    EditionResult,
    links_to,
    lock_edition,
    reused_result,
    send_to_publish_bucket,
    take_memory_turn,
)
from briefing.edition.make import (
    Rendered,
    render_edition,
    reusable_edition_stands,
)
from briefing.edition.plan import EditionPlan
from briefing.edition.steps import (
    archive,
    compose,
    fetch_feed,
    message,
    recognise,
    remember,
    write,
    write_message,
)
from briefing.errors import DeliveryError, FetchError
from briefing.extract.facts import ExtractMany
from briefing.models import Briefing, SourceDocument
from briefing.publish.archive import refresh_archive
from briefing.publish.links import EditionLinks
from briefing.sources.feeds import FeedConfig, FeedCopy, FeedFetch, failed_fetch
from briefing.topic import Topic
from briefing.workers import worker_pool

T = TypeVar("T")
FetchFeed = Callable[[EditionPlan, FeedConfig, FeedCopy | None], FeedFetch]


class Stages(Protocol):
    """How a driver runs the stages ``make_edition`` names, in the order it calls them."""

    def run(self, name: str, stage: Callable[..., T], *args: Any) -> T:
        """``stage(*args)``, run as the driver runs a stage; its value."""
        ...

    def each(
        self,
        name: str,
        stage: Callable[..., T],
        plan: EditionPlan,
        items: Sequence[tuple[Any, ...]],
    ) -> list[T | Exception]:
        """``stage(plan, *item)`` for each item, in parallel where the driver can, in order;
        an item's exception in its place."""
        ...

    def report(self, briefing: Briefing, links: EditionLinks, warnings: Sequence[str]) -> None:
        """Show what was made, and what went wrong, where the driver's users look for it."""
        ...

    def deliver(
        self, plan: EditionPlan, message: bytes, run_id: str, result: EditionResult
    ) -> Missed | None:
        """Email the message as the plan's delivery says (a dry run's is written already);
        the recipients it still missed, and why."""
        ...


@dataclass(frozen=True)
class Made:
    """What ``make_edition`` made: the result, and what it was made of."""

    result: EditionResult
    briefing: Briefing
    # None: a stored edition of the same inputs was reused. Its HTML and JSON editions are in
    # their files (``Rendered.written``).
    rendered: Rendered | None
    read: "Read"
    links: EditionLinks


@dataclass(frozen=True)
class Read:
    """What an edition reads: the profile, the seeds, the feeds and their items, every fact."""

    topic: Topic
    seeds: tuple[SourceDocument, ...]
    fetches: tuple[FeedFetch, ...]
    selection: Selection
    extracted: Extracted

    @property
    def documents(self) -> tuple[SourceDocument, ...]:
        """The seeds, then the items read."""
        return self.seeds + self.selection.documents


def read_edition(
    plan: EditionPlan,
    stages: "Stages",
    *,
    fetch: FetchFeed = fetch_feed,
    extract_many: ExtractMany | None = None,
) -> Read:
    """Load, fetch, select, articles, extract: what the edition is made of. ``fetch`` reads one
    feed (the network by default), ``extract_many`` extracts (the plan's workers by default)."""
    topic, seeds = stages.run("load", load_sources, plan)
    with worker_pool(topic):  # parsing and extraction share their worker processes
        fetches = fetch_all(plan, stages, fetch)
        selection = stages.run("select", select_news, plan, topic, fetches)
        selection = stages.run("articles", fetch_full_articles, plan, selection)
        documents = seeds + selection.documents
        extracted = stages.run("extract", load_and_extract, plan, topic, documents, extract_many)
    return Read(topic, seeds, tuple(fetches), selection, extracted)


def make_edition(
    plan: EditionPlan,
    stages: "Stages",
    *,
    run_id: str = "local",
    fetch: FetchFeed = fetch_feed,
    extract_many: ExtractMany | None = None,
) -> Made:
    """One edition, stage by stage: ``read_edition``; then, in the memory's turn, recognise (a
    stored edition of the same inputs is reused), compose and render, and under the edition's
    lock write, remember and prepare the email; then publish, report and deliver."""
    read = read_edition(plan, stages, fetch=fetch, extract_many=extract_many)
    topic, documents, extracted, selection = (
        read.topic,
        read.documents,
        read.extracted,
        read.selection,
    )

    def compose_and_render() -> tuple[Briefing, Rendered]:
        briefing = stages.run("compose", compose, plan, topic, documents, extracted, selection)
        return briefing, stages.run("render", render_edition, plan, briefing)

    # Editions take turns on the memory from reading the earlier ones to recording this one, so
    # each is new against every edition recorded before it, even when runs overlap; within the
    # turn, another run of the same edition writes its files, memory and .eml before or after
    # this one's, never between them. A write that fails raises here: nothing is remembered.
    data = None
    with take_memory_turn(plan) if plan.database_url else nullcontext():
        inputs, stored = stages.run("recognise", recognise, plan, extracted, selection)
        rendered = None
        if stored is None:
            briefing, rendered = compose_and_render()
        with lock_edition(plan):
            if stored is not None and not reusable_edition_stands(plan, inputs):
                stored = None  # another run replaced the files meanwhile: made after all
                briefing, rendered = compose_and_render()
            if stored is not None:
                briefing, result = stored.briefing, reused_result(stored)
                # A run killed while writing the archive left it half done: the reuse redoes it.
                refresh_archive(plan.out_dir, plan.templates_dir)
            else:
                assert rendered is not None
                result = stages.run("write", write, plan, briefing, rendered, run_id, inputs)
                # The HTML and JSON editions are in their files: their bytes (94 and 129 MB at
                # 20,000 items) go before the search index's process starts and the memory is
                # written.
                rendered = rendered.written()
                stages.run("archive", archive, plan, briefing)
            if plan.database_url:
                kept = (plan, briefing, selection, read.fetches, extracted, run_id)
                stages.run("remember", remember, *kept)
            if plan.delivery is not None:
                data = stages.run("message", message, plan, topic, briefing, result)
                if plan.delivery.dry_run:
                    stages.run("write-eml", write_message, plan, data, run_id)
    # Several workers write to folders people cannot reach: the bucket is where they look then.
    if plan.bucket is not None:
        links = stages.run("publish", send_to_publish_bucket, plan, result)
    else:
        links = links_to(plan, result)
    missed = None
    if plan.delivery is not None and data is not None:
        missed = stages.deliver(plan, data, run_id, result)
    warnings = edition_warnings(plan, read.selection, missed)
    result = result.model_copy(update={"warnings": warnings})
    stages.report(briefing, links, warnings)
    if missed is not None and missed.number == missed.total:
        raise DeliveryError(missed.text)  # nobody was reached: the run failed
    return Made(result, briefing, rendered, read, links)


def fetch_all(plan: EditionPlan, stages: Stages, fetch: FetchFeed) -> list[FeedFetch]:
    """Every feed fetched, in parallel where the driver can; one that still fails is recorded
    as failed (its trouble in the edition's source health), and the run goes on."""
    copies = stages.run("recall", load_previous_copies, plan) if plan.database_url else {}
    jobs = [(feed, copies.get(feed.url)) for feed in plan.feeds]
    fetches = []
    for feed, fetched in zip(plan.feeds, stages.each("fetch-feed", fetch, plan, jobs), strict=True):
        if isinstance(fetched, FetchError):
            fetched = failed_fetch(feed, fetched.reason, fetched.http_status)
        elif isinstance(fetched, Exception):  # a bug, not a feed's trouble
            raise fetched
        fetches.append(fetched)
    return fetches


def edition_warnings(plan: EditionPlan, selection: Selection, missed: Missed | None) -> list[str]:
    """What went wrong in a run whose edition came out: feeds that failed, article pages that
    could not be read, email that was not sent or missed recipients. Empty for a healthy run."""
    warnings = []
    failed = [o for o in selection.outcomes if o.status == "failed"]
    if failed:
        named = "; ".join(f"{o.feed} ({o.reason})" for o in failed[:5])
        more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
        warnings.append(f"{len(failed)} of {len(selection.outcomes)} feeds failed: {named}{more}")
    pages = sum(o.articles_failed for o in selection.outcomes)
    if pages:
        warnings.append(f"{pages} article pages could not be read: their teasers were used")
    if plan.not_emailed is not None:
        warnings.append(f"Not emailed: {plan.not_emailed}")
    if missed is not None:
        warnings.append(missed.text)
    return warnings
