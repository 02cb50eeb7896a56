"""An edition made again from the same inputs is the stored one: its files are reused.

``edition_inputs`` is a fingerprint of everything an edition is made of once its documents are
read: each document with the topic and the extraction code (its extraction key), what each feed
gave (fetched or answered 304 alike: the copy read is the same), what earlier editions carried,
the plan's choices, the library versions, and this package's code and templates. The manifest
of the edition's files keeps it (``EditionManifest.inputs``); a run whose fingerprint equals the
stored one's, with every file as that run wrote it, composes and renders nothing.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from briefing.errors import BriefingError
from briefing.models import Briefing, FetchOutcome
from briefing.store.files import (
    EditionFiles,
    html_page_names,
    load_edition_manifest,
    manifest_path,
)
from briefing.store.memory import Recollection

# What a feed's outcome holds that does not change what was read: how it came over the wire.
_TRANSPORT = {"status", "http_status", "bytes_received"}


@cache
def load_code_version(templates_dir: Path) -> str:
    """A digest of this package's code and of the templates folder's files."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    files = [*sorted(package.rglob("*.py")), *sorted(p for p in templates_dir.rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _outcome(outcome: FetchOutcome) -> dict[str, object]:
    values = outcome.model_dump(mode="json", exclude=_TRANSPORT)
    values["read"] = outcome.status != "failed"
    return values


def edition_inputs(
    *,
    choices: Mapping[str, object],
    extraction_keys: Sequence[str],
    outcomes: Sequence[FetchOutcome],
    recollection: Recollection,
    versions: Mapping[str, str],
    code: str,
) -> str:
    """The fingerprint of an edition's inputs (see the module's docstring)."""
    earlier = {
        "previous_edition": recollection.previous_edition,
        "fact_ids": sorted(recollection.fact_ids),
        "stories": [[s.edition_date, list(s.statements)] for s in recollection.stories],
    }
    payload = {
        "choices": choices,
        "documents": list(extraction_keys),
        "feeds": [_outcome(outcome) for outcome in outcomes],
        "earlier": earlier,
        "versions": dict(versions),
        "code": code,
    }
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredEdition:
    """An edition a run reuses: what its files hold, where they are, the run that wrote them."""

    briefing: Briefing
    files: EditionFiles
    run_id: str


def load_stored_edition(out_dir: Path, edition_date: date, inputs: str) -> StoredEdition | None:
    """The edition in the output folder when its manifest names these inputs and every file is
    as that run wrote it; None otherwise (no edition, other inputs, a file changed or missing)."""
    found = _stored_files(out_dir, edition_date, inputs)
    if found is None:
        return None
    files, run_id = found
    try:
        briefing = Briefing.model_validate_json(files.json.read_bytes())
    except (OSError, ValidationError):
        return None
    return StoredEdition(briefing=briefing, files=files, run_id=run_id)


def stored_edition_stands(out_dir: Path, edition_date: date, inputs: str) -> bool:
    """Whether the output folder still holds an edition of these inputs, every file as its run
    wrote it: ``load_stored_edition``'s checks without reading the briefing back (a run that
    holds the stored edition already asks this again under the edition's lock; at 20,000 items
    a second briefing read was 240 MB more at once)."""
    return _stored_files(out_dir, edition_date, inputs) is not None


def _stored_files(
    out_dir: Path, edition_date: date, inputs: str
) -> tuple[EditionFiles, str] | None:
    if not manifest_path(out_dir, edition_date).exists():
        return None
    try:
        manifest = load_edition_manifest(out_dir, edition_date)
    except BriefingError:
        return None
    if manifest.inputs != inputs:
        return None
    stem = f"briefing-{edition_date.isoformat()}"
    files = EditionFiles(
        pdf=out_dir / f"{stem}.pdf",
        json=out_dir / f"{stem}.json",
        html=out_dir / f"{stem}.html",
        manifest=manifest_path(out_dir, edition_date),
        html_pages=tuple(out_dir / name for name in html_page_names(manifest)),
    )
    return files, manifest.run_id
