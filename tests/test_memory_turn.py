"""The memory's turn, on SQLite and on a real PostgreSQL: one holder at a time, and a turn whose
holder dies (a worker killed mid-run) is free again at once."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from briefing.errors import StoreError
from briefing.store.database import database_url_of
from briefing.store.memory import memory_turn, open_memory

HOLD = (
    "import sys, time\n"
    "from briefing.store.memory import memory_turn\n"
    "with memory_turn(sys.argv[1]):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(600)\n"
)


def taken_in_background(url: str, release: threading.Event) -> tuple[threading.Thread, list[str]]:
    """A thread that takes the turn, notes it, and holds it until released."""
    events: list[str] = []

    def take() -> None:
        with memory_turn(url):
            events.append("taken")
            release.wait(timeout=120)

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return thread, events


def test_the_turn_has_one_holder_at_a_time(database_url: str) -> None:
    """While one holder has the memory's turn, another waits for it, and gets it once the first
    lets go."""
    open_memory(database_url).dispose()
    release = threading.Event()
    with memory_turn(database_url):
        thread, events = taken_in_background(database_url, release)
        time.sleep(0.5)  # time for the other to reach the lock (slack: its absence is the check)
        waiting = list(events)
    thread.join(timeout=0.01)
    deadline = time.monotonic() + 60
    while not events and time.monotonic() < deadline:
        time.sleep(0.02)
    release.set()
    thread.join(timeout=60)
    assert ([], ["taken"]) == (waiting, events)


@pytest.mark.slow
def test_the_turn_of_a_killed_holder_is_free_again(database_url: str) -> None:
    """A process holding the turn is killed (SIGKILL, as a worker dying mid-run): the system
    releases its lock (the file's, or the PostgreSQL session's), and the next run gets the turn."""
    open_memory(database_url).dispose()
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, database_url], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert "held" == holder.stdout.readline().strip()
        finally:
            os.kill(holder.pid, signal.SIGKILL)
            holder.wait(timeout=60)
    release = threading.Event()
    release.set()
    thread, events = taken_in_background(database_url, release)
    thread.join(timeout=60)
    assert ["taken"] == events


def test_a_plain_postgresql_url_is_read_with_psycopg_and_asyncpg_is_refused() -> None:
    """``postgresql://`` means psycopg 3, the driver installed; a driver the memory cannot use
    (asyncpg wants an async engine) is a clear error naming what works."""
    plain = database_url_of("postgresql://user@127.0.0.1:5432/memory")
    with pytest.raises(StoreError) as raised:
        database_url_of("postgresql+asyncpg://user@127.0.0.1:5432/memory")
    assert "postgresql+psycopg" == plain.drivername
    assert "names the driver 'postgresql+asyncpg'" in str(raised.value)
    assert "postgresql+psycopg://" in str(raised.value)
