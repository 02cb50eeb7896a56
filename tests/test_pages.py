"""The HTML edition in linked pages past a size limit: each page under it, every link opening
on the page it names, every statement on some page, the pages written, served and indexed."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from briefing.edition import load_seed_briefing
from briefing.models import Briefing
from briefing.publish import archive, serve_editions, write_search_index
from briefing.publish.archive import ArchivedStory, load_archived_editions
from briefing.render import document, render_html_pages, render_standalone_html
from briefing.settings import PROJECT_ROOT
from briefing.store import (
    files,
    html_page_names,
    load_edition_manifest,
    lock_edition_folder,
    write_edition,
)
from tests.feedserver import running

TEMPLATES_DIR = PROJECT_ROOT / "templates"
EDITION_DATE = date(2023, 1, 20)
STEM = "briefing-2023-01-20"
# The seed edition is 272 KB as one page, 170 KB of it the stylesheet and its fonts, which
# every page carries: a limit of 200 KB cuts it into about ten pages.
LIMIT = 200_000
STATEMENT = re.compile(rb'<p class="statement">.*?</p>', re.S)
ANCHOR_LINK = re.compile(rb'href="([^"#]*)#([^"]+)"')
ID = re.compile(rb' id="([^"]+)"')
ANCHORS = ("security", "source-1", "timeline")  # a theme, a source, an appendix


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    """The seed edition of 20 January 2023."""
    return load_seed_briefing(EDITION_DATE)


@pytest.fixture(scope="module")
def pages(briefing: Briefing) -> dict[str, bytes]:
    """The seed edition's HTML cut into pages at LIMIT: each page's bytes by its name."""
    split = render_html_pages(briefing, TEMPLATES_DIR, stem=STEM, limit=LIMIT)
    return {page.name: b"".join(page.pieces) for page in split}


def test_an_edition_within_the_limit_is_its_one_page_unchanged(briefing: Briefing) -> None:
    """Under the limit the edition is one page, byte for byte the page it always was."""
    (page,) = render_html_pages(briefing, TEMPLATES_DIR, stem=STEM)
    assert (f"{STEM}.html", b"".join(render_standalone_html(briefing, TEMPLATES_DIR))) == (
        page.name,
        b"".join(page.pieces),
    )
    assert b"<!--part" not in b"".join(page.pieces)


def test_each_page_is_under_the_limit(pages: dict[str, bytes]) -> None:
    """The front page keeps the edition's name, the others are numbered after it, each page
    at most the limit."""
    names = list(pages)
    assert [f"{STEM}.html", *(f"{STEM}.p{n}.html" for n in range(2, len(names) + 1))] == names
    assert len(names) > 3
    assert [] == [name for name, data in pages.items() if len(data) > LIMIT]


def test_every_anchor_link_opens_on_the_page_it_names(pages: dict[str, bytes]) -> None:
    """Each ``href`` with a ``#anchor`` (citations, a source's links back, the contents, the
    week in brief) names a page of the edition that has that id."""
    ids = {name: set(ID.findall(data)) for name, data in pages.items()}
    links = 0
    unresolved = []
    for name, data in pages.items():
        for target, anchor in ANCHOR_LINK.findall(data):
            page = target.decode() or name
            links += 1
            if anchor not in ids.get(page, set()):
                unresolved.append((name, target, anchor))
    assert [] == unresolved
    assert links > 300  # citations and their links back, across pages


def test_every_statement_is_on_some_page_once(briefing: Briefing, pages: dict[str, bytes]) -> None:
    """The pages in order hold exactly the one page's statements, in its order."""
    whole = b"".join(render_standalone_html(briefing, TEMPLATES_DIR))
    # A statement's citations link to another page when split: compare the words alone.
    unlinked = [re.sub(rb'href="[^"]*"', b"", s) for s in STATEMENT.findall(whole)]
    split = [
        re.sub(rb'href="[^"]*"', b"", s) for data in pages.values() for s in STATEMENT.findall(data)
    ]
    assert unlinked == split
    assert len(split) >= sum(1 for _ in briefing.facts()) - 5  # headlines are not statements


def test_every_page_is_linked_from_the_front_page_and_back(pages: dict[str, bytes]) -> None:
    """The front page lists every other page; each of those links to the front page and its
    contents, and carries the stylesheet and the page's own title."""
    front, *others = pages
    assert all(f'href="{name}"'.encode() in pages[front] for name in others)
    for name in others:
        data = pages[name]
        assert f'href="{front}#contents"'.encode() in data
        assert data.count(b"<style>") == 2 and b"@font-face" in data
        assert data.count(b"<main>") == 1 and data.count(b"</main>") == 1
        assert re.search(rb"<title>[^<]+ \xc2\xb7 [^<]+</title>", data)


def _write(folder: Path, briefing: Briefing, limit: int) -> None:
    front, *more = render_html_pages(briefing, TEMPLATES_DIR, stem=STEM, limit=limit)
    write_edition(
        folder,
        briefing,
        b"%PDF-1.7",
        front.pieces,
        run_id="run",
        written_at=datetime(2023, 1, 20, tzinfo=UTC),
        html_pages=[(page.name, page.pieces) for page in more],
    )


def test_the_manifest_lists_every_page_and_a_rerun_leaves_no_stale_page(
    briefing: Briefing, tmp_path: Path
) -> None:
    """Every page is written and in the manifest; a rerun that makes fewer pages removes the
    ones it no longer has, and one page again removes them all."""
    _write(tmp_path, briefing, LIMIT)
    many = sorted(p.name for p in tmp_path.glob(f"{STEM}*.html"))
    assert set(many) <= set(load_edition_manifest(tmp_path, EDITION_DATE).files)
    _write(tmp_path, briefing, LIMIT + 60_000)
    fewer = sorted(p.name for p in tmp_path.glob(f"{STEM}*.html"))
    assert 1 < len(fewer) < len(many)
    assert set(fewer) <= set(load_edition_manifest(tmp_path, EDITION_DATE).files)
    _write(tmp_path, briefing, 10**9)
    assert [f"{STEM}.html"] == [p.name for p in tmp_path.glob(f"{STEM}*.html")]


def test_pages_a_stopped_run_left_are_removed_when_the_edition_is_next_locked(
    briefing: Briefing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run stopped after its manifest was in place but before it removed the pages it no
    longer has leaves them; the next run of the date removes them on taking the lock."""
    _write(tmp_path, briefing, LIMIT)
    many = len(list(tmp_path.glob(f"{STEM}*.html")))
    with monkeypatch.context() as stopped:
        stopped.setattr(files, "_remove_unlisted_pages", lambda *_: None)
        _write(tmp_path, briefing, 10**9)
    assert many == len(list(tmp_path.glob(f"{STEM}*.html")))
    with lock_edition_folder(tmp_path, EDITION_DATE):
        pass
    assert [f"{STEM}.html"] == [p.name for p in tmp_path.glob(f"{STEM}*.html")]
    load_edition_manifest(tmp_path, EDITION_DATE)  # whole


def test_the_server_answers_every_page_and_no_other_name(
    briefing: Briefing, tmp_path: Path
) -> None:
    """``briefing serve`` gives each page as written; names like a page's that are not one,
    or not of an edition present, are 404."""
    _write(tmp_path, briefing, LIMIT)
    names = sorted(p.name for p in tmp_path.glob(f"{STEM}*.html"))
    with (
        running(serve_editions(tmp_path, "127.0.0.1", 0)) as address,
        httpx.Client(base_url=address) as client,
    ):
        got = {name: client.get(f"/{name}") for name in names}
        missing = [
            client.get(f"/{STEM}.{name}").status_code
            for name in ("p0.html", "p2.pdf", "p2.json", f"p{len(names) + 1}.html", "px.html")
        ]
        listed = client.get("/").text
    assert {n: (tmp_path / n).read_bytes() for n in names} == {n: r.content for n, r in got.items()}
    assert [404] * 5 == missing
    assert f"{STEM}.html" in listed and f"{STEM}.p2.html" not in listed


def test_the_search_index_and_the_archive_find_the_pages(
    briefing: Briefing, tmp_path: Path
) -> None:
    """Pagefind indexes the pages after the front page too, and the archive links a story on
    another page to that page."""
    _write(tmp_path, briefing, LIMIT)
    write_search_index(tmp_path, ["2023q1"])
    fragments = list((tmp_path / "pagefind" / "2023q1" / "fragment").iterdir())
    (edition,) = load_archived_editions(tmp_path, briefing)
    assert len(fragments) > 3
    # The seed edition has no stories (its brief is on the front page): anchors on later pages.
    anchored = edition.model_copy(
        update={"stories": tuple(ArchivedStory(headline=a, anchor=a) for a in ANCHORS)}
    )
    pages = html_page_names(load_edition_manifest(tmp_path, EDITION_DATE))
    found = archive._with_pages(tmp_path, anchored, pages).stories
    assert all(story.page in pages for story in found)
    assert all(
        f' id="{story.anchor}"'.encode() in (tmp_path / anchored.story_page(story)).read_bytes()
        for story in (*edition.stories, *found)
    )


def test_the_pages_are_the_same_however_the_output_is_batched(
    briefing: Briefing, pages: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of the template's output may end inside a tag (between ``href="#`` and its
    anchor): one piece at a time or a few give the same pages, every link rewritten alike."""
    for size in (1, 7):
        monkeypatch.setattr(document, "_BATCH", size)
        split = render_html_pages(briefing, TEMPLATES_DIR, stem=STEM, limit=LIMIT)
        assert pages == {page.name: b"".join(page.pieces) for page in split}


def test_each_page_embeds_the_japanese_face_only_for_its_own_characters(
    briefing: Briefing,
) -> None:
    """The fonts are cut to each page's characters: the page with a Japanese word (the last
    source's note) embeds the Japanese face, and the front page, with none, only names it."""
    *rest, last = briefing.sources
    noted = last.model_copy(update={"note": "宇宙"})
    edition = briefing.model_copy(update={"sources": (*rest, noted)})
    split = render_html_pages(edition, TEMPLATES_DIR, stem=STEM, limit=LIMIT)
    pages = {page.name: b"".join(page.pieces).decode("utf-8") for page in split}
    (holding,) = [name for name, text in pages.items() if "宇宙" in text.split("</style>")[-1]]
    assert holding != f"{STEM}.html"
    assert 'local("IPAexGothic")' not in pages[holding]
    assert 'local("IPAexGothic")' in pages[f"{STEM}.html"]
