"""Ten first runs at once on a new PostgreSQL memory: ten `briefing run` processes, each for its
own date, start together; all ten editions come out, and each is new against exactly the
editions recorded before it (the memory's turn), as the README defines."""

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import select

from briefing.models import Briefing
from briefing.store.memory import edition_facts, editions
from tests.feedserver import FeedServer, serve_feeds
from tests.postgres import PostgresServer
from tests.runs import Workspace, finish, prefect_server, reaped, start_run

DATES = [date(2023, 1, 21) + timedelta(days=2 * number) for number in range(10)]


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    """This module's own loopback feed server."""
    with serve_feeds() as feeds:
        yield feeds


@pytest.fixture(scope="module")
def ten_runs(
    postgres: PostgresServer,
    server: FeedServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, list[str]]]:
    """Ten runs started together on a new, empty PostgreSQL database; their outputs. Their
    Prefect server keeps its own state on PostgreSQL too, as the deployment does."""
    name, prefect_name = postgres.create_database("ten_runs"), postgres.create_database("prefect")
    root = tmp_path_factory.mktemp("ten")
    prefect_url = postgres.url(prefect_name).replace("+psycopg", "+asyncpg")
    feeds = [server.url(path) for path in ("/rss20.xml", "/atom.xml", "/week2.xml")]
    try:
        with prefect_server(prefect_url, root / "prefect-server") as api, reaped() as runs:
            workspace = Workspace(root, database_url=postgres.url(name), api_url=api)
            runs.extend(start_run(workspace, day, feeds) for day in DATES)
            outputs = [finish(run) for run in runs]
        yield workspace, outputs
    finally:
        postgres.drop_database(name)
        postgres.drop_database(prefect_name)


def recorded(url: str) -> list[dict[str, Any]]:
    """The editions in the order they were recorded, each with the facts it carried."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(editions.c.id, editions.c.edition_date).order_by(editions.c.id)
            ).all()
            carried = connection.execute(select(edition_facts)).all()
    finally:
        engine.dispose()
    return [
        {"date": day, "facts": {fact for edition, fact in carried if edition == row_id}}
        for row_id, day in rows
    ]


Newness = tuple[date | None, list[str]]  # the previous edition's date, the facts marked new


def newness(memory: list[dict[str, Any]], out_dir: Path) -> tuple[list[Newness], list[Newness]]:
    """For each edition of the memory (``recorded``), in the order it was recorded: what the
    README's rule makes it (its previous edition the latest earlier-dated one recorded before
    it, new the facts none of those carried), and what its JSON edition in the folder says."""
    expected, found = [], []
    for position, edition in enumerate(memory):
        before = [e for e in memory[:position] if e["date"] < edition["date"]]
        briefing = Briefing.model_validate_json(
            (out_dir / f"briefing-{edition['date'].isoformat()}.json").read_text("utf-8")
        )
        carried = set().union(*(e["facts"] for e in before))
        expected.append(
            (max((e["date"] for e in before), default=None), sorted(edition["facts"] - carried))
        )
        found.append((briefing.previous_edition, sorted(briefing.new_fact_ids)))
    return expected, found


@pytest.mark.slow
def test_ten_first_runs_at_once_make_ten_editions(ten_runs: tuple[Workspace, list[str]]) -> None:
    """Every run ends well (``finish`` checks the exit code), and the memory holds one edition
    per date, each with the facts its JSON file carries."""
    workspace, _ = ten_runs
    assert workspace.database_url is not None
    memory = recorded(workspace.database_url)
    files = {
        day: Briefing.model_validate_json(
            (workspace.out / f"briefing-{day.isoformat()}.json").read_text(encoding="utf-8")
        )
        for day in DATES
    }
    assert sorted(DATES) == sorted(edition["date"] for edition in memory)
    assert {day: {fact.id for fact in briefing.facts()} for day, briefing in files.items()} == {
        edition["date"]: edition["facts"] for edition in memory
    }


@pytest.mark.slow
def test_each_edition_is_new_against_those_recorded_before_it(
    ten_runs: tuple[Workspace, list[str]],
) -> None:
    """In the order the memory recorded them, each edition names as its previous edition the
    latest earlier-dated one recorded before it, and marks new exactly the facts none of those
    carried: no two runs composed blind to each other."""
    workspace, _ = ten_runs
    assert workspace.database_url is not None
    expected, found = newness(recorded(workspace.database_url), workspace.out)
    assert expected == found
    assert any(previous is not None for previous, _ in found)
