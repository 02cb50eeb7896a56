"""Tests for briefing.render.budget: the PDF within its page budget whatever the input, each cut
list counting what the HTML and JSON editions hold beyond it, and the HTML edition whole."""

import io
import json
import re
from bisect import bisect_right
from datetime import date
from itertools import accumulate
from typing import Any

import pytest
from markupsafe import escape
from pypdf import PdfReader

from benchmarks.memory import Sampler
from benchmarks.runner import (
    Clock,
    Edition,
    bench_environment,
    bench_plan,
    environment,
    run_edition,
)
from benchmarks.server import serving
from benchmarks.synth import build_feeds
from briefing.edition import build_plan, load_seed_briefing, render_edition
from briefing.extract.segment import MAX_PARAGRAPH_CHARS
from briefing.models import Briefing, Evidence, Fact, Section, SourceDocument
from briefing.render.budget import CLOSE, FULL, estimate_pages, render_bounded_pdf
from briefing.render.document import PageSize, layout_pdf, render_html
from briefing.render.shown import Cut, priority, step_sizes
from briefing.settings import MAX_PAGES, Settings
from briefing.store.files import edition_json
from tests.conftest import TEMPLATES_DIR, WeasyPrintLog

EDITION_DATE = date(2023, 1, 20)
THEMES = ("civil-space", "security", "orbital-debris")
NOTE = re.compile(r'<p class="description more">(\d+) ([^<]*) (?:is|are) in the HTML and JSON')


@pytest.fixture(scope="module")
def seed_briefing() -> Briefing:
    """The seed edition of 20 January 2023."""
    return load_seed_briefing(EDITION_DATE)


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has, as a reader opening it sees."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def section(html: str, section_id: str) -> str:
    """The markup of one section of a rendered edition."""
    start = re.search(f'<section id="{re.escape(section_id)}"', html)
    assert start is not None, section_id
    return html[start.start() : html.index("</section>", start.start())]


def cut_note(html: str, section_id: str, what: str | None = None) -> int:
    """The count of the note under a section's list (the one saying ``what`` is cut, in a
    section with several lists), 0 when it says nothing was cut."""
    notes = [n for n in NOTE.findall(section(html, section_id)) if what in (None, n[1])]
    assert len(notes) <= 1, notes
    return int(notes[0][0]) if notes else 0


def theme_lists(briefing: Briefing, html: str) -> dict[str, tuple[int, int]]:
    """For each theme's lists of a print HTML: what the note under each counts, and how many
    entries the JSON edition holds beyond those shown."""
    edition = json.loads(edition_json(briefing))
    in_stories = {fact_id for story in edition["stories"] for fact_id in story["fact_ids"]}
    titles = set(edition["headlines"])
    counted = {}
    for theme in edition["sections"]:
        name = theme["theme"]
        others = [f for f in theme["facts"] if f["id"] not in in_stories and f["id"] not in titles]
        listed = re.search(f'<ul class="facts" id="{name}-statements">(.*?)</ul>', html, re.S)
        shown = listed[1].count('<p class="statement">') if listed else 0
        note = cut_note(html, name, "more statements on this theme")
        counted[name] = (note, len(others) - shown)
        stories = [s for s in edition["stories"] if s["theme"] == name]
        drawn = section(html, name).count('<article class="story"')
        counted[f"{name} stories"] = (
            cut_note(html, name, "more stories on this theme"),
            len(stories) - drawn,
        )
    return counted


# What marks one shown entry of each list in a rendered edition, and where in the JSON edition
# the whole list is.
ROWS = {
    "coming-up": ('<td class="when">', lambda edition: edition["coming_up"]),
    "sources-differ": ('<aside class="disagreement">', lambda edition: edition["disagreements"]),
    "timeline": ('<td class="when">', lambda edition: edition["timeline"]),
    "milestones": ('<td class="when">', lambda edition: edition["milestones"]),
    "sources": ('<li id="source-', lambda edition: edition["sources"]),
    "source-health": ('<td class="feed">', lambda edition: edition["source_health"]),
}


def held_beyond(briefing: Briefing, print_html: str) -> dict[str, tuple[int, int]]:
    """For each list of a print HTML: what its note counts, and how many entries the JSON
    edition holds beyond those the print HTML shows."""
    edition = json.loads(edition_json(briefing))
    lists = {}
    for section_id, (marker, entries) in ROWS.items():
        if re.search(f'<section id="{section_id}"', print_html) and entries(edition):
            lists[section_id] = (marker, entries(edition))
    return {
        **theme_lists(briefing, print_html),
        **{
            section_id: (
                cut_note(print_html, section_id),
                len(entries) - section(print_html, section_id).count(marker),
            )
            for section_id, (marker, entries) in lists.items()
        },
    }


def test_cut_notes_count_what_the_html_and_json_editions_hold_beyond_the_pdf(
    seed_briefing: Briefing,
) -> None:
    """Under each list the PDF cuts (here at a third of its order of importance), the note's
    count is the entries the JSON edition holds beyond those shown, a list cut nowhere has no
    note, and the HTML edition shows every statement, with notes of none."""
    later = seed_briefing.model_copy(update={"previous_edition": date(2023, 1, 13)})
    order = priority(later)
    print_html = render_html(later, TEMPLATES_DIR, cut=Cut.first(order, len(order) // 3, 3))
    html = render_html(later, TEMPLATES_DIR, standalone=True)
    counted = held_beyond(later, print_html)

    missing = [fact.statement for fact in later.facts() if escape(fact.statement) not in html]
    assert {name: (beyond, beyond) for name, (_, beyond) in counted.items()} == counted
    assert 0 < counted["civil-space"][0]  # the cut is real
    assert ([], []) == (missing, NOTE.findall(html))


@pytest.mark.slow
@pytest.mark.parametrize("page_size", ["A4", "letter"])
def test_the_seed_edition_pdf_fits_the_budget(
    seed_briefing: Briefing, page_size: PageSize, weasyprint_log: WeasyPrintLog
) -> None:
    """The seed edition's PDF, rendered as the flow renders it, has at most 16 pages, written
    from the layout counted."""
    plan = build_plan(Settings(), today=EDITION_DATE, page_size=page_size)
    rendered = render_edition(plan, seed_briefing)

    expected = ([], True, rendered.pages)
    assert expected == (
        weasyprint_log.complaints(),
        rendered.pages <= MAX_PAGES == plan.max_pages,
        page_count(rendered.pdf),
    )


@pytest.mark.slow
def test_an_edition_that_fits_its_budget_prints_everything_in_one_layout(
    seed_briefing: Briefing, weasyprint_log: WeasyPrintLog
) -> None:
    """With room to spare, the whole order is printed, laid out once, and no list says
    anything was cut: the budget is filled before anything is cut."""
    printed = render_bounded_pdf(seed_briefing, TEMPLATES_DIR, max_pages=60, citations=3)

    counted = held_beyond(seed_briefing, printed.html)
    expected = ([], 1, True, len(priority(seed_briefing)), [])
    assert expected == (
        weasyprint_log.complaints(),
        printed.layouts,
        printed.cut.complete,
        printed.steps,
        [name for name, (note, _) in counted.items() if note],
    )


@pytest.mark.slow
def test_over_the_budget_the_most_important_entries_fill_it_and_every_note_is_true(
    seed_briefing: Briefing, weasyprint_log: WeasyPrintLog
) -> None:
    """Over a six-page budget the PDF keeps the first entries of the order that fit: six pages
    at most, its last page ``FULL`` or the entries of ``CLOSE`` characters more not fitting, and
    every note counts what was cut."""
    printed = render_bounded_pdf(seed_briefing, TEMPLATES_DIR, max_pages=6, citations=3)
    order = priority(seed_briefing)
    size = list(accumulate(step_sizes(seed_briefing, order), initial=0))
    more = bisect_right(size, size[printed.steps] + CLOSE) - 1
    laid_out = layout_pdf(
        render_html(seed_briefing, TEMPLATES_DIR, cut=Cut.first(order, printed.steps, 3)),
        TEMPLATES_DIR,
    )
    more_html = render_html(seed_briefing, TEMPLATES_DIR, cut=Cut.first(order, more, 3))
    filled = laid_out.filled >= 5 + FULL or layout_pdf(more_html, TEMPLATES_DIR).pages > 6

    counted = held_beyond(seed_briefing, printed.html)
    expected = ([], True, True, False, True)
    assert expected == (
        weasyprint_log.complaints(),
        printed.pages == page_count(printed.pdf) <= 6,
        0 < printed.steps < len(order),
        printed.cut.complete,
        filled,
    )
    assert {name: (beyond, beyond) for name, (_, beyond) in counted.items()} == counted


def longest_statements_edition() -> Briefing:
    """Eight key points, each a statement as long as extraction allows (one 4,000-character
    window of a paragraph, ``MAX_PARAGRAPH_CHARS``), from one source."""
    words = ("Japan", "and", "the", "United", "States", "agreed", "on", "lunar", "debris")
    sentences = [
        " ".join(words[(i + n) % len(words)] for n in range(800))[: MAX_PARAGRAPH_CHARS - 2] + "s."
        for i in range(8)
    ]
    text = " ".join(sentences)
    facts = [
        Fact(
            id=f"f{number}",
            statement=sentence,
            theme=THEMES[number % 3],
            evidence=(evidence_of(text, sentence),),
        )
        for number, sentence in enumerate(sentences)
    ]
    return Briefing(
        title="Briefing",
        topic="us-japan-space",
        edition_date=EDITION_DATE,
        key_points=tuple(fact.id for fact in facts),
        sources=(
            SourceDocument(
                id="s1",
                text=text,
                location="s1.txt",
                source_type="news",
                outlet=None,
                title=None,
                author=None,
                published=None,
                url=None,
            ),
        ),
        sections=tuple(
            Section(
                theme=theme,
                title=theme,
                description=theme,
                facts=tuple(fact for fact in facts if fact.theme == theme),
            )
            for theme in THEMES
        ),
    )


def evidence_of(text: str, quote: str) -> Evidence:
    """The evidence of a quote in a source's text."""
    start = text.index(quote)
    return Evidence(document_id="s1", start=start, end=start + len(quote), quote=quote)


@pytest.mark.slow
@pytest.mark.parametrize("page_size", ["A4", "letter"])
def test_even_the_longest_statements_fit_the_budget(
    page_size: PageSize, weasyprint_log: WeasyPrintLog
) -> None:
    """Eight key points of the longest statements extraction keeps (about a page each) still
    fit 16 pages, in the brief; a statement is printed whole or not at all."""
    edition = longest_statements_edition()
    printed = render_bounded_pdf(
        edition, TEMPLATES_DIR, max_pages=MAX_PAGES, citations=3, page_size=page_size
    )
    shown = [f.statement for f in edition.facts() if str(escape(f.statement)) in printed.html]

    expected = ([], True, True)
    assert expected == (
        weasyprint_log.complaints(),
        printed.pages == page_count(printed.pdf) <= MAX_PAGES,
        len(shown) >= 1 and all(len(statement) == MAX_PARAGRAPH_CHARS for statement in shown),
    )


@pytest.fixture(scope="module")
def edition_2000(tmp_path_factory: pytest.TempPathFactory) -> Edition:
    """The benchmark's 2,000-item edition (20 feeds of 100 synthetic items, and the seeds),
    made by the flow's stages as ``make bench`` drives them."""
    work = tmp_path_factory.mktemp("bench-2000")
    feeds = build_feeds(20, 100)
    with serving(feeds) as server, environment(bench_environment(work)):
        urls = [server.url(feed.path) for feed in feeds]
        return run_edition(bench_plan(urls, work / "out", True), Clock(Sampler()))


@pytest.mark.slow
def test_a_2000_item_edition_fits_the_budget_and_its_html_holds_everything(
    edition_2000: Edition, weasyprint_log: WeasyPrintLog
) -> None:
    """At 2,000 items the PDF still has at most 16 pages, A4 or letter; each cut list counts
    what the JSON edition holds beyond it, and the HTML edition (past 5 MB: its pages, the
    front page first) holds every statement."""
    briefing, rendered = edition_2000.briefing, edition_2000.rendered
    letter = render_bounded_pdf(
        briefing, TEMPLATES_DIR, max_pages=MAX_PAGES, citations=3, page_size="letter"
    )
    counted = held_beyond(briefing, rendered.print_html)
    statements = [
        fact["statement"]
        for s in json.loads(edition_json(briefing))["sections"]
        for fact in s["facts"]
    ]
    files = [edition_2000.result.html_file, *edition_2000.result.html_pages]
    page = "".join(path.read_text(encoding="utf-8") for path in files)
    missing = [statement for statement in statements if str(escape(statement)) not in page]

    cut = {name for name, (note, _) in counted.items() if note}
    wrong = [name for name, (note, beyond) in counted.items() if note != beyond]
    expected = ([], True, True, True, [], [])
    assert expected == (
        weasyprint_log.complaints(),
        rendered.pages == page_count(rendered.pdf) <= MAX_PAGES,
        letter.pages == page_count(letter.pdf) <= MAX_PAGES,
        "sources" in cut,
        wrong,
        missing,
    )
    assert 3000 < len(statements)  # far over any list's print limit


@pytest.mark.slow
def test_the_page_estimate_is_within_its_fitted_error_on_the_seed_edition(
    seed_briefing: Briefing,
) -> None:
    """The estimate the search aims with is within the 0.62 pages it was fitted to (here, on
    a cut and on the whole seed edition): a template change that moves it further needs the
    estimate fitted again (briefing/render/budget.py)."""
    order = priority(seed_briefing)
    errors = []
    for steps in (50, len(order)):
        html = render_html(seed_briefing, TEMPLATES_DIR, cut=Cut.first(order, steps, 3))
        errors.append(abs(estimate_pages(html) - layout_pdf(html, TEMPLATES_DIR).filled))
    assert max(errors) <= 0.62, errors


@pytest.mark.slow
def test_the_render_stage_lays_out_the_pdf_with_the_heap_held_still(
    seed_briefing: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edition's render stage (JSON, PDF, HTML) runs with the heap that existed before it
    frozen: the PDF's layout sees it frozen, and after the stage nothing is."""
    import gc

    import briefing.render.budget as budget

    seen: list[int] = []
    laid_out = budget.layout_pdf

    def layout(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_freeze_count())
        return laid_out(*args, **kwargs)

    monkeypatch.setattr(budget, "layout_pdf", layout)
    plan = build_plan(Settings(), today=EDITION_DATE)
    render_edition(plan, seed_briefing)
    assert (True, 0) == (bool(seen) and all(count > 0 for count in seen), gc.get_freeze_count())


@pytest.mark.slow
def test_the_pdf_is_laid_out_and_written_without_collections_and_its_cycles_go_with_it(
    seed_briefing: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF's search, layouts and writing run with the collector off (its layouts' objects
    are in use: a collection meanwhile only walks them); one collection of the youngest
    generation follows, within the call, and by its return every document laid out is freed,
    cycles and all."""
    import gc
    import weakref

    import briefing.render.budget as budget

    events: list[str] = []
    documents: list[weakref.ref[Any]] = []
    laid_out = budget.layout_pdf

    def layout(*args: Any, **kwargs: Any) -> Any:
        events.append("layout")
        value = laid_out(*args, **kwargs)
        documents.append(weakref.ref(value.document))
        return value

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            events.append(f"collection {info['generation']}")

    monkeypatch.setattr(budget, "layout_pdf", layout)
    gc.callbacks.append(count)
    try:
        printed = render_bounded_pdf(seed_briefing, TEMPLATES_DIR, max_pages=16, citations=3)
    finally:
        gc.callbacks.remove(count)
    expected = (["layout"] * printed.layouts + ["collection 0"], [None] * printed.layouts, True)
    assert expected == (events, [ref() for ref in documents], gc.isenabled())
