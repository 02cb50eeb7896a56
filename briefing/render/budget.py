"""The PDF within a page budget, filled in order of importance.

The PDF prints the first entries of one order of importance (``briefing.render.shown.priority``):
as many as fit in ``max_pages``. Each entry's size is known roughly before any layout, from its
words (``step_sizes``), and the pages a layout fills (whole pages and the share of the last one,
``LaidOut.filled``) grow about in line with the summed sizes. The PDF is laid out first with the
whole order, or with what ``FIRST_PAGES`` times the budget would hold when the order is longer.
Over the budget, the next layout takes the size at which the line through the layouts closest
above and below the budget reaches a full budget (the first layout below it, when the first is
over, is of the brief and back matter alone, which is quick), halving when two in a row miss on
one side, until a layout fits with its last page ``FULL`` enough, the most known to fit and the
fewest known not to are within ``CLOSE`` characters (under half a page), or after
``MAX_LAYOUTS`` layouts; the most known to fit is written. An edition within its budget is laid
out once and prints everything.
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
FIRST_PAGES = 1.5  # the first layout of a long order: what 1.5 times the budget would hold
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

    def lay_out(steps: int) -> int:
        cut = Cut.first(order, steps, citations)
        html = render_html(briefing, templates_dir, page_size=page_size, cut=cut)
        laid_out = layout_pdf(html, templates_dir, attachments=attachments, created=created)
        tried[steps] = (html, laid_out)
        return laid_out.pages

    fits, over = -1, None  # the most steps known to fit; the fewest known not to
    filled: dict[int, float] = {}  # the pages each layout filled, by its steps
    sides: list[bool] = []  # whether each layout fitted, in turn
    steps = min(len(order), steps_within(PAGE * FIRST_PAGES * max_pages))
    goal = max_pages - (1 - FULL) / 2  # between full enough and full
    while len(tried) < MAX_LAYOUTS:
        lay_out(steps)
        filled[steps] = tried[steps][1].filled
        sides.append(tried[steps][1].pages <= max_pages)
        if sides[-1]:
            fits = steps
            if steps == len(order) or filled[steps] >= max_pages - 1 + FULL:
                break
        else:
            over = steps
        if over is None:  # all tried fit, but the order goes on: try twice as much
            steps = min(len(order), steps_within(2 * size[steps] + PAGE))
            continue
        if fits < 0:  # the brief and back matter alone: a cheap layout, and the line's start
            steps = 0
            continue
        if size[over] - size[fits] <= CLOSE:
            break
        if sides[-2:] in ([True, True], [False, False]):  # the line misses on one side: halve
            target = (size[fits] + size[over]) / 2
        else:  # where the line through the layouts either side of the budget reaches the goal
            share = (goal - filled[fits]) / max(filled[over] - filled[fits], 0.01)
            target = size[fits] + (size[over] - size[fits]) * share
        steps = min(max(steps_within(target), fits + 1), over - 1)
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
