"""The stages of an edition as ``make_edition`` calls them: each one call with plain arguments,
which a driver can run as it likes (a Prefect task, timed, in this process)."""

from datetime import UTC, datetime
from pathlib import Path

from briefing.deliver.smtp import write_dry_run
from briefing.edition.facts import Extracted, load_kept_into
from briefing.edition.gather import (
    Selection,
    fetch_one_feed,
)
from briefing.edition.keep import (
    EditionResult,
    links_to,
    load_message,
    write_archive_of,
    write_files,
    write_to_memory,
)
from briefing.edition.make import (
    Rendered,
    compose_edition,
    edition_fingerprint,
    load_recollection_of,
    load_reusable_edition,
)
from briefing.edition.plan import EditionPlan
from briefing.errors import FetchError
from briefing.extract.facts import count_fact_caps
from briefing.models import Briefing, SourceDocument
from briefing.reuse import StoredEdition
from briefing.sources.feeds import FeedConfig, FeedCopy, FeedFetch
from briefing.topic import Topic


def fetch_feed(plan: EditionPlan, feed: FeedConfig, previous: FeedCopy | None) -> FeedFetch:
    """Fetch one feed; raise FetchError only when its trouble may pass (a driver may retry)."""
    fetched = fetch_one_feed(plan, feed, previous)
    outcome = fetched.outcome
    if fetched.transient and outcome.reason is not None:
        raise FetchError(outcome.reason, transient=True, http_status=outcome.http_status)
    return fetched


def recognise(
    plan: EditionPlan, extracted: Extracted, selection: Selection
) -> tuple[str, StoredEdition | None]:
    """The fingerprint of the edition's inputs, and the stored edition made from the same ones
    (whose files are then this edition's), if there is one."""
    inputs = edition_fingerprint(plan, extracted, selection.outcomes, load_recollection_of(plan))
    return inputs, load_reusable_edition(plan, inputs)


def compose(
    plan: EditionPlan,
    topic: Topic,
    documents: tuple[SourceDocument, ...],
    extracted: Extracted,
    selection: Selection,
) -> Briefing:
    """The edition composed from every fact, those the memory kept read in; those no earlier
    edition carried marked new."""
    loaded = load_kept_into(plan, extracted)
    recollection = load_recollection_of(plan)
    # Source health counts the documents whose facts reached a cap (extract.facts).
    feed_of = {item.document.id: item.feed_url for item in selection.items}
    outcomes = count_fact_caps(selection.outcomes, feed_of, loaded.results)
    return compose_edition(plan, topic, documents, loaded.facts, outcomes, recollection)


def write(
    plan: EditionPlan, briefing: Briefing, rendered: Rendered, run_id: str, inputs: str
) -> EditionResult:
    """The edition's files written, their manifest naming the run and keeping the inputs."""
    now = datetime.now(UTC)
    return write_files(plan, briefing, rendered, run_id=run_id, written_at=now, inputs=inputs)


def archive(plan: EditionPlan, briefing: Briefing) -> None:
    """The archive page, the feed of editions and the search index, the edition's files in
    place."""
    write_archive_of(plan, briefing)


def remember(
    plan: EditionPlan,
    briefing: Briefing,
    selection: Selection,
    fetches: tuple[FeedFetch, ...],
    extracted: Extracted,
    run_id: str,
) -> None:
    """The edition recorded in the memory, in one transaction."""
    now = datetime.now(UTC)
    write_to_memory(plan, briefing, selection, fetches, extracted, run_id=run_id, written_at=now)


def message(plan: EditionPlan, topic: Topic, briefing: Briefing, result: EditionResult) -> bytes:
    """The email, with the PDF as written on disk attached."""
    assert plan.delivery is not None, "the plan sends no email"
    link = links_to(plan, result).html
    return load_message(
        plan.delivery, topic, briefing, result, plan.templates_dir, datetime.now(UTC), link
    )


def write_message(plan: EditionPlan, data: bytes, run_id: str) -> Path:
    """A dry run's delivery: the message written as an .eml file, recorded per recipient."""
    assert plan.delivery is not None, "the plan sends no email"
    return write_dry_run(
        plan.out_dir, plan.edition_date, plan.delivery, data, at=datetime.now(UTC), run_id=run_id
    )
