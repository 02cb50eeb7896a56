"""The archive page in a real browser (headless chromium), served by the editions server as a
reader opens it: three editions made in the test listed newest first, the search box finding a
word that only one of them holds and linking to the story that says it, no sideways scrolling
on a phone, and nothing refused by the page's policy."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from briefing.models import Briefing
from briefing.publish import serve_editions
from tests.archive_editions import ONLY_IN_ONE, ONLY_IN_THE_OLDEST, write_three_editions
from tests.browser import chromium, needs_chromium
from tests.feedserver import running

# Slow: three editions rendered and a browser started, about fifteen seconds together.
pytestmark = [pytest.mark.slow, needs_chromium]

PHONE = 390


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Briefing]]]:
    """Three editions written by the write stage, served on 127.0.0.1; the address and the
    editions, oldest first."""
    folder = tmp_path_factory.mktemp("editions")
    briefings = write_three_editions(folder)
    server = serve_editions(folder, "127.0.0.1", 0)  # a free port
    with running(server) as address:
        yield address, briefings


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless chromium for the module."""
    with chromium() as launched:
        yield launched


def archive_page(browser: Browser, base: str, complaints: list[str]) -> Page:
    """The archive page at a phone's width, its search box ready; the console's errors and
    the page's uncaught errors (a policy's refusal among them) go to complaints."""
    page = browser.new_page(viewport={"width": PHONE, "height": 800})

    def heard(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            complaints.append(message.text)

    page.on("console", heard)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.goto(f"{base}/")
    # A selector, not a function: Playwright evaluates a function's text, which the page's
    # policy (no 'unsafe-eval') rightly refuses.
    page.wait_for_selector("#search-input:not([disabled])", timeout=20_000)
    return page


def test_the_archive_lists_the_three_editions_newest_first(
    browser: Browser, served: tuple[str, list[Briefing]]
) -> None:
    """Each edition's date, newest first, with every top headline linked to its story, its
    files linked, and the page no wider than the phone."""
    base, briefings = served
    complaints: list[str] = []
    page = archive_page(browser, base, complaints)
    listed: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll("li.edition")].map(e => ({
          date: e.querySelector("h3").textContent.trim(),
          headlines: [...e.querySelectorAll(".headlines a")].map(a => a.textContent),
          files: [...e.querySelectorAll(".files a")].map(a => a.getAttribute("href")),
        }))"""
    )
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    page.close()
    newest_first = sorted(briefings, key=lambda b: b.edition_date, reverse=True)
    assert [
        {
            "date": f"{b.edition_date.day} {b.edition_date:%B} {b.edition_date.year}",
            "headlines": [b.fact(b.story(s).headline).statement for s in b.top_stories],
            "files": [f"briefing-{b.edition_date}.{kind}" for kind in ("pdf", "html", "json")],
        }
        for b in newest_first
    ] == listed
    assert widths[0] <= widths[1] == PHONE
    assert [] == complaints


@pytest.mark.parametrize("word", [ONLY_IN_ONE, ONLY_IN_THE_OLDEST])
def test_search_finds_the_word_in_its_one_edition_and_links_to_the_story(
    browser: Browser, served: tuple[str, list[Briefing]], word: str
) -> None:
    """Typing a word only one edition holds (the newest, whose quarter's search bundle the
    page loads, or the oldest, whose bundle is merged into it) lists that edition alone, by its
    date, with a link to the story that names it; following the link brings the story's
    headline into view; the page still fits the phone with the results shown, and its policy
    refused nothing it needs."""
    base, briefings = served
    holding = [b for b in briefings if any(word in f.statement for f in b.facts())]
    assert 1 == len(holding), "the word must be in one edition only"
    edition = holding[0]
    stories = [
        story.id
        for story in edition.stories
        if any(word in edition.fact(fact_id).statement for fact_id in story.fact_ids)
    ]
    complaints: list[str] = []
    page = archive_page(browser, base, complaints)
    page.fill("#search-input", word)
    page.wait_for_selector("#search-results > li", timeout=20_000)
    found: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll("#search-results > li")].map(e => ({
          date: e.querySelector(".result-date a").textContent,
          links: [...e.querySelectorAll(".hits a")].map(a => a.getAttribute("href")),
        }))"""
    )
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    day = edition.edition_date
    assert [f"{day.day} {day:%B} {day.year}"] == [result["date"] for result in found]
    story_links = [f"/briefing-{day}.html#{story_id}" for story_id in stories]
    assert stories and set(story_links) <= set(found[0]["links"])
    page.click(f'#search-results a[href="{story_links[0]}"]')
    page.wait_for_url(f"{base}{story_links[0]}")
    top = page.eval_on_selector(f"#{stories[0]}", "e => e.getBoundingClientRect().top")
    tag = page.eval_on_selector(f"#{stories[0]}", "e => e.tagName")
    page.close()
    assert ("H3", True) == (tag, 0 <= top < 800)
    assert widths[0] <= widths[1] == PHONE
    assert [] == complaints
