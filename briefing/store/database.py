"""Reaching the memory database: the engine for its URL, its schema brought to the newest
revision, and the turn that editions composed at the same time take one after another.

Two databases are supported: SQLite (a file, the default) and PostgreSQL through psycopg 3
(``postgresql+psycopg://``; a plain ``postgresql://`` URL is read as that). On SQLite, write
transactions take the file's lock at BEGIN; on PostgreSQL, upgrades take turns on an advisory
lock, and so do editions (``memory_turn``).
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from briefing.errors import StoreError
from briefing.redact import redact, shown_url
from briefing.store.checks import check_integrity
from briefing.store.migrations import (
    SchemaUpgrade,
    current_revision,
    head_revision,
    upgrade_to_head,
)

# How long a SQLite connection waits for another process's write transaction to end before
# failing with "database is locked". An edition's write takes well under a second.
SQLITE_BUSY_TIMEOUT = 60.0
# An execution option: the transaction will write, so on SQLite it takes the write lock at BEGIN.
_WRITE = "briefing_write"
# The key of the PostgreSQL advisory lock editions take turns on: any fixed number, the same in
# every process, and not the upgrades' (``migrations._ADVISORY_LOCK_KEY``).
TURN_KEY = 0x6272696566696E68
SUPPORTED = "the memory runs on SQLite (sqlite:///PATH) or PostgreSQL (postgresql+psycopg://...)"


def _configure_sqlite(connection: Any, _record: Any) -> None:
    # pysqlite's own BEGIN is deferred and can't be made IMMEDIATE per transaction: turn it off
    # and let _begin below say BEGIN (SQLAlchemy's documented recipe).
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin(connection: Connection) -> None:
    # Two deferred transactions that both read, then both write, deadlock: SQLite fails one at
    # once with "database is locked", whatever the busy timeout. A writer that takes the lock
    # first waits its turn instead.
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writing(engine: Engine) -> AbstractContextManager[Connection]:
    """A write transaction: committed at the end of the block, rolled back on an exception."""
    return engine.execution_options(**{_WRITE: True}).begin()


def database_url_of(database_url: str) -> URL:
    """The URL parsed, a plain ``postgresql://`` given psycopg 3 as its driver; StoreError for
    one that is not SQLite or PostgreSQL through psycopg."""
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise StoreError(
            f"BRIEFING_DATABASE_URL {shown_url(database_url)!r} is not a usable database URL: "
            f"{redact(str(exc))}"
        ) from exc
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise StoreError(
            f"BRIEFING_DATABASE_URL {url.render_as_string(hide_password=True)!r} names the "
            f"driver {url.drivername!r}: {SUPPORTED}"
        )
    return url


@dataclass(frozen=True)
class RawJSON:
    """A JSON column's value already encoded (by pydantic, for records: ``model_dump_json``
    is several times faster than ``model_dump`` and then ``json.dumps``)."""

    text: str


def json_text(value: Any) -> str:
    """A JSON column's text: a ``RawJSON`` as it is, any other value by ``json.dumps`` (what
    SQLAlchemy does by default)."""
    return value.text if isinstance(value, RawJSON) else json.dumps(value)


def build_engine(database_url: str) -> Engine:
    """The engine for the memory's URL (not connected yet), its SQLite folder made."""
    url = database_url_of(database_url)
    sqlite = url.get_backend_name() == "sqlite"
    try:
        if sqlite and url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT} if sqlite else {},
            json_serializer=json_text,
        )
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StoreError(
            f"BRIEFING_DATABASE_URL {shown_url(database_url)!r} is not a usable database URL: "
            f"{redact(str(exc))}"
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot open the memory database {shown_url(database_url)!r}: {redact(str(exc))}"
        ) from exc
    if sqlite:
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin)
    return engine


def _upgrade(engine: Engine) -> SchemaUpgrade:
    # Every run opens the memory several times: at the newest revision, that is one read.
    with engine.connect() as connection:
        before = current_revision(connection)
    if before == head_revision():
        return SchemaUpgrade(before, before)
    # Inside a write transaction, so two first runs at once take turns to upgrade it.
    with writing(engine) as connection:
        return upgrade_to_head(connection)


def _open(database_url: str) -> tuple[Engine, SchemaUpgrade]:
    engine = build_engine(database_url)
    try:
        check_integrity(engine, database_url)
        return engine, _upgrade(engine)
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, CommandError, OSError) as exc:
        engine.dispose()
        raise StoreError(
            f"cannot open the memory database {shown_url(database_url)!r}: {redact(str(exc))}"
        ) from exc


def open_memory(database_url: str) -> Engine:
    """Connect to the memory database, creating its folder (SQLite) and bringing its schema to
    the newest revision (``briefing.store.migrations``).

    Several processes may share one memory: their write transactions take turns.
    """
    engine, _ = _open(database_url)
    return engine


def check_memory(database_url: str) -> None:
    """Connect to the memory and check its pages (SQLite), changing nothing: the schema upgrade,
    which may wait for another run's write, is left to the run's first use of the memory."""
    engine = build_engine(database_url)
    try:
        check_integrity(engine, database_url)
        with engine.connect():
            pass
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(
            f"cannot open the memory database {shown_url(database_url)!r}: {redact(str(exc))}"
        ) from exc
    finally:
        engine.dispose()


def upgrade_memory(database_url: str) -> SchemaUpgrade:
    """Bring the memory database's schema to the newest revision; its revision before and after."""
    engine, upgrade = _open(database_url)
    engine.dispose()
    return upgrade


@contextmanager
def memory_at(database_url: str) -> Iterator[Engine]:
    """The memory database for the length of a block; its connections are closed after it."""
    engine = open_memory(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def memory_turn(database_url: str) -> Iterator[None]:
    """Hold the memory's turn for the block: editions compose, render, write and record one
    after another, so each sees every edition recorded before it.

    On PostgreSQL a session advisory lock on a connection kept for the block; on SQLite an
    exclusive ``flock`` on ``DATABASE.turn`` beside the file. Either is released when the block
    ends, and by the system when the process holding it dies.
    """
    url = database_url_of(database_url)
    if url.get_backend_name() == "sqlite":
        with _file_turn(url.database):
            yield
        return
    engine = build_engine(database_url)
    try:
        connection = engine.connect()
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": TURN_KEY})
        connection.commit()  # the lock is the session's: no transaction stays open meanwhile
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot take the memory's turn in {shown_url(database_url)!r}: {redact(str(exc))}"
        ) from exc
    try:
        yield
    finally:
        # Closing the connection (dispose) ends the session, which releases the lock anyway.
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": TURN_KEY})
            connection.commit()
        except SQLAlchemyError:
            pass
        connection.close()
        engine.dispose()


@contextmanager
def _file_turn(database: str | None) -> Iterator[None]:
    if database in (None, "", ":memory:"):  # a memory no other process can see
        yield
        return
    path = Path(f"{database}.turn")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot take the memory's turn on {path}: {redact(str(exc))}") from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing the only descriptor releases the lock
