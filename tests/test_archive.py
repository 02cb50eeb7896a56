"""The reading room: the archive page, the Atom feed of editions and the search index the write
stage makes from the editions in the output folder, and the stable story anchors they link to."""

import gzip
import json
import logging
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest
from markupsafe import escape

from briefing import edition as stages
from briefing.edition import load_seed_briefing
from briefing.errors import BriefingError
from briefing.models import Briefing
from briefing.publish import search
from briefing.publish.archive import (
    ArchivedEdition,
    ArchivedStory,
    build_archived_edition,
    build_editions_feed,
    load_archived_editions,
    refresh_archive,
    render_archive_page,
    write_archive,
)
from briefing.render.document import render_html
from briefing.settings import PROJECT_ROOT, Settings
from tests.archive_editions import ONLY_IN_ONE, compose_window, write_three_editions

TEMPLATES = PROJECT_ROOT / "templates"
# The headers the editions server sends with the feed: relative links resolve against its address.
SERVED = {
    "content-location": "http://127.0.0.1:8400/editions.atom",
    "content-type": "application/atom+xml",
}
DATES = ["2025-06-30", "2024-06-30", "2023-12-31"]  # the three editions, newest first


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Briefing]]:
    """A folder holding three editions written by the write stage, and their briefings."""
    folder = tmp_path_factory.mktemp("editions")
    return folder, write_three_editions(folder)


def top_headlines(briefing: Briefing) -> list[str]:
    """The edition's top stories' headlines, in order."""
    return [briefing.fact(briefing.story(s).headline).statement for s in briefing.top_stories]


def literal_edition(day: int, headline: str) -> ArchivedEdition:
    """An archived edition of December 2026 with one story."""
    return ArchivedEdition(
        edition_date=date(2026, 12, day),
        edition=f"2026-W{day}",
        title="Briefing",
        period_start=date(2026, 12, day - 6),
        written_at=datetime(2026, 12, day, 7, tzinfo=UTC),
        stories=(
            ArchivedStory(headline=headline, lead="A lead <b>sentence</b>.", anchor="story-1"),
        ),
        json_sha256="0" * 64,
    )


def test_feed_lists_each_edition_with_its_headlines_as_valid_atom() -> None:
    """The feed of two literal editions parses as Atom without complaint: newest first, each
    entry's summary holding its headline and lead, its link the HTML edition, and a headline
    with markup in it shown as text, never as markup."""
    feed = feedparser.parse(
        build_editions_feed([literal_edition(7, "First"), literal_edition(14, "Second <i>x</i>")]),
        response_headers=SERVED,
    )
    assert (False, "atom10", "Briefing pipeline") == (feed.bozo, feed.version, feed.feed.author)
    assert [
        "http://127.0.0.1:8400/briefing-2026-12-14.html",
        "http://127.0.0.1:8400/briefing-2026-12-07.html",
    ] == [entry.link for entry in feed.entries]
    second, first = feed.entries
    assert "- Second <i>x</i>: A lead <b>sentence</b>." in second.summary
    assert "- First: A lead <b>sentence</b>." in first.summary
    content = second.content[0].value
    assert "Second &lt;i&gt;x&lt;/i&gt;" in content and "<i>" not in content


def test_archive_page_escapes_and_orders_literal_editions() -> None:
    """The page lists editions newest first, each headline linked to its story's anchor, and a
    headline's markup is text."""
    page = render_archive_page(
        [literal_edition(7, "First"), literal_edition(14, "<script>x</script>")], TEMPLATES
    )
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert ["2026-12-14", "2026-12-07"] == re.findall(
        r'<li class="edition" id="briefing-([\d-]+)"', page
    )
    assert 'href="briefing-2026-12-07.html#story-1"' in page


@pytest.mark.slow
def test_story_anchors_come_from_the_headline_not_the_position() -> None:
    """A story both the 2024 edition and a whole-year edition carry has the same anchor in
    each, on its headline, though its position differs: a link to it keeps working."""
    half = compose_window(date(2024, 1, 1), date(2024, 6, 30))
    year = compose_window(date(2023, 7, 1), date(2024, 12, 31))
    shared = set(top_headlines(half)) & {
        year.fact(story.headline).statement for story in year.stories
    }
    assert shared, "no story in both editions"
    for headline in shared:
        anchors = []
        for briefing in (half, year):
            html = render_html(briefing, TEMPLATES, standalone=True)
            heading = (
                f'<h3 class="headline" id="(story-[0-9a-f]{{12}})">{re.escape(_html(headline))}<'
            )
            found = re.search(heading, html)
            assert found is not None, headline
            anchors.append(found.group(1))
        assert anchors[0] == anchors[1]
    positions = [[s.id for s in b.stories] for b in (half, year)]
    assert positions[0] != positions[1][: len(positions[0])]


def _html(text: str) -> str:
    return str(escape(text))


@pytest.mark.slow
def test_write_stage_writes_the_archive_of_three_editions(
    three: tuple[Path, list[Briefing]],
) -> None:
    """After the third edition the page lists all three, newest first, with their periods, top
    headlines linked to anchors present in their HTML editions, and their PDF, HTML and JSON."""
    folder, briefings = three
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert DATES == re.findall(r'<li class="edition" id="briefing-([\d-]+)"', page)
    for briefing in briefings:
        stem = f"briefing-{briefing.edition_date}"
        html = (folder / f"{stem}.html").read_text(encoding="utf-8")
        for story_id in briefing.top_stories:
            headline = briefing.fact(briefing.story(story_id).headline).statement
            assert f'<a href="{stem}.html#{story_id}">{_html(headline)}</a>' in page
            assert f'id="{story_id}"' in html
        for kind in ("pdf", "html", "json"):
            assert f'href="{stem}.{kind}"' in page
        assert f"covering {briefing.period_start.day} " in page  # type: ignore[union-attr]


@pytest.mark.slow
def test_feed_lists_the_three_editions_with_their_top_headlines(
    three: tuple[Path, list[Briefing]],
) -> None:
    """feedparser reads the written feed as valid Atom: three entries, newest first, each with
    every top headline of its edition and links to its files."""
    folder, briefings = three
    feed = feedparser.parse(
        (folder / "editions.atom").read_bytes(),
        response_headers=SERVED,
    )
    assert (False, "atom10", 3) == (feed.bozo, feed.version, len(feed.entries))
    by_date = {b.edition_date.isoformat(): b for b in briefings}
    assert [f"http://127.0.0.1:8400/briefing-{d}.html" for d in DATES] == [
        e.link for e in feed.entries
    ]
    for entry, day in zip(feed.entries, DATES, strict=True):
        headlines = top_headlines(by_date[day])
        assert headlines and all(h in entry.summary for h in headlines)
        content = entry.content[0].value
        assert all(f"briefing-{day}.{kind}" in content for kind in ("pdf", "html", "json"))


@pytest.mark.slow
def test_the_search_index_covers_every_edition(three: tuple[Path, list[Briefing]]) -> None:
    """Pagefind's bundles are in place, one a quarter with one fragment per edition, the page
    names them newest first, and the word in one edition only is in that edition's HTML alone
    (what the browser test searches for)."""
    folder, _ = three
    bundles = sorted(p.name for p in (folder / "pagefind").iterdir())
    assert ["2023q4", "2024q2", "2025q2"] == bundles
    assert [1, 1, 1] == [
        len(list((folder / "pagefind" / y / "fragment").iterdir())) for y in bundles
    ]
    assert all((folder / "pagefind" / y / "pagefind.js").is_file() for y in bundles)
    assert 'data-bundles="2025q2 2024q2 2023q4"' in (folder / "index.html").read_text("utf-8")
    holding = [
        d for d in DATES if ONLY_IN_ONE in (folder / f"briefing-{d}.html").read_text("utf-8")
    ]
    assert ["2025-06-30"] == holding


@pytest.mark.slow
def test_a_new_edition_indexes_its_own_quarter_only(
    tmp_path: Path, three: tuple[Path, list[Briefing]]
) -> None:
    """A fourth edition, of May 2025, replaces the bundle of 2025's second quarter (now two
    editions) and leaves the others as they were: the work grows with a quarter, not with the
    archive."""
    source, _ = three
    shutil.copytree(source, tmp_path / "out")
    folder = tmp_path / "out"
    bundles = ("2023q4", "2024q2", "2025q2")
    before = {b: (folder / "pagefind" / b).stat().st_ino for b in bundles}
    settings = Settings(out_dir=folder)
    plan = stages.build_plan(settings, today=date(2025, 5, 31), include_seeds=False)
    briefing = compose_window(date(2025, 1, 1), date(2025, 5, 31))
    rendered = stages.render_edition(plan, briefing)
    stages.write_files(plan, briefing, rendered, run_id="test", written_at=datetime.now(UTC))
    stages.write_archive_of(plan, briefing)
    after = {b: (folder / "pagefind" / b).stat().st_ino for b in bundles}
    assert (before["2023q4"], before["2024q2"]) == (after["2023q4"], after["2024q2"])
    assert before["2025q2"] != after["2025q2"]
    assert 2 == len(list((folder / "pagefind" / "2025q2" / "fragment").iterdir()))


@pytest.mark.slow
def test_summaries_are_reused_until_an_edition_changes(
    tmp_path: Path, three: tuple[Path, list[Briefing]]
) -> None:
    """A kept summary is used while the manifest's sha256 of the JSON is the same (the JSON is
    not read again); an edition whose JSON no longer matches a readable manifest is left out
    with a warning, the others kept; the edition just written is taken as it is in hand."""
    source, briefings = three
    for path in source.glob("briefing-*"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "archive.json").write_bytes((source / "archive.json").read_bytes())
    (tmp_path / "briefing-2024-06-30.json").write_text("not json", encoding="utf-8")
    assert DATES == [e.edition_date.isoformat() for e in load_archived_editions(tmp_path)]
    (tmp_path / "archive.json").unlink()
    assert ["2025-06-30", "2023-12-31"] == [
        e.edition_date.isoformat() for e in load_archived_editions(tmp_path)
    ]
    # The edition just written is summarised from the briefing in hand, its JSON not read.
    in_hand = load_archived_editions(tmp_path, written=briefings[1])
    assert DATES == [e.edition_date.isoformat() for e in in_hand]
    assert top_headlines(briefings[1]) == [s.headline for s in in_hand[1].stories]


@pytest.mark.slow
def test_an_edition_of_no_stories_lists_its_key_points() -> None:
    """The seed edition has no stories: the archive lists its key points, linked to the week in
    brief, verbatim."""
    seed_briefing = load_seed_briefing(date(2023, 1, 20))
    assert not seed_briefing.stories
    archived = build_archived_edition(
        seed_briefing, written_at=datetime(2023, 1, 20, tzinfo=UTC), json_sha256="0" * 64
    )
    assert [(seed_briefing.fact(f).statement, "brief") for f in seed_briefing.key_points] == [
        (s.headline, s.anchor) for s in archived.stories
    ]


def test_a_failing_indexer_keeps_the_previous_index_and_the_edition_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """When Pagefind fails, BriefingError says so and the quarter's previous bundle stays; the
    write stage's call logs a warning and returns None instead of failing the edition, the
    archive page and feed written all the same."""
    (tmp_path / "briefing-2026-12-07.html").write_text("<main><p>An edition.</p></main>", "utf-8")
    (tmp_path / "pagefind" / "2026q4").mkdir(parents=True)
    (tmp_path / "pagefind" / "2026q4" / "pagefind.js").write_text("previous", encoding="utf-8")
    monkeypatch.setattr(search, "_pagefind", lambda: Path("/bin/false"))
    with pytest.raises(BriefingError, match="Pagefind could not index the editions of 2026q4"):
        search.write_search_index(tmp_path, ["2026q4"])
    with caplog.at_level(logging.WARNING, logger="briefing.publish.archive"):
        assert refresh_archive(tmp_path, TEMPLATES) is None
    previous = (tmp_path / "pagefind" / "2026q4" / "pagefind.js").read_text(encoding="utf-8")
    assert "previous" == previous
    assert (tmp_path / "index.html").is_file() and (tmp_path / "editions.atom").is_file()
    assert ["Pagefind could not index"] == [
        r.getMessage()[:24] for r in caplog.records if r.name == "briefing.publish.archive"
    ]
    assert [] == sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".pagefind"))


def test_what_a_killed_indexer_left_is_cleared(tmp_path: Path) -> None:
    """A staging folder and an old bundle left by a killed run, a bundle of a quarter with no
    edition any more and an index of before bundles are removed; the quarter's new bundle is
    whole: Pagefind's entry and one fragment for the one edition."""
    (tmp_path / "briefing-2026-12-07.html").write_text("<main><p>Yokota.</p></main>", "utf-8")
    (tmp_path / ".pagefind.x1y2.staging").mkdir()
    (tmp_path / "pagefind" / ".2026q4.123.old" / "fragment").mkdir(parents=True)
    (tmp_path / "pagefind" / "2026q3" / "fragment").mkdir(parents=True)
    (tmp_path / "pagefind" / "pagefind.js").write_text("of before", encoding="utf-8")
    assert ["2026q4"] == search.write_search_index(tmp_path, ["2026q4"])
    assert ["briefing-2026-12-07.html", "pagefind"] == sorted(p.name for p in tmp_path.iterdir())
    assert ["2026q4"] == [p.name for p in (tmp_path / "pagefind").iterdir()]
    assert (tmp_path / "pagefind" / "2026q4" / "pagefind-entry.json").is_file()
    assert 1 == len(list((tmp_path / "pagefind" / "2026q4" / "fragment").iterdir()))


def test_a_statement_is_indexed_once_without_its_attribution(tmp_path: Path) -> None:
    """The search indexes a statement where the edition says it, not again in the timeline or
    the milestones, and not the line under it (its date and sources): Pagefind's one fragment
    holds the statement's words once and none of that line's."""
    statement = "JAXA tested the Kiwamo star tracker at Tsukuba."
    said = f'<p class="statement">{statement} <span class="attribution">Yokota 3 sources</span></p>'
    main = (
        f'<section id="civil-space"><h2 id="civil-space-title">Civil space</h2>{said}</section>'
        f'<section id="timeline"><table><tr><td>{statement}</td></tr></table></section>'
        f'<section id="milestones"><table><tr><td>{statement}</td></tr></table></section>'
    )
    (tmp_path / "briefing-2026-12-07.html").write_text(f"<main>{main}</main>", "utf-8")
    assert ["2026q4"] == search.write_search_index(tmp_path, ["2026q4"])
    (fragment,) = (tmp_path / "pagefind" / "2026q4" / "fragment").iterdir()
    data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
    assert (1, False) == (data["content"].count("Kiwamo"), "Yokota" in data["content"])


def test_an_empty_folder_gets_an_archive_saying_so(tmp_path: Path) -> None:
    """No edition yet: the page says so, the feed is valid Atom with no entry."""
    write_archive(tmp_path, TEMPLATES)
    feed = feedparser.parse((tmp_path / "editions.atom").read_bytes())
    assert (False, 0) == (feed.bozo, len(feed.entries))
    assert "No edition yet." in (tmp_path / "index.html").read_text(encoding="utf-8")
