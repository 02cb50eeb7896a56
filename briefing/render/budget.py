"""The PDF within a page budget, filled in order of importance.

The PDF prints the first entries of one order of importance (``briefing.render.shown.priority``):
as many as fit in ``max_pages``. Each entry's size is known roughly before any layout, from its
words (``step_sizes``), and the pages a layout fills (whole pages and the share of the last one,
``LaidOut.filled``) grow about in line with the summed sizes. An order no longer than
``FIRST_PAGES`` times the budget would hold (at ``PAGE`` characters a page) is laid out whole
first; a longer one is laid out first with the brief and back matter alone (quick), then with
what fills the rest at ``PAGE`` characters a page. Each next layout takes the size at which the
line through the layouts nearest either side of the budget (or the two largest that fit) reaches
a full budget, halving the gap when two guesses in a row fall on one side, until a layout fits
with its last page ``FULL`` enough, the most known to fit and the fewest known not to are within
``CLOSE`` characters (under half a page), or after ``MAX_LAYOUTS`` layouts; the most known to fit
is written. An edition within its budget is laid out once and prints everything.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path

from briefing.models import Briefing
from briefing.render.document import LaidOut, PageSize, layout_pdf, render_html
from briefing.render.shown import Cut, priority, step_sizes

PAGE = 3500  # characters of entries a page about holds (measured: 3,000 to 4,500 here)
FIRST_PAGES = 1.5  # an order up to what 1.5 times the budget would hold is laid out whole first
CLOSE = 1500  # characters: the search stops when fitting and not fitting are this close...
FULL = 0.8  # ...or when a layout fits with its last page this full
MAX_LAYOUTS = 6


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
    size = list(accumulate(step_sizes(briefing, order), initial=0))  # of the first k steps
    tried: dict[int, tuple[str, LaidOut]] = {}

    def steps_within(characters: float) -> int:
        """The most steps whose sizes add up to at most so many characters."""
        return max(0, bisect_right(size, characters) - 1)

    def lay_out(steps: int) -> tuple[bool, float]:
        """Lay out the first ``steps`` entries: whether they fit, and the pages they fill."""
        cut = Cut.first(order, steps, citations)
        html = render_html(briefing, templates_dir, page_size=page_size, cut=cut)
        laid_out = layout_pdf(html, templates_dir, attachments=attachments, created=created)
        tried[steps] = (html, laid_out)
        return laid_out.pages <= max_pages, laid_out.filled

    goal = max_pages - (1 - FULL) / 2  # between full enough and full
    fits, over = -1, -1  # the most steps known to fit; the fewest known not to (-1: none yet)
    filled: dict[int, float] = {}  # the pages each layout filled, by its steps
    missed_on: bool | None = None  # the side the last guess between the two fell on
    # A short order is laid out whole; a long one starts from the brief and back matter alone.
    steps = len(order) if size[-1] <= PAGE * FIRST_PAGES * max_pages else 0
    while len(tried) < MAX_LAYOUTS:
        between = 0 <= fits < steps < over
        fitted, filled[steps] = lay_out(steps)
        if fitted:
            fits = steps
            if steps == len(order) or filled[steps] >= max_pages - 1 + FULL:
                break
        else:
            over = steps
        if fits < 0:  # the whole order is over: the brief alone is the line's other end
            steps = 0
            continue
        if over >= 0 and size[over] - size[fits] <= CLOSE:
            break
        if between and missed_on is fitted:  # two guesses short on one side: halve the gap
            target = (size[fits] + size[over]) / 2
        else:  # where the line through the nearest layouts either side (or the two largest
            # that fit, beyond them) reaches the goal: pages grow about in line with the sizes
            low = max((k for k in filled if k < fits), default=-1) if over < 0 else fits
            high = fits if over < 0 else over
            if low < 0 or high == low:  # one layout: PAGE characters a page
                target = size[high] + (goal - filled[high]) * PAGE
            else:
                slope = (filled[high] - filled[low]) / max(size[high] - size[low], 1)
                target = size[low] + (goal - filled[low]) / max(slope, 1 / (4 * PAGE))
        missed_on = fitted if between else None
        steps = max(steps_within(target), fits + 1)
        steps = min(steps, over - 1 if over >= 0 else len(order))
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
