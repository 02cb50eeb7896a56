"""Real `briefing run` processes for the concurrency and rerun tests, and what they leave behind.

Each run is a separate process, as two cron jobs or two workers would be, talking to the session's
throwaway Prefect server and reading feeds from a loopback server; no seeds, so a run is quick.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy
from prefect.settings import PREFECT_API_URL
from sqlalchemy import select

from briefing.store.memory import editions, metadata
from tests.conftest import NO_FEEDS, free_port, weasyprint_lines

BRIEFING = Path(sys.executable).parent / "briefing"
# Columns that say when or in which run a row was written: the rest is what an edition recorded.
RUN_COLUMNS = {
    "documents": {"first_seen"},
    "feed_copies": {"fetched_at"},
    "fetches": {"id", "run_id", "fetched_at"},
    "editions": {"id", "run_id", "written_at"},
}


def clean_env(**values: str) -> dict[str, str]:
    """This process's environment without any PREFECT_* or BRIEFING_* value, plus the given;
    no configured feeds unless given (the shipped briefing.yaml lists real outlets)."""
    base = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PREFECT_", "BRIEFING_"))
    }
    return {**base, "BRIEFING_CONFIG_FILE": str(NO_FEEDS), **values}


@dataclass(frozen=True)
class Workspace:
    """An output folder and a memory database, shared by the runs given it."""

    root: Path
    database_url: str | None = field(default=None, kw_only=True)  # None: the file ``database``
    api_url: str | None = field(default=None, kw_only=True)  # None: the session's test server

    @property
    def out(self) -> Path:
        """The output folder."""
        return self.root / "out"

    @property
    def database(self) -> Path:
        """The SQLite memory file."""
        return self.root / "memory.db"

    def environment(self) -> dict[str, str]:
        """The environment of a run: this one without PREFECT_*/BRIEFING_* values, then the
        session's Prefect server, this memory, no configured feeds and no fetch retries."""
        config = self.root / "feeds.yaml"
        config.write_text("feeds: []\n", encoding="utf-8")
        return {
            **clean_env(),
            "PREFECT_API_URL": self.api_url or str(PREFECT_API_URL.value()),
            "PREFECT_HOME": str(self.root / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "BRIEFING_DATABASE_URL": self.database_url or f"sqlite:///{self.database}",
            "BRIEFING_CONFIG_FILE": str(config),
            "BRIEFING_FETCH_RETRIES": "0",
        }


@dataclass
class Run:
    """A `briefing run` process and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """What the run has printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_run(workspace: Workspace, edition: date, feeds: list[str]) -> Run:
    """Start `briefing run` for the date with the feeds, in its own process group."""
    command = [str(BRIEFING), "run", "--date", edition.isoformat(), "--out", str(workspace.out)]
    command += ["--no-seeds", "--allow-private-network"]
    for url in feeds:
        command += ["--feed", url]
    workspace.root.joinpath("logs").mkdir(exist_ok=True)
    log = workspace.root / "logs" / f"{edition.isoformat()}-{time.monotonic_ns()}.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(
            command,
            cwd=workspace.root,
            env=workspace.environment(),
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Run(process, log)


def finish(run: Run) -> str:
    """Wait for a run to end; its output, after checking it succeeded and that WeasyPrint
    logged no warning or error while rendering (the in-process check cannot see this process)."""
    run.process.wait(timeout=300)
    output = run.output()
    assert (0, []) == (run.process.returncode, weasyprint_lines(output)), output[-4000:]
    return output


def kill(run: Run) -> None:
    """SIGKILL the run (its process group: the run and anything it started) and reap it."""
    os.killpg(run.process.pid, signal.SIGKILL)
    run.process.wait(timeout=60)
    assert -signal.SIGKILL == run.process.returncode


@contextmanager
def reaped() -> Iterator[list[Run]]:
    """A list to put started runs in; any still running when the block ends is killed, so a
    failing test leaves no process behind."""
    started: list[Run] = []
    try:
        yield started
    finally:
        for run in started:
            if run.process.poll() is None:
                kill(run)


@contextmanager
def prefect_server(database_url: str, home: Path) -> Iterator[str]:
    """A `prefect server start` of its own on 127.0.0.1 keeping its state in the given database
    (``postgresql+asyncpg://...``), as deploy/README asks for when runs go at once: the session's
    test server keeps its state in SQLite, which refused ten runs' writes at once on a loaded
    machine (503 after the client's retries). Yields its API URL; the server is stopped after."""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **clean_env(),
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": database_url,
    }
    command = [str(BRIEFING.parent / "prefect"), "server", "start", "--host", "127.0.0.1"]
    with (home / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = f"http://127.0.0.1:{port}/api"
    try:
        give_up = time.monotonic() + 180
        while not _healthy(api):
            ended = process.poll() is not None
            if ended or time.monotonic() > give_up:
                log_text = (home / "server.log").read_text(encoding="utf-8", errors="replace")
                raise AssertionError(f"the Prefect server did not come up:\n{log_text[-4000:]}")
            time.sleep(0.5)
        yield api
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _healthy(api: str) -> bool:
    """Whether the Prefect API answers its health check."""
    try:
        return httpx.get(f"{api}/health", timeout=2).is_success
    except httpx.HTTPError:
        return False


def wait_until(condition: Callable[[], bool], *runs: Run) -> None:
    """Poll until the condition holds; fail if a run ends first or it never comes."""
    give_up = time.monotonic() + 120
    while not condition():
        for run in runs:
            if run.process.poll() is not None:
                raise AssertionError(f"the run ended early:\n{run.output()[-4000:]}")
        assert time.monotonic() < give_up, "the runs never reached the point"
        time.sleep(0.05)


def memory_tables(database: Path | str) -> dict[str, list[dict[str, Any]]]:
    """Every table of the memory (a SQLite file, or a URL), rows sorted, without the columns
    that name a run or a time; an edition's facts are keyed by its date, not its row id."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            query = select(editions.c.id, editions.c.edition_date)
            dates: dict[int, date] = dict(connection.execute(query).tuples().all())
            tables = {}
            for name, table in metadata.tables.items():
                rows = [dict(row) for row in connection.execute(table.select()).mappings()]
                for row in rows:
                    if "edition_id" in row:
                        row["edition_id"] = dates[row["edition_id"]]
                    for column in RUN_COLUMNS.get(name, set()):
                        del row[column]
                tables[name] = sorted(rows, key=repr)
            return tables
    finally:
        engine.dispose()
