"""Tests for briefing.render.summary: key points, counts, new facts, health, the run summary."""

from datetime import date

from briefing.models import Briefing
from briefing.render.summary import (
    KeyPoint,
    build_fact_rows,
    build_summary_markdown,
    key_points,
    markdown_text,
    shortened,
    source_health,
    theme_counts,
)
from briefing.topic import Topic
from tests.test_render import (
    STATEMENT_CIVIL,
    STATEMENT_DEBRIS,
    STATEMENT_SECURITY,
    briefing,
    document,
)
from tests.test_stories import H3, SLIM_KYODO, SLIM_SPACENEWS
from tests.test_stories import edition as story_edition


def test_key_points_are_the_editions_own_with_their_citations() -> None:
    """The key points the edition chose, in its order, each cited as in the PDF."""
    expected = (
        KeyPoint(
            theme="Civil space",
            statement=STATEMENT_CIVIL,
            citation="[1] Orbit Wire, 13 January 2023; [2] Alliance Review",
        ),
        KeyPoint(theme="Security", statement=STATEMENT_SECURITY, citation="[2] Alliance Review"),
        KeyPoint(
            theme="Orbital debris",
            statement=STATEMENT_DEBRIS,
            citation="[3] Outlet not stated, 2023",
        ),
    )
    assert expected == key_points(briefing())


def test_counts_per_theme_follow_the_sections() -> None:
    """Each theme's number of statements, in section order."""
    assert {"Civil space": 1, "Security": 1, "Orbital debris": 1} == theme_counts(briefing())


def test_source_health_flags_a_source_no_statement_cites() -> None:
    """Every source gets a row; one that no kept statement cites is flagged."""
    edition = briefing()
    quiet = document("quiet", "Nothing here touches the topic.")
    edition = edition.model_copy(update={"sources": (*edition.sources, quiet)})
    expected = [
        ("wire.txt", 1, "ok"),
        ("analysis.txt", 2, "ok"),
        ("debris.txt", 1, "ok"),
        ("quiet.txt", 0, "no statements kept"),
    ]
    rows = source_health(edition)
    assert expected == [(row["location"], row["facts"], row["status"]) for row in rows]


def test_markdown_text_shows_source_text_literally() -> None:
    """Links, images, HTML, table pipes and line breaks from a source are escaped, not rendered."""
    expected = r"\!\[x\]\(http://a.example/\) \<img src=x\> a \| b"
    assert expected == markdown_text("![x](http://a.example/)\n<img src=x> a | b")


def test_summary_has_key_points_counts_new_facts_and_source_health() -> None:
    """The run summary names the edition and holds its parts, with the statements escaped."""
    later = Briefing.model_validate(
        {
            **briefing().model_dump(),
            "previous_edition": date(2023, 1, 13),
            "new_fact_ids": ["security-1", "debris-1"],
        }
    )
    summary = build_summary_markdown(later, "out/briefing-2023-01-20.pdf")
    headings = [line for line in summary.splitlines() if line.startswith("#")]
    assert [
        "# Edition 2023-W03 of 2023-01-20",
        "## Key points",
        "## Statements per theme",
        "## New facts",
        "## Feed health",
        "## Source health",
    ] == headings
    assert "2 of 3 facts are new since the edition of 2023-01-13." in summary
    assert f"- {markdown_text(STATEMENT_DEBRIS)}" in summary
    assert "| Security | 1 |" in summary
    assert "No feeds were read for this edition." in summary


def test_first_edition_summary_says_everything_is_new() -> None:
    """Without an earlier edition, the summary says every fact is new."""
    first = Briefing.model_validate(
        {**briefing().model_dump(), "new_fact_ids": ["civil-1", "security-1", "debris-1"]}
    )
    summary = build_summary_markdown(first, "out/briefing-2023-01-20.pdf")
    assert "This is the first edition: all 3 facts are new." in summary


def test_a_degraded_runs_summary_opens_with_what_went_wrong() -> None:
    """What failed comes first on the run's page, before the key points; a healthy run's
    summary has no such section."""
    warnings = ["1 of 2 feeds failed: Down (timed out)", "Not emailed: no recipients"]
    summary = build_summary_markdown(briefing(), "out/briefing-2023-01-20.pdf", warnings)
    lines = summary.splitlines()
    assert ["## What went wrong", ""] == lines[2:4]
    assert lines[4].startswith("- **1 of 2 feeds failed: Down")
    assert lines[5] == "- **Not emailed: no recipients**"
    assert "What went wrong" not in build_summary_markdown(briefing(), "out/b.pdf")


def test_fact_rows_hold_every_statement_with_date_and_citations() -> None:
    """One row per statement, in order, with theme, date in words and citations."""
    rows = build_fact_rows(briefing())
    assert [
        ("Civil space", shortened(STATEMENT_CIVIL, 90), "13 January 2023", "[1] [2]"),
        ("Security", shortened(STATEMENT_SECURITY, 90), "", "[2]"),
        ("Orbital debris", shortened(STATEMENT_DEBRIS, 90), "2026", "[3]"),
    ] == [(row["theme"], row["statement"], row["date"], row["sources"]) for row in rows]


def test_a_long_statement_is_shortened_at_a_word_and_marked() -> None:
    """The run page's table shows at most 90 characters of a statement, ending "…" after a
    whole word; a short one is shown as it is."""
    text = "The United States and Japan signed an agreement Jan. 13 to enable further "
    text += "cooperation between the two countries on space exploration."
    assert (
        "The United States and Japan signed an agreement Jan. 13 to enable further cooperation…",
        "Short.",
    ) == (shortened(text, 90), shortened("Short.", 90))


def test_the_summary_leads_with_the_top_stories_headlines(topic: Topic) -> None:
    """An edition with news leads its email and run summary with the top stories' headlines,
    verbatim, then its key points, eight at most."""
    briefing = story_edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)
    headlines = [briefing.fact(briefing.story(i).headline).statement for i in briefing.top_stories]
    points = key_points(briefing)
    expected = [*headlines, *(briefing.fact(i).statement for i in briefing.key_points)][:8]
    assert (expected, True) == ([p.statement for p in points], len(headlines) > 0)
