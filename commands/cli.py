"""The ``briefing`` command: a thin shell over the Prefect flows."""

import atexit
import gc
import importlib
import inspect
import json
from collections.abc import Callable
from contextlib import nullcontext, suppress
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import make_url

from briefing.edition import (
    EditionPlan,
    briefing_schema_json,
    load_plan_once,
    load_sources,
)
from briefing.errors import BriefingError, ConfigurationError
from briefing.extract import load_identifier
from briefing.parameters import (
    EditionParameters,
    describe_problems,
    flag_of,
    form_values,
    metavar_of,
    read_dates,
)
from briefing.redact import redact
from briefing.settings import PROJECT_ROOT, load_settings
from briefing.store.memory import check_memory, upgrade_memory
from briefing.topic import Topic
from commands.run_stop import Stopping, prepare_temporary_server
from commands.stopping import (
    RunStopped,
    release_stop_signals,
    stopped_by_signals,
    stops_held,
)

if TYPE_CHECKING:
    from briefing.edition import EditionResult

app = typer.Typer(
    help="Write a dated, cited PDF briefing on the U.S.-Japan space partnership.\n\n"
    "Each edition is built by the Prefect flow 'weekly-briefing' from the seed documents in "
    "seeds/ (metadata in seeds/sources.yaml), the items of the feeds listed in briefing.yaml, "
    "and the topic profile in topics/. A memory database remembers what earlier editions "
    "carried, so each edition says what is new. Settings come from BRIEFING_* environment "
    "variables (BRIEFING_OUT_DIR, BRIEFING_TIMEZONE, BRIEFING_CONFIG_FILE, "
    "BRIEFING_DATABASE_URL, BRIEFING_ALLOW_PRIVATE_NETWORK, and for email "
    "BRIEFING_EMAIL_RECIPIENTS and BRIEFING_SMTP_*; see docs/operations.md).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")
memory_app = typer.Typer(
    help="The memory database at BRIEFING_DATABASE_URL (default sqlite:///out/briefing.db).",
    no_args_is_help=True,
)
app.add_typer(memory_app, name="memory")


def _paragraphs(doc: str | None) -> str:
    """A docstring as help text: its paragraphs kept, each one line (the help's rich mode
    prints a docstring's line breaks where they fall, mid-sentence at any terminal width)."""
    return "\n\n".join(" ".join(part.split()) for part in inspect.cleandoc(doc or "").split("\n\n"))


def command() -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``app.command()`` with the function's docstring as its help, paragraph by paragraph."""

    def register(function: Callable[P, R]) -> Callable[P, R]:
        return app.command(help=_paragraphs(function.__doc__))(function)

    return register


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


def fail(exc: Exception, *, code: int, debug: bool = False) -> NoReturn:
    """Print the error on one line (its traceback too with --debug) and exit with the code."""
    if debug:
        console.print_exception()
    # escape: a message quoting "[type=...]" or a feed's text is not rich markup.
    console.print(f"[bold red]Error:[/] {escape(redact(str(exc)))}", soft_wrap=True)
    raise typer.Exit(code=code) from exc


def check_before_the_flow(parameters: EditionParameters) -> tuple[EditionPlan, Topic]:
    """What the flow checks first, checked here before Prefect starts its server (many seconds):
    the settings, feeds file, output folder and delivery, topic profile, seeds and memory; the
    plan and the topic profile read."""
    settings = load_settings()
    plan = load_plan_once(settings, hand_over=True, **parameters.model_dump())
    topic, _ = load_sources(plan)
    if plan.database_url is not None:
        check_memory(plan.database_url)
    return plan, topic


def get_ready(topic: Topic) -> None:
    """Do the one-time work of a process's first edition while the temporary Prefect server
    starts (4-5 s on 2 cores, with nothing else to do): compile the topic profile's patterns
    (kept for the process, so the flow's own copy of the profile finds them compiled), load
    the language identifier's model when the profile names its languages (0.6-1.3 s, else in
    the first extraction) and import WeasyPrint (left for the flow to report if it cannot be
    imported)."""
    topic.compile_patterns()
    if topic.languages:
        load_identifier()
    with suppress(ImportError):
        importlib.import_module("weasyprint")


@app.callback()
def main() -> None:
    """Write a dated, cited PDF briefing on the U.S.-Japan space partnership."""


def _run_options() -> list[inspect.Parameter]:
    """The run command's options, one per run parameter (``briefing.parameters``): its flag,
    placeholder and help as the parameter describes them; then --debug."""
    options = []
    for name, field in EditionParameters.model_fields.items():
        default = field.get_default(call_default_factory=True)
        annotation: Any = str | None
        if name == "page_size":
            annotation, default = PageSizeOption, PageSizeOption(default)
        elif isinstance(default, bool):
            annotation = bool
        elif isinstance(default, list):
            annotation, default = list[str] | None, None
        metavar = metavar_of(name)
        option = (
            typer.Option(flag_of(name), help=field.description, metavar=metavar)
            if metavar
            else typer.Option(flag_of(name), help=field.description)
        )
        options.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default,
                annotation=Annotated[annotation, option],
            )
        )  # fmt: skip
    debug = typer.Option("--debug", help="Show the traceback of an error, not only its message.")
    options.append(
        inspect.Parameter(
            "debug",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[bool, debug],
        )
    )
    return options


def run(**values: Any) -> None:
    """Make one edition now: load, fetch, extract, compose, render, write and remember.

    Runs the 'weekly-briefing' Prefect flow in this process. Without PREFECT_API_URL, Prefect
    starts a temporary local server for the run (a few seconds); with it, the run shows in that
    server's UI. SIGTERM, SIGINT or SIGHUP stops the run and its temporary server: exit code
    128 + the signal, and one line saying what of the edition was written; the next run stops a
    temporary server that a killed run left. The settings, configuration files, output folder
    and memory are checked before Prefect starts: trouble there is one line and exit code 2
    (--debug shows its traceback).
    With --email the edition is written first and then sent; if sending fails after
    its retries, the command fails and the PDF stays in the output folder.
    """
    debug = values.pop("debug", False)
    from prefect.exceptions import FailedRun

    values = {
        name: [] if value is None and name in _LISTS else value for name, value in values.items()
    }
    if isinstance(values.get("page_size"), PageSizeOption):
        values["page_size"] = values["page_size"].value
    try:
        read_dates(values, in_form=False)
        parameters = EditionParameters(**values)
    except ConfigurationError as exc:
        fail(exc, code=2, debug=debug)
    except ValidationError as exc:
        fail(ConfigurationError(describe_problems(exc, in_form=False)), code=2, debug=debug)
    try:
        plan, topic = check_before_the_flow(parameters)
    except BriefingError as exc:
        fail(exc, code=2, debug=debug)
    # Registered before Prefect's own exit handlers, so it runs after them: the interpreter's
    # last garbage collection then skips the heap a run leaves (0.9 s of every `make briefing`;
    # the files, the memory and the email are all done and closed by then).
    atexit.register(gc.freeze)
    server = prepare_temporary_server(notify)
    stopping = Stopping(plan, server, datetime.now(UTC), warn)
    with stopped_by_signals(stopping.force):
        try:
            try:
                # The server boots on the other core while this one imports the flow's modules
                # (1-2 s) and gets ready, all of it whole: a stop signal meanwhile waits for the
                # end of it (raised in the middle of an import it came out as another error).
                with stops_held():
                    release_stop_signals()  # one held since the run began arrives here
                    if server is not None:
                        server.begin(notify)
                    from flows.weekly_briefing import weekly_briefing

                    if server is not None:
                        get_ready(topic)
                with server.serving() if server is not None else nullcontext():
                    console.print(
                        "[bold]Starting the weekly-briefing flow[/] (Prefect logs each stage below)"
                    )
                    result = weekly_briefing(**form_values(parameters))
            except (BriefingError, ValidationError, FailedRun) as exc:
                # FailedRun: the flow's own checks refused the run (its message says why)
                fail(exc, code=1, debug=debug)
            print_result(result)
        except RunStopped as stopped:
            stopping.say(stopped)
            raise typer.Exit(code=stopped.exit_code) from None


run.__signature__ = inspect.Signature(_run_options())  # type: ignore[attr-defined]
command()(run)
_LISTS = {n for n, f in EditionParameters.model_fields.items() if f.default_factory is list}


def notify(message: str) -> None:
    """One line of the run's own, as it is (no markup read in it)."""
    console.print(escape(message), soft_wrap=True)


def warn(message: str) -> None:
    """One line of the run's own, in bold red."""
    console.print(f"[bold red]{escape(message)}[/]", soft_wrap=True)


def print_result(result: "EditionResult") -> None:
    """What the run made, and where."""
    console.print(
        f"[bold green]Edition of {result.edition_date:%d %B %Y}[/]: "
        f"{result.facts} cited statements from {result.sources} sources, "
        f"{result.new_facts} new."
    )
    for warning in result.warnings:  # feeds, article pages, email: see Source health too
        console.print(f"[yellow]Warning:[/] {escape(warning)}", soft_wrap=True)
    if result.reused_from_run is not None:
        console.print(
            f"Inputs unchanged since run {result.reused_from_run}: its edition is reused, "
            "not composed or rendered again."
        )
    verb = "Kept" if result.reused_from_run is not None else "Wrote"
    console.print(f"{verb} {result.pdf_file}")
    console.print(f"{verb} {result.html_file}")
    console.print(f"{verb} {result.json_file}")


@command()
def evaluate(
    labels: Annotated[
        Path,
        typer.Option(help="Labelled seed sentences to score against.", metavar="FILE"),
    ] = PROJECT_ROOT / "evaluation" / "labels.yaml",
    news: Annotated[
        Path,
        typer.Option(
            help="Labelled news set: a folder of RSS files (feeds/) and labels.yaml.",
            metavar="FOLDER",
        ),
    ] = PROJECT_ROOT / "evaluation" / "news",
    held_out: Annotated[
        Path,
        typer.Option(
            help="A second labelled news set, in the same form, that no rule was tuned on: "
            "scored in its own table.",
            metavar="FOLDER",
        ),
    ] = PROJECT_ROOT / "evaluation" / "news-heldout",
    edition_date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="Edition date of the seed edition."),
    ] = "2023-01-20",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full reports as JSON.")
    ] = False,
    news_edition: Annotated[
        Path | None,
        typer.Option(
            help="Also write the news set's edition, as scored, to this folder: its PDF, "
            "HTML and JSON, named by its date.",
            metavar="FOLDER",
        ),
    ] = None,
) -> None:
    """Score the seed edition and the two labelled news sets against their labels.

    The seed edition against the hand-labelled sentences (theme, date, kind, speaker, key
    events); an edition of each news set, the tuned one and the held-out one (relevance
    precision and recall, theme accuracy, story grouping precision and recall, the kind of
    titles where labelled, story leads against leads.yaml, the stories the PDF prints, and
    milestones that contradict a story or repeat another); merge precision and recall on the
    labelled sentence pairs (evaluation/merge) and relevance on the real outlet feeds
    (evaluation/real-feeds). Runs the library directly, without Prefect."""
    from briefing.scores import score_all

    try:
        day = _parse_date(edition_date) or date.today()
        scores = score_all(labels, news, held_out, day, news_edition)
    except BriefingError as exc:
        fail(exc, code=1)
    if as_json:
        both = {
            "seeds": scores.seeds.model_dump(mode="json"),
            "news": scores.news.model_dump(mode="json"),
            "held_out": scores.held_out.model_dump(mode="json"),
            "trust": scores.trust.model_dump(mode="json"),
        }
        typer.echo(json.dumps(both, indent=2))
        return
    out = Console()
    for figures in scores.tables:
        table = Table(title=figures.title)
        table.add_column("measure")
        for column in ("right", "of", "share"):
            table.add_column(column, justify="right")
        for name, value in figures.rows:
            table.add_row(name, str(value.right), str(value.total), f"{value.ratio:.1%}")
        out.print(table)
        for line in figures.notes:
            typer.echo(line)
    for path in scores.written:
        console.print(f"Wrote {path}")


@command()
def serve(
    folder: Annotated[
        Path | None,
        typer.Option("--dir", help="Folder of editions to serve.", metavar="DIR"),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8400,
) -> None:
    """Serve a folder's editions read-only over HTTP, so that run pages link to them.

    The folder is BRIEFING_OUT_DIR unless --dir names another. Only GET and HEAD of
    briefing-DATE.pdf, .html and .json (and .pN.html, the further pages of a large HTML edition)
    are answered, and of the archive each edition writes:
    its page at / (every edition, with search), its feed editions.atom and search index. Set
    BRIEFING_PUBLIC_BASE_URL to its address so that runs link to it (make up does both)."""
    from briefing.publish.server import serve_editions

    try:
        served = folder or load_settings().out_dir
    except BriefingError as exc:
        fail(exc, code=2)
    served.mkdir(parents=True, exist_ok=True)
    try:
        server = serve_editions(served, host, port)
    except OSError as exc:
        fail(BriefingError(f"cannot listen on {host}:{port}: {exc.strerror}"), code=2)
    console.print(f"Serving the editions of {served.resolve()} at http://{host}:{port}/")
    with server:
        server.serve_forever()


@command()
def schema() -> None:
    """Print the JSON Schema of the JSON edition (also kept in schema/briefing.schema.json)."""
    typer.echo(briefing_schema_json(), nl=False)


@memory_app.command(
    "upgrade",
    # Not the docstring: rich help keeps the line breaks of a docstring's later paragraphs.
    help="Bring the memory's schema to the newest revision, printing its revision before and "
    "after.\n\n"
    "Every run does this itself when it opens the memory: this upgrades ahead of a run, or shows "
    "the revision. A memory made before the schema had revisions is recognised by its tables "
    "and marked as revision 0001 first; nothing in it is lost. Safe while runs use the memory: "
    "the upgrade and their writes take turns.",
)
def memory_upgrade() -> None:
    """Upgrade the memory at BRIEFING_DATABASE_URL and print its revision before and after."""
    try:
        database_url = load_settings().database_url
        upgrade = upgrade_memory(database_url)
    except (BriefingError, ValidationError) as exc:
        fail(exc, code=1)
    if upgrade.recognised:
        before = "none (made before the schema had revisions: its tables are revision 0001's)"
    else:
        before = upgrade.before or "none (a new database)"
    typer.echo(f"Memory: {make_url(database_url).render_as_string(hide_password=True)}")
    typer.echo(f"Revision before: {before}")
    typer.echo(f"Revision after: {upgrade.after} (the newest)")
