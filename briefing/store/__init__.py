"""What is kept: an edition's files in the output folder, and the memory database across
editions (documents, fetches, feed copies, facts, and what each edition carried)."""

from briefing.store.files import (
    EditionFiles,
    edition_json,
    edition_stem,
    lock_edition_folder,
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
    open_memory,
    write_memory,
)

__all__ = [
    "EditionFiles",
    "EditionRecord",
    "Recollection",
    "edition_json",
    "edition_stem",
    "load_extractions",
    "load_feed_copies",
    "load_recollection",
    "lock_edition_folder",
    "memory_at",
    "open_memory",
    "write_atomic",
    "write_edition",
    "write_memory",
]
