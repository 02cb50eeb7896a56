"""The seed edition as a document: pages, tags, bookmarks, attachment, reproducibility."""

import re
import shutil
import subprocess
import time
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from briefing.edition import load_seed_briefing
from briefing.models import Attested, Briefing
from briefing.render import document
from briefing.render.budget import render_bounded_pdf
from briefing.render.document import render_html
from briefing.settings import MAX_PAGES
from briefing.store.files import edition_json
from tests.conftest import TEMPLATES_DIR, WeasyPrintLog

EDITION_DATE = date(2023, 1, 20)
MM = 72 / 25.4  # PDF points per millimetre
SIDE_MARGIN_MM = 20  # templates/briefing.css, @page margin


def render(briefing: Briefing, page_size: str = "A4") -> bytes:
    """The edition's PDF, with its JSON edition attached, as the flow renders it: within the
    page budget, filled in order of importance."""
    return render_bounded_pdf(
        briefing,
        TEMPLATES_DIR,
        max_pages=MAX_PAGES,
        citations=3,
        page_size=page_size,  # type: ignore[arg-type]
        attachments=[("briefing-2023-01-20.json", edition_json(briefing), "The JSON edition")],
        created=briefing.edition_date,
    ).pdf


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    """The seed edition of 20 January 2023."""
    return load_seed_briefing(EDITION_DATE)


@pytest.fixture(scope="module")
def pdf(briefing: Briefing) -> bytes:
    """The seed edition's PDF (a WeasyPrint warning while rendering it fails the first test
    that uses it: see weasyprint_log in conftest)."""
    return render(briefing)


@pytest.fixture(scope="module")
def pages(pdf: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[Image.Image]:
    """The PDF's pages as greyscale images, made by poppler's pdftoppm at 40 dpi."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (make system-deps does)")
    folder = tmp_path_factory.mktemp("pages")
    (folder / "edition.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-png", "edition.pdf", "page"],
        cwd=folder,
        check=True,
        timeout=120,
    )
    return [Image.open(path).convert("L") for path in sorted(folder.glob("page-*.png"))]


@pytest.mark.slow
def test_page_count_is_in_the_expected_range(pages: list[Image.Image]) -> None:
    """The seed edition runs to a few minutes' read: more than a leaflet, within the budget."""
    assert 5 <= len(pages) <= MAX_PAGES, len(pages)


@pytest.mark.slow
def test_no_page_is_blank(pages: list[Image.Image]) -> None:
    """Every page carries ink inside its text area."""
    blank = []
    for number, page in enumerate(pages, start=1):
        width, height = page.size
        body = page.crop((width // 8, height // 8, width * 7 // 8, height * 7 // 8))
        if sum(body.histogram()[:200]) < 50:  # fewer than 50 dark pixels
            blank.append(number)
    assert [] == blank


@pytest.mark.slow
def test_no_text_runs_into_the_side_margins(pages: list[Image.Image]) -> None:
    """Nothing is drawn in the outer 15 mm of either side margin (the margin is 20 mm)."""
    crossing = []
    for number, page in enumerate(pages, start=1):
        width, height = page.size
        band = round(width * 15 / 210)
        for box in ((0, 0, band, height), (width - band, 0, width, height)):
            darkest, _ = page.crop(box).getextrema()
            if darkest < 200:
                crossing.append(number)
    assert [] == crossing


@pytest.mark.slow
def test_the_pdf_is_tagged_with_title_language_and_metadata(pdf: bytes) -> None:
    """A PDF/UA document: marked and structured, in English, titled with the edition."""
    reader = PdfReader(BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert (True, "en") == (bool(root["/MarkInfo"]["/Marked"]), root["/Lang"])
    assert "/StructTreeRoot" in root
    assert "U.S.-Japan Space Partnership Briefing, 20 January 2023" == reader.metadata.title


@pytest.mark.slow
def test_every_section_is_a_bookmark(pdf: bytes, briefing: Briefing) -> None:
    """The title and every section heading appear in the PDF's outline."""
    reader = PdfReader(BytesIO(pdf))

    def titles(items: list[object]) -> list[str]:
        found: list[str] = []
        for item in items:
            found += titles(item) if isinstance(item, list) else [item["/Title"]]  # type: ignore[index]
        return found

    outline = titles(reader.outline)
    expected = [
        "The week in brief",
        *[section.title for section in briefing.sections],
        "Sources differ",
        "Timeline",
        "Milestones",
        "Key actors",
        "Sources",
        "Method",
    ]
    assert expected == [title for title in outline if title in expected]
    assert "Contents" not in outline


@pytest.mark.slow
def test_the_json_edition_is_attached(pdf: bytes, briefing: Briefing) -> None:
    """The PDF carries the JSON edition, byte for byte."""
    attachments = PdfReader(BytesIO(pdf)).attachments
    assert [edition_json(briefing)] == attachments["briefing-2023-01-20.json"]


TOC_ENTRY = re.compile(r"^(?P<title>.+?)\s*\.{3,}\s*(?P<page>\d+)$")  # "Security ....... 10"
PAGE_LABEL = re.compile(r"Page (\d+) of \d+")  # each page's footer


@pytest.mark.slow
def test_each_contents_entry_gives_the_page_its_section_starts_on(pdf: bytes) -> None:
    """The contents, after the week in brief, list every later section heading in order, each
    with the number printed on the page where that heading really is (found through the PDF's
    bookmarks)."""
    reader = PdfReader(BytesIO(pdf))
    contents = [
        (match["title"], int(match["page"]))
        for page in reader.pages[:2]
        for line in page.extract_text().splitlines()
        if (match := TOC_ENTRY.match(line.strip()))
    ]
    (_title, headings) = reader.outline  # the edition's title, then its section headings

    def printed_number(heading: Any) -> int:
        page = reader.pages[reader.get_destination_page_number(heading)]
        (label,) = PAGE_LABEL.findall(page.extract_text())
        return int(label)

    expected = [(heading.title, printed_number(heading)) for heading in headings[1:]]
    assert "The week in brief" == headings[0].title
    assert expected == contents


@pytest.mark.slow
def test_two_renders_are_byte_identical(briefing: Briefing, pdf: bytes) -> None:
    """The same edition rendered again, a second later, gives the same bytes."""
    time.sleep(1.1)  # a timestamp taken from the clock would now differ
    assert pdf == render(briefing)


@pytest.mark.slow
def test_letter_size_changes_the_page(briefing: Briefing) -> None:
    """Choosing letter gives 8.5 x 11 inch pages instead of A4."""
    reader = PdfReader(BytesIO(render(briefing, page_size="letter")))
    box = reader.pages[0].mediabox
    assert (612, 792) == (round(float(box.width)), round(float(box.height)))


def test_the_html_edition_stands_alone(briefing: Briefing) -> None:
    """The HTML edition carries its stylesheet inside and the statements, with no link out."""
    html = render_html(briefing, TEMPLATES_DIR, standalone=True)
    assert "<style>" in html and 'rel="stylesheet"' not in html
    assert next(briefing.facts()).statement.replace("’", "’") in html.replace("&#39;", "'")
    assert "published beside this page" in html


def test_the_html_edition_is_the_same_however_its_pieces_are_batched(
    briefing: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page is encoded in batches of the template's pieces as it is written: one piece at a
    time, a few, or all at once give the same bytes, the stylesheet in its place once; and a
    Japanese character in the last source (batches after the stylesheet was reached) still
    brings the Japanese face, cut to it."""
    *rest, last = briefing.sources
    noted = last.model_copy(update={"note": "宇宙"})
    edition = briefing.model_copy(update={"sources": (*rest, noted)})
    pages = []
    for size in (1, 7, 10**9):
        monkeypatch.setattr(document, "_BATCH", size)
        pieces = document.render_standalone_html(edition, TEMPLATES_DIR)
        assert b"".join(pieces[1:]).startswith(b"</style>"), "the first piece ends the sheet"
        pages.append(b"".join(pieces))
    assert pages[0] == pages[1] == pages[2]
    page = pages[0].decode("utf-8")
    assert "/* the stylesheet, its fonts embedded */" not in page
    stylesheet = (TEMPLATES_DIR / "briefing.css").read_text(encoding="utf-8")
    assert stylesheet.count("@font-face") == page.count("@font-face")  # put in once
    assert page.index("宇宙") > page.index("</style>")
    # The face embedded, not named for the machine to find, as it is without Japanese text.
    assert 'local("IPAexGothic")' not in page
    assert 'local("IPAexGothic")' in render_html(briefing, TEMPLATES_DIR, standalone=True)


def test_docs_images_exist() -> None:
    """The README's two page images are committed (make docs-images refreshes them)."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    assert [True, True] == [(docs / name).is_file() for name in ("page-1.png", "page-2.png")]


@pytest.mark.slow
def test_japanese_text_prints_with_the_vendored_japanese_font(
    briefing: Briefing, tmp_path: Path, weasyprint_log: WeasyPrintLog
) -> None:
    """A Japanese title renders without a missing-glyph warning, and every font the PDF embeds
    is one of the vendored ones (none from the machine), the Japanese one among them."""
    first, *rest = briefing.sources
    title = Attested(
        value="岸田文雄首相は宇宙協力を歓迎した。", basis="metadata", origin="item title"
    )
    noted = first.model_copy(update={"title": title})
    pdf = render(briefing.model_copy(update={"sources": (noted, *rest)}))
    assert [] == weasyprint_log.complaints()
    (tmp_path / "edition.pdf").write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", "edition.pdf"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    families = {line.split()[0].split("+", 1)[1] for line in listing}
    assert "Briefing-Japanese" in families
    assert [] == [family for family in families if not family.startswith("Briefing-")]


@pytest.mark.slow
def test_each_running_head_names_the_section_its_page_opens_in(pdf: bytes) -> None:
    """A page that continues a section is headed by it, not by a section begun lower down."""
    reader = PdfReader(BytesIO(pdf))
    (_title, headings) = reader.outline
    starts = [(reader.get_destination_page_number(heading), heading.title) for heading in headings]
    expected, heads = [], []
    for number, page in enumerate(reader.pages[1:], start=1):
        with_heads = subprocess.run(
            ["pdftotext", "-f", str(number + 1), "-l", str(number + 1), "-layout", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        lines = [line.strip() for line in with_heads.splitlines() if line.strip()]
        # pypdf leaves the margin boxes out of a page's text: it opens with the body, in the
        # order the page draws it (a list of sources can come before its heading); pdftotext
        # reads the page top down, the running head first, then the body.
        first_lines = {page.extract_text().splitlines()[0].strip(), lines[1]}
        begun = [title for start, title in starts if start < number]
        opening = [title for start, title in starts if start == number and title in first_lines]
        expected.append((opening or begun)[-1])
        heads.append(lines[0].split("  ")[0].strip())
    assert expected == heads
