"""Write an edition's files: the PDF and the JSON edition, each replaced atomically."""

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NamedTuple

from briefing.errors import BriefingError
from briefing.models import Briefing


class EditionFiles(NamedTuple):
    """Where an edition's files were written."""

    pdf: Path
    json: Path
    html: Path


def edition_stem(briefing: Briefing) -> str:
    """The file name, without suffix, of an edition: ``briefing-YYYY-MM-DD``."""
    return f"briefing-{briefing.edition_date.isoformat()}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside the path, then rename it into place.

    A reader never sees a half-written file, and a crash leaves the previous file intact.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def edition_json(briefing: Briefing) -> bytes:
    """The JSON edition: the whole briefing model, indented."""
    return briefing.model_dump_json(indent=2).encode("utf-8") + b"\n"


def write_edition(out_dir: Path, briefing: Briefing, pdf: bytes, html: str) -> EditionFiles:
    """Write ``briefing-DATE.json``, ``.html`` and ``.pdf`` into the output folder; a rerun for
    the same date replaces them. Hold ``lock_edition_folder`` around it when runs may overlap."""
    stem = edition_stem(briefing)
    files = EditionFiles(
        pdf=out_dir / f"{stem}.pdf", json=out_dir / f"{stem}.json", html=out_dir / f"{stem}.html"
    )
    try:
        write_atomic(files.json, edition_json(briefing))
        write_atomic(files.html, html.encode("utf-8"))
        write_atomic(files.pdf, pdf)
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc
    return files


def _unwritable(out_dir: Path, exc: OSError) -> BriefingError:
    return BriefingError(
        f"cannot write the edition to {out_dir}: {exc.strerror}; "
        "choose another folder with --out or BRIEFING_OUT_DIR"
    )


@contextmanager
def lock_edition_folder(out_dir: Path, edition_date: date) -> Iterator[None]:
    """Hold the output folder's lock on one edition for the block: runs of the same date take
    turns writing (files and memory), so the files of one are never mixed with the other's.

    On taking it, temporary files a killed run of this edition left behind are removed: no live
    run can be writing them. The lock file is removed when the block ends.
    """
    path = out_dir / f".briefing-{edition_date.isoformat()}.lock"
    while True:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _unwritable(out_dir, exc) from exc
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            same = os.fstat(handle).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        # The holder before us removed the file we waited on: lock the current one instead.
        os.close(handle)
    try:
        for stale in out_dir.glob(f".briefing-{edition_date.isoformat()}.*.tmp"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(handle)
