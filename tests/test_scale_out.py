"""The scale-out topology of deploy/compose.yaml rehearsed from local processes, without Docker:
PostgreSQL for Prefect and for the memory, the Prefect server, two process workers with
``--limit 1``, the editions server and a mail catcher, all started by `make up`'s script; three
editions asked for at once all complete, spread over both workers, each PDF reachable over HTTP
from its run's link, each mailed, the memory consistent; `make down`'s script stops it all."""

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from pypdf import PdfReader

from briefing.store.database import TURN_KEY
from briefing.store.files import lock_edition_folder
from tests.conftest import Mailbox, free_port, serve_smtp, weasyprint_lines
from tests.postgres import PostgresServer
from tests.runs import clean_env
from tests.test_concurrency_postgres import newness, recorded
from tests.test_deployment import (
    RUN_TIMEOUT,
    brought_up,
    form_run,
    group_alive,
    run_down,
    started_groups,
    wait_for,
)

pytestmark = pytest.mark.slow
DATES = ["2023-01-20", "2023-01-27", "2023-02-03"]


@dataclass
class Topology:
    """The running processes: where to reach them and what they write."""

    api: httpx.Client
    editions: str
    run_dir: Path
    out_dir: Path
    memory_url: str
    mailbox: Mailbox
    env: dict[str, str]


@pytest.fixture(scope="module")
def topology(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Topology]:
    """Everything up on 127.0.0.1, Prefect and the memory each in a new database of the
    session's PostgreSQL; stopped by the down script, then any group left is killed and the
    databases dropped, whatever happened in between."""
    root = tmp_path_factory.mktemp("scale-out")
    run_dir, out_dir = root / "run", root / "out"
    port, editions_port = free_port(), free_port()
    prefect_db, memory_db = postgres.create_database("prefect"), postgres.create_database()
    prefect_url = postgres.url(prefect_db).replace("+psycopg", "+asyncpg")
    with serve_smtp(Mailbox(port=free_port())) as mailbox:
        env = clean_env(
            RUN_DIR=str(run_dir),
            PREFECT_PORT=str(port),
            EDITIONS_PORT=str(editions_port),
            PREFECT_HOME=str(root / "prefect"),
            PREFECT_SERVER_DATABASE_CONNECTION_URL=prefect_url,
            WORKERS="2",
            WORKER_LIMIT="1",
            BRIEFING_DATABASE_URL=postgres.url(memory_db),
            BRIEFING_OUT_DIR=str(out_dir),
            BRIEFING_SMTP_HOST="127.0.0.1",
            BRIEFING_SMTP_PORT=str(mailbox.port),
            BRIEFING_SMTP_SECURITY="none",
            BRIEFING_SMTP_FROM="briefing@example.org",
            BRIEFING_SMTP_RETRIES="0",
            BRIEFING_EMAIL_RECIPIENTS="desk@example.org",
        )
        try:
            with (
                brought_up(env, run_dir),
                httpx.Client(base_url=f"http://127.0.0.1:{port}/api", timeout=30) as api,
            ):
                yield Topology(
                    api,
                    f"http://127.0.0.1:{editions_port}/",
                    run_dir,
                    out_dir,
                    postgres.url(memory_db),
                    mailbox,
                    env,
                )
        finally:
            postgres.drop_database(prefect_db)
            postgres.drop_database(memory_db)


@pytest.fixture(scope="module")
def three_runs(topology: Topology) -> list[dict[str, Any]]:
    """Three editions asked for at once from the deployment, as the UI's form asks, each
    emailed; the runs once all have ended."""
    api = topology.api
    deployment = api.get("/deployments/name/weekly-briefing/weekly").raise_for_status().json()
    ids = []
    for day in DATES:
        response = form_run(api, deployment, {"edition_date": day, "send_email": True})
        assert 201 == response.status_code, response.text
        ids.append(response.json()["id"])

    def all_ended() -> list[dict[str, Any]] | None:
        runs = [api.get(f"/flow_runs/{run_id}").raise_for_status().json() for run_id in ids]
        ended = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
        return runs if all(run["state"]["type"] in ended for run in runs) else None

    runs: list[dict[str, Any]] = wait_for(all_ended, 3 * RUN_TIMEOUT, "the three runs to end")
    return runs


def test_three_editions_at_once_all_complete_over_both_workers(
    topology: Topology, three_runs: list[dict[str, Any]]
) -> None:
    """Every run completes, and each was run by one worker, both workers running some."""
    logs = {
        path.stem: path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(topology.run_dir.glob("worker*.log"))
    }
    # Both workers may log "submitting" a run; only the one whose Pending state the server
    # accepted runs it, and logs it submitted to infrastructure.
    taken = {
        run["id"]: [
            name
            for name, log in logs.items()
            if f"Flow run '{run['name']}' submitted to infrastructure" in log
        ]
        for run in three_runs
    }
    assert ["COMPLETED"] * 3 == [run["state"]["type"] for run in three_runs]
    assert {run_id: 1 for run_id in taken} == {
        run_id: len(names) for run_id, names in taken.items()
    }
    assert {"worker", "worker-2"} == {names[0] for names in taken.values()}
    assert {name: [] for name in logs} == {
        name: weasyprint_lines(log) for name, log in logs.items()
    }


def test_each_pdf_opens_over_http_from_its_runs_link_and_was_mailed(
    topology: Topology, three_runs: list[dict[str, Any]]
) -> None:
    """Each run's PDF link is the editions server's address of its PDF, which gives the very
    file written; each PDF was mailed, attached, to the configured recipient."""
    served, links = {}, {}
    with httpx.Client(timeout=30) as client:
        for run in three_runs:
            day = run["parameters"]["edition_date"]
            (artifact,) = topology.api.post(
                "/artifacts/filter",
                json={
                    "artifacts": {
                        "flow_run_id": {"any_": [run["id"]]},
                        "key": {"any_": ["weekly-briefing-pdf"]},
                    }
                },
            ).json()
            links[day] = artifact["data"].split("](", 1)[1].rstrip(")")
            served[day] = client.get(links[day]).content
    files = {day: (topology.out_dir / f"briefing-{day}.pdf").read_bytes() for day in DATES}
    attached = {
        str(part.get_filename()).removeprefix("briefing-").removesuffix(".pdf"): part.get_content()
        for message in topology.mailbox.messages()
        for part in message.iter_attachments()
    }
    assert {day: f"{topology.editions}briefing-{day}.pdf" for day in DATES} == links
    assert files == served
    assert {day: True for day in DATES} == {
        day: len(PdfReader(topology.out_dir / f"briefing-{day}.pdf").pages) > 1 for day in DATES
    }
    assert sorted(DATES) == sorted(attached)
    assert files == {day: attached[day] for day in DATES}


def test_the_memory_is_consistent_after_the_three(
    topology: Topology, three_runs: list[dict[str, Any]]
) -> None:
    """Three editions recorded, each new against exactly those recorded before it."""
    memory = recorded(topology.memory_url)
    expected, found = newness(memory, topology.out_dir)
    assert sorted(DATES) == sorted(e["date"].isoformat() for e in memory)
    assert expected == found


def run_processes(run_id: str) -> list[int]:
    """The processes of a flow run (the worker starts it with its id in the environment)."""
    marker = f"PREFECT__FLOW_RUN_ID={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def turn_is_free(memory_url: str) -> bool:
    """Whether nobody holds the memory's turn (taken and let go at once when free)."""
    with psycopg.connect(memory_url.replace("postgresql+psycopg", "postgresql")) as connection:
        free = connection.execute("SELECT pg_try_advisory_lock(%s)", (TURN_KEY,)).fetchone()
        if free and free[0]:
            connection.execute("SELECT pg_advisory_unlock(%s)", (TURN_KEY,))
            return True
        return False


def test_a_run_killed_inside_its_turn_is_crashed_and_the_turn_is_free_again(
    topology: Topology, three_runs: list[Any]
) -> None:
    """A fourth run, held at its edition's lock while it has the memory's turn, is killed
    (SIGKILL, as a worker's host would kill it): the run is shown Crashed, the turn is free for
    the next run at once, and no file and no memory row of its edition exists."""
    day = date(2023, 2, 10)
    api = topology.api
    deployment = api.get("/deployments/name/weekly-briefing/weekly").raise_for_status().json()
    with lock_edition_folder(topology.out_dir, day):
        response = form_run(api, deployment, {"edition_date": day.isoformat()})
        assert 201 == response.status_code, response.text
        run_id = response.json()["id"]
        wait_for(lambda: not turn_is_free(topology.memory_url), RUN_TIMEOUT, "the run's turn")
        for pid in run_processes(run_id):
            # A short-lived child (WeasyPrint asks ldconfig and gcc where its libraries are) may
            # end between the listing and the kill.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

        def ended() -> dict[str, Any] | None:
            run: dict[str, Any] = api.get(f"/flow_runs/{run_id}").raise_for_status().json()
            return run if run["state"]["type"] not in {"SCHEDULED", "PENDING", "RUNNING"} else None

        run = wait_for(ended, RUN_TIMEOUT, "the killed run's state")
        free = wait_for(lambda: turn_is_free(topology.memory_url), 60, "the turn to be free")
    assert ("CRASHED", True) == (run["state"]["type"], free)
    assert [] == sorted(path.name for path in topology.out_dir.glob(f"*{day.isoformat()}*"))
    assert day not in {edition["date"] for edition in recorded(topology.memory_url)}


def test_make_down_stops_the_whole_topology(topology: Topology, three_runs: list[Any]) -> None:
    """The down script stops the server, both workers and the editions server."""
    groups = started_groups(topology.run_dir)
    down = run_down(topology.env)
    assert 0 == down.returncode, down.stdout + down.stderr
    assert (4, []) == (len(groups), [pgid for pgid in groups if group_alive(pgid)])
