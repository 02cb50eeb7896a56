"""Tests for briefing.render.figures: where the timeline figure puts its marks and ticks."""

from datetime import date

from briefing.models import Briefing, Evidence, Fact, Milestone, Section, SourceDocument, When
from briefing.render.figures import Mark, Tick, TimelineFigure, build_timeline_figure

EDITION_DATE = date(2023, 1, 20)

OLD = "The first joint study was signed in 2015."
TENTH = "The working group met on Jan. 10."
THIRTEENTH = "The framework agreement was signed on Jan. 13."
UNDATED = "The two agencies also exchanged letters."
TARGET = "JAXA plans to launch the rover in 2025."
TEXT = " ".join([OLD, TENTH, THIRTEENTH, UNDATED, TARGET])
SOURCE = SourceDocument(
    id="wire",
    text=TEXT,
    location="wire.txt",
    source_type="wire",
    outlet=None,
    title=None,
    author=None,
    published=None,
    url=None,
)


def day(text: str, on: date) -> When:
    """A time known to the day."""
    return When(text=text, start=on, end=on, precision="day")


def year(text: str, value: int) -> When:
    """A time known to the year."""
    return When(text=text, start=date(value, 1, 1), end=date(value, 12, 31), precision="year")


def fact(fact_id: str, statement: str, when: When | None) -> Fact:
    """A civil-space fact quoting its statement from the one source."""
    start = TEXT.index(statement)
    quote = Evidence(document_id="wire", start=start, end=start + len(statement), quote=statement)
    return Fact(id=fact_id, statement=statement, theme="civil-space", when=when, evidence=(quote,))


FACTS = (
    fact("old", OLD, year("2015", 2015)),
    fact("tenth", TENTH, day("Jan. 10", date(2023, 1, 10))),
    fact("thirteenth", THIRTEENTH, day("Jan. 13", date(2023, 1, 13))),
    fact("undated", UNDATED, None),
    fact("target", TARGET, year("2025", 2025)),
)


def briefing(timeline: tuple[str, ...], milestones: tuple[str, ...]) -> Briefing:
    """An edition of 20 January 2023 with these events and upcoming milestones."""
    return Briefing(
        title="Briefing",
        topic="us-japan-space",
        edition_date=EDITION_DATE,
        sources=(SOURCE,),
        sections=(Section(theme="civil-space", title="Civil", description="Civil.", facts=FACTS),),
        timeline=timeline,
        milestones=tuple(Milestone(fact_id=m, status="upcoming") for m in milestones),
    )


def test_marks_and_ticks_sit_at_their_dates_on_the_axis() -> None:
    """Events above the axis keep their table numbers, the milestone below is M1, all in date
    order; events too close share no lane; an event older than four years is only counted.

    The axis runs from 1 January 2023 to 1 January 2026 (1,096 days) over x = 24 to 656, so a
    day d days after its start sits at 24 + 632 * d / 1096."""
    figure = build_timeline_figure(
        briefing(timeline=("old", "tenth", "thirteenth", "undated"), milestones=("target",))
    )

    expected = TimelineFigure(
        width=680.0,
        height=150.0,
        axis_y=78.0,
        left=24.0,
        right=656.0,
        ticks=(
            Tick(x=24.0, label="2023"),
            Tick(x=234.5, label="2024"),  # 365 days in
            Tick(x=445.5, label="2025"),  # 731 days in: 2024 is a leap year
            Tick(x=656.0, label="2026"),
        ),
        marks=(
            # 9 days in, on the first lane above the axis.
            Mark(x=29.2, y=60.0, label="2", kind="event", span_start=29.2, span_end=29.2),
            # 12 days in: under 14 units from event 2, so one lane higher.
            Mark(x=30.9, y=42.0, label="3", kind="event", span_start=30.9, span_end=30.9),
            # Mid-2025 (2 July, 913 days in), its bar spanning the whole year, below the axis.
            Mark(x=550.5, y=96.0, label="M1", kind="milestone", span_start=445.5, span_end=655.4),
        ),
        today_x=35.0,  # 19 days in
        left_out=1,
    )
    assert expected == figure


def test_nothing_to_draw_gives_no_figure() -> None:
    """An edition without dated events or milestones, or with only events older than the
    four-year window, gets no figure."""
    expected = (None, None, None)
    assert expected == (
        build_timeline_figure(briefing(timeline=(), milestones=())),
        build_timeline_figure(briefing(timeline=("undated",), milestones=("undated",))),
        build_timeline_figure(briefing(timeline=("old",), milestones=())),
    )


def test_a_lone_event_spans_its_year_and_the_edition_date() -> None:
    """With one event a week before the edition, the axis is that one year, with both ends
    ticked and today drawn to the event's right."""
    figure = build_timeline_figure(briefing(timeline=("thirteenth",), milestones=()))

    assert figure is not None
    # 1 January 2023 to 1 January 2024: 365 days over 632 units.
    expected = (
        (Tick(x=24.0, label="2023"), Tick(x=656.0, label="2024")),
        (Mark(x=44.8, y=60.0, label="1", kind="event", span_start=44.8, span_end=44.8),),
        56.9,  # 19 days in
        0,
    )
    assert expected == (figure.ticks, figure.marks, figure.today_x, figure.left_out)


def test_only_the_entries_drawn_are_marked_and_keep_their_table_numbers() -> None:
    """Given the ids the tables show, the figure marks only those, each with its number in the
    whole timeline (the PDF's table numbers its latest events from the first event)."""
    edition = briefing(timeline=("old", "tenth", "thirteenth"), milestones=("target",))
    figure = build_timeline_figure(edition, drawn={"thirteenth", "target"})

    assert figure is not None
    expected = (["3", "M1"], 0)
    assert expected == ([mark.label for mark in figure.marks], figure.left_out)
