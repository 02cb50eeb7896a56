"""A damaged memory is refused when opened or read, saying what is wrong and what to do."""

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from briefing.errors import StoreError
from briefing.store.memory import (
    load_article_copies,
    load_extractions,
    load_feed_copies,
    open_memory,
)
from tests.test_migrations import BEFORE_REVISIONS

PAGE_SIZE = 4096  # the fixture memory's, as PRAGMA page_size says


def damage(database: Path, page: int) -> None:
    """Overwrite one page of a memory file with garbage."""
    with database.open("r+b") as file:
        file.seek((page - 1) * PAGE_SIZE)
        file.write(b"\xa5" * PAGE_SIZE)


def damaged_copy(tmp_path: Path, page: int) -> Path:
    """A copy of a real memory file with one page overwritten by garbage."""
    database = tmp_path / "briefing.db"
    shutil.copyfile(BEFORE_REVISIONS, database)
    damage(database, page)
    return database


@pytest.mark.parametrize(
    ("page", "detail"),
    [
        (3, "Page 3: btreeInitPage() returns error code 11"),  # an index page: quick_check says
        (20, "database disk image is malformed"),  # a table page: SQLite refuses to read on
    ],
)
def test_a_memory_with_a_damaged_page_is_refused_saying_what_to_do(
    tmp_path: Path, page: int, detail: str
) -> None:
    """PRAGMA quick_check on opening finds the garbage page; the StoreError names the file and
    says to restore it or move it aside (it was once used silently)."""
    database = damaged_copy(tmp_path, page)
    with pytest.raises(StoreError) as caught:
        open_memory(f"sqlite:///{database}")
    assert (
        f"the memory database {database} is damaged ({detail}): restore it from a backup, or "
        "move the file aside to start a new memory (the next edition then marks every fact "
        "as new)"
    ) == str(caught.value)


def test_a_kept_row_of_invalid_json_is_a_store_error_naming_it(tmp_path: Path) -> None:
    """An extractions row whose facts are not JSON is a StoreError naming the table and the
    row's key, and how to be rid of it (it was once a JSONDecodeError out of the run)."""
    database = tmp_path / "briefing.db"
    memory = open_memory(f"sqlite:///{database}")
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO extractions (key, facts) VALUES ('k1', '[]')")
        connection.execute("INSERT INTO extractions (key, facts) VALUES ('k2', '[{\"id\": ')")
    connection.close()
    with pytest.raises(StoreError) as caught:
        load_extractions(memory, ["k1", "k2"])
    memory.dispose()
    assert (
        "the memory's table extractions has a damaged row (key k2): its facts are not JSON "
        "(Expecting value: line 1 column 9 (char 8)); delete that row (DELETE FROM extractions "
        "WHERE key = 'k2') and its document's facts are extracted again, or restore the memory "
        "from a backup"
    ) == str(caught.value)


def test_a_kept_row_of_json_that_is_no_fact_is_a_store_error(tmp_path: Path) -> None:
    """Valid JSON that is no list of facts is refused the same way, not a ValidationError."""
    database = tmp_path / "briefing.db"
    memory = open_memory(f"sqlite:///{database}")
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO extractions (key, facts) VALUES ('k3', '[{\"id\": 1}]')")
    connection.close()
    with pytest.raises(StoreError, match=r"damaged row \(key k3\): its facts are not facts"):
        load_extractions(memory, ["k3"])
    memory.dispose()


def test_a_sound_memory_opens_and_reads() -> None:
    """quick_check passes a new in-memory database, and its kept facts read back empty."""
    memory = open_memory("sqlite://")
    assert {} == load_extractions(memory, ["k1"])
    memory.dispose()


def test_a_memory_damaged_after_it_passed_is_refused_at_the_next_opening(tmp_path: Path) -> None:
    """A file that passed the page check is not read again while unchanged, but damage done to
    it afterwards (the file changes) is found at the next opening in the same process."""
    database = tmp_path / "briefing.db"
    shutil.copyfile(BEFORE_REVISIONS, database)
    open_memory(f"sqlite:///{database}").dispose()
    open_memory(f"sqlite:///{database}").dispose()  # unchanged: not checked again, still fine
    damage(database, 3)
    with pytest.raises(StoreError, match="is damaged"):
        open_memory(f"sqlite:///{database}")


@pytest.mark.parametrize(
    ("insert", "load", "expected"),
    [
        (
            "INSERT INTO feed_copies (url, body, content_type, fetched_at) "
            "VALUES ('ftp://x', X'00', X'80', '2026-12-01 00:00:00')",
            lambda memory: load_feed_copies(memory, ["ftp://x"]),
            "DELETE FROM feed_copies WHERE url = 'ftp://x') and the feed is fetched in full",
        ),
        (
            "INSERT INTO article_copies (canonical_link, url, text, fetched_at) "
            "VALUES ('it''s', 'x', X'80', '2026-12-01 00:00:00')",
            lambda memory: load_article_copies(memory, ["it's"]),
            "DELETE FROM article_copies WHERE canonical_link = 'it''s') and the article is",
        ),
    ],
    ids=["feed", "article"],
)
def test_a_kept_copy_that_no_longer_validates_says_how_to_remove_it(
    tmp_path: Path, insert: str, load: Callable[[Engine], object], expected: str
) -> None:
    """A kept feed or article copy the models refuse (text that is not UTF-8) is a StoreError
    with the SQL that removes it (its quotes doubled), after which it is fetched in full."""
    database = tmp_path / "briefing.db"
    memory = open_memory(f"sqlite:///{database}")
    with sqlite3.connect(database) as connection:
        connection.execute(insert)
    connection.close()
    with pytest.raises(StoreError) as caught:
        load(memory)
    memory.dispose()
    assert expected in str(caught.value)
