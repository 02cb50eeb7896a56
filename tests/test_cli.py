"""The briefing command explains itself and refuses bad input clearly."""

from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


def test_help_lists_the_run_command() -> None:
    """`briefing --help` names the run command and what it does."""
    result = runner.invoke(app, ["--help"])
    assert 0 == result.exit_code
    assert "run" in result.output and "Make one edition now" in result.output


def test_run_help_explains_every_option() -> None:
    """`briefing run --help` explains every option, its default and the setting behind it."""
    result = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert 0 == result.exit_code
    shown = [
        "--date",
        "YYYY-MM-DD",
        "--out",
        "BRIEFING_OUT_DIR",
        "--feed",
        "repeat for more",
        "--since",
        "seven days before the edition date",
        "--no-seeds",
        "--allow-private-network",
        "BRIEFING_ALLOW_PRIVATE_NETWORK",
    ]
    assert shown == [item for item in shown if item in result.output]


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
