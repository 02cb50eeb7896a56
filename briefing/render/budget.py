"""The PDF within a page budget, filled in order of importance, laid out once as a rule.

The PDF prints the first entries of one order of importance (``briefing.render.shown.priority``):
about as many as fit in ``max_pages``. A layout is what costs (WeasyPrint: about 0.1 s a page
here), the print HTML of a cut is cheap (its template, 20-80 ms), and the pages a layout fills
(whole pages and the share of the last one, ``LaidOut.filled``) follow from its HTML closely
(``estimate_pages``): its text, its lines (list items and paragraphs) and its table rows. So the
cut is found on the HTML alone, as the most entries whose estimate reaches ``GOAL`` pages short of
the budget, and laid out once. Only when that layout does not fit, or leaves its last page less
than ``FULL``, is the estimate corrected by what the layout measured and the cut laid out again
(at most ``MAX_LAYOUTS`` in all); the most known to fit is written. An edition within its budget
is laid out once and prints everything.
"""

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path

from briefing.heap import collects_once_after
from briefing.models import Briefing
from briefing.render.document import LaidOut, PageSize, layout_pdf, render_html
from briefing.render.shown import Cut, order_of_importance, step_sizes

PAGE = 3500  # characters of entries a page about holds (measured: 3,000 to 4,500 here)
GOAL = 0.3  # the estimate aims this much of a page short of the budget: its error is within 0.25
FULL = 0.5  # a layout that fits with its last page less full than this is tried again, larger
CLOSE = 1500  # characters: fitting and not fitting this close, no further layout is tried
MAX_LAYOUTS = 4
FIRST_PAGES = 1.5  # an order this many times the room left in characters is tried whole first
MAX_GUESSES = 16  # print HTML rendered in one search at most
SLACK = 0.2  # pages: a cut whose estimate is this close to the goal is taken (its error is more)
REACH = 4  # no PDF prints entries of more than this many times PAGE characters a page

# The pages a print HTML fills, from its body: pages = text characters x TEXT + (list items and
# paragraphs) x LINE + table rows x ROW + BASE. Least squares over 22 layouts of four editions,
# fitted on 7 December 2026: the seed edition (cut at 0-145 of its 145 entries), the news set's
# (0-146 of 146) and the benchmark's 2,000- and 20,000-item editions (0-70 and 0-45 of 9,026 and
# 80,368), each within 0.62 pages; fitted on three, the fourth was off by up to 2 pages. The
# search lays out again with the error a layout measured (docs/edition.md).
TEXT = 1.78e-4  # about 5,600 characters of text a page, beside the lines' own room
LINE = 0.0135
ROW = 0.0551
BASE = 0.763
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_LINE = re.compile(r"<(?:li|p)[\s>]")
_ROW = re.compile(r"<tr[\s>]")


def estimate_pages(html: str) -> float:
    """About how many pages (``LaidOut.filled``) the print HTML fills, before any layout."""
    body = html.split("<body", 1)[-1]
    text = len(_SPACE.sub(" ", _TAG.sub(" ", body)).strip())
    lines, rows = len(_LINE.findall(body)), len(_ROW.findall(body))
    return text * TEXT + lines * LINE + rows * ROW + BASE


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


@collects_once_after
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
    allows: the most entries of the order of importance that fit (see the module). The
    collector waits for its end (``collects_once_after``): its layouts' objects are in use."""
    order = order_of_importance(briefing, list_limit)
    # The sizes of the first k steps, as far as a PDF could ever reach: ``REACH`` times the
    # characters the budget holds (at 20,000 items the order has 80,000 steps, 33 printed).
    size = list(accumulate(step_sizes(briefing, order, REACH * PAGE * max_pages), initial=0))
    reach = len(size) - 1  # steps whose size is known
    attached = bool(attachments)
    html_of: dict[int, str] = {}
    estimated: dict[int, float] = {}
    tried: dict[int, tuple[str, LaidOut]] = {}

    def html(steps: int) -> str:
        if steps not in html_of:
            cut = Cut.first(order, steps, citations)
            html_of[steps] = render_html(
                briefing, templates_dir, page_size=page_size, cut=cut, json_attached=attached
            )
            estimated[steps] = estimate_pages(html_of[steps])
        return html_of[steps]

    def estimate(steps: int) -> float:
        html(steps)
        return estimated[steps]

    def lay_out(steps: int) -> LaidOut:
        laid_out = layout_pdf(html(steps), templates_dir, attachments=attachments, created=created)
        tried[steps] = (html(steps), laid_out)
        return tried[steps][1]

    fits, over = -1, reach + 1  # the most steps known to fit; the fewest known not to
    correction = 0.0  # what the layouts measured beyond the estimate
    room = (max_pages - estimate(0)) * PAGE * FIRST_PAGES  # characters of entries, about
    # Everything printed is worth a layout whenever the estimate does not rule it out.
    whole = reach == len(order) and size[-1] <= room and estimate(len(order)) <= max_pages
    while len(tried) < MAX_LAYOUTS:
        goal = max_pages - GOAL - correction
        if whole and not tried:
            steps = len(order)
        else:
            steps = max(_most_within(estimate, goal, fits + 1, over - 1, size), 0)
        if steps in tried:  # the estimate, corrected, points where a layout already was
            break
        laid_out = lay_out(steps)
        correction = laid_out.filled - estimated[steps]
        if laid_out.pages <= max_pages:
            fits = steps
            full = laid_out.filled >= max_pages - 1 + FULL
            if steps == len(order) or full:
                break
        else:
            over = steps
        if fits >= 0 and size[min(over, reach)] - size[fits] <= CLOSE:
            break
        if over <= fits + 1:
            break
    best = max(fits, 0)
    if best not in tried:
        lay_out(best)
    chosen, laid_out = tried[best]
    return Printed(
        pdf=laid_out.write(),
        html=chosen,
        pages=laid_out.pages,
        cut=Cut.first(order, best, citations),
        steps=best,
        of=len(order),
        layouts=len(tried),
    )


def _most_within(
    estimate: Callable[[int], float], goal: float, low: int, high: int, size: Sequence[int]
) -> int:
    """The most steps in [low, high] whose estimated pages are within the goal (about: the
    estimate is not strictly monotonic), ``low - 1`` when none is. Searched on the HTML alone and
    never far past the goal: each guess puts the goal on the line the estimates so far draw
    through the entries' sizes (``PAGE`` characters a page before there are two), so a long
    order is never rendered whole."""
    low, high = max(low, 0), max(high, low, 0)
    if estimate(low) > goal:
        return low - 1  # not one step more (-1: not even the brief alone)
    if size[high] - size[low] <= PAGE * (goal - estimate(low)) * FIRST_PAGES and (
        estimate(high) <= goal
    ):
        return high  # a short order that fits the goal whole
    fitting, beyond = low, high + 1  # the most steps within the goal; the fewest past it
    for _ in range(MAX_GUESSES):
        if beyond - fitting <= 1 or goal - estimate(fitting) <= SLACK:
            break
        per_page: float = PAGE
        if beyond <= high:  # the line through the two nearest either side
            rise = estimate(beyond) - estimate(fitting)
            per_page = (size[beyond] - size[fitting]) / max(rise, 1e-6)
        target = size[fitting] + (goal - estimate(fitting)) * per_page
        guess = bisect_right(size, target) - 1
        if beyond <= high and guess in (fitting, beyond - 1, beyond):  # no progress: halve
            guess = (fitting + beyond) // 2
        guess = min(max(guess, fitting + 1), beyond - 1)
        if estimate(guess) <= goal:
            fitting = guess
        else:
            beyond = guess
    return fitting
