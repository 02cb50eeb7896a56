"""Briefing -> HTML -> PDF.

HTML comes from the Jinja2 templates, with autoescape on and every formatting filter registered in
``build_environment``. PDF comes from WeasyPrint with a deny-by-default URL fetcher: a rendered
source can only ever load ``data:`` URLs and files inside the templates folder, never the network
or the rest of the disk. WeasyPrint is imported only when a PDF is wanted, because it needs Pango.
"""

import functools
import hashlib
import itertools
import mimetypes
import os
from collections.abc import Container, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
import jinja2.bccache
from markupsafe import Markup, escape

from briefing.errors import DependencyError, RenderError
from briefing.models import Briefing
from briefing.render import formatting
from briefing.render.figures import build_timeline_figure
from briefing.render.pages import PAGE_LIMIT, HtmlPage, Segments, page_marks, split_pages
from briefing.render.shown import Cut, build_shown, edition_counts
from briefing.render.webfonts import embed_fonts

TEMPLATE = "briefing.html"

APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
APT_RECOMMENDED = "libharfbuzz-subset0"


class _CompiledTemplates(jinja2.BytecodeCache):
    """The templates compiled once per process, not once per render: each render has its own
    environment (its globals differ), and compiling the templates took about 0.4 s each time.
    Kept on disk too (Jinja2's own cache folder, private to this user in the temporary folder),
    so a new process loads them instead of compiling (0.2 s of its first render, and of every
    `make briefing`). Jinja2 checks each entry against its template's source and this Python's
    bytecode version, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}
        self._disk: jinja2.FileSystemBytecodeCache | bool | None = False  # False: not opened

    def _on_disk(self) -> jinja2.FileSystemBytecodeCache | None:
        if self._disk is False:
            try:
                self._disk = jinja2.FileSystemBytecodeCache()
            except (OSError, RuntimeError):  # no private folder can be made: memory alone
                self._disk = None
        return self._disk if isinstance(self._disk, jinja2.FileSystemBytecodeCache) else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])
            return
        disk = self._on_disk()
        if disk is not None:
            disk.load_bytecode(bucket)
            if bucket.code is not None:
                self._compiled[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()
        disk = self._on_disk()
        if disk is not None:
            with suppress(OSError):  # a full or read-only disk: compiled again next time
                disk.dump_bytecode(bucket)


_COMPILED = _CompiledTemplates()


def build_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment for the briefing templates, with every formatting filter."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        bytecode_cache=_COMPILED,
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(formatting.FILTERS)
    environment.tests.update(formatting.TESTS)
    return environment


class CitationAnchors:
    """An id for each citation link, in document order, so each source can link back to every
    place that cites it; one per render."""

    def __init__(self) -> None:
        self._anchors: dict[int, list[str]] = {}

    def next(self, number: int) -> str:
        """The id of the next citation of source ``number``."""
        anchors = self._anchors.setdefault(number, [])
        anchors.append(f"cite-{number}-{len(anchors) + 1}")
        return anchors[-1]

    def of(self, number: int) -> list[str]:
        """The ids of the citations of source ``number`` so far."""
        return self._anchors.get(number, [])


class Citations:
    """A statement's citations as the templates print them (``cite``): one bracketed number per
    cited source, up to the cut's ``limit``, a link to its entry in the sources list when that
    list shows it (each link with an id of its own, ``CitationAnchors``, so the entry links back),
    then the outlet and the date it reported on, so no statement reads as newer than it is. With
    ``linked`` the outlet's name links to the article itself (a story's sources); with
    ``short`` only the numbers (a story's statements: its "Reported by" line names the outlets
    and dates). Past the limit, how many more the HTML and JSON editions hold.

    Written here, not as a template macro: the HTML edition of 2,000 items prints 9,700 of them,
    and the macro's calls and escapes were a quarter of its render."""

    def __init__(self, limit: int | None, listed: Container[int], anchors: CitationAnchors) -> None:
        self.limit = limit
        self.listed = listed
        self.anchors = anchors

    def __call__(
        self,
        numbers: Sequence[int],
        briefing: Briefing,
        linked: bool = False,
        short: bool = False,
    ) -> Markup:
        """The ``<span class="citations">`` of these source numbers."""
        out = ['<span class="citations">']
        for index, number in enumerate(numbers[: self.limit]):
            source = briefing.sources[number - 1]
            if index:
                out.append(" " if short else "; ")
            if number in self.listed:
                anchor = escape(self.anchors.next(number))
                out.append(
                    f'<a class="citation" id="{anchor}" href="#source-{number}">[{number}]</a>'
                )
            else:
                out.append(f'<span class="citation">[{number}]</span>')
            if short:
                continue
            outlet = escape(formatting.outlet(source))
            if linked and source.url is not None and formatting.is_web_url(source.url.value):
                out.append(f' <a href="{escape(source.url.value)}">{outlet}</a>')
            else:
                out.append(f" {outlet}")
            if source.published is not None:
                out.append(f", {escape(formatting.partial_date(source.published.value))}")
        if self.limit is not None and len(numbers) > self.limit:
            left = len(numbers) - self.limit
            if short:
                out.append(f" and {formatting.plural(left, 'more source', 'more sources')}")
            else:
                out.append(f"; and {left} more in the HTML and JSON editions")
        out.append("</span>")
        return Markup("".join(out))


_STYLESHEET_PLACE = "/* the stylesheet, its fonts embedded */"

PageSize = Literal["A4", "letter"]
"""Paper sizes an edition can be printed on; each is a CSS ``@page`` size keyword."""
STYLESHEET = "briefing.css"


def render_html(
    briefing: Briefing,
    templates_dir: Path,
    *,
    page_size: PageSize = "A4",
    standalone: bool = False,
    cut: Cut | None = None,
    json_attached: bool = True,
) -> str:
    """Render the briefing to an HTML document with the templates in templates_dir.

    ``standalone`` puts the stylesheet inside the document, for the HTML edition read in a
    browser (``render_standalone_html``, decoded); otherwise it is linked, for WeasyPrint to
    fetch from the templates folder. ``page_size`` becomes the ``@page`` size; only the fixed
    keywords of ``PageSize`` get into CSS. Without ``cut`` every list is shown whole (the HTML
    edition); with one, each list shows what the cut takes and says how many more the HTML and
    JSON editions hold (the PDF's lists, ``briefing.render.shown``). ``json_attached``: the
    print HTML says the JSON edition is attached to the PDF, else that it is beside it.
    """
    if standalone:
        pieces = render_standalone_html(briefing, templates_dir, page_size=page_size, cut=cut)
        return b"".join(pieces).decode("utf-8")
    with _rendering(templates_dir):
        template, context = _prepared(briefing, templates_dir, page_size, cut, standalone=False)
        return template.render({**context, "json_attached": json_attached})


# Chunks of the template's output joined, searched and encoded at a time: one regex search and
# one encode per chunk cost more than the chunk did.
_BATCH = 2048


def render_standalone_html(
    briefing: Briefing,
    templates_dir: Path,
    *,
    page_size: PageSize = "A4",
    cut: Cut | None = None,
) -> tuple[bytes, ...]:
    """The HTML edition as one page of UTF-8, its stylesheet inside it, fonts embedded
    (``render_html``), in pieces to be written one after another (``render_html_pages`` with
    no limit)."""
    (page,) = render_html_pages(briefing, templates_dir, page_size=page_size, cut=cut, limit=None)
    return page.pieces


def render_html_pages(
    briefing: Briefing,
    templates_dir: Path,
    *,
    page_size: PageSize = "A4",
    cut: Cut | None = None,
    stem: str | None = None,
    limit: int | None = PAGE_LIMIT,
) -> tuple[HtmlPage, ...]:
    """The HTML edition as UTF-8 pages, each its stylesheet inside it, fonts embedded: one page
    when it is at most ``limit`` bytes, else linked pages (``briefing.render.pages``) named after
    ``stem`` (``briefing-DATE`` by default), the front page first.

    The edition is never held whole as text: the template's output is encoded as it comes, a
    batch of its pieces at a time, cut where the template marks that a page may begin. As text
    it took two bytes a character (it has characters past Latin-1); at 2,000 items (9.6 MB)
    19 MB held and 25 MB more while rendering, against 9.6 MB held and 17 MB at the peak now.
    """
    with _rendering(templates_dir):
        stylesheet = (templates_dir / STYLESHEET).read_text(encoding="utf-8")
        template, context = _prepared(briefing, templates_dir, page_size, cut, standalone=True)
        chunks = template.generate(context)
        before: list[str] = []  # the page up to the stylesheet's place, until it is reached
        head: str | None = None  # then that part, the rest going to ``segments``
        segments = Segments()
        while batch := list(itertools.islice(chunks, _BATCH)):  # a piece may be empty
            piece = "".join(batch)
            if head is None:
                if _STYLESHEET_PLACE not in piece:
                    before.append(piece)
                    continue
                start, piece = piece.split(_STYLESHEET_PLACE, 1)
                head = "".join(before) + start
            segments.feed(piece)
        segments.close()
        if head is None:
            raise RenderError(f"{templates_dir / TEMPLATE} has no place for the stylesheet")

        def fonts(wide: set[str]) -> str:
            # The fonts cut to the characters a page holds, so known only once it is rendered.
            return embed_fonts(stylesheet, templates_dir, "".join(sorted(wide)))

        name = stem if stem is not None else f"briefing-{briefing.edition_date.isoformat()}"
        return split_pages(head, segments, fonts, stem=name, limit=limit)


@contextmanager
def _rendering(templates_dir: Path) -> Iterator[None]:
    """Template and stylesheet errors as RenderError."""
    try:
        yield
    except jinja2.TemplateError as exc:  # first: a missing template is also an OSError
        raise RenderError(f"cannot render {templates_dir / TEMPLATE}: {exc}") from exc
    except OSError as exc:
        raise RenderError(f"cannot read {templates_dir / STYLESHEET}: {exc.strerror}") from exc


def _prepared(
    briefing: Briefing,
    templates_dir: Path,
    page_size: str,
    cut: Cut | None,
    *,
    standalone: bool,
) -> tuple[jinja2.Template, dict[str, Any]]:
    """The template and what it is rendered with."""
    if page_size not in get_args(PageSize):
        raise RenderError(f"unknown page size {page_size!r}; use one of {get_args(PageSize)}")
    environment = build_environment(templates_dir)
    # Globals, so that the macros imported without context see them too.
    shown = build_shown(briefing, cut)
    anchors = CitationAnchors()
    environment.globals["citation_anchors"] = anchors
    environment.globals["cite"] = Citations(shown.citation_limit, shown.listed_numbers, anchors)
    environment.globals.update(page_marks(standalone))
    context = {
        "briefing": briefing,
        "shown": shown,
        "page_size": page_size,
        "stylesheet": Markup(_STYLESHEET_PLACE) if standalone else None,
        "for_print": not standalone,
        "timeline_figure": build_timeline_figure(briefing, shown.drawn_on_timeline),
        "counts": edition_counts(briefing),
        "new_ids": briefing.new_ids,
    }
    return environment.get_template(TEMPLATE), context


def _require_weasyprint() -> None:
    """Raise DependencyError, naming the packages to install, if WeasyPrint cannot load Pango."""
    try:
        import weasyprint  # noqa: F401  # imported here only to learn whether Pango loads
    except OSError as exc:
        raise DependencyError(
            f"WeasyPrint cannot load its system libraries ({exc}). On Debian or Ubuntu install "
            f"them with `apt-get install {APT_PACKAGES}`, and also `{APT_RECOMMENDED}`, "
            "without which fonts are subset more slowly and WeasyPrint logs a warning."
        ) from exc


@functools.cache
def _fetcher_class() -> type[Any]:
    # Built on first use so that importing this module does not import WeasyPrint.
    _require_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplatesOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
        """Loads data: URLs and files inside one folder; refuses every other URL."""

        def __init__(self, templates_dir: Path) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.root = templates_dir.resolve()

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            """Return the resource at url if it is allowed; raise PermissionError otherwise."""
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file" and parts.netloc in {"", "localhost"}:
                # realpath resolves ".." and symlinks before the check, not after.
                path = Path(os.path.realpath(url2pathname(parts.path)))
                if path.is_relative_to(self.root) and path.is_file():
                    content_type = mimetypes.guess_type(path.name)[0]
                    return URLFetcherResponse(
                        path.as_uri(),
                        body=path.read_bytes(),
                        headers={"Content-Type": content_type or "application/octet-stream"},
                    )
            raise PermissionError(
                f"refused to fetch {url[:200]!r}: only data: URLs and files inside "
                f"{self.root} may be loaded"
            )

    return TemplatesOnlyFetcher


def build_url_fetcher(templates_dir: Path) -> Any:
    """A WeasyPrint URL fetcher allowing only data: URLs and files inside templates_dir."""
    return _fetcher_class()(templates_dir)


@dataclass(frozen=True)
class LaidOut:
    """A PDF laid out in pages but not yet written: count its pages, then write it, with no
    second layout."""

    document: Any  # weasyprint.Document
    options: Mapping[str, Any]

    @property
    def pages(self) -> int:
        """How many pages the PDF has."""
        return len(self.document.pages)

    @property
    def filled(self) -> float:
        """How many pages the content fills: the whole pages before the last, and the share of
        the last one's height its content takes (the page count where WeasyPrint's boxes,
        which are not its public API, do not say)."""
        try:
            page = self.document.pages[-1]._page_box
            html = next(box for box in page.children if box.element_tag == "html")
            share = min(max(html.height / page.height, 0.0), 1.0)
        except (AttributeError, IndexError, StopIteration, TypeError, ZeroDivisionError):
            return float(self.pages)
        return float(self.pages - 1 + share)

    def write(self) -> bytes:
        """The PDF's bytes, from the pages already laid out."""
        try:
            pdf = self.document.write_pdf(**self.options)
        except Exception as exc:
            raise RenderError(f"WeasyPrint could not write the briefing: {exc}") from exc
        if not isinstance(pdf, bytes):
            raise RenderError(f"WeasyPrint returned {type(pdf).__name__}, not PDF bytes")
        return pdf


def pdf_options(
    html: str, attachments: Sequence[tuple[str, bytes, str]] = (), created: date | None = None
) -> dict[str, Any]:
    """The options ``HTML.write_pdf`` gives both the layout and the writing of an edition's PDF:
    PDF/UA-1, ``attachments`` (file name, bytes, description) embedded and dated ``created``,
    and an identifier from the HTML, so the same inputs always give the same bytes."""
    import weasyprint

    stamp = datetime.combine(created or date(1970, 1, 1), time(), tzinfo=UTC)
    files = [
        weasyprint.Attachment(
            string=data,
            name=name,
            description=description,
            created=stamp,
            modified=stamp,
            relationship="Data",
        )
        for name, data, description in attachments
    ]
    return {
        "pdf_variant": "pdf/ua-1",
        "attachments": files,
        "pdf_identifier": hashlib.sha256(html.encode("utf-8")).digest()[:16],
    }


def layout_pdf(
    html: str,
    templates_dir: Path,
    *,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    created: date | None = None,
) -> LaidOut:
    """Lay out an HTML document as a tagged PDF's pages (PDF/UA-1), resolving relative URLs
    against templates_dir, with ``pdf_options``."""
    _require_weasyprint()
    import weasyprint

    fetcher = build_url_fetcher(templates_dir)
    base_url = templates_dir.resolve().as_uri() + "/"
    options = pdf_options(html, attachments, created)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            **options
        )
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not render the briefing: {exc}") from exc
    return LaidOut(document, options)


def render_pdf(
    html: str,
    templates_dir: Path,
    *,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    created: date | None = None,
) -> bytes:
    """Render an HTML document to a tagged PDF (PDF/UA-1): ``layout_pdf``, then written."""
    return layout_pdf(html, templates_dir, attachments=attachments, created=created).write()
