"""A PostgreSQL cluster of this machine's own, from Debian's packages, for Prefect's database
under ``make up`` (``python -m commands.local_postgres start|stop FOLDER``) and for the tests.

On Prefect's default SQLite database, the server refused 2 to 5 of 30 run-form submissions
while a worker's runs wrote to it ("database is locked", 503); on PostgreSQL none. So ``make
up`` runs Prefect on a cluster in its run folder wherever PostgreSQL's server is installed, and
on SQLite, saying so, where it is not. As root the cluster is made and run by the ``postgres``
user (PostgreSQL refuses to run as root), in a folder that user owns; it listens on 127.0.0.1
only, and on a Unix socket in its own folder.
"""

import glob
import os
import pwd
import socket
import subprocess
import sys
from pathlib import Path

USER = "briefing"
DATABASE = "prefect"


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


def _run_as() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


def _run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, check=True, capture_output=True, text=True, user=_run_as(), cwd=folder
    )


def make_cluster(folder: Path) -> Path:
    """A new cluster's data folder in ``folder`` (made, owned by the user that runs it)."""
    programs = server_programs()
    assert programs is not None, why_unavailable()
    folder.mkdir(parents=True, exist_ok=True)
    if (user := _run_as()) is not None:
        owner = pwd.getpwnam(user)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data = folder / "data"
    _run(
        folder,
        str(programs / "initdb"),
        *("-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"),
    )
    return data


def start_cluster(folder: Path, port: int, *, durable: bool = True) -> None:
    """Start the cluster of ``folder`` on 127.0.0.1:port; ``durable=False`` (a throwaway
    cluster, the tests') turns fsync off."""
    programs = server_programs()
    assert programs is not None, why_unavailable()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}"
    if not durable:
        options += " -c fsync=off"
    _run(
        folder,
        str(programs / "pg_ctl"),
        *("-D", str(folder / "data"), "-l", str(folder / "server.log"), "-o", options),
        *("-w", "-t", "60", "start"),
    )


def stop_cluster(folder: Path, mode: str = "fast") -> None:
    """Stop the cluster of ``folder`` (``fast``: clients cut off, data written; ``immediate``:
    at once)."""
    programs = server_programs()
    assert programs is not None, why_unavailable()
    _run(folder, str(programs / "pg_ctl"), "-D", str(folder / "data"), "-m", mode, "-w", "stop")


def running(folder: Path) -> bool:
    """Whether the cluster of ``folder`` is running."""
    programs = server_programs()
    if programs is None or not (folder / "data").exists():
        return False
    status = subprocess.run(
        [str(programs / "pg_ctl"), "-D", str(folder / "data"), "status"],
        capture_output=True,
        user=_run_as(),
        cwd=folder,
        check=False,
    )
    return status.returncode == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prefect_database(folder: Path) -> str:
    """Prefect's database URL on the cluster of ``folder``, started (and made, the first time)
    as needed, its port kept in the folder so the URL stays the same across restarts."""
    import psycopg  # the memory's PostgreSQL driver: installed with the project

    port_file = folder / "port"
    if not (folder / "data").exists():
        make_cluster(folder)
    if not running(folder):
        port = int(port_file.read_text()) if port_file.exists() else _free_port()
        start_cluster(folder, port)
        port_file.write_text(f"{port}\n", encoding="utf-8")
    port = int(port_file.read_text())
    admin = {"host": "127.0.0.1", "port": port, "user": USER, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as connection:  # type: ignore[arg-type]
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if exists is None:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"postgresql+asyncpg://{USER}@127.0.0.1:{port}/{DATABASE}"


def main(arguments: list[str]) -> int:
    """``start FOLDER``: print Prefect's database URL on the folder's cluster (exit 3, saying
    why, where none can run); ``stop FOLDER``: stop it if it runs."""
    if len(arguments) != 2 or arguments[0] not in ("start", "stop"):
        print("usage: python -m commands.local_postgres start|stop FOLDER", file=sys.stderr)
        return 2
    action, folder = arguments[0], Path(arguments[1]).resolve()
    if (reason := why_unavailable()) is not None:
        print(reason, file=sys.stderr)
        return 3
    try:
        if action == "start":
            print(prefect_database(folder))
        elif running(folder):
            stop_cluster(folder)
    except subprocess.CalledProcessError as exc:
        hint = ""
        if "Permission denied" in (exc.stderr or "") and _run_as() is not None:
            hint = (
                f" (the {_run_as()} user, which runs the cluster, cannot reach {folder}: set "
                "PREFECT_POSTGRES_DIR to a folder it can, such as /var/tmp/briefing-prefect)"
            )
        print(
            f"PostgreSQL in {folder}: {' '.join((exc.stderr or str(exc)).split())}{hint}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
