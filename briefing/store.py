"""Write an edition's files: the PDF and the JSON edition, each replaced atomically."""

import json
import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import NamedTuple

from briefing.errors import BriefingError
from briefing.models import Briefing

_EDITION_JSON = re.compile(r"^briefing-(\d{4}-\d{2}-\d{2})\.json$")


class EditionFiles(NamedTuple):
    """Where an edition's files were written."""

    pdf: Path
    json: Path


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


def write_edition(out_dir: Path, briefing: Briefing, pdf: bytes) -> EditionFiles:
    """Write ``briefing-DATE.json`` and ``briefing-DATE.pdf`` into the output folder."""
    stem = edition_stem(briefing)
    files = EditionFiles(pdf=out_dir / f"{stem}.pdf", json=out_dir / f"{stem}.json")
    try:
        write_atomic(files.json, briefing.model_dump_json(indent=2).encode("utf-8") + b"\n")
        write_atomic(files.pdf, pdf)
    except OSError as exc:
        raise BriefingError(
            f"cannot write the edition to {out_dir}: {exc.strerror}; "
            "choose another folder with --out or BRIEFING_OUT_DIR"
        ) from exc
    return files


def _edition_date(path: Path) -> date | None:
    match = _EDITION_JSON.match(path.name)
    try:
        return date.fromisoformat(match[1]) if match else None
    except ValueError:
        return None


def load_previous_fact_ids(out_dir: Path, edition_date: date) -> frozenset[str] | None:
    """The fact ids of the latest edition in the folder dated before edition_date, if any.

    Only the ids are read, not the whole model, so an edition written by an older version of the
    pipeline still counts. None when there is no earlier edition.
    """
    dated = [(_edition_date(path), path) for path in out_dir.glob("briefing-*.json")]
    earlier = sorted((day, path) for day, path in dated if day is not None and day < edition_date)
    if not earlier:
        return None
    path = earlier[-1][1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(fact["id"] for section in data["sections"] for fact in section["facts"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BriefingError(f"cannot read the earlier edition {path}: {exc}") from exc
