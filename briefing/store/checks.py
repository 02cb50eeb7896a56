"""Reading the memory warily: SQLite's own page check on opening, and rows checked as they are
loaded, so that a damaged memory is reported with what to do instead of read silently or failing
with a decoder's traceback."""

import json
import os
import sqlite3

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from briefing.errors import StoreError
from briefing.models import Fact


def _damaged(database_url: str, detail: str) -> StoreError:
    where = make_url(database_url).database or database_url
    return StoreError(
        f"the memory database {where} is damaged ({detail}): restore it from a backup, or move "
        "the file aside to start a new memory (the next edition then marks every fact as new)"
    )


# The SQLite files this process found sound, as (path, modification time, size): a run opens
# its memory five times, and quick_check reads every page, so it runs again only when the file
# has changed since it last passed (a write, or damage from outside).
_sound: set[tuple[str, int, int]] = set()


def _file_state(database: str | None) -> tuple[str, int, int] | None:
    if not database or database == ":memory:":
        return None
    try:
        stat = os.stat(database)
    except OSError:
        return None
    return (os.path.abspath(database), stat.st_mtime_ns, stat.st_size)


def check_integrity(engine: Engine, database_url: str) -> None:
    """StoreError if SQLite finds the memory's pages damaged (``PRAGMA quick_check``).

    A damaged page is otherwise read silently, or fails some later query with a message that
    says nothing of what to do. Only SQLite is checked: a server database keeps its own pages.
    A file unchanged since it last passed in this process is not read again.
    """
    if engine.dialect.name != "sqlite":
        return
    state = _file_state(engine.url.database)
    if state is not None and state in _sound:
        return
    try:
        with engine.connect() as connection:
            found = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check")]
    except DBAPIError as exc:
        # sqlite3.DatabaseError itself, not its subclasses ("database is locked" is an
        # OperationalError): "database disk image is malformed", "file is not a database".
        if type(exc.orig) is sqlite3.DatabaseError:
            raise _damaged(database_url, str(exc.orig)) from exc
        raise
    if found != ["ok"]:
        lines = [line for problem in found for line in problem.splitlines()]
        detail = "; ".join(line for line in lines if not line.startswith("***"))
        raise _damaged(database_url, detail[:200])
    if state is not None:
        _sound.add(state)


def bad_row(table: str, key: str, problem: str, remedy: str) -> StoreError:
    """The error for a row of the memory that cannot be read: its table, key, problem, remedy."""
    return StoreError(
        f"the memory's table {table} has a damaged row ({key}): {problem}; {remedy}, or restore "
        "the memory from a backup"
    )


def kept_facts(key: str, value: object) -> list[Fact]:
    """The facts of one extractions row; StoreError naming the row when they are unreadable."""
    remedy = (
        f"delete that row (DELETE FROM extractions WHERE key = '{key}') and its document's facts "
        "are extracted again"
    )
    try:
        # A driver that decodes JSON columns itself hands over the value already decoded.
        data = json.loads(value) if isinstance(value, str | bytes) else value
    except ValueError as exc:
        raise bad_row(
            "extractions", f"key {key}", f"its facts are not JSON ({exc})", remedy
        ) from exc
    if not isinstance(data, list):
        raise bad_row("extractions", f"key {key}", "its facts are not a list", remedy)
    try:
        return [Fact.model_validate(fact) for fact in data]
    except ValidationError as exc:
        problem = f"its facts are not facts this version reads ({exc.error_count()} errors)"
        raise bad_row("extractions", f"key {key}", problem, remedy) from exc
