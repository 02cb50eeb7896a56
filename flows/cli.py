"""The ``briefing`` command: a thin shell over the Prefect flows."""

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from briefing.errors import BriefingError

app = typer.Typer(
    help="Write a dated, cited PDF briefing on the U.S.-Japan space partnership.\n\n"
    "Each edition is built by the Prefect flow 'weekly-briefing' from the seed documents in "
    "seeds/ (metadata in seeds/sources.yaml) and the topic profile in topics/. Settings come "
    "from BRIEFING_* environment variables (BRIEFING_OUT_DIR, BRIEFING_TIMEZONE, "
    "BRIEFING_SEEDS_DIR, BRIEFING_TOPIC_FILE, BRIEFING_TEMPLATES_DIR, and for email "
    "BRIEFING_EMAIL_RECIPIENTS and BRIEFING_SMTP_*).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


class PageSizeOption(StrEnum):
    """Paper sizes the command offers (the same as the flow's page_size)."""

    A4 = "A4"
    LETTER = "letter"


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from exc


@app.callback()
def main() -> None:
    """Write a dated, cited PDF briefing on the U.S.-Japan space partnership."""


@app.command()
def run(
    edition_date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="YYYY-MM-DD",
            help="Edition date, printed on the briefing and used in its file names. "
            "Default: today in BRIEFING_TIMEZONE (UTC unless set).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Folder for briefing-DATE.pdf and briefing-DATE.json. "
            "Default: BRIEFING_OUT_DIR, or ./out.",
        ),
    ] = None,
    page_size: Annotated[
        PageSizeOption,
        typer.Option("--page-size", help="Paper size of the PDF: A4 or letter."),
    ] = PageSizeOption.A4,
    email: Annotated[
        bool,
        typer.Option(
            "--email",
            help="Email the PDF, with the key points, to BRIEFING_EMAIL_RECIPIENTS and every "
            "--to address, through --smtp-block or the BRIEFING_SMTP_* settings.",
        ),
    ] = False,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            metavar="ADDRESS",
            help="Also email the edition to this address (repeatable; added to "
            "BRIEFING_EMAIL_RECIPIENTS).",
        ),
    ] = None,
    smtp_block: Annotated[
        str | None,
        typer.Option(
            "--smtp-block",
            metavar="NAME",
            help="Send through this prefect-email 'Email Server Credentials' block instead "
            "of the BRIEFING_SMTP_* settings.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Build the email but write it to the output folder as briefing-DATE.eml "
            "instead of sending it.",
        ),
    ] = False,
) -> None:
    """Make one edition now: load, extract, compose, render and write, stage by stage.

    Runs the 'weekly-briefing' Prefect flow in this process. Without PREFECT_API_URL, Prefect
    starts a temporary local server for the run (a few seconds); with it, the run shows in that
    server's UI. With --email the edition is written first and then sent; if sending fails after
    its retries, the command fails and the PDF stays in the output folder.
    """
    parameters_date = _parse_date(edition_date)
    from flows.weekly_briefing import EditionParameters, weekly_briefing

    try:
        parameters = EditionParameters(
            edition_date=parameters_date,
            output_dir=str(out) if out is not None else None,
            page_size=page_size.value,
            send_email=email,
            recipients=to or [],
            smtp_block=smtp_block,
            dry_run=dry_run,
        )
    except ValidationError as exc:
        console.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(code=2) from exc
    console.print("[bold]Starting the weekly-briefing flow[/] (Prefect logs each stage below)")
    try:
        result = weekly_briefing(parameters)
    except (BriefingError, ValidationError) as exc:
        console.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(code=1) from exc
    console.print(
        f"[bold green]Edition of {result.edition_date:%d %B %Y}[/]: "
        f"{result.facts} cited statements from {result.sources} sources."
    )
    console.print(f"Wrote {result.pdf_file}")
    console.print(f"Wrote {result.json_file}")
