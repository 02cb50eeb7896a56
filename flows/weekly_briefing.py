"""The weekly-briefing flow: load, extract, compose, render, write, report, then deliver.

Orchestration only: every stage is a plain function of the ``briefing`` library. The edition is
written to disk before any delivery, so a failed delivery never loses it.
(No ``from __future__ import annotations`` here: it breaks Prefect's parameter validation.)
"""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task, unmapped
from prefect.runtime import flow_run
from pydantic import BaseModel, ConfigDict, Field

from briefing.compose import compose_briefing
from briefing.deliver import DELIVERY_LOG, plan_delivery
from briefing.errors import DeliveryError
from briefing.extract.facts import extract_facts
from briefing.mail import EmailAddress
from briefing.models import Briefing, Fact, SourceDocument
from briefing.render import PageSize, render_html, render_pdf
from briefing.settings import Settings
from briefing.sources.seeds import load_seeds
from briefing.store import write_edition
from briefing.topic import Topic, load_topic
from flows.artifacts import deliveries_report_stage, report_stage
from flows.delivery import check_block_stage, deliver_stage, message_stage, write_message_stage

STAGES = 5


class EditionParameters(BaseModel):
    """What an edition is made of; the Prefect UI shows these fields as the run form."""

    # Frozen, so one instance can safely be the flow's default (the UI form starts from it).
    model_config = ConfigDict(extra="forbid", frozen=True)

    edition_date: date | None = Field(
        default=None,
        title="Edition date",
        description="Date printed on the edition and used in its file names. "
        "Leave empty for today in the configured time zone (BRIEFING_TIMEZONE).",
    )
    page_size: PageSize = Field(
        default="A4",
        title="Page size",
        description="Paper size of the PDF: A4, or letter (U.S. paper).",
    )
    output_dir: str | None = Field(
        default=None,
        title="Output folder",
        description="Folder the PDF and JSON are written to. "
        "Leave empty for the BRIEFING_OUT_DIR setting (default: out).",
    )
    send_email: bool = Field(
        default=False,
        title="Send email",
        description="Email the PDF, with the key points, to the configured recipients "
        "(BRIEFING_EMAIL_RECIPIENTS) and the recipients below.",
    )
    recipients: list[EmailAddress] = Field(
        default_factory=list,
        title="Recipients",
        description="More addresses to email this edition to, added to the configured ones. "
        "Bare addresses only, such as analyst@example.org.",
    )
    smtp_block: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        title="SMTP block",
        description="Name of a prefect-email 'Email Server Credentials' block to send through. "
        "Leave empty to use the BRIEFING_SMTP_* settings.",
    )
    dry_run: bool = Field(
        default=False,
        title="Dry run",
        description="Build the email but do not send it: write it as briefing-DATE.eml "
        "in the output folder instead (implies preparing the email).",
    )


class EditionResult(BaseModel):
    """What a run produced."""

    edition_date: date
    pdf_file: Path
    json_file: Path
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
    """Assemble the facts into the edition's sections."""
    briefing = compose_briefing(topic, documents, facts, edition_date)
    counts = ", ".join(f"{section.title}: {len(section.facts)}" for section in briefing.sections)
    get_run_logger().info("[3/%d] compose: %s", STAGES, counts)
    return briefing


@task(name="render")
def render_stage(briefing: Briefing, templates_dir: Path, page_size: PageSize) -> bytes:
    """Render the edition to HTML, then to PDF on the chosen paper size."""
    pdf = render_pdf(render_html(briefing, templates_dir, page_size), templates_dir)
    get_run_logger().info(
        "[4/%d] render: %d KiB of PDF on %s paper", STAGES, len(pdf) // 1024, page_size
    )
    return pdf


@task(name="write")
def write_stage(out_dir: Path, briefing: Briefing, pdf: bytes) -> EditionResult:
    """Write the PDF and the JSON edition."""
    files = write_edition(out_dir, briefing, pdf)
    get_run_logger().info("[5/%d] write: %s and %s", STAGES, files.pdf, files.json)
    return EditionResult(
        edition_date=briefing.edition_date,
        pdf_file=files.pdf,
        json_file=files.json,
        sources=len(briefing.sources),
        facts=sum(1 for _ in briefing.facts()),
    )


@flow(name="weekly-briefing")
def weekly_briefing(parameters: EditionParameters = EditionParameters()) -> EditionResult:
    """Make one edition of the briefing from the seed documents, and email it if asked.

    Args:
        parameters: What the edition is made of: its date, paper size, output folder, and
            whether and to whom it is emailed. Every field has a default; a scheduled run
            uses them all.
    """
    settings = Settings()
    edition_date = parameters.edition_date or datetime.now(ZoneInfo(settings.timezone)).date()
    out_dir = Path(parameters.output_dir) if parameters.output_dir else settings.out_dir
    emailing = parameters.send_email or parameters.dry_run
    # Checked before any work, so a missing recipient or server fails in seconds, not minutes.
    plan = (
        plan_delivery(settings, parameters.recipients, parameters.smtp_block, parameters.dry_run)
        if emailing
        else None
    )
    if plan is not None and plan.smtp_block and not plan.dry_run:
        check_block_stage(plan.smtp_block)

    documents, topic = load_stage(settings.seeds_dir, settings.topic_file)
    facts = extract_stage(documents, topic)
    briefing = compose_stage(topic, documents, facts, edition_date)
    pdf = render_stage(briefing, settings.templates_dir, parameters.page_size)
    result = write_stage(out_dir, briefing, pdf)
    report_stage(briefing, result.pdf_file, out_dir)
    if plan is None:
        return result

    run_id = str(flow_run.id) if flow_run.id else None
    message = message_stage(briefing, plan, result.pdf_file, settings.templates_dir)
    if plan.dry_run:
        write_message_stage(out_dir, edition_date, message, plan, run_id)
        deliveries_report_stage(out_dir, run_id)
        return result

    attempts = deliver_stage.with_options(
        retries=settings.smtp_retries, retry_delay_seconds=settings.retry_delays()
    ).map(
        recipient=plan.recipients,
        data=unmapped(message),
        plan=unmapped(plan),
        edition_date=unmapped(edition_date),
        out_dir=unmapped(out_dir),
        run_id=unmapped(run_id),
    )
    attempts.wait()
    deliveries_report_stage(out_dir, run_id)
    failed = [
        recipient
        for recipient, attempt in zip(plan.recipients, attempts, strict=True)
        if not attempt.state.is_completed()
    ]
    if failed:
        raise DeliveryError(
            f"could not email the edition to {', '.join(failed)} via {plan.via()} after "
            f"{settings.smtp_retries + 1} attempts each; the edition is kept in {result.pdf_file} "
            f"and every attempt is recorded in {out_dir / DELIVERY_LOG}"
        )
    return result


if __name__ == "__main__":
    weekly_briefing()
