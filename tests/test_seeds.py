"""Seed documents load with their metadata, and a changed seed is caught."""

from pathlib import Path

import pytest

from briefing.errors import SourceError
from briefing.models import SourceDocument
from briefing.sources.seeds import load_seeds
from tests.conftest import SEEDS_DIR

SHARED_SEEDS = SEEDS_DIR.parent.parent / "shared" / "seeds"


def test_the_five_seeds_load_in_manifest_order(seeds: tuple[SourceDocument, ...]) -> None:
    """All five seeds load, each with the outlet its text names or a reasoned inference."""
    outlets = [(doc.outlet.value, doc.outlet.basis) if doc.outlet else None for doc in seeds]
    assert [
        ("The Japan Times", "inferred"),
        ("SpaceNews", "stated"),
        ("Center for Strategic and International Studies (CSIS)", "stated"),
        None,
        ("SpacePolicyOnline.com", "stated"),
    ] == outlets


def test_every_seed_has_a_publication_date_with_its_basis(
    seeds: tuple[SourceDocument, ...],
) -> None:
    """Each seed's date is known, and every inferred date says why."""
    dates = [(str(doc.published.value), doc.published.basis) for doc in seeds if doc.published]
    assert [
        ("2023-01-16", "inferred"),
        ("2023-01-13", "inferred"),
        ("2023-01-17", "inferred"),
        ("2022-05", "inferred"),
        ("2023-01-13", "inferred"),
    ] == dates
    assert all(doc.published and doc.published.reason for doc in seeds)


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_seed_texts_are_unchanged_from_the_originals() -> None:
    """The project's seed files are byte-for-byte the documents it was given."""
    originals = {path.name: path.read_bytes() for path in SHARED_SEEDS.glob("*.txt")}
    copies = {path.name: path.read_bytes() for path in SEEDS_DIR.glob("*.txt")}
    assert originals == copies


def test_an_edited_seed_is_refused(seeds_copy: Path) -> None:
    """A seed whose bytes no longer match its recorded sha256 stops the load with a clear error."""
    path = seeds_copy / "001_780bff7e1b88e6db.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Jan. 13", "Jan. 14"))
    with pytest.raises(SourceError, match="has changed since its metadata was written"):
        load_seeds(seeds_copy)


def test_a_missing_manifest_says_what_is_needed(tmp_path: Path) -> None:
    """A folder without sources.yaml is refused with a message naming the file."""
    with pytest.raises(SourceError, match=r"needs a sources\.yaml"):
        load_seeds(tmp_path)


def test_a_missing_seed_file_is_named(seeds_copy: Path) -> None:
    """A listed seed that is not on disk is named in the error."""
    (seeds_copy / "003_86500be5f138fb83.txt").unlink()
    with pytest.raises(SourceError, match=r"003_86500be5f138fb83\.txt"):
        load_seeds(seeds_copy)
