"""Tests for briefing.summary: key points, counts, new facts, source health, the run summary."""

from briefing.summary import (
    KeyPoint,
    build_fact_rows,
    build_summary_markdown,
    key_points,
    markdown_text,
    new_facts,
    source_health,
    theme_counts,
)
from tests.test_render import (
    STATEMENT_CIVIL,
    STATEMENT_DEBRIS,
    STATEMENT_SECURITY,
    briefing,
    document,
)


def test_key_points_are_each_themes_first_statement_with_its_citation() -> None:
    """The interim rule: one key point per theme, its first statement, cited as in the PDF."""
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


def test_new_facts_are_those_missing_from_the_previous_edition() -> None:
    """Facts whose ids the previous edition had are not new; without one, every fact is."""
    edition = briefing()
    assert ["security-1", "debris-1"] == [f.id for f in new_facts(edition, {"civil-1", "gone"})]
    assert ["civil-1", "security-1", "debris-1"] == [f.id for f in new_facts(edition, None)]


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
    """The run summary names the edition and holds the four parts, with the statements escaped."""
    summary = build_summary_markdown(briefing(), {"civil-1"}, "out/briefing-2023-01-20.pdf")
    headings = [line for line in summary.splitlines() if line.startswith("#")]
    assert [
        "# Edition of 2023-01-20",
        "## Key points",
        "## Statements per theme",
        "## New facts",
        "## Source health",
    ] == headings
    assert "2 of 3 facts are new since the last edition." in summary
    assert f"- {markdown_text(STATEMENT_DEBRIS)}" in summary
    assert "| Security | 1 |" in summary


def test_fact_rows_hold_every_statement_with_date_and_citations() -> None:
    """One row per statement, in order, with theme, date in words and citations."""
    rows = build_fact_rows(briefing())
    assert [
        ("Civil space", STATEMENT_CIVIL, "13 January 2023"),
        ("Security", STATEMENT_SECURITY, ""),
        ("Orbital debris", STATEMENT_DEBRIS, "2026"),
    ] == [(row["theme"], row["statement"], row["date"]) for row in rows]
