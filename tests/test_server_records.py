"""The records of temporary Prefect servers, and the sweep that stops only a recorded server whose
run has ended and whose pid still names that very process. Real processes stand in for the
server and the run: `sleep`, started and ended by the test."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from commands.server_records import (
    Process,
    ServerRecord,
    load_boot_id,
    load_process,
    stop_stale_servers,
    write_record,
)


@pytest.fixture
def sleepers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """A list to put started processes in; each is killed and reaped when the test ends."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait(timeout=10)


def sleeper(started: list[subprocess.Popen[bytes]]) -> tuple[subprocess.Popen[bytes], Process]:
    """A `sleep` process, and what /proc says of it."""
    process = subprocess.Popen(["sleep", "60"])
    started.append(process)
    # Until the child has exec'd, /proc shows it with its parent's command line.
    deadline = time.monotonic() + 10
    while (described := load_process(process.pid)) is None or described.command != (
        "sleep",
        "60",
    ):
        assert time.monotonic() < deadline, described
        time.sleep(0.01)
    return process, described


def ended_run(started: list[subprocess.Popen[bytes]]) -> Process:
    """What /proc said of a process that has since ended: a killed run."""
    process, described = sleeper(started)
    process.kill()
    process.wait(timeout=10)
    return described


def record_of(run: Process, server: Process, boot_id: str | None = None) -> ServerRecord:
    """A record of the server started by the run, on this boot unless another is named."""
    return ServerRecord(boot_id=boot_id or load_boot_id() or "", run=run, server=server, port=8123)


def test_a_process_is_described_by_its_pid_start_and_command(
    sleepers: list[subprocess.Popen[bytes]],
) -> None:
    """/proc gives the command line as it was started, and a start time no other process with
    that pid can have; a process that has ended (a zombie not yet reaped too) is gone."""
    process, described = sleeper(sleepers)
    assert (process.pid, ("sleep", "60")) == (described.pid, described.command)
    os.kill(process.pid, signal.SIGKILL)
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped
    assert load_process(process.pid) is None


def test_the_sweep_stops_a_recorded_server_whose_run_has_ended(
    tmp_path: Path, sleepers: list[subprocess.Popen[bytes]]
) -> None:
    """The server of a killed run gets SIGTERM, is reported, and its record is forgotten."""
    server, described = sleeper(sleepers)
    record = record_of(ended_run(sleepers), described)
    write_record(tmp_path, record)
    assert ([record], -signal.SIGTERM, []) == (
        stop_stale_servers(tmp_path),
        server.wait(timeout=10),
        list(tmp_path.iterdir()),
    )


def test_the_sweep_leaves_the_server_of_a_running_run(
    tmp_path: Path, sleepers: list[subprocess.Popen[bytes]]
) -> None:
    """A run still running (this test's process) keeps its server and its record."""
    server, described = sleeper(sleepers)
    this_process = load_process(os.getpid())
    assert this_process is not None
    path = write_record(tmp_path, record_of(this_process, described))
    assert ([], None, [path]) == (
        stop_stale_servers(tmp_path),
        server.poll(),
        [*tmp_path.iterdir()],
    )


@pytest.mark.parametrize(
    "changed",
    [{"started": 1}, {"command": ("python3", "-m", "uvicorn")}],
    ids=["start time", "command line"],
)
def test_the_sweep_never_signals_a_pid_that_now_names_another_process(
    tmp_path: Path, sleepers: list[subprocess.Popen[bytes]], changed: dict[str, object]
) -> None:
    """A recorded server pid whose process has another start time or command line (the pid was
    reused) is not signalled: the process runs on, and the record is forgotten."""
    other, described = sleeper(sleepers)
    record = record_of(ended_run(sleepers), described.model_copy(update=changed))
    write_record(tmp_path, record)
    assert ([], None, []) == (stop_stale_servers(tmp_path), other.poll(), [*tmp_path.iterdir()])


def test_a_record_of_an_earlier_boot_is_forgotten_without_a_signal(
    tmp_path: Path, sleepers: list[subprocess.Popen[bytes]]
) -> None:
    """After a reboot every recorded process has ended: nothing is signalled, even a process
    that happens to match, and the record is forgotten."""
    server, described = sleeper(sleepers)
    write_record(tmp_path, record_of(ended_run(sleepers), described, boot_id="an earlier boot"))
    assert ([], None, []) == (stop_stale_servers(tmp_path), server.poll(), [*tmp_path.iterdir()])


def test_an_unreadable_record_is_forgotten(tmp_path: Path) -> None:
    """A record that is not one (a file edited by hand, say) names no process: it is removed."""
    (tmp_path / "run-1-2.json").write_text("{not json", encoding="utf-8")
    assert ([], []) == (stop_stale_servers(tmp_path), [*tmp_path.iterdir()])


def test_no_folder_is_no_record(tmp_path: Path) -> None:
    """Before any run recorded a server, the sweep finds nothing."""
    assert [] == stop_stale_servers(tmp_path / "missing")
