"""Write an edition's files: the JSON, the HTML page (and the further pages of an HTML edition
too large for one, ``briefing-DATE.pN.html``) and the PDF, replaced as a whole.

The three files of a run are written and fsynced in a staging folder inside the output folder
(``.briefing-DATE.XXXX.staging``), beside a manifest naming the run and each file's sha256; only
then are they moved into place, the manifest last (``briefing-DATE.manifest.json``). So:

- an error while writing (a full disk, say) leaves the previous edition's files as they were;
- while the three are being moved, or after a kill between the moves, the manifest in place does
  not match the files, and ``load_edition_manifest`` says so;
- the next run of that date, on taking the edition's lock, finishes a half-moved edition (the
  staged files are whole and fsynced) and removes a staging folder whose writing never finished.

The user-visible names stay plain files, not links to a run's folder: the folder is copied,
synced, attached and served as it is, and no link can dangle.
"""

import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.errors import OutputError
from briefing.models import Briefing


class EditionFiles(NamedTuple):
    """Where an edition's files were written."""

    pdf: Path
    json: Path
    html: Path
    manifest: Path
    html_pages: tuple[Path, ...] = ()  # the HTML edition's pages after its front page


class EditionManifest(BaseModel):
    """Which run wrote an edition's files, when, and the sha256 of each: written last."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    edition_date: date
    run_id: str
    written_at: datetime
    files: dict[str, str]  # file name -> sha256, in the order they are moved into place
    # The fingerprint of what the edition was made from (``briefing.reuse.edition_inputs``):
    # a later run from the same inputs reuses these files. None in manifests written before it.
    inputs: str | None = None


def edition_stem(briefing: Briefing) -> str:
    """The file name, without suffix, of an edition: ``briefing-YYYY-MM-DD``."""
    return _stem(briefing.edition_date)


def _stem(edition_date: date) -> str:
    return f"briefing-{edition_date.isoformat()}"


def html_page_names(manifest: "EditionManifest") -> list[str]:
    """The HTML edition's pages after its front page that a manifest lists, in order."""
    stem = _stem(manifest.edition_date)
    return [name for name in manifest.files if _is_page(stem, name)]


def _is_page(stem: str, name: str) -> bool:
    return re.fullmatch(rf"{re.escape(stem)}\.p[1-9][0-9]{{0,3}}\.html", name) is not None


def manifest_path(out_dir: Path, edition_date: date) -> Path:
    """Where the manifest of an edition is kept: ``briefing-DATE.manifest.json``."""
    return out_dir / f"{_stem(edition_date)}.manifest.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside the path, then rename it into place.

    A reader never sees a half-written file, and a crash leaves the previous file intact. The
    file gets the permissions the umask gives any new file (0644 under the usual 022), not
    ``mkstemp``'s 0600: a web server or a colleague may read the edition.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_new(path.parent, f".{path.name}.", ".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _create_new(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """A new file of a random name in the folder, open for writing, mode 0666 less the umask."""
    while True:
        candidate = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue


def _make_staging(out_dir: Path, stem: str) -> Path:
    """A new staging folder of a random name, mode 0777 less the umask."""
    while True:
        candidate = out_dir / f".{stem}.{secrets.token_hex(4)}.staging"
        try:
            candidate.mkdir(mode=0o777)
            return candidate
        except FileExistsError:
            continue


def edition_json(briefing: Briefing) -> bytes:
    """The JSON edition: the whole briefing model, indented.

    ``model_dump_json``'s bytes before it decodes them: at 2,000 items the text, its encoding
    and the newline added cost 64 MB beside the 13 MB of JSON; the newline alone costs 13."""
    return type(briefing).__pydantic_serializer__.to_json(briefing, indent=2) + b"\n"


def write_edition(
    out_dir: Path,
    briefing: Briefing,
    pdf: bytes,
    html: bytes | tuple[bytes, ...],
    *,
    run_id: str,
    written_at: datetime,
    inputs: str | None = None,
    json: bytes | None = None,
    html_pages: Sequence[tuple[str, tuple[bytes, ...]]] = (),
) -> EditionFiles:
    """Replace ``briefing-DATE.json``, ``.html`` and ``.pdf`` in the output folder as a whole,
    then their manifest. Hold ``lock_edition_folder`` around it when runs may overlap. ``json``
    is the briefing's ``edition_json`` when the caller has it already (encoded here otherwise);
    ``html`` may come in pieces, written one after another. ``html_pages`` are the HTML
    edition's further pages (name, pieces), ``briefing-DATE.p2.html`` on: moved into place
    before the front page that links them, and the pages of an earlier run that this one does
    not have removed once the manifest is in place.

    BriefingError when they cannot be written (the previous edition is left as it was) or, rarer,
    cannot all be moved into place (the next run of the date completes the move).
    """
    stem = edition_stem(briefing)
    wrong = [name for name, _ in html_pages if not _is_page(stem, name)]
    if wrong:
        raise OutputError(f"not names of {stem}'s HTML pages: {', '.join(wrong)}")
    files = EditionFiles(
        pdf=out_dir / f"{stem}.pdf",
        json=out_dir / f"{stem}.json",
        html=out_dir / f"{stem}.html",
        manifest=manifest_path(out_dir, briefing.edition_date),
        html_pages=tuple(out_dir / name for name, _ in html_pages),
    )
    contents = {
        files.json.name: (edition_json(briefing) if json is None else json,),
        **{name: pieces for name, pieces in html_pages},
        files.html.name: (html,) if isinstance(html, bytes) else html,
        files.pdf.name: (pdf,),
    }
    manifest = EditionManifest(
        edition_date=briefing.edition_date,
        run_id=run_id,
        written_at=written_at,
        files={name: _digest(pieces) for name, pieces in contents.items()},
        inputs=inputs,
    )
    staging = _write_staging(out_dir, stem, contents, manifest)
    moved = 0
    try:
        for name in [*contents, files.manifest.name]:
            os.replace(staging / name, out_dir / name)
            moved += 1
    except OSError as exc:
        if moved == 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise _unwritable(out_dir, exc) from exc
        raise OutputError(
            f"the edition in {out_dir} was left half replaced: {exc.strerror}; its manifest "
            f"{files.manifest.name} does not match the files until the next run of "
            f"{briefing.edition_date.isoformat()} completes it"
        ) from exc
    try:
        _remove_unlisted_pages(out_dir, stem, set(contents))
        _fsync_folder(out_dir)
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc
    staging.rmdir()  # empty now; were it not, the next run's lock would clear it
    return files


def _remove_unlisted_pages(out_dir: Path, stem: str, listed: set[str]) -> None:
    """Remove the edition's HTML pages its manifest does not list: an earlier run's that had
    more, which nothing links any more and the search index must not find."""
    for path in out_dir.glob(f"{stem}.p*.html"):
        if _is_page(stem, path.name) and path.name not in listed:
            path.unlink(missing_ok=True)


def _write_staging(
    out_dir: Path, stem: str, contents: dict[str, tuple[bytes, ...]], manifest: EditionManifest
) -> Path:
    """A staging folder holding the files, fsynced, then the manifest: nothing is moved yet,
    so any error here leaves the previous edition whole."""
    staging: Path | None = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = _make_staging(out_dir, stem)
        for name, pieces in contents.items():
            _write_synced(staging / name, pieces)
        # The staged manifest says "every file is here, whole": the repair moves only then.
        write_atomic(staging / f"{stem}.manifest.json", _manifest_bytes(manifest))
        _fsync_folder(staging)
    except BaseException as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _unwritable(out_dir, exc) from exc
        raise
    return staging


def _digest(pieces: tuple[bytes, ...]) -> str:
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


def _write_synced(path: Path, pieces: tuple[bytes, ...]) -> None:
    with path.open("xb") as stream:
        stream.writelines(pieces)
        stream.flush()
        os.fsync(stream.fileno())


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _manifest_bytes(manifest: EditionManifest) -> bytes:
    return manifest.model_dump_json(indent=2).encode("utf-8") + b"\n"


def _unwritable(out_dir: Path, exc: OSError) -> OutputError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(
            f"cannot write the edition to {out_dir}: {exc.strerror}; the previous files of this "
            "edition are left as they were; free some space and run it again, or choose another "
            "folder with --out or BRIEFING_OUT_DIR"
        )
    return OutputError(
        f"cannot write the edition to {out_dir}: {exc.strerror}; "
        "choose another folder with --out or BRIEFING_OUT_DIR"
    )


def _sha256_of(path: Path) -> str | None:
    """The file's sha256, read 256 KiB at a time (the JSON edition is 129 MB at 20,000
    items: read whole, that much more at once); None when there is no such file."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _read_manifest(path: Path) -> EditionManifest | None:
    try:
        return EditionManifest.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValidationError:
        return None


def load_edition_manifest(out_dir: Path, edition_date: date) -> EditionManifest:
    """The manifest of the edition in the output folder, checked against its files: the run that
    wrote them. BriefingError when there is none or a file is missing or not the run's."""
    path = manifest_path(out_dir, edition_date)
    manifest = _read_manifest(path)
    if manifest is None:
        raise OutputError(
            f"{path} is missing or unreadable: the edition of {edition_date.isoformat()} in "
            f"{out_dir} cannot be told complete; run it again"
        )
    wrong = [name for name, sha in manifest.files.items() if _sha256_of(out_dir / name) != sha]
    if wrong:
        raise OutputError(
            f"the edition of {edition_date.isoformat()} in {out_dir} is incomplete: "
            f"{', '.join(wrong)} not as run {manifest.run_id} wrote them (a run was stopped "
            "while replacing it); the next run of that date completes or replaces it"
        )
    return manifest


def repair_edition_folder(out_dir: Path, edition_date: date) -> None:
    """Clear what a killed run of the edition left: its temporary files, a staging folder whose
    writing never finished or whose files none were moved, and finish an edition it had begun
    to move into place, whose staged files are whole. Hold the edition's lock around it."""
    stem = _stem(edition_date)
    for stale in out_dir.glob(f".{stem}.*.tmp"):
        stale.unlink(missing_ok=True)
    for staging in sorted(out_dir.glob(f".{stem}.*.staging")):
        manifest = _read_manifest(staging / f"{stem}.manifest.json")
        if manifest is not None and not all((staging / name).exists() for name in manifest.files):
            _finish_moving(out_dir, staging, manifest)
        shutil.rmtree(staging, ignore_errors=True)
    # Pages a run stopped before removing them left behind, once the edition in place is whole
    # (its files hashed only when there are such pages: at 20,000 items they are 230 MB).
    in_place = _read_manifest(manifest_path(out_dir, edition_date))
    if in_place is None:
        return
    pages = {path.name for path in out_dir.glob(f"{stem}.p*.html") if _is_page(stem, path.name)}
    if pages - set(in_place.files) and all(
        _sha256_of(out_dir / name) == sha for name, sha in in_place.files.items()
    ):
        _remove_unlisted_pages(out_dir, stem, set(in_place.files))


def _finish_moving(out_dir: Path, staging: Path, manifest: EditionManifest) -> None:
    for name in manifest.files:
        if (staging / name).exists():
            os.replace(staging / name, out_dir / name)
    # Only a manifest that matches every file in place goes there: never a false "complete".
    if all(_sha256_of(out_dir / name) == sha for name, sha in manifest.files.items()):
        os.replace(
            staging / f"{_stem(manifest.edition_date)}.manifest.json",
            manifest_path(out_dir, manifest.edition_date),
        )
    _fsync_folder(out_dir)


@contextmanager
def lock_edition_folder(out_dir: Path, edition_date: date) -> Iterator[None]:
    """Hold the output folder's lock on one edition for the block: runs of the same date take
    turns writing (files and memory), so the files of one are never mixed with the other's.

    On taking it, what a killed run of this edition left is cleared or completed
    (``repair_edition_folder``): no live run can be writing it. The lock file is removed when the
    block ends.
    """
    path = out_dir / f".{_stem(edition_date)}.lock"
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
        try:
            repair_edition_folder(out_dir, edition_date)
        except OSError as exc:
            raise _unwritable(out_dir, exc) from exc
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(handle)
