"""Seed documents: plain-text files with their metadata kept beside them in ``sources.yaml``."""

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.configfile import load_utf8
from briefing.errors import SourceError
from briefing.models import SourceDocument, SourceMetadata

METADATA_FILE = "sources.yaml"


class SeedEntry(SourceMetadata):
    """One entry of ``sources.yaml``: a seed file and the metadata its text lacks."""

    file: str = Field(pattern=r"^[^/\\]+$", description="File name inside the seeds folder.")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class SeedManifest(BaseModel):
    """The whole ``sources.yaml`` file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    documents: list[SeedEntry] = Field(min_length=1)


def parse_manifest(data: Any) -> SeedManifest:
    """Validate the parsed YAML of a seeds metadata file."""
    return SeedManifest.model_validate(data)


def build_document(entry: SeedEntry, raw: bytes, location: str) -> SourceDocument:
    """Pair a seed's bytes with its metadata, checking the fingerprint and every stated quote."""
    digest = hashlib.sha256(raw).hexdigest()
    if entry.sha256 is not None and entry.sha256 != digest:
        raise SourceError(
            f"{location} has changed since its metadata was written (sha256 {digest}, "
            f"expected {entry.sha256}): restore the file, or check its metadata and update sha256"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{location} is not UTF-8 text: {exc}") from exc
    fields = entry.model_dump(exclude={"file", "sha256"})
    try:
        return SourceDocument.model_validate({**fields, "location": location, "text": text})
    except ValidationError as exc:
        raise SourceError(f"{location} does not match its metadata:\n{exc}") from exc


def load_seeds(seeds_dir: Path) -> tuple[SourceDocument, ...]:
    """Read every seed listed in the folder's ``sources.yaml``, in the order listed."""
    manifest_path = seeds_dir / METADATA_FILE
    try:
        manifest = parse_manifest(yaml.safe_load(load_utf8(manifest_path)))
    except OSError as exc:
        raise SourceError(
            f"cannot read {manifest_path}: {exc.strerror}. A seeds folder needs a {METADATA_FILE} "
            "listing its documents (see seeds/sources.yaml in the project)"
        ) from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise SourceError(f"{manifest_path} is invalid:\n{exc}") from exc
    documents = []
    for entry in manifest.documents:
        path = seeds_dir / entry.file
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read seed {path}: {exc.strerror}") from exc
        documents.append(build_document(entry, raw, f"seeds/{entry.file}"))
    return tuple(documents)
