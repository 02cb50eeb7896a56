"""Briefing -> HTML -> PDF.

HTML comes from the Jinja2 templates, with autoescape on and every formatting filter registered in
``build_environment``. PDF comes from WeasyPrint with a deny-by-default URL fetcher: a rendered
source can only ever load ``data:`` URLs and files inside the templates folder, never the network
or the rest of the disk. WeasyPrint is imported only when a PDF is wanted, because it needs Pango.
"""

import functools
import mimetypes
import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2

from briefing.errors import DependencyError, RenderError
from briefing.models import Briefing, Evidence, PartialDate, SourceType

TEMPLATE = "briefing.html"

PageSize = Literal["A4", "letter"]
"""Paper sizes an edition can be printed on; each is a CSS ``@page`` size keyword."""

# Spelled out here rather than taken from the locale, so every machine prints the same dates.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

SOURCE_TYPE_LABELS = {
    SourceType.NEWS: "News report",
    SourceType.ANALYSIS: "Analysis",
    SourceType.WIRE: "Wire report",
}

APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
APT_RECOMMENDED = "libharfbuzz-subset0"


def long_date(value: date) -> str:
    """Format a date as "13 January 2023"."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def partial_date(value: PartialDate) -> str:
    """Format a partial date to its precision: "13 January 2023", "January 2023" or "2023"."""
    if value.month is None:
        return str(value.year)
    if value.day is None:
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def display(value: object) -> str:
    """Format any metadata value for a reader: dates in words, everything else as text."""
    if isinstance(value, PartialDate):
        return partial_date(value)
    if isinstance(value, date):
        return long_date(value)
    return str(value)


def source_type_label(value: SourceType) -> str:
    """Name a source type in words: "News report", "Analysis", "Wire report"."""
    return SOURCE_TYPE_LABELS[value]


def cited_numbers(evidence: Iterable[Evidence], briefing: Briefing) -> list[int]:
    """The distinct citation numbers of the documents a fact's evidence comes from, ascending."""
    return sorted({briefing.source_number(item.document_id) for item in evidence})


def is_web_url(value: object) -> bool:
    """Whether a value is an http(s) URL, the only kind a source URL is made a link for."""
    return isinstance(value, str) and urlsplit(value).scheme.lower() in {"http", "https"}


def build_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment for the briefing templates, with every formatting filter."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        long_date=long_date,
        partial_date=partial_date,
        display=display,
        source_type=source_type_label,
        cited_numbers=cited_numbers,
    )
    environment.tests["web_url"] = is_web_url
    return environment


def render_html(briefing: Briefing, templates_dir: Path, page_size: PageSize = "A4") -> str:
    """Render the briefing to an HTML document with the templates in templates_dir.

    ``page_size`` becomes the ``@page`` size; only the fixed keywords of ``PageSize`` get into CSS.
    """
    if page_size not in get_args(PageSize):
        raise RenderError(f"unknown page size {page_size!r}; use one of {get_args(PageSize)}")
    try:
        template = build_environment(templates_dir).get_template(TEMPLATE)
        return template.render(briefing=briefing, page_size=page_size)
    except jinja2.TemplateError as exc:
        raise RenderError(f"cannot render {templates_dir / TEMPLATE}: {exc}") from exc


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


def render_pdf(html: str, templates_dir: Path) -> bytes:
    """Render an HTML document to PDF bytes, resolving relative URLs against templates_dir."""
    _require_weasyprint()
    import weasyprint

    fetcher = build_url_fetcher(templates_dir)
    base_url = templates_dir.resolve().as_uri() + "/"
    try:
        pdf = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not render the briefing: {exc}") from exc
    if not isinstance(pdf, bytes):
        raise RenderError(f"WeasyPrint returned {type(pdf).__name__}, not PDF bytes")
    return pdf
