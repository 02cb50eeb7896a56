"""The editions as a reading room: an archive page of every edition in the output folder (newest
first, with its period, top headlines and files), an Atom feed of editions, and a static search
index across them (``briefing.publish.search``), written after each edition.

Each edition's summary is read from its JSON edition once and kept in ``archive.json`` beside it,
keyed by the JSON's sha256 from the edition's manifest: a later edition re-reads only the editions
whose JSON changed. Every file is replaced whole (``write_atomic``), so a reader of the folder
never sees half an archive. Nothing here decides what an edition says: headlines and leads are the
edition's own statements, verbatim, and each links to its story's anchor in the HTML edition.
"""

import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from html import escape
from pathlib import Path
from urllib.parse import quote

from markupsafe import escape as markup_escape
from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.errors import BriefingError
from briefing.models import Briefing
from briefing.publish.search import EDITION_HTML, SEARCH_FOLDER, bundle_of, write_search_index
from briefing.publish.served import ARCHIVE_PAGE, ARCHIVE_SCRIPT, FEED_FILE
from briefing.render.document import build_environment
from briefing.render.formatting import long_date
from briefing.render.pages import PAGE_NAME
from briefing.store.files import EditionManifest, html_page_names, manifest_path, write_atomic

log = logging.getLogger(__name__)

SUMMARIES_FILE = "archive.json"  # the editions' summaries, kept for the next edition; not served
TEMPLATE = "archive.html"
HEADLINES = 8  # an edition's top stories are five to eight


class ArchivedStory(BaseModel):
    """A top story as the archive lists it: its headline and lead, verbatim, and where it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    headline: str
    lead: str | None = None
    anchor: str  # the id of its element in the HTML edition: a story's, or the week in brief's
    # The HTML page the anchor is on when the edition is split and it is not the front page.
    page: str | None = None


class ArchivedEdition(BaseModel):
    """What the archive and the feed say about one edition: read from its files."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    edition_date: date
    edition: str
    title: str
    period_start: date | None
    written_at: datetime
    stories: tuple[ArchivedStory, ...]
    json_sha256: str  # of the JSON edition it was read from: a changed edition is read again

    @property
    def stem(self) -> str:
        """The edition's file name without suffix: ``briefing-YYYY-MM-DD``."""
        return f"briefing-{self.edition_date.isoformat()}"

    def story_page(self, story: ArchivedStory) -> str:
        """The HTML page a story of the edition is on."""
        return story.page or f"{self.stem}.html"


class _Summaries(BaseModel):
    model_config = ConfigDict(extra="forbid")

    editions: list[ArchivedEdition]
    # Each search bundle (a quarter): a stamp of the HTML editions it was made from.
    indexed: dict[str, str] = {}


@dataclass(frozen=True)
class ArchiveFiles:
    """Where the archive page, its script, the feed and the search index were written."""

    page: Path
    script: Path
    feed: Path
    search: Path


def build_archived_edition(
    briefing: Briefing, *, written_at: datetime, json_sha256: str
) -> ArchivedEdition:
    """The archive's summary of an edition: its top stories' headlines and first leads, linked
    to the stories' anchors (stable: a story's id comes from its headline's words); an edition
    of no stories lists its key points, linked to the week in brief."""
    stories = []
    for story_id in briefing.top_stories[:HEADLINES]:
        story = briefing.story(story_id)
        lead = briefing.fact(story.lead_ids[0]).statement if story.lead_ids else None
        stories.append(
            ArchivedStory(
                headline=briefing.fact(story.headline).statement, lead=lead, anchor=story.id
            )
        )
    if not stories:
        stories = [
            ArchivedStory(headline=briefing.fact(fact_id).statement, anchor="brief")
            for fact_id in briefing.key_points[:HEADLINES]
        ]
    return ArchivedEdition(
        edition_date=briefing.edition_date,
        edition=briefing.edition,
        title=briefing.title,
        period_start=briefing.period_start,
        written_at=written_at,
        stories=tuple(stories),
        json_sha256=json_sha256,
    )


def render_archive_page(
    editions: Sequence[ArchivedEdition], templates_dir: Path, bundles: Sequence[str] = ()
) -> str:
    """The archive page: the search box (over the search ``bundles``, newest first), then
    every edition, newest first, with its files."""
    ordered = sorted(editions, key=lambda e: e.edition_date, reverse=True)
    template = build_environment(templates_dir).get_template(TEMPLATE)
    return template.render(
        editions=ordered,
        title=ordered[0].title if ordered else "Briefing",
        feed=FEED_FILE,
        script=ARCHIVE_SCRIPT,
        bundles=" ".join(bundles),
    )


def build_editions_feed(editions: Sequence[ArchivedEdition]) -> bytes:
    """The Atom feed of editions, newest first: one entry per edition, its top headlines and
    leads as the summary, links to its HTML, PDF and JSON. Links are relative to the feed, which
    a reader resolves against the address it read the feed from: the same file is right on the
    editions server, in a bucket and behind any web server or CDN."""
    from feedgen.feed import FeedGenerator  # imported here: only the write stage needs it

    ordered = sorted(editions, key=lambda e: e.edition_date, reverse=True)
    title = ordered[0].title if ordered else "Briefing"
    feed = FeedGenerator()
    feed.id(_tag(title, "editions"))
    feed.title(f"{title}: editions")
    # Atom needs an author (RFC 4287, 4.1.1): the pipeline, as the HTML edition's meta names it.
    feed.author({"name": f"{title} pipeline"})
    feed.link(href=_address(FEED_FILE), rel="self", type="application/atom+xml")
    feed.link(href=_address(ARCHIVE_PAGE), rel="alternate", type="text/html")
    feed.updated(max((e.written_at for e in ordered), default=_midnight(date(2000, 1, 1))))
    feed.language("en")
    for edition in reversed(ordered):  # feedgen puts each entry added before the ones before it
        entry = feed.add_entry()
        entry.id(_tag(title, edition.stem))
        entry.title(
            f"{edition.title}, edition {edition.edition} of {long_date(edition.edition_date)}"
        )
        entry.published(_midnight(edition.edition_date))
        entry.updated(edition.written_at)
        entry.summary(_summary(edition))
        # One link, the HTML edition: feedgen 1.0.0 writes an entry's links without their rel
        # and type (lkiesow/python-feedgen#135), and several untyped links would all be
        # "alternate", which Atom forbids. The PDF and JSON are linked from the content.
        entry.link(href=_address(f"{edition.stem}.html"))
        entry.content(_content(edition), type="html")
    return bytes(feed.atom_str(pretty=True))


def _summary(edition: ArchivedEdition) -> str:
    period = (
        f"Covering {long_date(edition.period_start)} to {long_date(edition.edition_date)}. "
        if edition.period_start is not None
        else ""
    )
    lines = [
        f"{story.headline}: {story.lead}" if story.lead else story.headline
        for story in edition.stories
    ]
    return period + "\n".join(f"- {line}" for line in lines)


def _content(edition: ArchivedEdition) -> str:
    items = "".join(
        f'<li><a href="{escape(_address(edition.story_page(story)))}#{escape(story.anchor)}">'
        f"{escape(story.headline)}</a>"
        + (f"<br>{escape(story.lead)}" if story.lead else "")
        + "</li>"
        for story in edition.stories
    )
    files = " · ".join(
        f'<a href="{escape(_address(f"{edition.stem}.{suffix}"))}">{suffix.upper()}</a>'
        for suffix in ("pdf", "html", "json")
    )
    return f"<ul>{items}</ul><p>{files}</p>"


def _tag(title: str, name: str) -> str:
    # A tag: URI names the feed and its entries whatever address they are served from.
    slug = hashlib.sha256(title.encode("utf-8")).hexdigest()[:12]
    return f"tag:briefing.invalid,2026:{slug}/{name}"


def _midnight(value: date) -> datetime:
    return datetime.combine(value, time(0), tzinfo=UTC)


def _address(name: str) -> str:
    return quote(name)


def load_archived_editions(folder: Path, written: Briefing | None = None) -> list[ArchivedEdition]:
    """Every edition in the folder with a JSON edition and a manifest, summarised; the kept
    summary is reused while its JSON's sha256 is the manifest's, and ``written`` (the edition
    just written, whose JSON is that briefing) is summarised as it is, not read back: at 20,000
    items its JSON is 129 MB. An edition that cannot be read is left out of the archive with a
    warning, never removed."""
    kept = {edition.edition_date: edition for edition in _load_summaries(folder).editions}
    editions = []
    for json_file in sorted(folder.glob("briefing-????-??-??.json")):
        try:
            edition_date = date.fromisoformat(json_file.stem.removeprefix("briefing-"))
        except ValueError:
            continue
        if json_file.is_symlink() or not json_file.is_file():
            continue
        try:
            manifest = EditionManifest.model_validate_json(
                manifest_path(folder, edition_date).read_bytes()
            )
            digest = manifest.files[json_file.name]
            cached = kept.get(edition_date)
            if cached is not None and cached.json_sha256 == digest:
                editions.append(cached)
                continue
            if written is not None and written.edition_date == edition_date:
                briefing = written
            else:
                briefing = Briefing.model_validate_json(json_file.read_bytes())
        except (OSError, KeyError, ValidationError) as exc:
            log.warning("the archive leaves out %s: %s", json_file.name, _reason(exc))
            continue
        archived = build_archived_edition(
            briefing, written_at=manifest.written_at, json_sha256=digest
        )
        editions.append(_with_pages(folder, archived, html_page_names(manifest)))
    return sorted(editions, key=lambda e: e.edition_date, reverse=True)


def _with_pages(folder: Path, edition: ArchivedEdition, pages: list[str]) -> ArchivedEdition:
    """The edition with each story's page, when its HTML edition is split and the story's id is
    on a page after the front page (read from the pages: a few MB each)."""
    if not pages:
        return edition
    # As the template writes an id: escaped by MarkupSafe (a slug of a headline's words).
    wanted = {
        story.anchor: f' id="{markup_escape(story.anchor)}"'.encode() for story in edition.stories
    }
    found: dict[str, str] = {}
    for name in pages:
        if len(found) == len(wanted):
            break
        try:
            data = (folder / name).read_bytes()
        except OSError:
            continue
        for anchor, marker in wanted.items():
            if anchor not in found and marker in data:
                found[anchor] = name
    stories = tuple(
        story.model_copy(update={"page": found.get(story.anchor)}) for story in edition.stories
    )
    return edition.model_copy(update={"stories": stories})


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return "its manifest does not name it"
    if isinstance(exc, ValidationError):
        return f"it is not an edition this version reads ({exc.error_count()} problems)"
    return str(exc)


def _load_summaries(folder: Path) -> _Summaries:
    try:
        return _Summaries.model_validate_json((folder / SUMMARIES_FILE).read_bytes())
    except FileNotFoundError:
        return _Summaries(editions=[])
    except (OSError, ValidationError) as exc:  # rebuilt from the editions: nothing is lost
        log.warning("rebuilding the archive's summaries: %s unreadable (%s)", SUMMARIES_FILE, exc)
        return _Summaries(editions=[])


def _bundle_stamps(folder: Path) -> dict[str, str]:
    """For each search bundle (a quarter), a stamp of its HTML editions: each file's name and
    its sha256 in its manifest (its size and time when no manifest names it). A bundle whose
    stamp changed, or which is missing, is made again."""
    entries: dict[str, list[str]] = {}
    for html in sorted(folder.glob("briefing-????-??-??*.html")):  # front pages and the rest
        if not (EDITION_HTML.fullmatch(html.name) or PAGE_NAME.fullmatch(html.name)):
            continue
        try:
            manifest = EditionManifest.model_validate_json(
                manifest_path(folder, date.fromisoformat(html.name[9:19])).read_bytes()
            )
            mark = manifest.files.get(html.name) or ""
        except (OSError, ValueError):  # ValidationError is a ValueError
            mark = ""
        if not mark:
            try:
                facts = html.stat()
            except OSError:
                continue
            mark = f"{facts.st_size}:{facts.st_mtime_ns}"
        entries.setdefault(bundle_of(html.name), []).append(f"{html.name}:{mark}")
    return {
        bundle: hashlib.sha256("\n".join(names).encode()).hexdigest()
        for bundle, names in entries.items()
    }


@contextmanager
def _archive_lock(folder: Path) -> Iterator[None]:
    """One archive writer at a time per folder (editions of different dates may end together),
    by a lock on the folder itself: no lock file to leave behind. On taking it, the temporary
    files a killed writer left are removed: no live writer can be using them."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        for name in (ARCHIVE_PAGE, ARCHIVE_SCRIPT, FEED_FILE, SUMMARIES_FILE):
            for left in folder.glob(f".{name}.*.tmp"):  # write_atomic's temporary names
                left.unlink(missing_ok=True)
        yield
    finally:
        os.close(handle)


def write_archive(
    folder: Path, templates_dir: Path, written: Briefing | None = None
) -> ArchiveFiles:
    """Write the archive page, its script, the feed of editions and the search index for the
    editions in the folder (call it once an edition's files are in place; ``written``, that
    edition, saves reading its JSON back). BriefingError, saying which, when one cannot be
    written: the editions themselves are untouched."""
    files = ArchiveFiles(
        page=folder / ARCHIVE_PAGE,
        script=folder / ARCHIVE_SCRIPT,
        feed=folder / FEED_FILE,
        search=folder / SEARCH_FOLDER,
    )
    try:
        with _archive_lock(folder):
            indexed = _load_summaries(folder).indexed
            editions = load_archived_editions(folder, written)
            stamps = _bundle_stamps(folder)
            _write_summaries(folder, editions, {b: s for b, s in indexed.items() if b in stamps})
            write_atomic(files.script, (templates_dir / ARCHIVE_SCRIPT).read_bytes())
            write_atomic(files.feed, build_editions_feed(editions))
            bundles = sorted(stamps, reverse=True)
            page = render_archive_page(editions, templates_dir, bundles)
            write_atomic(files.page, page.encode("utf-8"))
            # Last: the page and the feed stand even when the index cannot be made. Only the
            # quarters whose editions changed are indexed again, each recorded once it is made.
            for bundle in bundles:
                made = (files.search / bundle / "pagefind.js").is_file()
                if indexed.get(bundle) != stamps[bundle] or not made:
                    write_search_index(folder, [bundle])
                    indexed[bundle] = stamps[bundle]
                    _write_summaries(folder, editions, indexed)
            if not stamps:
                write_search_index(folder, [])  # no edition: no bundle left
    except OSError as exc:
        raise BriefingError(
            f"cannot write the archive of {folder}: {exc}; the editions are whole, and the next "
            "edition writes the archive again"
        ) from exc
    return files


def _write_summaries(
    folder: Path, editions: list[ArchivedEdition], indexed: dict[str, str]
) -> None:
    summaries = _Summaries(editions=editions, indexed=indexed)
    write_atomic(folder / SUMMARIES_FILE, summaries.model_dump_json(indent=1).encode() + b"\n")


def refresh_archive(
    folder: Path, templates_dir: Path, written: Briefing | None = None
) -> ArchiveFiles | None:
    """``write_archive`` after an edition's files are in place; when it fails, a warning saying
    why and None: the edition stands without it, and the next edition writes it again."""
    try:
        return write_archive(folder, templates_dir, written)
    except BriefingError as exc:
        log.warning("%s", exc)
        return None
