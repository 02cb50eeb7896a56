"""The weekly-briefing flow: load, extract, compose, render, write; one task per stage.

Orchestration only: every stage is a plain function of the ``briefing`` library.
(No ``from __future__ import annotations`` here: it breaks Prefect's parameter validation.)
"""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from pydantic import BaseModel, ConfigDict, Field

from briefing.compose import compose_briefing
from briefing.extract.facts import extract_facts
from briefing.models import Briefing, Fact, SourceDocument
from briefing.pipeline import collect_versions
from briefing.render import PageSize, render_html, render_pdf
from briefing.settings import Settings
from briefing.sources.seeds import load_seeds
from briefing.store import edition_json, edition_stem, write_edition
from briefing.topic import Topic, load_topic

STAGES = 5


class EditionParameters(BaseModel):
    """What an edition is made of; the Prefect UI shows these fields as the run form."""

    model_config = ConfigDict(extra="forbid")

    edition_date: date | None = Field(
        default=None,
        description="Date printed on the edition and used in its file names. "
        "Leave empty for today in the configured time zone (BRIEFING_TIMEZONE).",
    )
    output_dir: str | None = Field(
        default=None,
        description="Folder the PDF, HTML and JSON are written to. "
        "Leave empty for the BRIEFING_OUT_DIR setting (default: out).",
    )
    page_size: PageSize = Field(default="A4", description="Paper size of the PDF: A4 or letter.")


class EditionResult(BaseModel):
    """What a run produced."""

    edition_date: date
    pdf_file: Path
    json_file: Path
    html_file: Path
    sources: int
    facts: int


@task(name="load")
def load_stage(seeds_dir: Path, topic_file: Path) -> tuple[tuple[SourceDocument, ...], Topic]:
    """Read the topic profile and the seed documents with their metadata."""
    topic = load_topic(topic_file)
    documents = load_seeds(seeds_dir)
    get_run_logger().info(
        "[1/%d] load: %d seed documents from %s", STAGES, len(documents), seeds_dir
    )
    return documents, topic


@task(name="extract")
def extract_stage(documents: tuple[SourceDocument, ...], topic: Topic) -> list[Fact]:
    """Turn every document into fact records."""
    logger = get_run_logger()
    facts: list[Fact] = []
    for document in documents:
        extraction = extract_facts(document, topic)
        facts.extend(extraction.facts)
        left_out = ", ".join(f"{n} {kind}" for kind, n in sorted(extraction.skipped.items()))
        logger.info(
            "%s: %d facts; left out: %s", document.id, len(extraction.facts), left_out or "none"
        )
    logger.info("[2/%d] extract: %d facts from %d documents", STAGES, len(facts), len(documents))
    return facts


@task(name="compose")
def compose_stage(
    topic: Topic, documents: tuple[SourceDocument, ...], facts: list[Fact], edition_date: date
) -> Briefing:
    """Merge, section and date the facts into the edition."""
    briefing = compose_briefing(topic, documents, facts, edition_date, versions=collect_versions())
    counts = ", ".join(f"{section.title}: {len(section.facts)}" for section in briefing.sections)
    get_run_logger().info(
        "[3/%d] compose: %s; %d key points, %d timeline events, %d milestones, %d disagreements",
        STAGES,
        counts,
        len(briefing.key_points),
        len(briefing.timeline),
        len(briefing.milestones),
        len(briefing.disagreements),
    )
    return briefing


@task(name="render")
def render_stage(briefing: Briefing, templates_dir: Path, page_size: PageSize) -> tuple[bytes, str]:
    """Render the edition to a PDF (the JSON edition attached) and a standalone HTML page."""
    pdf = render_pdf(
        render_html(briefing, templates_dir, page_size=page_size),
        templates_dir,
        attachments=[
            (f"{edition_stem(briefing)}.json", edition_json(briefing), "The JSON edition")
        ],
        created=briefing.edition_date,
    )
    html = render_html(briefing, templates_dir, page_size=page_size, standalone=True)
    get_run_logger().info("[4/%d] render: %d KiB of PDF", STAGES, len(pdf) // 1024)
    return pdf, html


@task(name="write")
def write_stage(out_dir: Path, briefing: Briefing, pdf: bytes, html: str) -> EditionResult:
    """Write the PDF, the HTML page and the JSON edition."""
    files = write_edition(out_dir, briefing, pdf, html)
    get_run_logger().info("[5/%d] write: %s, %s and %s", STAGES, files.pdf, files.html, files.json)
    return EditionResult(
        edition_date=briefing.edition_date,
        pdf_file=files.pdf,
        json_file=files.json,
        html_file=files.html,
        sources=len(briefing.sources),
        facts=sum(1 for _ in briefing.facts()),
    )


@flow(name="weekly-briefing")
def weekly_briefing(parameters: EditionParameters | None = None) -> EditionResult:
    """Make one edition of the briefing from the seed documents."""
    parameters = parameters or EditionParameters()
    settings = Settings()
    edition_date = parameters.edition_date or datetime.now(ZoneInfo(settings.timezone)).date()
    out_dir = Path(parameters.output_dir) if parameters.output_dir else settings.out_dir
    documents, topic = load_stage(settings.seeds_dir, settings.topic_file)
    facts = extract_stage(documents, topic)
    briefing = compose_stage(topic, documents, facts, edition_date)
    pdf, html = render_stage(briefing, settings.templates_dir, parameters.page_size)
    return write_stage(out_dir, briefing, pdf, html)


if __name__ == "__main__":
    weekly_briefing()
