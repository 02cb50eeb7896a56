"""Tasks that put an edition's summary, facts, PDF link and deliveries on the run's page."""

from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from briefing.deliver.smtp import describe_unreadable, load_delivery_log
from briefing.models import Briefing
from briefing.render.summary import ROW_STATEMENT_CHARS, build_fact_rows, build_summary_markdown

# Keyed artifacts: the UI's Artifacts page keeps each key's history across editions.
SUMMARY_KEY = "weekly-briefing-summary"
FACTS_KEY = "weekly-briefing-facts"
PDF_KEY = "weekly-briefing-pdf"
DELIVERIES_KEY = "weekly-briefing-deliveries"


@task(name="report")
def report_stage(briefing: Briefing, pdf_file: Path) -> None:
    """Show the run's summary, the table of facts and a link to the PDF on the run's page."""
    logger = get_run_logger()
    create_markdown_artifact(
        key=SUMMARY_KEY,
        markdown=build_summary_markdown(briefing, str(pdf_file)),
        description=f"Summary of the edition of {briefing.edition_date.isoformat()}",
    )
    create_table_artifact(
        key=FACTS_KEY,
        table=build_fact_rows(briefing),
        description=f"Every statement of the edition of {briefing.edition_date.isoformat()}, "
        f"shortened to {ROW_STATEMENT_CHARS} characters where longer (…), with its sources' "
        "numbers: each is whole, and cited with outlet and date, in the HTML and JSON editions",
    )
    path = pdf_file.resolve()
    create_link_artifact(
        key=PDF_KEY,
        link=path.as_uri(),
        link_text=f"PDF of the edition of {briefing.edition_date:%d %B %Y}: {path.name}",
        description=f"The PDF, in {path.parent} on the machine that ran the flow",
    )
    logger.info("report: summary, facts table and PDF link added to the run")


@task(name="report-deliveries")
def deliveries_report_stage(out_dir: Path, run_id: str | None) -> None:
    """Show every delivery attempt of this run, per recipient, as a table on the run's page;
    lines of the log that are no record (torn by a crash) are skipped and said so."""
    log = load_delivery_log(out_dir, run_id)
    description = "Every delivery attempt of this run"
    if log.unreadable_lines:
        warning = describe_unreadable(out_dir, log.unreadable_lines)
        get_run_logger().warning(warning)
        description += f"; {warning}"
    rows = [
        {
            "recipient": record.recipient,
            "attempt": str(record.attempt),
            "at": record.at.isoformat(timespec="seconds"),
            "outcome": record.outcome,
            "via": record.via,
            "detail": record.detail,
        }
        for record in log.records
    ]
    create_table_artifact(key=DELIVERIES_KEY, table=rows, description=description)
