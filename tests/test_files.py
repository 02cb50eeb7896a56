"""Tests for briefing.store.files: an edition's three files are replaced as a whole, in-process.

A full disk, an error or a kill while a rerun writes leaves the previous edition's files whole and
together; a kill between the moves is told by the manifest and finished by the next run's lock.
"""

import errno
import hashlib
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from briefing.edition import load_seed_briefing
from briefing.errors import BriefingError
from briefing.models import Briefing
from briefing.store import files
from briefing.store.files import (
    EditionManifest,
    edition_json,
    load_edition_manifest,
    lock_edition_folder,
    write_edition,
)

DAY = date(2023, 1, 27)
STEM = f"briefing-{DAY.isoformat()}"
NAMES = [f"{STEM}.json", f"{STEM}.html", f"{STEM}.pdf"]
MANIFEST = f"{STEM}.manifest.json"


class Killed(BaseException):
    """What a SIGKILL would be, if it could be caught: the write stops where it is."""


def edition(title: str) -> Briefing:
    """A small edition of DAY; the title tells one run's bytes from another's."""
    return Briefing(title=title, topic="t", edition_date=DAY, sources=(), sections=())


def contents(title: str) -> dict[str, bytes]:
    """The bytes of each of the edition's files for a run titled so."""
    return {
        f"{STEM}.json": edition_json(edition(title)),
        f"{STEM}.html": f"<p>{title}</p>".encode(),
        f"{STEM}.pdf": f"%PDF-1.7 {title}".encode(),
    }


def write(out: Path, title: str) -> None:
    """Write the run titled so, its run id being its title."""
    data = contents(title)
    write_edition(
        out,
        edition(title),
        data[f"{STEM}.pdf"],
        data[f"{STEM}.html"],
        run_id=title,
        written_at=datetime(2023, 1, 27, 7, tzinfo=UTC),
    )


def folder(out: Path) -> dict[str, bytes]:
    """Every entry of the folder, hidden ones too; a folder shows as b"<folder>"."""
    return {p.name: b"<folder>" if p.is_dir() else p.read_bytes() for p in out.iterdir()}


def fail_on(monkeypatch: pytest.MonkeyPatch, name: str, call: str, error: BaseException) -> None:
    """Make ``os.<call>`` raise the error when it is about a path named ``name``."""
    real: Callable[..., object] = getattr(os, call)

    def failing(*args: object) -> object:
        if call == "fsync":
            # An fsync names a descriptor: find the file behind it.
            target = Path(os.readlink(f"/proc/self/fd/{args[0]}")).name
        else:
            target = Path(str(args[1])).name
        if target == name:
            raise error
        return real(*args)

    monkeypatch.setattr(files.os, call, failing)


def test_an_edition_is_written_with_a_manifest_of_its_run_and_files(tmp_path: Path) -> None:
    """The three files and, beside them, the manifest naming the run and each file's sha256;
    nothing else is left in the folder."""
    write(tmp_path, "run-1")
    expected = EditionManifest(
        edition_date=DAY,
        run_id="run-1",
        written_at=datetime(2023, 1, 27, 7, tzinfo=UTC),
        files={name: hashlib.sha256(data).hexdigest() for name, data in contents("run-1").items()},
    )
    assert sorted([*NAMES, MANIFEST]) == sorted(folder(tmp_path))
    assert expected == load_edition_manifest(tmp_path, DAY)


def test_a_full_disk_on_a_rerun_leaves_the_previous_edition_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up on the rerun's third file: the first run's three files and manifest
    are there byte for byte, nothing of the rerun is, and the error says what to do."""
    write(tmp_path, "run-1")
    before = folder(tmp_path)
    fail_on(monkeypatch, f"{STEM}.pdf", "fsync", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    with pytest.raises(BriefingError) as raised:
        write(tmp_path, "run-2")
    assert before == folder(tmp_path)
    assert "run-1" == load_edition_manifest(tmp_path, DAY).run_id
    assert (
        f"cannot write the edition to {tmp_path}: No space left on device; the previous files "
        "of this edition are left as they were; free some space and run it again, or choose "
        "another folder with --out or BRIEFING_OUT_DIR"
    ) == str(raised.value)


def test_a_kill_while_staging_leaves_the_previous_edition_and_the_lock_clears_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while its PDF is written (its staging folder left behind, as SIGKILL would): the
    first run's files are untouched and complete, and the next lock removes the staging folder."""
    write(tmp_path, "run-1")
    before = folder(tmp_path)
    monkeypatch.setattr(files.shutil, "rmtree", lambda *_args, **_kw: None)  # a kill cleans none
    fail_on(monkeypatch, f"{STEM}.pdf", "fsync", Killed())
    with pytest.raises(Killed):
        write(tmp_path, "run-2")
    monkeypatch.undo()
    (staging,) = tmp_path.glob(f".{STEM}.*.staging")
    assert sorted(NAMES) == sorted(path.name for path in staging.iterdir())  # no manifest
    assert "run-1" == load_edition_manifest(tmp_path, DAY).run_id
    with lock_edition_folder(tmp_path, DAY):
        pass
    assert before == folder(tmp_path)


@pytest.mark.parametrize(
    "error", [Killed(), OSError(errno.EIO, os.strerror(errno.EIO))], ids=["kill", "error"]
)
def test_a_stop_between_the_moves_is_told_and_the_next_lock_finishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    """Stopped after the JSON was moved into place but before the HTML: the manifest in place
    no longer matches, so a reader is told the edition is incomplete; taking the edition's lock
    moves the rest, and the folder holds the second run's files and manifest, nothing else."""
    write(tmp_path, "run-1")
    fail_on(monkeypatch, f"{STEM}.html", "replace", error)
    with pytest.raises((Killed, BriefingError)) as stopped:
        write(tmp_path, "run-2")
    monkeypatch.undo()
    with pytest.raises(BriefingError) as told:
        load_edition_manifest(tmp_path, DAY)
    with lock_edition_folder(tmp_path, DAY):
        pass
    expected = {
        **contents("run-2"),
        MANIFEST: (tmp_path / MANIFEST).read_bytes(),
    }
    assert expected == folder(tmp_path)
    assert "run-2" == load_edition_manifest(tmp_path, DAY).run_id
    assert (
        f"the edition of {DAY.isoformat()} in {tmp_path} is incomplete: {STEM}.json "
        "not as run run-1 wrote them (a run was stopped while replacing it); the next run of "
        "that date completes or replaces it"
    ) == str(told.value)
    if isinstance(error, OSError):
        assert "was left half replaced: Input/output error" in str(stopped.value)


def test_a_staged_edition_none_of_whose_files_moved_is_discarded(tmp_path: Path) -> None:
    """Killed after staging all three files and the manifest but before the first move: the
    previous edition is whole, so the lock removes the staging folder and keeps it."""
    write(tmp_path, "run-1")
    before = folder(tmp_path)
    staging = tmp_path / f".{STEM}.k1ll3d.staging"
    staging.mkdir()
    for name, data in contents("run-2").items():
        (staging / name).write_bytes(data)
    (staging / MANIFEST).write_bytes(
        EditionManifest(
            edition_date=DAY,
            run_id="run-2",
            written_at=datetime(2023, 1, 27, 7, tzinfo=UTC),
            files={n: hashlib.sha256(d).hexdigest() for n, d in contents("run-2").items()},
        )
        .model_dump_json()
        .encode()
    )
    with lock_edition_folder(tmp_path, DAY):
        pass
    assert before == folder(tmp_path)


def test_an_edition_without_a_manifest_is_not_told_complete(tmp_path: Path) -> None:
    """The three files alone (an older version wrote them, or the manifest was removed): the
    reader says it cannot tell, and to run the edition again."""
    for name, data in contents("run-1").items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(BriefingError, match=r"manifest\.json is missing or unreadable"):
        load_edition_manifest(tmp_path, DAY)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_files_get_the_permissions_the_umask_gives(tmp_path: Path, umask: int, mode: int) -> None:
    """Every file of an edition, its manifest included, and a file written on its own (the
    dry run's .eml) have the mode the umask gives a new file, not 0600: a web server or a
    colleague in the group can read them when the umask lets them."""
    before = os.umask(umask)
    try:
        write(tmp_path, "run-1")
        files.write_atomic(tmp_path / f"{STEM}.eml", b"Subject: x\r\n\r\n")
    finally:
        os.umask(before)
    modes = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()}
    assert {name: mode for name in [*NAMES, MANIFEST, f"{STEM}.eml"]} == modes


def test_the_json_edition_is_the_models_json_with_a_final_newline() -> None:
    """``edition_json`` takes pydantic's bytes without the text between (a memory saving): they
    are exactly ``model_dump_json``'s, non-ASCII characters included, and a newline."""
    briefing = load_seed_briefing(date(2023, 1, 20))
    data = files.edition_json(briefing)
    assert briefing.model_dump_json(indent=2).encode("utf-8") + b"\n" == data
    assert any(byte > 127 for byte in data)  # the seeds' curly quotes, say
