"""The seed edition of 20 January 2023, pinned: what it carries must not change by accident.

The golden files hold the JSON edition and the PDF's text, with only the inputs' fingerprint
masked (it changes with any edit of the topic profile or a seed, while the content may not).
A change of content is made on purpose: regenerate them with
``BRIEFING_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_seed_edition.py`` and review the diff.
"""

import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from briefing.edition import build_plan, load_seed_briefing, render_edition
from briefing.settings import Settings
from briefing.store.files import edition_json

GOLDEN = Path(__file__).parent / "golden"
EDITION_DATE = date(2023, 1, 20)
MASK = "<inputs fingerprint>"


def masked_json(data: bytes) -> str:
    """The JSON edition with the inputs' fingerprint masked."""
    edition = json.loads(data)
    edition["method"]["inputs_sha256"] = MASK
    return json.dumps(edition, indent=2, ensure_ascii=False) + "\n"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text, page by page as pdftotext lays it out, the fingerprint masked."""
    path = tmp_path / "edition.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    # The 64 hex digits wrap onto a line of their own: mask both parts.
    return re.sub(
        r"fingerprint \(SHA-256\) [0-9a-f]+(?:\n\s*[0-9a-f]+(?=\n))?",
        f"fingerprint (SHA-256) {MASK}",
        text,
    )


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The seed edition's JSON and PDF text, made by the stages the flow runs."""
    briefing = load_seed_briefing(EDITION_DATE)
    plan = build_plan(Settings(), today=EDITION_DATE)
    rendered = render_edition(plan, briefing)
    return masked_json(edition_json(briefing)), pdf_text(
        rendered.pdf, tmp_path_factory.mktemp("seed")
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("index", "name"), [(0, "seed-2023-01-20.json"), (1, "seed-2023-01-20.txt")]
)
def test_the_seed_edition_carries_exactly_what_is_pinned(
    seed_files: tuple[str, str], index: int, name: str
) -> None:
    """Statements, sections, order, citations, key points, timeline, milestones and notes of
    the seed edition are those of the golden file, in the JSON and on the PDF's pages."""
    golden = GOLDEN / name
    if os.environ.get("BRIEFING_UPDATE_GOLDEN") == "1":
        golden.write_text(seed_files[index], encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == seed_files[index]
