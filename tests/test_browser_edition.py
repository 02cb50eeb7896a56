"""The HTML edition in a real browser (headless chromium), as a reader opens it from the output
folder: at a phone's width and a desktop's, one readable column, no sideways scrolling, and
every link going somewhere (a citation to its source and back, the contents from anywhere)."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from briefing.edition import load_seed_briefing
from briefing.evaluate_news import compose_news_set, load_news_set
from briefing.render.document import render_html, render_html_pages
from briefing.settings import PROJECT_ROOT
from tests.browser import WIDTHS, chromium, needs_chromium

# Slow: a browser start and two editions rendered, about ten seconds together.
pytestmark = [pytest.mark.slow, needs_chromium]

TEMPLATES = PROJECT_ROOT / "templates"
MEASURE_CH = 70  # the column's measure, in characters (the "0" of its font: CSS's ch)


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed edition and the labelled news set's (stories, outlets' links) as HTML files."""
    folder = tmp_path_factory.mktemp("html")
    news, _ = compose_news_set(load_news_set(PROJECT_ROOT / "evaluation" / "news"))
    files = {}
    for name, briefing in (("seed", load_seed_briefing(date(2023, 1, 20))), ("news", news)):
        files[name] = folder / f"{name}.html"
        files[name].write_text(render_html(briefing, TEMPLATES, standalone=True), "utf-8")
    return files


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless chromium for the module."""
    with chromium() as launched:
        yield launched


def opened(browser: Browser, file: Path, width: int) -> Page:
    """The edition in a new page of this width, its fonts loaded."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(file.as_uri())
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


LAYOUT = """() => {
  const probe = document.createElement("span");
  probe.style.width = "1ch";
  probe.style.display = "inline-block";
  document.body.appendChild(probe);
  const ch = probe.getBoundingClientRect().width;
  probe.remove();
  const style = getComputedStyle(document.body);
  const column = document.body.clientWidth
    - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const widest = Math.max(...[...document.querySelectorAll("main p, main li")]
    .map(e => e.getBoundingClientRect().right));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    columnCh: column / ch,
    left: document.body.getBoundingClientRect().left + parseFloat(style.paddingLeft),
    widest: widest,
  };
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("edition", ["seed", "news"])
def test_one_column_within_its_measure_and_no_sideways_scroll(
    browser: Browser, editions: dict[str, Path], edition: str, width: int
) -> None:
    """The page is no wider than the window, the text column is at most 70 characters wide
    (on a wide window, all of them), with a margin on each side, and no text runs past it."""
    page = opened(browser, editions[edition], width)
    layout: dict[str, Any] = page.evaluate(LAYOUT)
    page.close()
    fills = layout["columnCh"] > MEASURE_CH - 1 if width >= 1000 else True
    assert (True, True, True, True) == (
        layout["scrollWidth"] <= layout["viewport"],
        layout["columnCh"] <= MEASURE_CH + 0.5 and fills,
        layout["left"] >= 12,
        layout["widest"] <= layout["viewport"] - 12,
    ), layout


LINKS = """() => [...document.querySelectorAll("a[href]")].map(a => {
  const href = a.getAttribute("href");
  return [href, href.startsWith("#") ? document.getElementById(href.slice(1)) !== null : null];
})"""


@pytest.mark.parametrize("edition", ["seed", "news"])
def test_every_link_resolves_on_the_page_or_is_a_web_address(
    browser: Browser, editions: dict[str, Path], edition: str
) -> None:
    """Each link inside the edition names an element of it; each other link is http(s)."""
    page = opened(browser, editions[edition], WIDTHS[0])
    links: list[tuple[str, bool | None]] = page.evaluate(LINKS)
    page.close()
    broken = [href for href, found in links if found is False]
    elsewhere = [href for href, found in links if found is None]
    citations = [href for href, _ in links if href.startswith("#source-")]
    assert ([], []) == (
        broken,
        [href for href in elsewhere if not href.startswith(("https://", "http://"))],
    )
    assert citations, "the edition cites no source"


def in_view(page: Page, selector: str) -> bool:
    """Whether the element's top is inside the window."""
    top: float = page.eval_on_selector(selector, "e => e.getBoundingClientRect().top")
    height: float = page.evaluate("window.innerHeight")
    return 0 <= top < height


@pytest.mark.parametrize("width", WIDTHS)
def test_a_citation_jumps_to_its_source_and_back(
    browser: Browser, editions: dict[str, Path], width: int
) -> None:
    """Clicking a statement's [n] brings source n into view; its first back link brings the
    citation into view again; the Contents button, always in the window, brings the contents."""
    page = opened(browser, editions["news"], width)
    citation = page.locator("main a.citation").nth(3)
    citation.scroll_into_view_if_needed()
    anchor = citation.get_attribute("id")
    source = citation.get_attribute("href")
    citation.click()
    at_source = (page.evaluate("location.hash"), in_view(page, f"{source}"))
    page.locator(f'{source} .cited-at a[href="#{anchor}"]').click()
    back = (page.evaluate("location.hash"), in_view(page, f"#{anchor}"))
    button = page.locator("a.to-contents")
    button_seen = button.is_visible() and in_view(page, "a.to-contents")
    button.click()
    contents = in_view(page, "#contents")
    page.close()
    assert ((source, True), (f"#{anchor}", True), True, True) == (
        at_source,
        back,
        button_seen,
        contents,
    )


def test_the_vendored_fonts_are_used_on_screen(browser: Browser, editions: dict[str, Path]) -> None:
    """The edition's text is set in the vendored DejaVu faces, loaded from the file itself."""
    page = opened(browser, editions["seed"], WIDTHS[1])
    faces: list[list[str]] = page.evaluate(
        "[...document.fonts].map(f => [f.family.replaceAll('\"', ''), f.status])"
    )
    page.close()
    loaded = {family for family, status in faces if status == "loaded"}
    assert {"Briefing Serif", "Briefing Sans"} <= loaded, faces


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed edition's HTML cut into pages at 200 KB (about ten), written to a folder: the
    front page's path."""
    folder = tmp_path_factory.mktemp("pages")
    briefing = load_seed_briefing(date(2023, 1, 20))
    pages = render_html_pages(briefing, TEMPLATES, stem="briefing-2023-01-20", limit=200_000)
    for page in pages:
        (folder / page.name).write_bytes(b"".join(page.pieces))
    return folder / pages[0].name


def test_a_citation_on_a_later_page_opens_its_source_on_another_and_back(
    browser: Browser, split: Path
) -> None:
    """On a page after the front page, one column with no sideways scroll; clicking a
    statement's [n] opens the sources' page with source n in view; its back link opens the
    first page again at the citation; the Contents button opens the front page's contents."""
    first = split.with_name("briefing-2023-01-20.p2.html")
    page = opened(browser, first, WIDTHS[0])
    layout: dict[str, Any] = page.evaluate(LAYOUT)
    citation = page.locator("main a.citation").nth(2)
    anchor = citation.get_attribute("id")
    target = citation.get_attribute("href") or ""
    citation.click()
    page.wait_for_load_state()
    sources_page, source = target.split("#")
    at_source = (page.url.rsplit("/", 1)[1], in_view(page, f"#{source}"))
    page.locator(f'#{source} .cited-at a[href$="#{anchor}"]').click()
    page.wait_for_load_state()
    back = (page.url.rsplit("/", 1)[1], in_view(page, f"#{anchor}"))
    page.locator("a.to-contents").click()
    page.wait_for_load_state()
    contents = (page.url.rsplit("/", 1)[1], in_view(page, "#contents"))
    page.close()
    assert layout["scrollWidth"] <= layout["viewport"], layout
    assert sources_page != first.name
    assert (
        (f"{sources_page}#{source}", True),
        (f"{first.name}#{anchor}", True),
        (f"{split.name}#contents", True),
    ) == (at_source, back, contents)
