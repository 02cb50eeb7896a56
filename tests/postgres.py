"""A throwaway PostgreSQL server for the tests, from Debian's packages: a new cluster in a
temporary folder, on 127.0.0.1 and a free port, stopped and removed when the session ends
(``commands.local_postgres`` makes and runs it, as it does Prefect's under ``make up``).
Without the server's programs, the tests that need it are skipped, saying what to install.
"""

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from commands.local_postgres import USER, make_cluster, start_cluster, stop_cluster
from commands.local_postgres import why_unavailable as why_unavailable


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: its port, and the databases made in it one by one."""

    port: int
    folder: Path
    _counter: "itertools.count[int]"

    def url(self, database: str) -> str:
        """The memory's SQLAlchemy URL of one database of the cluster."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """A connection to the cluster's maintenance database, in autocommit."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True
        )

    def create_database(self, prefix: str = "memory") -> str:
        """A new, empty database; its name."""
        name = f"{prefix}_{next(self._counter)}"
        with self.admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Remove a database, ending any connection still open to it."""
        with self.admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def run_postgres(port: int) -> Iterator[PostgresServer]:
    """Start a new cluster on 127.0.0.1:port for the block (no fsync: thrown away at the end),
    then stop it and remove its files."""
    folder = Path(tempfile.mkdtemp(prefix="briefing-pg-"))
    try:
        make_cluster(folder)
        start_cluster(folder, port, durable=False)
        try:
            yield PostgresServer(port, folder, itertools.count(1))
        finally:
            stop_cluster(folder, "immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
