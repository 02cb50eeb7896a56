"""The memory's schema revisions: a new memory has the models' schema, a memory made before there
were revisions upgrades losing nothing, and opening a memory at the newest revision only reads."""

import io
import json
import re
import shutil
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, inspect, text

from briefing.errors import StoreError
from briefing.sources.feeds import FeedCopy
from briefing.sources.fetch import Validators
from briefing.store.memory import (
    Recollection,
    load_extractions,
    load_feed_copies,
    load_recollection,
    metadata,
    open_memory,
    upgrade_memory,
)
from briefing.store.migrations import (
    FIRST,
    FIRST_TABLES,
    SchemaUpgrade,
    alembic_config,
    current_revision,
    head_revision,
    script_directory,
)
from tests.feedserver import fixture
from tests.postgres import PostgresServer

# Made by the code of commit ee26069, the last before revisions: `briefing run --no-seeds
# --allow-private-network` on 2023-01-20 (feeds /week1.xml, /unavailable.xml) and 2023-01-27
# (/week2.xml, /rss20.xml, /atom.xml, /unavailable.xml), served by tests/feedserver.py's
# handler on this port, with week1.xml and week2.xml added as routes. Every table holds rows.
BEFORE_REVISIONS = Path(__file__).parent / "fixtures" / "memory-ee26069.db"
FEEDS = "http://127.0.0.1:48731"


def sqlite_url(database: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{database}"


def rows_as_stored(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every value of revision 0001's columns, table by table, as sqlite3 itself reads them."""
    connection = sqlite3.connect(database)
    try:
        rows = {}
        for table, columns in FIRST_TABLES.items():
            listed = ", ".join(f'"{column}"' for column in columns)
            query = f"SELECT {listed} FROM {table} ORDER BY rowid"
            rows[table] = connection.execute(query).fetchall()
        return rows
    finally:
        connection.close()


def schema_entries(database: Path) -> list[tuple[str, str, str, str | None]]:
    """The memory's tables and indexes as SQLite records them (their CREATE statements), without
    Alembic's own table."""
    connection = sqlite3.connect(database)
    try:
        return connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE tbl_name != 'alembic_version' ORDER BY rowid"
        ).fetchall()
    finally:
        connection.close()


@pytest.fixture
def before_revisions(tmp_path: Path) -> Path:
    """A copy of the memory made before revisions, to be upgraded."""
    database = tmp_path / "memory.db"
    shutil.copyfile(BEFORE_REVISIONS, database)
    return database


def test_a_new_memory_has_exactly_the_schema_of_the_models(database_url: str) -> None:
    """A new memory, upgraded to the newest revision, has the tables, columns, types, keys,
    unique constraints and indexes of ``metadata`` and nothing else, on SQLite and PostgreSQL:
    Alembic's autogenerate finds nothing to change."""
    memory = open_memory(database_url)
    with memory.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        tables = set(inspect(connection).get_table_names())
        revision = current_revision(connection)
    memory.dispose()
    assert ([], {*metadata.tables, "alembic_version"}, head_revision()) == (
        differences,
        tables,
        revision,
    )


def test_the_revisions_give_postgresql_exactly_the_comments_of_the_models() -> None:
    """Where comments are kept (PostgreSQL; SQLite keeps none), the revisions set every table
    and column comment ``metadata`` has, in its words, and no other: read from the SQL they
    emit for PostgreSQL."""
    output = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": output}
    )
    with Operations.context(context):
        for revision in reversed(list(script_directory().walk_revisions())):
            revision.module.upgrade()
    sql = output.getvalue()
    quoted = r"'((?:[^']|'')*)'"
    emitted = {
        (table, column, comment.replace("''", "'"))
        for table, column, comment in re.findall(
            rf'COMMENT ON COLUMN "?(\w+)"?\."?(\w+)"? IS {quoted}', sql
        )
    } | {
        (table, None, comment.replace("''", "'"))
        for table, comment in re.findall(rf'COMMENT ON TABLE "?(\w+)"? IS {quoted}', sql)
    }
    expected = {
        (table.name, column.name, column.comment)
        for table in metadata.tables.values()
        for column in table.columns
        if column.comment
    } | {(table.name, None, table.comment) for table in metadata.tables.values() if table.comment}
    assert expected == emitted


def test_revision_0001_lays_out_the_memory_as_the_code_before_revisions_did(
    tmp_path: Path,
) -> None:
    """A new database at revision 0001 has the very CREATE statements, in the same order, of the
    memory the code before revisions made, so the two kinds of memory are one schema."""
    database = tmp_path / "first.db"
    engine = create_engine(sqlite_url(database))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), FIRST)
    engine.dispose()
    assert schema_entries(BEFORE_REVISIONS) == schema_entries(database)


def test_a_memory_made_before_revisions_is_upgraded_losing_nothing(before_revisions: Path) -> None:
    """The memory made by the code before revisions is recognised as revision 0001 and brought
    to the newest revision, with every row of every table still there and unchanged."""
    stored = rows_as_stored(before_revisions)
    upgrade = upgrade_memory(sqlite_url(before_revisions))
    connection = sqlite3.connect(before_revisions)
    versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    connection.close()
    counts = {
        "documents": 7,
        "feed_copies": 4,
        "fetches": 6,
        "facts": 8,
        "extractions": 8,
        "editions": 2,
        "edition_facts": 9,
    }
    assert SchemaUpgrade(None, head_revision(), recognised=True) == upgrade
    assert [(head_revision(),)] == versions
    assert counts == {table: len(rows) for table, rows in stored.items()}
    assert stored == rows_as_stored(before_revisions)


def test_an_upgraded_memory_reads_as_the_code_before_revisions_wrote_it(
    before_revisions: Path,
) -> None:
    """After the upgrade the earlier editions, the kept feed copies and the kept extractions
    read back: the latest edition and its facts, each feed's body and validators, each key's
    facts exactly as stored."""
    stored = rows_as_stored(before_revisions)
    memory = open_memory(sqlite_url(before_revisions))
    recollections = [
        load_recollection(memory, day) for day in (date(2023, 1, 27), date(2023, 2, 3))
    ]
    copies = load_feed_copies(
        memory, [f"{FEEDS}/{name}" for name in ("week1.xml", "atom.xml", "unavailable.xml")]
    )
    kept = load_extractions(memory, [key for key, _ in stored["extractions"]])
    memory.dispose()
    first_edition = {fact for edition, fact in stored["edition_facts"] if edition == 1}
    assert [
        Recollection(date(2023, 1, 20), frozenset(first_edition)),
        Recollection(date(2023, 1, 27), frozenset(fact for fact, *_ in stored["facts"])),
    ] == recollections
    assert {
        f"{FEEDS}/week1.xml": FeedCopy(
            url=f"{FEEDS}/week1.xml",
            body=fixture("week1.xml"),
            content_type="application/rss+xml; charset=utf-8",
            validators=Validators(etag='"f688bd42a1c94d7c"', last_modified=None),
        ),
        f"{FEEDS}/atom.xml": FeedCopy(
            url=f"{FEEDS}/atom.xml",
            body=fixture("atom.xml"),
            content_type="application/atom+xml",
            validators=Validators(etag='"11e8323623af7569"', last_modified=None),
        ),
    } == copies
    assert {key: json.loads(facts) for key, facts in stored["extractions"]} == {
        key: [fact.model_dump(mode="json") for fact in facts] for key, facts in kept.items()
    }


def test_opening_a_memory_at_the_newest_revision_only_reads(database_url: str) -> None:
    """Every run opens the memory several times: once it is at the newest revision, opening it
    reads the version row and nothing else, with no DDL and no write transaction."""
    url = database_url
    open_memory(url).dispose()
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        open_memory(url).dispose()
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    reads = ("SELECT", "PRAGMA", "SHOW")  # SHOW: psycopg's first look at the server
    assert (True, []) == (
        any("alembic_version" in statement for statement in statements),
        [s for s in statements if not s.lstrip().upper().startswith(reads) and s != "BEGIN"],
    )


@pytest.mark.slow
def test_three_openers_of_a_new_memory_at_once_upgrade_it_once(tmp_path: Path) -> None:
    """Three threads open one new SQLite memory while another connection holds the write lock,
    so all find it without revisions: they take turns, one upgrades it, and the others find it
    upgraded instead of failing."""
    database = tmp_path / "briefing.db"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with ThreadPoolExecutor(max_workers=3) as pool:
        try:
            upgrades = [pool.submit(upgrade_memory, sqlite_url(database)) for _ in range(3)]
            time.sleep(1)  # let each read the revision and wait for the lock (slack, no check)
        finally:
            holder.rollback()
            holder.close()
        results = sorted((future.result() for future in upgrades), key=lambda u: u.before or "")
    head = head_revision()
    assert [SchemaUpgrade(None, head), SchemaUpgrade(head, head), SchemaUpgrade(head, head)] == (
        results
    )


def test_threads_upgrading_different_memories_at_once_each_get_the_newest(
    tmp_path: Path,
) -> None:
    """Alembic keeps its migration context in module globals: eight threads upgrading eight new
    memories at once still each bring their own to the newest revision, without error."""
    urls = [sqlite_url(tmp_path / f"memory-{number}.db") for number in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(upgrade_memory, urls))
    assert [SchemaUpgrade(None, head_revision())] * 8 == results


def test_tables_that_are_not_a_memory_made_before_revisions_are_refused_and_left_alone(
    tmp_path: Path,
) -> None:
    """A database without revisions whose tables share the memory's names but not its columns
    is not stamped as revision 0001: the error says what differs, and nothing is created."""
    database = tmp_path / "other.db"
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE documents (id TEXT PRIMARY KEY, body TEXT)")
    connection.close()
    with pytest.raises(StoreError) as raised:
        open_memory(sqlite_url(database))
    assert "table documents has columns id, body" in str(raised.value)
    assert "no table feed_copies" in str(raised.value)
    connection = sqlite3.connect(database)
    tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    connection.close()
    assert [("documents",)] == tables


def test_a_memory_a_newer_version_upgraded_is_refused(database_url: str) -> None:
    """A memory at a revision this code does not know is left as it is, with an error that says
    a newer version upgraded it."""
    memory = open_memory(database_url)
    with memory.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    memory.dispose()
    with pytest.raises(StoreError) as raised:
        open_memory(database_url)
    assert "at schema revision '0099', which this version does not know" in str(raised.value)


@pytest.mark.slow
def test_ten_openers_of_a_new_postgresql_memory_at_once_upgrade_it_once(
    postgres: PostgresServer,
) -> None:
    """Ten threads, each with its own connections, open one new PostgreSQL memory at the same
    moment: the advisory lock makes them take turns, so one creates the tables and the nine
    others find them, with no DuplicateTable or unique violation on pg_type."""
    name = postgres.create_database()
    url = postgres.url(name)
    start = threading.Barrier(10)

    def upgrade() -> SchemaUpgrade:
        start.wait(timeout=60)
        return upgrade_memory(url)

    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            results = [future.result() for future in [pool.submit(upgrade) for _ in range(10)]]
    finally:
        postgres.drop_database(name)
    head = head_revision()
    assert [SchemaUpgrade(None, head)] + [SchemaUpgrade(head, head)] * 9 == sorted(
        results, key=lambda u: u.before or ""
    )
