"""Where an edition's PDF, HTML and JSON can be opened: pure, from the files and the base URL."""

from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urljoin


class EditionLinks(NamedTuple):
    """The address of each of an edition's files, and whether they are http addresses."""

    pdf: str
    html: str
    json: str
    over_http: bool


def edition_links(
    pdf: Path, html: Path, json: Path, *, served_dir: Path, base_url: str | None
) -> EditionLinks:
    """http addresses under ``base_url`` when the files are in the folder served there; else
    their file:// addresses (which a browser opens only on the machine that wrote them)."""
    files = (pdf.resolve(), html.resolve(), json.resolve())
    served = served_dir.resolve()
    if base_url is not None and all(path.parent == served for path in files):
        pdf_url, html_url, json_url = (urljoin(base_url, quote(path.name)) for path in files)
        return EditionLinks(pdf_url, html_url, json_url, over_http=True)
    pdf_uri, html_uri, json_uri = (path.as_uri() for path in files)
    return EditionLinks(pdf_uri, html_uri, json_uri, over_http=False)
