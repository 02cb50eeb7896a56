"""Editions run at once: three `briefing run` processes share one output folder and one SQLite
memory, two of them for the same date (with different feeds) and one for another date."""

import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing.errors import BriefingError
from briefing.models import Briefing
from briefing.store.files import load_edition_manifest, lock_edition_folder
from tests.feedserver import FeedServer, serve_feeds
from tests.runs import Workspace, finish, memory_tables, reaped, start_run, wait_until

SAME_DATE = date(2023, 1, 27)
OTHER_DATE = date(2023, 1, 26)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    """This module's own loopback feed server."""
    with serve_feeds() as feeds:
        yield feeds


@pytest.fixture(scope="module")
def concurrent_runs(
    prefect_harness: None, server: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Workspace, list[str]]:
    """Start the three runs together on a new memory that another connection is writing to, let
    it go once all three are about to open it, and wait for the runs; their outputs.

    Holding the write lock lines the runs up at the memory's first use, where they all find it
    empty and create its tables at once.
    """
    workspace = Workspace(tmp_path_factory.mktemp("concurrent"))
    rss, atom, week2 = (server.url(p) for p in ("/rss20.xml", "/atom.xml", "/week2.xml"))
    writer = sqlite3.connect(workspace.database, isolation_level=None)
    with reaped() as runs:
        try:
            writer.execute("BEGIN IMMEDIATE")
            runs.append(start_run(workspace, SAME_DATE, [rss, atom]))
            runs.append(start_run(workspace, SAME_DATE, [rss, week2]))
            runs.append(start_run(workspace, OTHER_DATE, [rss, atom]))
            wait_until(lambda: all("[1/7] load" in run.output() for run in runs), *runs)
            time.sleep(1)  # the next stage opens the memory: let each reach it (slack, no check)
        finally:
            writer.rollback()
            writer.close()
        return workspace, [finish(run) for run in runs]


def edition(workspace: Workspace, day: date) -> Briefing:
    """The JSON edition of the date, loaded with its provenance checks."""
    path = workspace.out / f"briefing-{day.isoformat()}.json"
    return Briefing.model_validate_json(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_every_run_succeeds_without_a_locked_database(
    concurrent_runs: tuple[Workspace, list[str]],
) -> None:
    """All three runs end well, and none of them ever met "database is locked"."""
    _, outputs = concurrent_runs
    assert [False, False, False] == ["database is locked" in output for output in outputs]


@pytest.mark.slow
def test_the_folder_holds_exactly_the_two_editions_files(
    concurrent_runs: tuple[Workspace, list[str]],
) -> None:
    """Three files and their manifest per date, and the archive of both (#29), and nothing else:
    no temporary file, no staging folder, no lock file left behind. The archive page lists both
    dates, whichever run wrote it last."""
    workspace, _ = concurrent_runs
    expected = sorted(
        [
            *(
                f"briefing-{day.isoformat()}.{suffix}"
                for day in (SAME_DATE, OTHER_DATE)
                for suffix in ("pdf", "html", "json", "manifest.json")
            ),
            *("archive.js", "archive.json", "editions.atom", "index.html", "pagefind"),
        ]
    )
    assert expected == sorted(path.name for path in workspace.out.iterdir())
    page = (workspace.out / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li class="edition" id="briefing-([\d-]+)"', page)
    assert sorted([SAME_DATE.isoformat(), OTHER_DATE.isoformat()], reverse=True) == listed


@pytest.mark.slow
@pytest.mark.parametrize("day", [SAME_DATE, OTHER_DATE])
def test_each_editions_files_are_whole_and_from_one_run(
    concurrent_runs: tuple[Workspace, list[str]], day: date
) -> None:
    """The JSON loads as the edition of its date; the PDF opens and carries that same JSON; the
    HTML page shows that edition's sources; the manifest in place matches all three: the files
    of one run, never mixed."""
    workspace, _ = concurrent_runs
    load_edition_manifest(workspace.out, day)  # raises unless the three are its run's
    briefing = edition(workspace, day)
    stem = workspace.out / f"briefing-{day.isoformat()}"
    reader = PdfReader(stem.with_suffix(".pdf"))
    (attached,) = reader.attachments[f"{stem.name}.json"]
    page = stem.with_suffix(".html").read_text(encoding="utf-8")
    titles = [source.title.value for source in briefing.sources if source.title]
    assert (day, True) == (briefing.edition_date, len(reader.pages) > 1)
    assert stem.with_suffix(".json").read_bytes() == attached
    assert titles and all(title in page for title in titles)


@pytest.mark.slow
def test_the_memory_holds_each_document_once_and_each_editions_facts(
    concurrent_runs: tuple[Workspace, list[str]],
) -> None:
    """Two editions (the same date recorded once), every document of either edition once though
    all three runs stored the shared feed's items, each edition's facts exactly as its JSON file
    lists them, and one fetch row per feed per run."""
    workspace, _ = concurrent_runs
    tables = memory_tables(workspace.database)
    editions = {day: edition(workspace, day) for day in (SAME_DATE, OTHER_DATE)}
    documents = {source.id for briefing in editions.values() for source in briefing.sources}
    carried = {day: sorted({fact.id for fact in b.facts()}) for day, b in editions.items()}
    recorded = {
        day: sorted(row["fact_id"] for row in tables["edition_facts"] if row["edition_id"] == day)
        for day in editions
    }
    stored = [row["id"] for row in tables["documents"]]
    assert sorted([SAME_DATE, OTHER_DATE]) == sorted(r["edition_date"] for r in tables["editions"])
    assert (sorted(documents), len(stored)) == (sorted(set(stored)), len(set(stored)))
    assert carried == recorded
    assert 6 == len(tables["fetches"])


def test_an_editions_lock_is_exclusive_and_clears_what_a_killed_run_left(tmp_path: Path) -> None:
    """While one run holds an edition's lock, another process cannot take it; taking it removes
    the temporary files a killed run of that edition left, and releasing it removes the lock file.
    Another date's files and lock are left alone."""
    probe = (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); "
        "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)"
    )
    stale = tmp_path / f".briefing-{SAME_DATE.isoformat()}.pdf.k1ll3d.tmp"
    other = tmp_path / f".briefing-{OTHER_DATE.isoformat()}.pdf.wr1t1ng.tmp"
    stale.write_bytes(b"%PDF-half")
    other.write_bytes(b"%PDF-half")
    with lock_edition_folder(tmp_path, SAME_DATE):
        lock_file = tmp_path / f".briefing-{SAME_DATE.isoformat()}.lock"
        taken = subprocess.run([sys.executable, "-c", probe, str(lock_file)], check=False)
        left = sorted(path.name for path in tmp_path.iterdir())
    assert (True, sorted([lock_file.name, other.name])) == (taken.returncode != 0, left)
    assert [other.name] == [path.name for path in tmp_path.iterdir()]


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    """Taking the lock in a "folder" that is a file says so and names the options to change."""
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(BriefingError) as raised, lock_edition_folder(blocker, SAME_DATE):
        pass
    assert f"cannot write the edition to {blocker}" in str(raised.value)
    assert "--out or BRIEFING_OUT_DIR" in str(raised.value)
