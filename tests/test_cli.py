"""The briefing command explains itself and refuses bad input clearly."""

import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.parameters import EditionParameters, flag_of
from briefing.store.migrations import head_revision
from commands.cli import app
from tests.test_migrations import BEFORE_REVISIONS

runner = CliRunner()


def test_help_lists_the_run_command() -> None:
    """`briefing --help` names the run command and what it does."""
    result = runner.invoke(app, ["--help"])
    assert 0 == result.exit_code
    assert "run" in result.output and "Make one edition now" in result.output


def test_run_help_explains_every_option() -> None:
    """`briefing run --help` has an option for every run parameter, with its flag, placeholder
    and the help the run form shows (the settings behind it named), and --debug."""
    result = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "400"})
    assert 0 == result.exit_code
    shown = [" ".join(result.output.split())]
    for name, field in EditionParameters.model_fields.items():
        for flag in flag_of(name).split("/"):
            assert flag in shown[0], flag
        assert " ".join(str(field.description).split()[:6]) in shown[0], name
    for words in ("YYYY-MM-DD", "BRIEFING_OUT_DIR", "BRIEFING_ALLOW_PRIVATE_NETWORK", "--debug"):
        assert words in shown[0]


@pytest.mark.parametrize("command", ["run", "evaluate", "serve", "schema"])
def test_a_commands_help_flows_as_paragraphs(command: str) -> None:
    """At a wide terminal each paragraph of a command's help is one line: none is broken where
    its docstring's lines happened to end."""
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "2000"})
    description = result.output.split("Options")[0].split("Usage:")[1].splitlines()[1:]
    lines = [line.strip() for line in description]
    broken = [line for line, after in pairwise(lines) if line and after]
    assert (0, []) == (result.exit_code, broken)


def test_a_malformed_date_is_refused_before_anything_runs() -> None:
    """A date not in YYYY-MM-DD form exits with a usage error that says the expected form."""
    result = runner.invoke(app, ["run", "--date", "20/01/2023"])
    assert 2 == result.exit_code
    assert "YYYY-MM-DD" in result.output


def test_a_malformed_since_is_refused_before_anything_runs() -> None:
    """A --since not in YYYY-MM-DD form exits with a usage error that says the expected form."""
    result = runner.invoke(app, ["run", "--since", "last week"])
    assert (2, True) == (result.exit_code, "YYYY-MM-DD" in result.output)


def test_a_feed_that_is_not_a_web_url_is_refused_before_the_flow_starts() -> None:
    """--feed with another scheme exits with a usage error naming the URL, and no run is made."""
    result = runner.invoke(app, ["run", "--feed", "file:///etc/passwd"])
    assert (2, True, False) == (
        result.exit_code,
        "'file:///etc/passwd' is not an http or https URL" in result.output,
        "Edition of" in result.output,
    )


def test_memory_upgrade_help_says_what_it_does() -> None:
    """`briefing memory upgrade --help` says it brings the schema to the newest revision, that
    runs do it themselves, and that an older memory loses nothing."""
    result = runner.invoke(app, ["memory", "upgrade", "--help"], env={"COLUMNS": "200"})
    shown = ["newest revision", "Every run does this itself", "nothing in it is lost"]
    assert (0, shown) == (result.exit_code, [item for item in shown if item in result.output])


def test_memory_upgrade_prints_the_revision_before_and_after(tmp_path: Path) -> None:
    """On a memory made before revisions, `briefing memory upgrade` says so and names the newest
    revision; run again, it finds the memory at that revision already."""
    database = tmp_path / "memory.db"
    shutil.copyfile(BEFORE_REVISIONS, database)
    env = {"BRIEFING_DATABASE_URL": f"sqlite:///{database}", "COLUMNS": "200"}
    first, again = (runner.invoke(app, ["memory", "upgrade"], env=env) for _ in range(2))
    head = head_revision()
    assert (0, 0) == (first.exit_code, again.exit_code)
    assert [
        f"Memory: sqlite:///{database}",
        "Revision before: none (made before the schema had revisions: its tables are revision "
        "0001's)",
        f"Revision after: {head} (the newest)",
    ] == first.output.splitlines()
    assert f"Revision before: {head}\nRevision after: {head} (the newest)\n" in again.output


def test_memory_upgrade_of_an_unusable_url_is_a_clear_error() -> None:
    """A BRIEFING_DATABASE_URL SQLAlchemy cannot use exits 1 with the setting's name."""
    result = runner.invoke(app, ["memory", "upgrade"], env={"BRIEFING_DATABASE_URL": "nonsense"})
    assert (1, True) == (result.exit_code, "BRIEFING_DATABASE_URL 'nonsense'" in result.output)
