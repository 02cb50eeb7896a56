"""A throwaway PostgreSQL server for the tests, from Debian's packages: a new cluster in a
temporary folder, on 127.0.0.1 and a free port, stopped and removed when the session ends.

As root, the cluster is made and run by the ``postgres`` user (PostgreSQL refuses to run as
root), in a folder that user owns. Without the server's programs, the tests that need it are
skipped, saying what to install.
"""

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

USER = "briefing"


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


def server_programs() -> Path | None:
    """The folder of the newest installed PostgreSQL's initdb and pg_ctl, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    return Path(found[-1]).parent if found else None


def _major(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


def why_unavailable() -> str | None:
    """Why no cluster can be started here, or None when one can."""
    if server_programs() is None:
        return "PostgreSQL's server is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    return None


@contextmanager
def run_postgres(port: int) -> Iterator[PostgresServer]:
    """Start a new cluster on 127.0.0.1:port for the block, then stop it and remove its files."""
    programs = server_programs()
    assert programs is not None, why_unavailable()
    folder = Path(tempfile.mkdtemp(prefix="briefing-pg-"))
    user: str | None = None
    if os.geteuid() == 0:  # initdb and postgres refuse root: run them as postgres
        user = "postgres"
        owner = pwd.getpwnam(user)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data = folder / "data"

    def run(*command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, user=user, cwd=folder)

    try:
        run(
            str(programs / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        # fsync off: a test cluster thrown away at the end needs no durability, and it spares
        # the shared disk. Unix sockets in the cluster's own folder, TCP on loopback only.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        run(
            str(programs / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        try:
            yield PostgresServer(port, folder, itertools.count(1))
        finally:
            run(str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
