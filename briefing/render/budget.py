"""The PDF within a page budget, filled in order of importance.

The PDF prints the first entries of one order of importance (``briefing.render.shown.priority``):
as many as fit in ``max_pages``. It is laid out first with the whole order, or with at most
``PER_PAGE`` entries a page of the budget when the order is longer (a page holds fewer: that
layout is over the budget, and its page count tells how many to try next). When the first
layout is over the budget, the number of entries is searched between the most known to fit and
the fewest known not to, by the pages each layout took (interpolated, then halving the gap),
until they are ``CLOSE`` or after ``MAX_LAYOUTS`` layouts; the most known to fit is written.
An edition within its budget is laid out once and prints everything.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from briefing.models import Briefing
from briefing.render.document import LaidOut, PageSize, layout_pdf, render_html
from briefing.render.shown import Cut, priority

PER_PAGE = 40  # more entries than a page can hold: the first layout of a long order overflows
MAX_LAYOUTS = 6
# The search stops when the most known to fit and the fewest known not to are this close, as a
# share of the order (a layout of 16 pages takes about 1.5 s here): at most 1 entry in 40 unused.
CLOSE = 1 / 40


@dataclass(frozen=True)
class Printed:
    """The PDF, the HTML it was laid out from, and what it took to fit the budget."""

    pdf: bytes
    html: str
    pages: int
    cut: Cut  # what the PDF shows
    steps: int  # entries of the order printed
    of: int  # entries in the order
    layouts: int  # 1 when everything fitted at once


def render_bounded_pdf(
    briefing: Briefing,
    templates_dir: Path,
    *,
    max_pages: int,
    citations: int,
    list_limit: int | None = None,
    page_size: PageSize = "A4",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    created: date | None = None,
) -> Printed:
    """The briefing as a PDF of at most ``max_pages`` pages, or of the fewest the brief
    allows: the most entries of the order of importance that fit (see the module)."""
    order = priority(briefing, list_limit)
    tried: dict[int, tuple[str, LaidOut]] = {}

    def lay_out(steps: int) -> int:
        cut = Cut.first(order, steps, citations)
        html = render_html(briefing, templates_dir, page_size=page_size, cut=cut)
        laid_out = layout_pdf(html, templates_dir, attachments=attachments, created=created)
        tried[steps] = (html, laid_out)
        return laid_out.pages

    fits, over = -1, None  # the most steps known to fit; the fewest known not to
    pages_fit, pages_over = 0, 0
    steps = min(len(order), PER_PAGE * max_pages)
    halve = False
    while len(tried) < MAX_LAYOUTS:
        pages = lay_out(steps)
        if pages <= max_pages:
            fits, pages_fit = steps, pages
            if steps == len(order):
                break
        else:
            over, pages_over = steps, pages
        if over is None:  # all tried fit, but the order goes on: try twice as many
            steps = min(len(order), 2 * steps)
            continue
        if over - fits <= max(1, int(len(order) * CLOSE)) and fits >= 0:
            break
        low = max(fits, 0)
        if fits < 0:  # pages grow about in proportion to the entries
            guess = int(over * (max_pages + 0.5) / pages_over)
        elif halve:
            guess = (low + over) // 2
        else:  # the step the pages reach the budget's end, on the line through both layouts
            share = (max_pages + 0.99 - pages_fit) / max(pages_over - pages_fit, 1)
            guess = low + int((over - low) * share)
        steps = min(max(guess, low + 1 if fits >= 0 else 0), over - 1)
        halve = not halve
        if steps in tried:
            break
    best = max(fits, 0)
    if best not in tried:
        lay_out(best)
    html, laid_out = tried[best]
    return Printed(
        pdf=laid_out.write(),
        html=html,
        pages=laid_out.pages,
        cut=Cut.first(order, best, citations),
        steps=best,
        of=len(order),
        layouts=len(tried),
    )
