"""End to end: the weekly-briefing flow on the seeds, through a real (temporary) Prefect server."""

import json
from datetime import date

import pytest
from pypdf import PdfReader

from briefing.models import Briefing, Theme
from briefing.settings import PROJECT_ROOT
from flows.weekly_briefing import EditionParameters, EditionResult, weekly_briefing

EDITION_DATE = date(2023, 1, 20)


@pytest.fixture(scope="module")
def edition(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> EditionResult:
    """One edition of the seeds, written to a temporary folder."""
    out = tmp_path_factory.mktemp("out")
    return weekly_briefing(EditionParameters(edition_date=EDITION_DATE, output_dir=str(out)))


def test_the_flow_writes_the_dated_pdf_and_json(edition: EditionResult) -> None:
    """The run names both files, dated with the edition date, and both exist."""
    assert ("briefing-2023-01-20.pdf", "briefing-2023-01-20.json") == (
        edition.pdf_file.name,
        edition.json_file.name,
    )
    assert edition.pdf_file.read_bytes().startswith(b"%PDF-")
    assert (5, EDITION_DATE) == (edition.sources, edition.edition_date)


def test_every_json_statement_is_found_at_its_span_in_its_seed_file(
    edition: EditionResult,
) -> None:
    """Reading the seed files from disk, each statement's evidence quote is there, verbatim."""
    data = json.loads(edition.json_file.read_text(encoding="utf-8"))
    texts = {
        source["id"]: (PROJECT_ROOT / source["location"]).read_text(encoding="utf-8")
        for source in data["sources"]
    }
    facts = [fact for section in data["sections"] for fact in section["facts"]]
    assert len(facts) == edition.facts
    mismatches = [
        (fact["id"], evidence["document_id"], evidence["start"])
        for fact in facts
        for evidence in fact["evidence"]
        if texts[evidence["document_id"]][evidence["start"] : evidence["end"]] != evidence["quote"]
    ]
    unquoted = [f["id"] for f in facts if f["statement"] not in {e["quote"] for e in f["evidence"]}]
    assert ([], []) == (mismatches, unquoted)


def test_json_edition_loads_back_as_a_valid_briefing(edition: EditionResult) -> None:
    """The JSON edition is the whole briefing model and passes its provenance checks."""
    briefing = Briefing.model_validate_json(edition.json_file.read_text(encoding="utf-8"))
    per_theme = {section.theme: len(section.facts) for section in briefing.sections}
    assert list(Theme) == list(per_theme)
    assert all(count >= 3 for count in per_theme.values()), per_theme


def test_the_pdf_shows_date_themes_and_outlets(edition: EditionResult) -> None:
    """The PDF's text has the edition date, the three theme headings and the seeds' outlets."""
    text = " ".join(page.extract_text() for page in PdfReader(edition.pdf_file).pages)
    for expected in (
        "20 January 2023",
        "Civil space",
        "Security",
        "Orbital debris",
        "SpaceNews",
        "SpacePolicyOnline.com",
        "The Japan Times",
    ):
        assert expected in text, expected
