"""Making the edition: its inputs recognised, composed, and rendered as PDF, HTML and JSON."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version

from briefing.compose.assemble import compose_briefing
from briefing.edition.facts import Extracted
from briefing.edition.plan import EditionPlan
from briefing.heap import gives_back_freed_memory, heap_held_still
from briefing.models import Briefing, Fact, FetchOutcome, SourceDocument
from briefing.render.budget import Printed, render_bounded_pdf
from briefing.render.document import render_html_pages
from briefing.render.pages import HtmlPage
from briefing.render.shown import Cut
from briefing.reuse import (
    StoredEdition,
    edition_inputs,
    load_code_version,
    load_stored_edition,
    stored_edition_stands,
)
from briefing.store.files import (
    edition_json,
    edition_stem,
)
from briefing.store.memory import (
    Recollection,
    load_recollection,
    memory_at,
)
from briefing.topic import Topic

VERSIONED = ("us-japan-space-briefing", "prefect", "weasyprint", "pydantic", "jinja2", "pysbd")
NO_RECOLLECTION = Recollection(previous_edition=None, fact_ids=frozenset())

# --- the same inputs, the same edition ------------------------------------------------------


def edition_fingerprint(
    plan: EditionPlan,
    extracted: Extracted,
    outcomes: Sequence[FetchOutcome],
    recollection: Recollection,
    versions: Mapping[str, str] | None = None,
) -> str:
    """The fingerprint of what this edition is made of (``briefing.reuse.edition_inputs``)."""
    choices = {
        "edition_date": plan.edition_date,
        "period_start": plan.period_start,
        "page_size": plan.page_size,
        "list_limit": plan.list_limit,
        "citation_limit": plan.citation_limit,
        "max_pages": plan.max_pages,
    }
    return edition_inputs(
        choices=choices,
        extraction_keys=[result.key for result in extracted.results],
        outcomes=outcomes,
        recollection=recollection,
        versions=load_versions() if versions is None else versions,
        code=load_code_version(plan.templates_dir),
    )


@gives_back_freed_memory
def load_reusable_edition(plan: EditionPlan, inputs: str) -> StoredEdition | None:
    """The edition in the plan's output folder when it was made from these very inputs."""
    return load_stored_edition(plan.out_dir, plan.edition_date, inputs)


def reusable_edition_stands(plan: EditionPlan, inputs: str) -> bool:
    """Whether the plan's output folder still holds the edition of these inputs, whole (its
    briefing not read again)."""
    return stored_edition_stands(plan.out_dir, plan.edition_date, inputs)


# --- compose and render --------------------------------------------------------------------


def load_versions() -> dict[str, str]:
    """Installed versions of the pipeline and its main libraries, for the method note."""
    found = {}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def load_recollection_of(plan: EditionPlan) -> Recollection:
    """What the editions dated before this one carried, from the memory."""
    if plan.database_url is None:
        return NO_RECOLLECTION
    with memory_at(plan.database_url) as memory:
        return load_recollection(memory, plan.edition_date)


@gives_back_freed_memory
@heap_held_still()  # the documents, facts and modules are not garbage meanwhile
def compose_edition(
    plan: EditionPlan,
    topic: Topic,
    documents: Sequence[SourceDocument],
    facts: Sequence[Fact],
    outcomes: Sequence[FetchOutcome] = (),
    recollection: Recollection = NO_RECOLLECTION,
    versions: Mapping[str, str] | None = None,
) -> Briefing:
    """The edition: facts merged and sectioned; those no earlier edition carried marked new."""
    return compose_briefing(
        topic,
        documents,
        facts,
        plan.edition_date,
        period_start=plan.period_start,
        previous_edition=recollection.previous_edition,
        earlier_fact_ids=recollection.fact_ids,
        earlier_stories=recollection.stories,
        source_health=outcomes,
        versions=load_versions() if versions is None else versions,
    )


@dataclass(frozen=True)
class Rendered:
    """The edition as a PDF (the JSON edition attached) and as a standalone HTML page."""

    pdf: bytes
    # The HTML edition's front page, UTF-8, in pieces (``render_html_pages``): at 20,000 items
    # the edition is 100 MB, half what it takes as text. Empty once written (``written``).
    html: tuple[bytes, ...]
    # Its further pages, when one would pass PAGE_LIMIT. Empty once written.
    html_pages: tuple[HtmlPage, ...]
    print_html: str  # what the PDF was rendered from
    pages: int  # the PDF's
    # The JSON edition, as attached to the PDF and written beside it; once written, kept only
    # when the PDF carries it (at most MAX_ATTACHED_JSON), else empty.
    json: bytes
    cut: Cut  # what the PDF shows of the edition

    def written(self) -> "Rendered":
        """What a run keeps of it once the files are written (``Made.rendered``): the PDF,
        what it was printed from and what it shows; the HTML edition's pages and the JSON
        edition are left to their files (at 20,000 items 94 and 129 MB), except a JSON edition
        the PDF carries attached."""
        attached = self.json if len(self.json) <= MAX_ATTACHED_JSON else b""
        return replace(self, html=(), html_pages=(), json=attached)


# The largest JSON edition the PDF carries inside it. The PDF is the week in brief, bounded by
# its page budget, and emailed: at 2,000 items the JSON edition is 14 MB, at 20,000 130 MB (12
# MB of PDF compressed, and seconds of compressing that grew with the input); past this it is
# published beside the PDF only, and the PDF says so.
MAX_ATTACHED_JSON = 5_000_000


def edition_attachments(briefing: Briefing, json: bytes | None) -> list[tuple[str, bytes, str]]:
    """What the PDF carries inside it: the JSON edition, when given (not empty) and at most
    ``MAX_ATTACHED_JSON`` bytes."""
    if not json or len(json) > MAX_ATTACHED_JSON:
        return []
    return [(f"{edition_stem(briefing)}.json", json, "The JSON edition")]


def print_edition(plan: EditionPlan, briefing: Briefing, json: bytes | None = None) -> Printed:
    """The PDF as the plan prints it: filled up to its page budget in order of importance, on
    its paper, with its citations a statement; ``json``, the JSON edition, is attached."""
    attachments = edition_attachments(briefing, json)
    return render_bounded_pdf(
        briefing,
        plan.templates_dir,
        max_pages=plan.max_pages,
        citations=plan.citation_limit,
        list_limit=plan.list_limit,
        page_size=plan.page_size,
        attachments=attachments,
        created=briefing.edition_date,
    )


@gives_back_freed_memory
def render_edition(plan: EditionPlan, briefing: Briefing) -> Rendered:
    """Render the PDF within the plan's page budget, filled in order of importance, and the
    HTML page, which shows every entry."""
    # Encoded once, for the attachment and the file: 13.6 MB at 2,000 items, 130 at 20,000.
    with heap_held_still():  # the edition and the modules are not garbage meanwhile
        data = edition_json(briefing)
        printed = print_edition(plan, briefing, json=data)
        front, *pages = render_html_pages(
            briefing, plan.templates_dir, page_size=plan.page_size, stem=edition_stem(briefing)
        )
    return Rendered(
        pdf=printed.pdf,
        html=front.pieces,
        html_pages=tuple(pages),
        print_html=printed.html,
        pages=printed.pages,
        json=data,
        cut=printed.cut,
    )
