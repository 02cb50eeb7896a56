"""The temporary Prefect server of `briefing run`, when no PREFECT_API_URL names a server.

Prefect would start one itself on the flow's first call to its API: ``SubprocessASGIServer``, a
uvicorn subprocess running Prefect's server app. That class lives in the module of the server
app, and importing it imports the whole server into the run's own process: 3.5-4 s of every
`make briefing` on 2 cores, for a process that never serves anything. This class starts the
same command with the same environment (``tests/test_temporary_server.py`` compares them with
Prefect 3.8.8's) and hands its address to the flow as PREFECT_API_URL, so Prefect never imports
its server here; and the run starts it as soon as its checks pass, so that it boots on the other
core while the run gets ready (``commands.cli.get_ready``). The other differences from Prefect's:

- the server runs in a process group of its own: a signal to the run's group (Ctrl-C in a
  terminal, ``kill -TERM -PGID``) reaches the run alone, which stops the server after its last
  call to it, instead of killing the server under a run that then waits on it;
- while it runs, it is recorded (``commands.server_records``), so that the next run stops it if this
  run is killed before it can;
- ``stop_now`` stops it from another thread, and a stopped server is not started again;
- `briefing run` starts it first thing (``start_early``, from ``commands.entry``), before it
  imports Prefect and the rest of the command (1-1.5 s on 2 cores), and stops it if the run turns
  out not to need it (a server named in Prefect's profile, a refused run). So this module imports
  neither Prefect nor httpx until a server is waited for. The server's environment is the run's
  with Prefect's three server variables: the settings Prefect would add from its profile and
  files are those the server's own Prefect reads from the same places (the test compares them).
"""

import atexit
import importlib.util
import logging
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from briefing.errors import ServerError
from commands.server_records import (
    ServerRecord,
    load_boot_id,
    load_process,
    records_folder,
    write_record,
)

logger = logging.getLogger(__name__)

PORT_TAKEN = 3  # uvicorn's exit code when its port is in use: Prefect then tries another
PORTS = range(8000, 9000)  # where Prefect looks for a free port for its temporary server
STOP_WAIT_SECONDS = 5  # for SIGTERM to end the server before SIGKILL, as Prefect waits


class TemporaryServer:
    """A temporary Prefect server for one run: ``begin`` starts it, ``serving`` waits for it to
    answer and points the flow's Prefect client at it, ``stop`` (also at exit) ends it."""

    def __init__(self, port: int | None = None, records: Path | None = None) -> None:
        self.port = port
        self.process: subprocess.Popen[Any] | None = None
        self._records = records
        self._record: Path | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._announced = False

    @property
    def api_url(self) -> str:
        """The server's API address."""
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        """Start the server's process (once), without waiting for it to answer or saying so."""
        with self._lock:
            if self.process is not None or self._stopped:
                return
            self.port = self.port or _free_port()
            self.process = self._run_uvicorn_command()
            atexit.register(self.stop)

    def begin(self, say: Callable[[str], None]) -> None:
        """Start the server's process unless it was started early, and say so once."""
        self.start()
        with self._lock:
            if self.process is None or self._announced:
                return
            self._announced = True
        say(f"Starting a temporary Prefect server on http://127.0.0.1:{self.port}")

    def keep_records_in(self, records: Path) -> None:
        """Record the server in this folder from now on (Prefect's settings, read after an
        early start, name PREFECT_HOME elsewhere than its environment did)."""
        with self._lock:
            if records == self._records:
                return
            self._forget_record()
            self._records = records
            if self.process is not None and self.process.poll() is None:
                self._write_record(self.process.pid)

    def wait(self, timeout: float) -> str:
        """Wait until the server answers its health check; its API address. A server whose
        port was taken meanwhile is started again on another, as Prefect does; one that ends or
        does not answer within ``timeout`` seconds is an error that says where to look."""
        import httpx

        give_up = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < give_up:
                with self._lock:
                    process = self.process
                    if process is None or self._stopped:
                        raise ServerError("The temporary Prefect server was stopped.")
                    code = process.poll()
                    if code == PORT_TAKEN:
                        self._forget_record()
                        self.port = _free_port()
                        self.process = self._run_uvicorn_command()
                        continue
                if code is not None:
                    raise ServerError(
                        f"The temporary Prefect server ended while starting (exit code {code}); "
                        "its messages are above. Start one with `prefect server start` and set "
                        "PREFECT_API_URL to use it instead."
                    )
                try:
                    if client.get(f"{self.api_url}/health").is_success:
                        return self.api_url
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise ServerError(
            f"The temporary Prefect server did not answer within {timeout:.0f} s (a new "
            "Prefect database takes 10-15 s on 2 cores). Raise "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or start a server with "
            "`prefect server start` and set PREFECT_API_URL."
        )

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Once the server answers, Prefect's settings name it for the block (and no UI: the
        temporary server serves none, so the run prints no link to one); its API address.

        The flow run sends no heartbeats to it: they exist for a server that outlives the run
        to tell it crashed, and this one ends with the run. (Stopping the heartbeat thread
        waits out its one-second sleep: half a second of every `make briefing`.)"""
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
            PREFECT_UI_URL,
            get_current_settings,
        )
        from prefect.settings import temporary_settings as prefect_settings

        timeout = get_current_settings().server.ephemeral.startup_timeout_seconds
        api_url = self.wait(timeout)
        updates = {
            PREFECT_API_URL: api_url,
            PREFECT_UI_URL: "",
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
        }
        with prefect_settings(updates=updates):
            yield api_url

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        # Prefect 3.8.8's command and environment (tests/test_temporary_server.py compares
        # them), with the process group added; its settings read by the server's own Prefect.
        server_env = {
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        process = subprocess.Popen(
            args=[
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(_prefect_location()),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={**os.environ, **server_env},
            process_group=0,
        )
        self._write_record(process.pid)
        return process

    def _write_record(self, server_pid: int) -> None:
        if self._records is None:
            return
        run, server, boot_id = load_process(os.getpid()), load_process(server_pid), load_boot_id()
        if run is None or server is None or boot_id is None:  # no /proc, or the server has ended
            return
        record = ServerRecord(boot_id=boot_id, run=run, server=server, port=self.port or 0)
        try:
            self._record = write_record(self._records, record)
        except OSError as exc:  # the run goes on; only a kill -9 of it would leave the server
            logger.warning("Could not record the temporary Prefect server: %s", exc)

    def _forget_record(self) -> None:
        if self._record is not None:
            self._record.unlink(missing_ok=True)
            self._record = None

    def stop(self, wait: float = STOP_WAIT_SECONDS) -> None:
        """Stop the server, from any thread (SIGTERM, then SIGKILL after ``wait`` seconds),
        and forget its record; it is not started again."""
        with self._lock:
            self._stopped = True
            process, self.process = self.process, None
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self._forget_record()

    def stop_now(self) -> None:
        """Stop the server at once, from the stop watcher's thread (SIGKILL after 3 s)."""
        self.stop(wait=3)


_early: TemporaryServer | None = None


def start_early(environment: Mapping[str, str] = os.environ) -> None:
    """Start this run's temporary server now, before the run imports Prefect (its records kept
    under PREFECT_HOME as the environment names it); ``take_early`` hands it over."""
    global _early
    home = Path(environment.get("PREFECT_HOME") or "~/.prefect").expanduser()
    _early = TemporaryServer(records=records_folder(home))
    _early.start()


def take_early() -> TemporaryServer | None:
    """The server ``start_early`` started, if any (once)."""
    global _early
    early, _early = _early, None
    return early


def _prefect_location() -> Path:
    """Where the prefect package is installed (Prefect's own ``prefect.__module_path__.parent``),
    found without importing it."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise ServerError("Prefect is not installed in this environment: run `make setup`.")
    return Path(spec.origin).parent.parent


def _free_port() -> int:
    """A port in Prefect's range that nothing on 127.0.0.1 listens on now (the server may still
    find it taken, and is then started on another: ``PORT_TAKEN``)."""
    for port in random.sample(PORTS, 50):
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServerError("No free port between 8000 and 8999 on 127.0.0.1 for a Prefect server.")
