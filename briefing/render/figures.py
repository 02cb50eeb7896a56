"""Geometry for the figures the templates draw as SVG: here the numbers, there the markup."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from briefing.models import Briefing, When

WIDTH = 680.0
HEIGHT = 150.0
MARGIN = 24.0
AXIS_Y = 78.0
WINDOW = timedelta(days=4 * 365)  # the figure shows events from the last four years
LANES = (18.0, 36.0, 54.0)  # heights above (events) or below (milestones) the axis


@dataclass(frozen=True)
class Mark:
    """One numbered point on the timeline: an event above the axis, a milestone below."""

    x: float
    y: float
    label: str
    kind: str  # "event" or "milestone"
    span_start: float  # where the time interval starts and ends, for a bar under the mark
    span_end: float


@dataclass(frozen=True)
class Tick:
    """A year on the axis."""

    x: float
    label: str


@dataclass(frozen=True)
class TimelineFigure:
    """Everything the template needs to draw the timeline."""

    width: float
    height: float
    axis_y: float
    left: float
    right: float
    ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    today_x: float
    left_out: int  # events older than the window, which only the table lists


def _midpoint(when: When) -> date:
    return when.start + (when.end - when.start) / 2


def _dated(
    briefing: Briefing, drawn: Collection[str] | None = None
) -> list[tuple[str, str, str, When]]:
    """The timeline's events, then the milestones, that have a time: label, kind, fact id and
    time; with ``drawn``, only those of these fact ids. Worked out once per edition
    (``Briefing.derived``) when all are asked for (the HTML edition); a PDF's few, each
    render (at 20,000 items the timeline has thousands of events and a PDF draws a handful)."""
    key = "timeline figure: dated entries"
    if key not in briefing.derived and drawn is not None:
        return _dated_of(briefing, drawn)
    dated = briefing.derive(key, lambda: _dated_of(briefing, None))
    return [entry for entry in dated if drawn is None or entry[2] in drawn]


def _dated_of(
    briefing: Briefing, drawn: Collection[str] | None
) -> list[tuple[str, str, str, When]]:
    events = [
        (str(number), "event", fact_id, briefing.fact(fact_id).when)
        for number, fact_id in enumerate(briefing.timeline, start=1)
        if drawn is None or fact_id in drawn
    ]
    milestones = [
        (f"M{number}", "milestone", milestone.fact_id, briefing.fact(milestone.fact_id).when)
        for number, milestone in enumerate(briefing.milestones, start=1)
        if drawn is None or milestone.fact_id in drawn
    ]
    entries = [*events, *milestones]
    return [(label, kind, fact_id, when) for label, kind, fact_id, when in entries if when]


def build_timeline_figure(
    briefing: Briefing, drawn: Collection[str] | None = None
) -> TimelineFigure | None:
    """Lay out the timeline's events and milestones on a dated axis; None with nothing to draw.

    Events are numbered 1, 2, ... and milestones M1, M2, ... as in the tables beside the figure;
    with ``drawn``, only the events and milestones of those fact ids (the ones the tables show).
    """
    entries = [(label, kind, when) for label, kind, _, when in _dated(briefing, drawn)]
    window_start = briefing.edition_date - WINDOW
    shown = [entry for entry in entries if entry[2].end >= window_start]
    if not shown:
        return None
    first = min(min(entry[2].start for entry in shown), briefing.edition_date)
    last = max(max(entry[2].end for entry in shown), briefing.edition_date)
    first, last = date(first.year, 1, 1), date(last.year + 1, 1, 1)
    span = (last - first).days

    def x_of(day: date) -> float:
        clamped = min(max(day, first), last)
        return MARGIN + (WIDTH - 2 * MARGIN) * (clamped - first).days / span

    marks = []
    lane_ends: dict[tuple[str, int], float] = {}
    for label, kind, when in sorted(shown, key=lambda entry: _midpoint(entry[2])):
        x = x_of(_midpoint(when))
        lane = next(
            (i for i in range(len(LANES)) if lane_ends.get((kind, i), -1e9) < x - 14),
            len(LANES) - 1,
        )
        lane_ends[(kind, lane)] = x
        offset = LANES[lane]
        marks.append(
            Mark(
                x=round(x, 1),
                y=round(AXIS_Y - offset if kind == "event" else AXIS_Y + offset, 1),
                label=label,
                kind=kind,
                span_start=round(x_of(when.start), 1),
                span_end=round(x_of(when.end), 1),
            )
        )
    ticks = tuple(
        Tick(x=round(x_of(date(year, 1, 1)), 1), label=str(year))
        for year in range(first.year, last.year + 1)
    )
    return TimelineFigure(
        width=WIDTH,
        height=HEIGHT,
        axis_y=AXIS_Y,
        left=MARGIN,
        right=WIDTH - MARGIN,
        ticks=ticks,
        marks=tuple(marks),
        today_x=round(x_of(briefing.edition_date), 1),
        left_out=len(entries) - len(shown),
    )
