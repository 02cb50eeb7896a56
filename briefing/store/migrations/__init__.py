"""The memory's schema as Alembic revisions (``versions/``), and bringing a database to the newest.

Revision 0001 is the schema the code made with ``create_all`` before the memory had revisions. A
memory made then has those tables but no ``alembic_version``: it is recognised by its tables and
columns, stamped 0001, and upgraded like any other. Alembic is configured here, not by an
``alembic.ini``: the caller's connection, inside its write transaction, is the one migrated.
"""

import threading
from dataclasses import dataclass
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text

from briefing.errors import StoreError

FIRST = "0001"
# What open_memory's create_all made before there were revisions, table by table: how such a
# memory is recognised. Revision 0001 creates exactly these; this never changes.
FIRST_TABLES = {
    "documents": (
        "id",
        "canonical_link",
        "guid",
        "content_hash",
        "feed_url",
        "first_seen",
        "document",
    ),
    "feed_copies": ("url", "etag", "last_modified", "content_type", "body", "fetched_at"),
    "fetches": (
        "id",
        "run_id",
        "edition_date",
        "fetched_at",
        "feed",
        "url",
        "status",
        "reason",
        "outcome",
    ),
    "facts": ("id", "statement", "theme", "fact"),
    "extractions": ("key", "facts"),
    "editions": ("id", "edition_date", "run_id", "written_at", "period_start"),
    "edition_facts": ("edition_id", "fact_id"),
}
# Alembic's ``context`` and ``op`` are module-level proxies: two threads migrating two databases
# at once would swap each other's. The database's own lock is already held when this is taken.
_ALEMBIC = threading.Lock()
# Any fixed number, the same in every process: the key of the PostgreSQL advisory lock that
# makes concurrent first runs upgrade one after another.
_ADVISORY_LOCK_KEY = 0x6272696566696E67  # "briefing"


@dataclass(frozen=True)
class SchemaUpgrade:
    """The memory's revision before and after an upgrade; ``before`` is None for a database
    without revisions, ``recognised`` when it held a memory made before revisions existed."""

    before: str | None
    after: str
    recognised: bool = False


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the memory, running on the connection given."""
    config = Config()
    config.set_main_option("script_location", "briefing.store:migrations")
    config.attributes["connection"] = connection
    return config


@cache
def script_directory() -> ScriptDirectory:
    """The revisions in ``versions/``, read once per process (reading imports every file)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code knows."""
    head = script_directory().get_current_head()
    assert head is not None, "briefing/store/migrations/versions/ holds no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None if it has no ``alembic_version`` table. Reads only."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(connection: Connection) -> SchemaUpgrade:
    """Bring the database to the newest revision, on a connection in a write transaction.

    On SQLite the caller's BEGIN IMMEDIATE already makes concurrent callers take turns; on
    PostgreSQL a transaction-scoped advisory lock does, so the revision is read again once the
    lock is held (under READ COMMITTED, the default, that read sees what another run committed).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    before = current_revision(connection)
    head = head_revision()
    if before == head:
        return SchemaUpgrade(before, head)
    if before is not None:
        _check_known(before)
    config = alembic_config(connection)
    recognised = before is None and _made_before_revisions(connection)
    with _ALEMBIC:
        if recognised:
            command.stamp(config, FIRST)
        command.upgrade(config, "head")
    return SchemaUpgrade(before, head, recognised)


def _check_known(revision: str) -> None:
    try:
        script_directory().get_revision(revision)
    except CommandError as exc:
        raise StoreError(
            f"the memory database is at schema revision {revision!r}, which this version does "
            "not know: a newer version has upgraded it. Run that version, or a copy of the "
            "memory made before."
        ) from exc


def _made_before_revisions(connection: Connection) -> bool:
    """Whether the database holds a memory made before revisions; a StoreError if it holds some
    of the memory's tables but not as revision 0001 made them, since stamping it would be a lie."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names()) & set(FIRST_TABLES)
    if not present:
        return False
    differences = [f"no table {name}" for name in FIRST_TABLES if name not in present]
    for name in sorted(present):
        columns = tuple(column["name"] for column in inspector.get_columns(name))
        if columns != FIRST_TABLES[name]:
            differences.append(f"table {name} has columns {', '.join(columns)}")
    if differences:
        raise StoreError(
            "the memory database has no schema revision, and its tables are not those of a "
            f"memory made before revisions existed ({'; '.join(differences)}); it was left "
            "unchanged. Point BRIEFING_DATABASE_URL at the memory, or at a new database."
        )
    return True
