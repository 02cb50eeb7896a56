"""Keeping the edition: its files written, its record in the memory, its links, its email."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel

from briefing.deliver.mail import PdfNote, build_message
from briefing.deliver.smtp import DeliveryPlan
from briefing.edition.facts import Extracted
from briefing.edition.gather import Selection
from briefing.edition.make import Rendered
from briefing.edition.plan import EditionPlan
from briefing.heap import give_back_freed_memory, gives_back_freed_memory, heap_held_still
from briefing.models import Briefing
from briefing.publish.archive import refresh_archive
from briefing.publish.bucket import send_to_bucket
from briefing.publish.links import EditionLinks, edition_links
from briefing.render.shown import printed_statements
from briefing.render.summary import key_points
from briefing.reuse import StoredEdition
from briefing.sources.feeds import (
    FeedFetch,
)
from briefing.store.files import (
    EditionFiles,
    lock_edition_folder,
    write_edition,
)
from briefing.store.memory import (
    EditionRecord,
    memory_at,
    memory_turn,
    write_memory,
)
from briefing.topic import Topic

# --- write and remember --------------------------------------------------------------------


class EditionResult(BaseModel):
    """What a run produced: where its files are and what they hold."""

    edition_date: date
    pdf_file: Path
    json_file: Path
    html_file: Path
    html_pages: list[Path] = []  # the HTML edition's further pages, when it is split
    sources: int
    facts: int
    new_facts: int
    feeds_failed: int
    reused_from_run: str | None = None  # the run whose files an edition of the same inputs reused
    warnings: list[str] = []  # what went wrong in a run whose edition came out (run.py)
    printed: int | None = None  # statements the PDF prints (None: a reused edition's, unknown)


@contextmanager
def take_memory_turn(plan: EditionPlan) -> Iterator[None]:
    """Hold the memory's turn from reading the earlier editions to recording this one: editions
    composed at the same time come out one after another, each seeing those recorded before it
    (``briefing.store.memory_turn``; take it before the edition's lock)."""
    assert plan.database_url is not None, "the plan keeps no memory"
    with memory_turn(plan.database_url):
        yield


@contextmanager
def lock_edition(plan: EditionPlan) -> Iterator[None]:
    """Hold the edition's lock in its output folder: runs of the same edition write their files,
    memory and dry-run email one after the other, never interleaved."""
    with lock_edition_folder(plan.out_dir, plan.edition_date):
        yield


@gives_back_freed_memory
def write_files(
    plan: EditionPlan,
    briefing: Briefing,
    rendered: Rendered,
    *,
    run_id: str,
    written_at: datetime,
    inputs: str | None = None,
) -> EditionResult:
    """Replace the PDF, the HTML page and the JSON edition as a whole, their manifest naming the
    run; say where and what they hold. Raises BriefingError, the previous edition left whole,
    when they cannot be written: record the edition in the memory only once this returned.
    The archive, the feed and the search index follow (``write_archive_of``), once the caller
    has let the rendered bytes go."""
    files: EditionFiles = write_edition(
        plan.out_dir,
        briefing,
        rendered.pdf,
        rendered.html,
        run_id=run_id,
        written_at=written_at,
        inputs=inputs,
        json=rendered.json,
        html_pages=rendered.html_pages,
    )
    return _result(briefing, files).model_copy(
        update={"printed": printed_statements(briefing, rendered.cut)}
    )


@gives_back_freed_memory
def write_archive_of(plan: EditionPlan, briefing: Briefing) -> None:
    """The archive page, the feed of editions and the search index, once the edition's files
    are in place (``briefing`` is the edition just written: its JSON is not read back). A
    failure is a warning: the edition stands, and the next one writes the archive again.

    Its own step after the files, not inside ``write_files``: the search index is Pagefind's
    own process (about 200 MiB at 20,000 items) beside the run's, which no longer holds the
    HTML and JSON editions' bytes (94 and 129 MB) by then: the heap's pages they held are given
    back first (the run's process 729 MiB then, against 922 when the archive was written
    inside ``write_files``)."""
    give_back_freed_memory()
    refresh_archive(plan.out_dir, plan.templates_dir, briefing)


def _result(
    briefing: Briefing, files: EditionFiles, reused_from: str | None = None
) -> EditionResult:
    return EditionResult(
        edition_date=briefing.edition_date,
        pdf_file=files.pdf,
        json_file=files.json,
        html_file=files.html,
        html_pages=list(files.html_pages),
        sources=len(briefing.sources),
        facts=sum(1 for _ in briefing.facts()),
        new_facts=len(briefing.new_fact_ids),
        feeds_failed=sum(1 for outcome in briefing.source_health if outcome.status == "failed"),
        reused_from_run=reused_from,
    )


def reused_result(stored: StoredEdition) -> EditionResult:
    """What a run that reused a stored edition's files produced: those files."""
    return _result(stored.briefing, stored.files, reused_from=stored.run_id)


@gives_back_freed_memory
@heap_held_still()  # the edition, its documents and facts are not garbage while they are written
def write_to_memory(
    plan: EditionPlan,
    briefing: Briefing,
    selection: Selection,
    fetches: Sequence[FeedFetch],
    extracted: Extracted,
    *,
    run_id: str,
    written_at: datetime,
) -> None:
    """Record the edition, its documents, facts and fetches in the memory, in one transaction."""
    record = EditionRecord(
        run_id=run_id,
        written_at=written_at,
        briefing=briefing,
        items=selection.items,
        fetches=tuple(fetches),
        extractions=extracted.fresh,
        articles=selection.article_copies,
    )
    assert plan.database_url is not None, "the plan keeps no memory"
    with memory_at(plan.database_url) as memory:
        write_memory(memory, record)


def links_to(plan: EditionPlan, result: EditionResult) -> EditionLinks:
    """Where people open the edition's files: http addresses under the public base URL when
    they were written to the folder served there, else file:// addresses."""
    return edition_links(
        result.pdf_file,
        result.html_file,
        result.json_file,
        served_dir=plan.served_dir or plan.out_dir,
        base_url=plan.public_base_url,
    )


def send_to_publish_bucket(plan: EditionPlan, result: EditionResult) -> EditionLinks:
    """Put the edition's files in the plan's bucket (the PDF last); where people open them."""
    assert plan.bucket is not None, "the plan names no bucket"
    files = (result.pdf_file, result.html_file, result.json_file)
    return send_to_bucket(plan.bucket, files, plan.public_base_url, pages=result.html_pages)


# --- deliver -------------------------------------------------------------------------------


def load_message(
    delivery: DeliveryPlan,
    topic: Topic,
    briefing: Briefing,
    result: EditionResult,
    templates_dir: Path,
    sent_at: datetime,
    html_link: str,
) -> bytes:
    """The email's bytes, with the PDF attached exactly as it was written to disk, saying what
    it prints and linking the HTML edition."""
    note = PdfNote(statements=result.facts, printed=result.printed, html_link=html_link)
    message = build_message(
        title=topic.email_title(),
        edition_date=briefing.edition_date,
        points=key_points(briefing),
        sender=delivery.sender,
        pdf=result.pdf_file.read_bytes(),
        sent_at=sent_at,
        templates_dir=templates_dir,
        note=note,
    )
    return message.as_bytes()
