"""The PDF within a page budget, whatever the number of items.

The PDF is laid out with the print limits (``briefing.render.shown``). While it has more pages
than the budget, it is laid out again with every list's limit halved (rounded down, to none)
and the citations per statement halved (down to one), until it fits or halving changes nothing.
The layout that fits is the one written, so an edition within the budget is laid out once.
A statement is never cut: only how many statements, notes and sources are shown changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from briefing.models import Briefing
from briefing.render.document import PageSize, layout_pdf, render_html
from briefing.render.shown import Limits


@dataclass(frozen=True)
class Printed:
    """The PDF, the HTML it was laid out from, and what it took to fit the budget."""

    pdf: bytes
    html: str
    pages: int
    limits: Limits  # the limits of the layout written
    layouts: int  # 1 when the print limits fitted


def render_bounded_pdf(
    briefing: Briefing,
    templates_dir: Path,
    *,
    limits: Limits,
    max_pages: int,
    page_size: PageSize = "A4",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    created: date | None = None,
) -> Printed:
    """The briefing as a PDF of at most ``max_pages`` pages, or of the fewest the limits' floor
    allows: laid out within ``limits``, then with each limit halved while it has too many."""
    layouts = 0
    while True:
        html = render_html(briefing, templates_dir, page_size=page_size, limits=limits)
        laid_out = layout_pdf(html, templates_dir, attachments=attachments, created=created)
        layouts += 1
        if laid_out.pages <= max_pages or limits.at_floor:
            return Printed(laid_out.write(), html, laid_out.pages, limits, layouts)
        limits = limits.halved()
