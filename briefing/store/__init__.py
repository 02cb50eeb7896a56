"""What is kept: an edition's files in the output folder, and the memory database across
editions (documents, fetches, feed copies, facts, and what each edition carried)."""

from briefing.store.files import (
    EditionFiles,
    EditionManifest,
    edition_json,
    edition_stem,
    load_edition_manifest,
    lock_edition_folder,
    manifest_path,
    repair_edition_folder,
    write_atomic,
    write_edition,
)
from briefing.store.memory import (
    EditionRecord,
    Recollection,
    load_extractions,
    load_feed_copies,
    load_recollection,
    memory_at,
    memory_turn,
    open_memory,
    write_memory,
)

__all__ = [
    "EditionFiles",
    "EditionManifest",
    "EditionRecord",
    "Recollection",
    "edition_json",
    "edition_stem",
    "load_edition_manifest",
    "load_extractions",
    "load_feed_copies",
    "load_recollection",
    "lock_edition_folder",
    "manifest_path",
    "memory_at",
    "memory_turn",
    "open_memory",
    "repair_edition_folder",
    "write_atomic",
    "write_edition",
    "write_memory",
]
