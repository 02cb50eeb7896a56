"""`briefing run` with no PREFECT_API_URL, as `make briefing` runs it: Prefect starts a temporary
server for the run, and nothing of it is left running, whether the run is stopped by a signal
(it stops the server, and says so on one line) or killed (the next run stops it, and says so).

Each run is a process of its own started as tests/runs.py starts them, with its own PREFECT_HOME
(where the servers are recorded) and a Prefect database shared by the module, so that only the
first server migrates one. A feed that holds its answer, or the edition's lock held by the test,
keeps a run at a known point for as long as the test needs.
"""

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.feedserver import FeedServer, Route, fixture, serve_feeds
from tests.runs import BRIEFING, Run, Workspace, finish, reaped, start_run, wait_until

pytestmark = pytest.mark.slow

EDITION_DATE = date(2023, 1, 27)
HELD = "/held.xml"
STOPPED_WITHIN = 60  # seconds: the grace and a server's stop take about 10 at most


@dataclass(frozen=True)
class OwnServerWorkspace(Workspace):
    """A workspace whose runs start their own temporary Prefect server (no PREFECT_API_URL), on
    the module's Prefect database; a feed never times out by itself while held."""

    prefect_database: Path

    def environment(self) -> dict[str, str]:
        """The runs' environment: Workspace's, without the session's Prefect server."""
        environment = super().environment()
        del environment["PREFECT_API_URL"]
        return {
            **environment,
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{self.prefect_database}",
            # The project's pyproject.toml sets this; the runs work in a folder of their own.
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
            "BRIEFING_READ_TIMEOUT": "600",
            "BRIEFING_FETCH_DEADLINE": "1200",
        }

    @property
    def records(self) -> Path:
        """Where this workspace's runs record their servers."""
        return self.root / "prefect" / "briefing-temporary-servers"


@dataclass(frozen=True)
class Server:
    """A temporary Prefect server process, as /proc described it once it answered."""

    pid: int
    started: int
    port: int


def running(server: Server) -> bool:
    """Whether the server's process is still running (not ended, not a zombie)."""
    try:
        stat = Path(f"/proc/{server.pid}/stat").read_text()
    except OSError:
        return False
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0] not in ("Z", "X") and int(fields[19]) == server.started


@pytest.fixture(scope="module")
def prefect_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Prefect database every temporary server of the module serves."""
    return tmp_path_factory.mktemp("prefect") / "prefect.db"


@pytest.fixture
def workspace(tmp_path: Path, prefect_database: Path) -> OwnServerWorkspace:
    """A workspace of the test's own."""
    return OwnServerWorkspace(tmp_path, prefect_database)


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """A list to put found servers in; any still running when the test ends is killed, so a
    failing test leaves none behind."""
    found: list[Server] = []
    yield found
    for server in found:
        if running(server):
            os.kill(server.pid, signal.SIGKILL)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A feed server whose HELD feed answers only once the test lets it (or after 120 s)."""
    with serve_feeds() as server:
        yield server


def held_feed(feeds: FeedServer) -> Route:
    """Make HELD a feed that holds its answer until the route's event is set."""
    route = Route(fixture("week2.xml"), hold=threading.Event())
    feeds.routes[HELD] = route
    return route


def temporary_server_of(run: Run, found: list[Server]) -> Server:
    """The run's temporary server, once it answers: its child running Prefect's server app."""
    server: Server | None = None

    def answers() -> bool:
        nonlocal server
        server = server or _server_child(run.process.pid)
        if server is None:
            return False
        try:
            return httpx.get(f"http://127.0.0.1:{server.port}/api/health", timeout=2).is_success
        except httpx.HTTPError:
            return False

    wait_until(answers, run)
    assert server is not None
    found.append(server)
    return server


def _server_child(parent: int) -> Server | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent and b"prefect.server.api.server:create_app" in command:
            port = int(command[command.index(b"--port") + 1])
            return Server(int(entry.name), int(fields[19]), port)
    return None


def waits_for_a_lock(run: Run) -> bool:
    """Whether the run is blocked waiting for a file lock (/proc/locks marks a waiter "->")."""
    return any(
        line.split()[1:3] == ["->", "FLOCK"] and line.split()[5] == str(run.process.pid)
        for line in Path("/proc/locks").read_text().splitlines()
    )


def stopped_line(name: str, workspace: Workspace) -> str:
    """The line a run stopped before writing its edition ends with."""
    return (
        f"Stopped by {name} before the edition of 27 January 2023 was written: the files of that "
        f"date in {workspace.out}, if any, are an earlier run's, as they were."
    )


def outcome(run: Run, server: Server, workspace: OwnServerWorkspace) -> dict[str, Any]:
    """What a stopped run left: its exit code, the lines saying it stopped, whether its server
    still runs, and the servers recorded as running."""
    return {
        "exit code": run.process.returncode,
        "said": [line for line in run.output().splitlines() if line.startswith("Stopped by")],
        "server running": running(server),
        "records": sorted(path.name for path in workspace.records.glob("*")),
    }


def test_sigterm_to_the_runs_group_stops_it_and_its_server_while_a_feed_holds_it(
    workspace: OwnServerWorkspace, feeds: FeedServer, servers: list[Server]
) -> None:
    """SIGTERM to the run's process group (as `kill -TERM -PGID` or a service manager sends
    it) while a feed holds its answer: the run ends without waiting for the feed, exit code 143,
    its last line saying nothing of the edition was written; its server is gone, unrecorded."""
    route = held_feed(feeds)
    with reaped() as runs:
        runs.append(run := start_run(workspace, EDITION_DATE, [feeds.url(HELD)]))
        server = temporary_server_of(run, servers)
        wait_until(lambda: bool(feeds.received(HELD)), run)
        os.killpg(run.process.pid, signal.SIGTERM)
        try:
            run.process.wait(timeout=STOPPED_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the run did not stop while the feed held it:\n{run.output()[-3000:]}")
        finally:
            assert route.hold is not None
            route.hold.set()
    assert {
        "exit code": 143,
        "said": [stopped_line("SIGTERM", workspace)],
        "server running": False,
        "records": [],
    } == outcome(run, server, workspace), run.output()[-3000:]


def test_sigterm_to_the_run_in_its_flow_stops_it_through_prefects_shutdown(
    workspace: OwnServerWorkspace, servers: list[Server]
) -> None:
    """SIGTERM to the run alone while its flow waits for the edition's lock (no task to wait
    for): Prefect records the crash, then the run ends, exit code 143, saying nothing of the
    edition was written; its server is gone, unrecorded."""
    workspace.out.mkdir()
    with (
        (workspace.out / f".briefing-{EDITION_DATE.isoformat()}.lock").open("w") as lock,
        reaped() as runs,
    ):
        fcntl.flock(lock, fcntl.LOCK_EX)  # the run waits here before it writes anything
        runs.append(run := start_run(workspace, EDITION_DATE, []))
        server = temporary_server_of(run, servers)
        wait_until(lambda: waits_for_a_lock(run), run)
        os.kill(run.process.pid, signal.SIGTERM)
        run.process.wait(timeout=STOPPED_WITHIN)
    crashed = "Finished in state Crashed('Execution was aborted by a termination signal.')"
    assert {
        "exit code": 143,
        "said": [stopped_line("SIGTERM", workspace)],
        "server running": False,
        "records": [],
        "crash recorded": True,
    } == {**outcome(run, server, workspace), "crash recorded": crashed in run.output()}, (
        run.output()[-3000:]
    )


@pytest.mark.parametrize("name", ["SIGINT", "SIGHUP"])
def test_sigint_or_sighup_while_the_server_starts_stops_the_run_and_the_server(
    name: str, workspace: OwnServerWorkspace, servers: list[Server]
) -> None:
    """Ctrl-C or a hang-up while Prefect waits for its temporary server to answer: the run
    ends, exit code 128 + the signal, saying nothing of the edition was written, and stops the
    server it had started; nothing is left recorded."""
    number = signal.Signals[name]
    with reaped() as runs:
        runs.append(run := start_run(workspace, EDITION_DATE, []))
        wait_until(lambda: _server_child(run.process.pid) is not None, run)
        server = _server_child(run.process.pid)
        assert server is not None
        servers.append(server)
        os.kill(run.process.pid, number)
        run.process.wait(timeout=STOPPED_WITHIN)
    assert {
        "exit code": 128 + number,
        "said": [stopped_line(name, workspace)],
        "server running": False,
        "records": [],
    } == outcome(run, server, workspace), run.output()[-3000:]


def test_a_server_left_by_a_killed_run_is_stopped_by_the_next_run(
    workspace: OwnServerWorkspace, feeds: FeedServer, servers: list[Server]
) -> None:
    """kill -9 of a run leaves its temporary server running; the next run stops it before it
    starts its own, says so on one line naming both processes, and leaves no server recorded."""
    route = held_feed(feeds)
    with reaped() as runs:
        runs.append(killed := start_run(workspace, EDITION_DATE, [feeds.url(HELD)]))
        left = temporary_server_of(killed, servers)
        wait_until(lambda: bool(feeds.received(HELD)), killed)
        os.kill(killed.process.pid, signal.SIGKILL)
        killed.process.wait(timeout=60)
        assert route.hold is not None
        route.hold.set()
        assert running(left), "the killed run's server was expected to be left running"
        runs.append(rerun := start_run(workspace, EDITION_DATE, []))
        output = finish(rerun)
    line = (
        "Stopped a temporary Prefect server left running by a run that ended without stopping "
        f"it: pid {left.pid}, port {left.port} (the run was pid {killed.process.pid})."
    )
    # No "View at" link either: the temporary server serves no UI.
    assert (True, False, [], False) == (
        line in output.splitlines(),
        running(left),
        sorted(path.name for path in workspace.records.glob("*")),
        "View at" in output,
    ), output[-3000:]


STARTED_BOTH_WAYS = """
import json, os, subprocess
from prefect.server.api.server import SubprocessASGIServer
from commands.temporary_server import TemporaryServer
calls = []
class Started:
    pid = os.getpid()
def popen(**options):
    calls.append(options)
    return Started()
subprocess.Popen = popen
SubprocessASGIServer(port=8001)._run_uvicorn_command()
TemporaryServer(port=8002)._run_uvicorn_command()
print(json.dumps(calls))
"""


def test_the_temporary_server_is_started_as_prefect_starts_it_in_a_group_of_its_own() -> None:
    """TemporaryServer runs Prefect's command, in a process group of its own, and its server
    reads the settings Prefect would hand it: what Prefect 3.8.8 starts, so an upgrade that
    changes it fails here (the run starts it itself, and before it imports Prefect, so as not
    to import Prefect's server module: see commands/temporary_server.py). Prefect adds its
    settings to the server's environment; ours leaves the server's Prefect to read them from
    the same environment and files, and it reads the same values. Both are made in a fresh
    process, as `briefing run` makes them (this one's Prefect settings are the test session's)."""
    done = subprocess.run(
        [sys.executable, "-c", STARTED_BOTH_WAYS],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    prefects, ours = json.loads(done.stdout.strip().splitlines()[-1])
    ours["args"][ours["args"].index("--port") + 1] = "8001"
    added = {k: v for k, v in prefects["env"].items() if ours["env"].get(k) != v}
    read = (
        "import json; from prefect.settings import get_current_settings; "
        "print(json.dumps(get_current_settings().to_environment_variables(exclude_unset=True)))"
    )
    resolved = json.loads(
        subprocess.run(
            [sys.executable, "-c", read],
            env=ours["env"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    )
    assert (
        {**prefects, "env": ours["env"], "process_group": 0},
        {key: resolved.get(key) for key in added},
        {"PREFECT_UI_ENABLED", "PREFECT__SERVER_EPHEMERAL", "PREFECT__SERVER_FINAL"}
        <= set(ours["env"]) - set(os.environ),
    ) == (ours, added, True)


def test_the_run_does_not_import_prefects_server_into_its_own_process() -> None:
    """What the run imports to start its server and run its flow leaves Prefect's server app
    out of the run's process (3.5-4 s of every run on 2 cores when it was imported)."""
    code = (
        "import sys, commands.cli, flows.weekly_briefing, commands.temporary_server; "
        "print(sorted(name for name in sys.modules if name.startswith('prefect.server.api')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "[]" == done.stdout.strip(), done.stderr


def test_a_flow_run_on_the_temporary_server_sends_no_heartbeats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Heartbeats tell a server that outlives a run that the run crashed; the temporary server
    ends with its run, so while it serves, Prefect's settings send none (stopping their thread
    cost half a second of every run), and the setting is Prefect's own again after."""
    from prefect.settings import get_current_settings

    from commands.temporary_server import TemporaryServer

    server = TemporaryServer(port=8001)
    monkeypatch.setattr(server, "wait", lambda timeout: server.api_url)
    before = get_current_settings().flows.heartbeat_frequency
    with server.serving():
        during = get_current_settings().flows.heartbeat_frequency
    after = get_current_settings().flows.heartbeat_frequency
    assert (True, None, before) == (before is not None, during, after)


def test_a_refused_run_stops_the_server_it_started_first(
    workspace: OwnServerWorkspace, servers: list[Server]
) -> None:
    """`briefing run` starts its server before it reads its options (commands/entry.py); a
    run refused for a bad option value ends with its one error line and exit code 2, and no
    Prefect server of its PREFECT_HOME is left running or recorded."""
    command = [str(BRIEFING), "run", "--since", "2023-13-01", "--out", str(workspace.out)]
    done = subprocess.run(
        command,
        cwd=workspace.root,
        env=workspace.environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    home = workspace.environment()["PREFECT_HOME"].encode()
    left = [
        entry.name
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _serves_home(entry, home)
    ]
    assert (2, ["Error: --since: '2023-13-01' is not a date"], [], []) == (
        done.returncode,
        [line.split(";")[0] for line in done.stderr.splitlines() if line.startswith("Error")],
        left,
        sorted(path.name for path in workspace.records.glob("*")),
    ), done.stderr


def _serves_home(process: Path, home: bytes) -> bool:
    """Whether the process runs Prefect's server app with this PREFECT_HOME."""
    try:
        command = (process / "cmdline").read_bytes()
        environment = (process / "environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return (
        b"prefect.server.api.server:create_app" in command
        and b"PREFECT_HOME=" + home in environment
    )
