"""The ``briefing`` command: a thin shell over the Prefect flows."""

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from briefing.errors import BriefingError

app = typer.Typer(
    help="Write a dated, cited PDF briefing on the U.S.-Japan space partnership.\n\n"
    "Each edition is built by the Prefect flow 'weekly-briefing' from the seed documents in "
    "seeds/ (metadata in seeds/sources.yaml), the items of the feeds listed in briefing.yaml, "
    "and the topic profile in topics/. A memory database remembers what earlier editions "
    "carried, so each edition says what is new. Settings come from BRIEFING_* environment "
    "variables (BRIEFING_OUT_DIR, BRIEFING_TIMEZONE, BRIEFING_CONFIG_FILE, "
    "BRIEFING_DATABASE_URL, BRIEFING_ALLOW_PRIVATE_NETWORK and more; see the README).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


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
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            metavar="URL",
            help="Also read this RSS or Atom feed (http or https) for this edition; repeat for "
            "more. The feeds in BRIEFING_CONFIG_FILE (briefing.yaml) are read as well.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="YYYY-MM-DD",
            help="First day of the period feed items are taken from; items dated before it "
            "are left out and counted. Default: seven days before the edition date.",
        ),
    ] = None,
    no_seeds: Annotated[
        bool,
        typer.Option(
            "--no-seeds",
            help="Leave the seed documents (the background in seeds/) out of this edition.",
        ),
    ] = False,
    allow_private_network: Annotated[
        bool,
        typer.Option(
            "--allow-private-network",
            help="Let feeds come from loopback and private network addresses, for a local "
            "feed server. Refused otherwise (also set by BRIEFING_ALLOW_PRIVATE_NETWORK=true); "
            "link-local addresses are refused always.",
        ),
    ] = False,
) -> None:
    """Make one edition now: load, fetch, extract, compose, render, write and remember.

    Runs the 'weekly-briefing' Prefect flow in this process. Without PREFECT_API_URL, Prefect
    starts a temporary local server for the run (a few seconds); with it, the run shows in that
    server's UI.
    """
    parameters_date = _parse_date(edition_date)
    parameters_since = _parse_date(since)
    console.print("[bold]Starting the weekly-briefing flow[/] (Prefect logs each stage below)")
    from flows.weekly_briefing import EditionParameters, weekly_briefing

    try:
        result = weekly_briefing(
            EditionParameters(
                edition_date=parameters_date,
                output_dir=str(out) if out is not None else None,
                since=parameters_since,
                extra_feed_urls=feed or [],
                include_seeds=not no_seeds,
                allow_private_network=allow_private_network,
            )
        )
    except (BriefingError, ValidationError) as exc:
        console.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(code=1) from exc
    console.print(
        f"[bold green]Edition of {result.edition_date:%d %B %Y}[/]: "
        f"{result.facts} cited statements from {result.sources} sources, "
        f"{result.new_facts} new."
    )
    if result.feeds_failed:
        console.print(
            f"[yellow]Feeds failed: {result.feeds_failed}[/] (see Source health in the PDF)."
        )
    console.print(f"Wrote {result.pdf_file}")
    console.print(f"Wrote {result.json_file}")
