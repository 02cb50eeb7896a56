"""`briefing run` checks its settings, files, folder and memory before Prefect starts: one line
and exit code 2, no traceback unless --debug, and the flow never called."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import flows.weekly_briefing
from commands.cli import app
from tests.test_migrations import BEFORE_REVISIONS

runner = CliRunner()


@pytest.fixture
def flow_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The calls of the weekly-briefing flow, which these runs must never reach."""
    calls: list[object] = []
    monkeypatch.setattr(flows.weekly_briefing, "weekly_briefing", calls.append)
    return calls


def run(tmp_path: Path, *options: str, **settings: str) -> Result:
    """`briefing run` with the output folder and memory in tmp_path and the given settings."""
    env = {
        "BRIEFING_OUT_DIR": str(tmp_path / "out"),
        "BRIEFING_DATABASE_URL": f"sqlite:///{tmp_path / 'briefing.db'}",
        **{f"BRIEFING_{name.upper()}": value for name, value in settings.items()},
    }
    return runner.invoke(app, ["run", *options], env=env)


def test_a_topic_file_that_is_not_utf8_is_one_line_and_exit_code_2(
    tmp_path: Path, flow_calls: list[object]
) -> None:
    """A Latin-1 topic profile is named on one line with what to do, exit code 2, no traceback,
    and the flow (with its Prefect server) is never started."""
    topic = tmp_path / "topic.yaml"
    topic.write_bytes(b"id: space\ntitle: Caf\xe9\n")
    result = run(tmp_path, topic_file=str(topic))
    assert (2, [], [
        f"Error: {topic} is not UTF-8 text: byte 0xe9 at offset 20 (line 2, column 11) cannot "
        "be read; save the file as UTF-8 (in most editors: Save As, encoding UTF-8) and run again"
    ]) == (result.exit_code, flow_calls, result.output.splitlines())  # fmt: skip


def test_an_endless_timeout_is_refused_before_the_flow(
    tmp_path: Path, flow_calls: list[object]
) -> None:
    """BRIEFING_READ_TIMEOUT=inf exits 2 naming the variable, before the flow."""
    result = run(tmp_path, read_timeout="inf")
    assert (2, [], True) == (
        result.exit_code,
        flow_calls,
        "BRIEFING_READ_TIMEOUT (it is 'inf'): Input should be a finite number" in result.output,
    )


def test_a_damaged_memory_is_refused_before_the_flow(
    tmp_path: Path, flow_calls: list[object]
) -> None:
    """A memory with a garbage page exits 2 saying it is damaged, before the flow."""
    shutil.copyfile(BEFORE_REVISIONS, tmp_path / "briefing.db")
    with (tmp_path / "briefing.db").open("r+b") as file:
        file.seek(2 * 4096)
        file.write(b"\xa5" * 4096)
    result = run(tmp_path)
    assert (2, [], True) == (
        result.exit_code,
        flow_calls,
        f"the memory database {tmp_path / 'briefing.db'} is damaged" in result.output,
    )


def test_debug_shows_the_traceback(tmp_path: Path, flow_calls: list[object]) -> None:
    """With --debug the same error comes with its traceback, and still exit code 2."""
    result = run(tmp_path, "--debug", topic_file=str(tmp_path / "missing.yaml"))
    assert (2, [], True, True) == (
        result.exit_code,
        flow_calls,
        "Traceback" in result.output,
        result.output.rstrip().splitlines()[-1].startswith("Error: cannot read topic profile"),
    )
