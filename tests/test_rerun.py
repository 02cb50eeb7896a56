"""A run killed mid-way, then run again, gives the edition an uninterrupted run gives.

One `briefing run` is killed (SIGKILL) while it waits for a feed that stalls until then; its rerun
is killed after it wrote the edition's files but before it could record them in the memory (the
test holds the memory's write lock); a third run goes to the end. Meanwhile an uninterrupted run
of the same edition, reading the same feeds from the same server, writes to a folder and memory of
its own.
"""

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from tests.feedserver import FeedServer, Route, fixture, serve_feeds
from tests.runs import Workspace, finish, kill, memory_tables, reaped, start_run, wait_until

# Slow: four `briefing run` processes against a Prefect server, about a minute together.
pytestmark = pytest.mark.slow

EDITION_DATE = date(2023, 1, 27)
STEM = f"briefing-{EDITION_DATE.isoformat()}"
FILES = [f"{STEM}.html", f"{STEM}.json", f"{STEM}.pdf"]
MANIFEST = f"{STEM}.manifest.json"
# The archive the write stage writes after the edition's files (#29): page, script, feed, kept
# summaries and the search index's folder.
ARCHIVE = ["archive.js", "archive.json", "editions.atom", "index.html", "pagefind"]
# What a run killed while writing the archive may leave: a temporary file of write_atomic's or
# Pagefind's staging folder (the next archive writer removes both).
ARCHIVE_LEFTOVER = re.compile(
    r"\.(index\.html|archive\.js|editions\.atom|archive\.json)\..*\.tmp|\.pagefind\..*\.staging"
)
STALLING = "/stalls-once.xml"


@dataclass(frozen=True)
class State:
    """What a workspace holds at one moment: every file by name, and the memory's rows."""

    files: dict[str, bytes]
    memory: dict[str, list[dict[str, Any]]]


def state_of(workspace: Workspace) -> State:
    """The workspace's files (hidden ones too; a folder as its name) and memory now."""
    files = (
        {
            path.name: path.read_bytes() if path.is_file() else b"(folder)"
            for path in workspace.out.iterdir()
        }
        if workspace.out.exists()
        else {}
    )
    return State(files, memory_tables(workspace.database))


def moved_into_place(workspace: Workspace) -> bool:
    """Whether a run's edition is wholly in the folder: its manifest there, no staging left."""
    out = workspace.out
    return (out / MANIFEST).exists() and not any(out.glob(f".{STEM}.*.staging"))


def edition_files(state: State) -> dict[str, bytes]:
    """The edition's three files in a state, without their manifest (which names the run)."""
    return {name: data for name, data in state.files.items() if name in FILES}


@dataclass(frozen=True)
class Reruns:
    """The states the interrupted runs left, and the uninterrupted run's."""

    killed_while_fetching: State
    killed_before_remembering: State
    rerun: State
    uninterrupted: State


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    """This module's own loopback feed server, with a feed that can be made to stall."""
    with serve_feeds() as feeds:
        feeds.routes[STALLING] = Route(fixture("week2.xml"))
        yield feeds


@pytest.fixture(scope="module")
def reruns(
    prefect_harness: None, server: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> Reruns:
    """Kill a run while it fetches, kill its rerun between write and remember (the
    uninterrupted run going on meanwhile), then rerun to the end."""
    killed = Workspace(tmp_path_factory.mktemp("killed"))
    uninterrupted = Workspace(tmp_path_factory.mktemp("uninterrupted"))
    feeds = [server.url(path) for path in ("/rss20.xml", "/atom.xml", STALLING)]

    with reaped() as runs:
        released = threading.Event()
        server.routes[STALLING] = Route(fixture("week2.xml"), hold=released)
        runs.append(first := start_run(killed, EDITION_DATE, feeds))
        wait_until(lambda: bool(server.received(STALLING)), first)
        kill(first)
        released.set()
        server.routes[STALLING] = Route(fixture("week2.xml"))
        killed_while_fetching = state_of(killed)

        writer = sqlite3.connect(killed.database, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            runs.append(second := start_run(killed, EDITION_DATE, feeds))
            runs.append(reference := start_run(uninterrupted, EDITION_DATE, feeds))
            # The manifest is moved into place last, then the staging folder goes: once both
            # are done, the run is at the memory's door.
            wait_until(lambda: moved_into_place(killed), second)
            kill(second)
        finally:
            writer.rollback()
            writer.close()
        killed_before_remembering = state_of(killed)

        # What a run killed in the middle of writing a file leaves: its temporary file.
        (killed.out / f".{STEM}.pdf.k1ll3d.tmp").write_bytes(b"%PDF-1.7 half")
        runs.append(third := start_run(killed, EDITION_DATE, feeds))
        finish(reference)
        finish(third)
    return Reruns(
        killed_while_fetching, killed_before_remembering, state_of(killed), state_of(uninterrupted)
    )


def test_a_run_killed_while_fetching_leaves_no_file_and_no_record(reruns: Reruns) -> None:
    """Killed while a feed is still answering: no file of the edition, and an empty memory."""
    state = reruns.killed_while_fetching
    assert ({}, {name: [] for name in state.memory}) == (state.files, state.memory)


def test_a_run_killed_before_remembering_leaves_whole_files_and_no_record(reruns: Reruns) -> None:
    """Killed after writing, before recording: the three files are whole (the uninterrupted
    run's bytes) beside their manifest, and the memory records nothing; only the dead run's lock
    file is left, with whatever of the archive it had written when killed."""
    state = reruns.killed_before_remembering
    expected = edition_files(reruns.uninterrupted)
    edition = [n for n in state.files if n not in ARCHIVE and not ARCHIVE_LEFTOVER.fullmatch(n)]
    assert (sorted([*FILES, MANIFEST, f".{STEM}.lock"]), True) == (
        sorted(edition),
        expected == edition_files(state),
    )
    assert {name: [] for name in state.memory} == state.memory


def test_the_rerun_writes_the_uninterrupted_runs_files_byte_for_byte(reruns: Reruns) -> None:
    """After both kills, the rerun's PDF, HTML and JSON are byte-identical to the uninterrupted
    run's, each with its manifest and the archive, and nothing else is in the folder: no
    temporary file, no staging folder, no lock file."""
    names = sorted([*FILES, MANIFEST, *ARCHIVE])
    assert names == sorted(reruns.rerun.files) == sorted(reruns.uninterrupted.files)
    assert edition_files(reruns.uninterrupted) == edition_files(reruns.rerun)


def test_the_reruns_manifest_names_its_own_run_and_the_files_it_wrote(reruns: Reruns) -> None:
    """The rerun's manifest lists the same files and sha256s as the uninterrupted run's, under a
    run id of its own: the two runs are told apart, their editions are the same."""
    rerun, uninterrupted = (
        json.loads(state.files[MANIFEST]) for state in (reruns.rerun, reruns.uninterrupted)
    )
    assert uninterrupted["files"] == rerun["files"]
    assert rerun["run_id"] != uninterrupted["run_id"]


def test_the_rerun_records_what_the_uninterrupted_run_records(reruns: Reruns) -> None:
    """The memory after the rerun has the same rows as the uninterrupted run's in every table:
    the edition, its facts, the documents, the fetches and the feed copies (run ids and times
    aside)."""
    assert reruns.uninterrupted.memory["editions"], "the uninterrupted run recorded an edition"
    assert reruns.uninterrupted.memory == reruns.rerun.memory
