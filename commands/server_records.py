"""Records of the temporary Prefect servers `briefing run` starts, and the sweep that stops one
whose run was killed before it could stop it (SIGKILL, a crash of the interpreter, the OOM killer).

A run writes one record while its server runs, in ``PREFECT_HOME/briefing-temporary-servers/``
(beside the Prefect database that server serves: every run that could start one reads the same
PREFECT_HOME, whichever output folder or memory it writes), and removes it when it stops the
server. A record names both processes by what ``/proc`` says of them: pid, start time (clock ticks
after boot) and command line, with the boot's id. The sweep stops a recorded server only when its
run is no longer running and the server's pid still names that very process (same boot, start
time and command line), through a pidfd taken before the last check, so a reused pid is never
signalled. Linux only: elsewhere nothing is recorded and the sweep finds nothing.
"""

import os
import select
import signal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

PROC = Path("/proc")
RECORDS_FOLDER = "briefing-temporary-servers"
STOP_WAIT_SECONDS = 5.0  # for SIGTERM to end a stale server, then as long again after SIGKILL


class Process(BaseModel):
    """One process as ``/proc`` describes it: enough to tell it from a later one with its pid."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pid: int
    started: int  # clock ticks after boot: field 22 of /proc/PID/stat
    command: tuple[str, ...]


class ServerRecord(BaseModel):
    """A temporary server and the run that started it, on one boot of the machine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    boot_id: str
    run: Process
    server: Process
    port: int


def records_folder(prefect_home: Path) -> Path:
    """Where the records of the temporary servers over this PREFECT_HOME are kept."""
    return prefect_home / RECORDS_FOLDER


def load_boot_id() -> str | None:
    """The id of this boot of the machine; None where there is no /proc."""
    try:
        return (PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return None


def load_process(pid: int) -> Process | None:
    """The process with this pid, or None if there is none (or only a zombie: it has ended)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        command = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold any character: split after it.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    arguments = tuple(part.decode("utf-8", "surrogateescape") for part in command.split(b"\0"))
    return Process(pid=pid, started=int(fields[19]), command=arguments[:-1])


def is_running(process: Process) -> bool:
    """Whether the process is still running: its pid names the same start and command."""
    return process == load_process(process.pid)


def write_record(folder: Path, record: ServerRecord) -> Path:
    """Write the record of a run's server (replacing that run's earlier one); its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-{record.run.pid}-{record.run.started}.json"
    staged = path.with_suffix(".tmp")
    staged.write_text(record.model_dump_json(), encoding="utf-8")
    os.replace(staged, path)  # never a torn record, even if the run is killed while writing
    return path


def stop_stale_servers(folder: Path) -> list[ServerRecord]:
    """Stop every recorded server whose run has ended, and forget every record of an ended run;
    the records of the servers this stopped. A record of a running run is left as it is."""
    boot_id = load_boot_id()
    stopped = []
    for path in sorted(folder.glob("run-*.json")):
        try:
            record = ServerRecord.model_validate_json(path.read_bytes())
        except (OSError, ValidationError):
            path.unlink(missing_ok=True)  # unreadable: it can name no process to stop
            continue
        this_boot = record.boot_id == boot_id
        if this_boot and is_running(record.run):
            continue
        if this_boot and stop_process(record.server):
            stopped.append(record)
        path.unlink(missing_ok=True)
    return stopped


def stop_process(process: Process) -> bool:
    """SIGTERM the process, then SIGKILL it if it has not ended within STOP_WAIT_SECONDS, if
    it is still the one described; whether it was signalled."""
    try:
        pidfd = os.pidfd_open(process.pid)
    except ProcessLookupError:
        return False
    try:
        # The pidfd names one process for good: checked now, it is the one signalled below.
        if not is_running(process):
            return False
        signal.pidfd_send_signal(pidfd, signal.SIGTERM)
        if not _ended_within(pidfd, STOP_WAIT_SECONDS):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            _ended_within(pidfd, STOP_WAIT_SECONDS)
        return True
    except ProcessLookupError:  # it ended meanwhile
        return False
    except PermissionError:  # another user's: never one of this user's runs started
        return False
    finally:
        os.close(pidfd)


def _ended_within(pidfd: int, seconds: float) -> bool:
    """Whether the process of the pidfd ends within the time (a pidfd reads ready once it has)."""
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    return bool(poller.poll(int(seconds * 1000)))
