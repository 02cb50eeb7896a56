"""The ``briefing`` command: a thin shell over the Prefect flows."""

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from briefing.errors import BriefingError
from briefing.pipeline import briefing_schema_json, build_seed_briefing
from briefing.settings import PROJECT_ROOT

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
    console.print(f"Wrote {result.html_file}")
    console.print(f"Wrote {result.json_file}")


@app.command()
def evaluate(
    labels: Annotated[
        Path,
        typer.Option(help="Labelled set to score against.", metavar="FILE"),
    ] = PROJECT_ROOT / "evaluation" / "labels.yaml",
    edition_date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="Edition date to compose for."),
    ] = "2023-01-20",
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Score the seed edition against the hand-labelled set: theme accuracy, date accuracy,
    key events carried, and more. Runs the library directly, without Prefect."""
    from briefing.evaluate import evaluate as score
    from briefing.evaluate import load_labels

    try:
        briefing = build_seed_briefing(_parse_date(edition_date) or date.today())
        report = score(briefing, load_labels(labels))
    except BriefingError as exc:
        console.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(code=1) from exc
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    table = Table(title=f"Evaluation against {labels.name} ({report.statements} statements)")
    table.add_column("measure")
    table.add_column("right", justify="right")
    table.add_column("of", justify="right")
    table.add_column("share", justify="right")
    for name, value in [
        ("theme accuracy", report.theme),
        ("date accuracy (dated facts)", report.date),
        ("kind accuracy (event/plan/assessment)", report.kind),
        ("speaker accuracy", report.speaker),
        ("key events carried", report.key_events),
        ("labelled disagreements noted", report.labelled_disagreements),
        ("off-topic sentences carried", report.off_topic_carried),
        ("on-topic sentences left out", report.on_topic_dropped),
    ]:
        table.add_row(name, str(value.right), str(value.total), f"{value.ratio:.1%}")
    Console().print(table)
    typer.echo(f"Disagreements noted: {report.disagreements_found}")
    for line in [*report.missing_key_events, *report.theme_errors, *report.date_errors]:
        typer.echo(f"  - {line}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the JSON edition (also kept in schema/briefing.schema.json)."""
    typer.echo(briefing_schema_json(), nl=False)
