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
from briefing.publish.links import EditionLinks
from briefing.render.summary import ROW_STATEMENT_CHARS, build_fact_rows, build_summary_markdown

# Keyed artifacts: the UI's Artifacts page keeps each key's history across editions.
SUMMARY_KEY = "weekly-briefing-summary"
FACTS_KEY = "weekly-briefing-facts"
PDF_KEY = "weekly-briefing-pdf"
HTML_KEY = "weekly-briefing-html"
JSON_KEY = "weekly-briefing-json"
DELIVERIES_KEY = "weekly-briefing-deliveries"


@task(name="report")
def report_stage(briefing: Briefing, links: EditionLinks, warnings: list[str]) -> None:
    """Show the run's summary, the table of facts and links to the PDF, HTML and JSON on the
    run's page: http addresses when the editions are served (BRIEFING_PUBLIC_BASE_URL)."""
    logger = get_run_logger()
    create_markdown_artifact(
        key=SUMMARY_KEY,
        markdown=build_summary_markdown(briefing, links.pdf, warnings),
        description=f"Summary of the edition of {briefing.edition_date.isoformat()}",
    )
    create_table_artifact(
        key=FACTS_KEY,
        table=build_fact_rows(briefing),
        description=f"Every statement of the edition of {briefing.edition_date.isoformat()}, "
        f"shortened to {ROW_STATEMENT_CHARS} characters where longer (…), with its sources' "
        "numbers: each is whole, and cited with outlet and date, in the HTML and JSON editions",
    )
    where = "" if links.over_http else ", on the machine that ran the flow"
    day = f"{briefing.edition_date:%d %B %Y}"
    for key, link, kind in (
        (PDF_KEY, links.pdf, "The PDF"),
        (HTML_KEY, links.html, "The HTML edition"),
        (JSON_KEY, links.json, "The JSON edition"),
    ):
        create_link_artifact(
            key=key,
            link=link,
            link_text=f"{kind} of the edition of {day}: {link.rsplit('/', 1)[-1]}",
            description=kind + where,
        )
    logger.info("report: summary, facts table and links added to the run: %s", links.pdf)


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
