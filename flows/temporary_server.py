"""The temporary Prefect server of `briefing run`, when no PREFECT_API_URL names a server.

Prefect starts it on a flow's first call to the API, as a uvicorn subprocess, and stops it at the
interpreter's exit (``atexit``). This is Prefect's own server class, put in its place before the
flow starts (Prefect keeps one instance, which every client then uses), with three differences:

- the server runs in a process group of its own: a signal to the run's group (Ctrl-C in a
  terminal, ``kill -TERM -PGID``) reaches the run alone, which stops the server after its last
  call to it, instead of killing the server under a run that then waits on it;
- while it runs, it is recorded (``flows.server_records``), so that the next run stops it if this
  run is killed before it can;
- ``stop_now`` stops it from another thread without letting Prefect start another one.
"""

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import prefect
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import get_current_settings

from flows.server_records import ServerRecord, load_boot_id, load_process, write_record

logger = logging.getLogger(__name__)


class TemporaryServer(SubprocessASGIServer):
    """Prefect's temporary server, in its own process group, recorded while it runs."""

    def __init__(self, port: int | None = None, records: Path | None = None) -> None:
        super().__init__(port)
        if not hasattr(self, "_records"):
            self._records = records
            self._record: Path | None = None
            self._stopping = threading.Lock()

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        # Prefect 3.8.8's command and environment, unchanged (tests/test_stopping.py compares
        # them), with the process group added.
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
                str(prefect.__module_path__.parent),
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
            env={
                **os.environ,
                **server_env,
                **get_current_settings().to_environment_variables(exclude_unset=True),
            },
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

    def stop(self) -> None:
        """Prefect's stop (at exit: SIGTERM, then SIGKILL after 5 s), then forget the record."""
        with self._stopping:
            super().stop()
            self._forget_record()

    def stop_now(self) -> None:
        """Stop the server, from any thread, leaving this instance in Prefect's place: a client
        made afterwards talks to the stopped server and fails, rather than starting another."""
        with self._stopping:
            process = self.server_process
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self._forget_record()


def install_temporary_server(records: Path) -> TemporaryServer | None:
    """Put a TemporaryServer in the place of the one Prefect would start for this process, its
    records kept in the folder; None if Prefect already has one here (not started by a run)."""
    existing = SubprocessASGIServer._instances.get(None)
    if existing is not None:
        return existing if isinstance(existing, TemporaryServer) else None
    return TemporaryServer(records=records)
