"""The HTML edition as linked pages when one page would pass ``PAGE_LIMIT`` bytes.

The template marks, in the HTML edition only, where a page may begin (HTML comments the
renderer removes): ``<!--part {...}-->`` before each section after the front matter ("own": a
page of its own when the edition is split, as a theme, the timeline, the milestones and the
sources are; "joins": on the page before it while the whole section fits), ``<!--cut-->``
between the entries of a long list (stories, statements, table rows, sources), and
``<!--context [close, reopen]-->`` before a list: the markup that ends a page cut inside it and
begins the next. A page past the limit is cut at the last mark before it passes, so a section
over the limit runs on numbered pages of its own (``briefing-DATE.p3.html``, ...).

An edition within the limit is one page whose bytes are the template's, the marks taken out.
A split one keeps ``briefing-DATE.html`` as its front page (masthead, the week in brief, What's
new, the contents and after them the list of pages, Coming up while it fits); each page has
the stylesheet with its fonts cut to its own characters, links to the front page, the contents
and the pages either side, and every ``href="#id"`` whose element is on another page becomes
``href="PAGE#id"``.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup, escape

from briefing.errors import RenderError
from briefing.render.webfonts import wide_characters

PAGE_LIMIT = 5_000_000  # bytes: a page a phone's browser still opens comfortably
PAGE_NAME = re.compile(r"briefing-\d{4}-\d{2}-\d{2}\.p[1-9][0-9]{0,3}\.html")
_MARK = re.compile(r"<!--(part|cut|context)(?: ([^>]*))?-->")
_ID = re.compile(rb' id="([^"]+)"')
_LOCAL_HREF = re.compile(rb'href="#([^"]+)"')
# What a page's own navigation takes at most (the front page's lists every page: some 100
# bytes each), besides its links to other pages' anchors.
_NAV_RESERVE = 16_000


class HtmlPage(NamedTuple):
    """One page of the HTML edition: its file name and its UTF-8 bytes, in pieces."""

    name: str
    pieces: tuple[bytes, ...]


def page_name(stem: str, number: int) -> str:
    """The file name of page ``number`` of an edition: the front page (1) is ``STEM.html``."""
    return f"{stem}.html" if number == 1 else f"{stem}.p{number}.html"


def page_marks(paging: bool) -> dict[str, object]:
    """The template's globals that mark where pages may begin: empty when not ``paging`` (the
    PDF's HTML), so its output is as before."""

    def part(kind: str, label: str | None = None) -> Markup:
        if not paging:
            return Markup("")
        return Markup(f"<!--part {_quoted({'kind': kind, 'label': label})}-->")

    def context(close: str, reopen: str) -> Markup:
        if not paging:
            return Markup("")
        return Markup(f"<!--context {_quoted([str(close), str(reopen)])}-->")

    return {
        "page_part": part,
        "page_cut": Markup("<!--cut-->") if paging else Markup(""),
        "page_context": context,
    }


def _quoted(value: object) -> str:
    # JSON inside an HTML comment: no ">" (so no "-->") and no "<" left in it.
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


@dataclass
class _Segment:
    """The output from one mark to the next."""

    mark: str  # "start" (before the first), "part", "cut" or "context"
    kind: str = ""  # a part's: "masthead", "pages" (the list's place), "own", "joins", "end"
    label: str = ""  # a part's, naming its page; a context's: [close, reopen]
    context: tuple[str, str] = ("", "")
    pieces: list[bytes] = field(default_factory=list)
    size: int = 0
    hrefs: int = 0  # links to an anchor, which may grow by a page's name
    wide: set[str] = field(default_factory=set)

    def add(self, text: str) -> None:
        data = text.encode("utf-8")
        self.pieces.append(data)
        self.size += len(data)
        self.hrefs += text.count('href="#')
        self.wide |= wide_characters(text)


class Segments:
    """The template's output after the stylesheet, cut at its marks as it comes."""

    def __init__(self) -> None:
        self.list: list[_Segment] = [_Segment("start")]
        self._pending = ""  # output after its last tag's end, kept for the next stretch

    def feed(self, text: str) -> None:
        """Take the next stretch of output (a mark never straddles two: each is one chunk).
        What follows its last ``>`` waits for the next: a stretch may end inside a tag (after
        ``href="#``, before its anchor), and links and ids are read piece by piece."""
        text = self._pending + text
        end = text.rfind(">") + 1
        self._pending = text[end:]
        self._take(text[:end])

    def close(self) -> None:
        """The output is over: take what waited."""
        self._take(self._pending)
        self._pending = ""

    def _take(self, text: str) -> None:
        for index, part in enumerate(_MARK.split(text)):
            if index % 3 == 0:
                if part:
                    self.list[-1].add(part)
            elif index % 3 == 1:
                self.list.append(_Segment(part))
            elif part is not None:
                value = json.loads(part)
                segment = self.list[-1]
                if segment.mark == "part":
                    segment.kind, segment.label = value["kind"], value["label"] or ""
                else:
                    segment.context = (value[0], value[1])

    @property
    def size(self) -> int:
        """The bytes of the whole output, marks left out."""
        return sum(segment.size for segment in self.list)

    @property
    def wide(self) -> set[str]:
        """Every character of the output only the Japanese face has."""
        return set().union(*(segment.wide for segment in self.list))

    def pieces(self) -> Iterable[bytes]:
        """The output as one page, marks left out."""
        for segment in self.list:
            yield from segment.pieces


@dataclass
class _Page:
    label: str  # what the page holds: its first part's name, "(part 2)" on when cut
    part: str = ""  # that part's name
    pieces: list[bytes] = field(default_factory=list)
    size: int = 0
    hrefs: int = 0
    wide: set[str] = field(default_factory=set)
    entries: int = 0  # segments of content taken since the page began

    def take(self, segment: _Segment) -> None:
        self.pieces.extend(segment.pieces)
        segment.pieces = []  # the page holds them now: each is let go once it is linked
        self.size += segment.size
        self.hrefs += segment.hrefs
        self.wide |= segment.wide
        self.entries += 1

    def add(self, html: str) -> None:
        data = html.encode("utf-8")
        self.take(_Segment("cut", pieces=[data], size=len(data)))


def split_pages(
    head: str,
    segments: Segments,
    fonts: Callable[[set[str]], str],
    *,
    stem: str,
    limit: int | None,
) -> tuple[HtmlPage, ...]:
    """The edition's pages: one, the marks left out, when it is at most ``limit`` bytes (or
    no limit); else the front page and the pages the marks allow, each at most ``limit`` where
    no single entry is larger. ``head`` is the page up to its stylesheet, ``fonts(wide)`` the
    stylesheet with its fonts cut to those characters."""
    head_wide = wide_characters(head) | segments.list[0].wide  # the title, say
    whole_head = (head + fonts(segments.wide | head_wide)).encode("utf-8")
    if limit is None or len(whole_head) + segments.size <= limit:
        return (HtmlPage(page_name(stem, 1), (whole_head, *segments.pieces())),)
    start, *body = segments.list
    # The front page: masthead to the first section of its own, the preamble before it.
    if not body or body[0].kind != "masthead":
        raise RenderError("the template marks no masthead: it cannot be cut into pages")
    longest_name = len(page_name(stem, 9999))
    reserve = len(whole_head) + start.size + _NAV_RESERVE
    budget = limit - reserve

    def fits(page: _Page, segment: _Segment | int, hrefs: int = 0) -> bool:
        size = segment if isinstance(segment, int) else segment.size
        links = hrefs if isinstance(segment, int) else segment.hrefs
        growth = (page.hrefs + links) * (longest_name + 1)
        return page.size + size + growth <= budget

    pages = [_Page("Front page", "Front page")]
    pages[0].take(body[0])
    listed_at = None  # where the front page lists the pages: after its contents
    context = ("", "")
    tail: _Segment | None = None
    for index, segment in enumerate(body[1:], start=1):
        page = pages[-1]
        if segment.mark == "part":
            if segment.kind == "end":
                tail = segment
                break
            if segment.kind == "pages":
                listed_at = len(pages[0].pieces)
                pages[0].take(segment)
                continue
            context = ("", "")
            size, hrefs = _part_size(body, index)
            if segment.kind == "own" or not fits(page, size, hrefs):
                pages.append(_Page(segment.label, segment.label))
        elif segment.mark == "context":
            context = segment.context
        elif segment.mark == "cut" and page.entries > 1 and not fits(page, segment):
            page.add(context[0])
            runs = 1 + sum(1 for earlier in pages if earlier.part == page.part)
            pages.append(_Page(f"{page.part} (part {runs})", page.part))
            pages[-1].add(context[1])
        pages[-1].take(segment)
    if tail is None:
        raise RenderError("the template marks no end of its <main>: it cannot be cut into pages")
    names = [page_name(stem, number) for number in range(1, len(pages) + 1)]
    anchors = _anchor_pages(pages, names)
    done = []
    for number, page in enumerate(pages, start=1):
        name = names[number - 1]
        nav = _navigation(pages, names, number)
        preamble = start.pieces if number == 1 else [*start.pieces, nav.encode("utf-8")]
        title = head.replace("</title>", f" · {escape(page.label)}</title>", 1)
        page_head = (head if number == 1 else title) + fonts(page.wide | head_wide)
        opening = [] if number == 1 else [b"<main>\n"]
        content = [_linked(piece, name, anchors) for piece in page.pieces]
        page.pieces = []
        if number == 1:
            where = len(content) if listed_at is None else listed_at
            content.insert(where, nav.encode("utf-8"))
        done.append(
            HtmlPage(
                name,
                (
                    page_head.encode("utf-8"),
                    *preamble,
                    *opening,
                    *content,
                    *tail.pieces,
                ),
            )
        )
    return tuple(done)


def _part_size(body: list[_Segment], index: int) -> tuple[int, int]:
    """The bytes and links of the part that begins at ``body[index]``."""
    size = hrefs = 0
    for segment in body[index:]:
        if segment.mark == "part" and segment is not body[index]:
            break
        size += segment.size
        hrefs += segment.hrefs
    return size, hrefs


def _anchor_pages(pages: list[_Page], names: list[str]) -> dict[bytes, bytes]:
    """Each id's page, by file name: the first page that has it (a section cut across pages
    keeps its id on each, for its style and the search's exclusions)."""
    anchors: dict[bytes, bytes] = {}
    for page, name in zip(pages, names, strict=True):
        encoded = name.encode("ascii")
        for piece in page.pieces:
            for match in _ID.finditer(piece):
                anchors.setdefault(match.group(1), encoded)
    return anchors


def _linked(piece: bytes, name: str, anchors: dict[bytes, bytes]) -> bytes:
    here = name.encode("ascii")

    def relinked(match: re.Match[bytes]) -> bytes:
        page = anchors.get(match.group(1))
        if page is None or page == here:
            return match.group(0)
        return b'href="' + page + b"#" + match.group(1) + b'"'

    return _LOCAL_HREF.sub(relinked, piece)


def _navigation(pages: list[_Page], names: list[str], number: int) -> str:
    """The links a page carries: on the front page, the list of every other page (after the
    contents); on the others, the front page, the contents and the pages either side."""
    if number == 1:
        items = "".join(
            f'<li><a href="{name}">{escape(page.label)}</a></li>'
            for page, name in zip(pages[1:], names[1:], strict=True)
        )
        return (
            '\n  <nav class="toc pages" aria-label="Pages"><h2 class="toc-title">Pages of this '
            f"edition</h2><ol>{items}</ol></nav>"
        )
    front = names[0]
    links = [f'<a href="{front}">Front page</a>', f'<a href="{front}#contents">Contents</a>']
    if number > 2:
        links.append(f'<a href="{names[number - 2]}" rel="prev">Previous page</a>')
    if number < len(pages):
        links.append(f'<a href="{names[number]}" rel="next">Next page</a>')
    where = f"Page {number} of {len(pages)}: {escape(pages[number - 1].label)}"
    return (
        f'<a class="to-contents" href="{front}#contents">Contents</a>\n'
        f'<nav class="pages" aria-label="Pages"><p class="description">{where} · '
        f"{' · '.join(links)}</p></nav>\n"
    )
