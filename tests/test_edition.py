"""Tests for briefing.edition: an edition's plan, decided once before any work."""

from datetime import date
from pathlib import Path

import pytest

from briefing.edition import build_plan, load_plan, select_news
from briefing.errors import ConfigurationError
from briefing.settings import Settings
from briefing.sources.feeds import FeedConfig, failed_fetch, feed_for_url
from briefing.sources.fetch import FetchLimits
from briefing.topic import Topic

TODAY = date(2026, 12, 1)
CONFIGURED = (
    FeedConfig(name="Desk", url="https://desk.example.org/rss.xml"),
    FeedConfig(name="Wire", url="https://wire.example.org/atom.xml"),
)


def settings(tmp_path: Path, **values: object) -> Settings:
    """Settings with the output folder and memory in the test's folder."""
    return Settings(
        out_dir=tmp_path / "out", database_url=f"sqlite:///{tmp_path}/memory.db", **values
    )


def test_extra_feeds_follow_the_configured_ones_each_once(tmp_path: Path) -> None:
    """An extra URL already configured, or given twice, is read once, after the configured."""
    plan = build_plan(
        settings(tmp_path),
        today=TODAY,
        configured_feeds=CONFIGURED,
        extra_feed_urls=[
            "https://wire.example.org/atom.xml",
            "https://extra.example.org/feed",
            "https://extra.example.org/feed",
        ],
    )
    assert (*CONFIGURED, feed_for_url("https://extra.example.org/feed")) == plan.feeds


def test_the_period_is_the_week_before_the_edition_unless_given(tmp_path: Path) -> None:
    """Without since the period starts seven days before the edition date; with it, there."""
    default = build_plan(settings(tmp_path), today=TODAY, edition_date=date(2023, 1, 20))
    given = build_plan(settings(tmp_path), today=TODAY, since=date(2026, 11, 1))
    assert (date(2023, 1, 20), date(2023, 1, 13)) == (default.edition_date, default.period_start)
    assert (TODAY, date(2026, 11, 1)) == (given.edition_date, given.period_start)


def test_a_period_starting_after_the_edition_is_refused(tmp_path: Path) -> None:
    """since after the edition date is a ConfigurationError, not an empty edition."""
    with pytest.raises(ConfigurationError, match="since must not be after the edition date"):
        build_plan(settings(tmp_path), today=TODAY, since=date(2026, 12, 2))


def test_fetch_limits_and_switches_come_from_the_settings(tmp_path: Path) -> None:
    """The plan's fetch limits are the settings' values; either switch allows private feeds."""
    plan = build_plan(
        settings(
            tmp_path,
            connect_timeout=3,
            read_timeout=4,
            fetch_deadline=5,
            max_feed_bytes=600,
            max_decoded_bytes=700,
            allow_private_network=True,
        ),
        today=TODAY,
    )
    expected = FetchLimits(
        connect_timeout=3, read_timeout=4, deadline=5, max_raw_bytes=600, max_decoded_bytes=700
    )
    assert (expected, True) == (plan.limits, plan.allow_private_network)


def test_an_output_folder_that_cannot_be_made_fails_before_any_work(tmp_path: Path) -> None:
    """A file where the output folder should be is refused by load_plan, naming the folder."""
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(ConfigurationError, match=r"cannot make the output folder .*taken/out"):
        load_plan(
            settings(tmp_path, config_file=tmp_path / "none.yaml"),
            today=TODAY,
            include_configured_feeds=False,
            output_dir=tmp_path / "taken" / "out",
        )


def test_an_output_folder_that_is_a_file_fails_before_any_work(tmp_path: Path) -> None:
    """--out naming an existing file is refused by load_plan, saying it is a file, not after
    the whole run with "File exists"."""
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(ConfigurationError) as raised:
        load_plan(
            settings(tmp_path, config_file=tmp_path / "none.yaml"),
            today=TODAY,
            include_configured_feeds=False,
            output_dir=tmp_path / "out",
        )
    assert (
        f"the output folder {tmp_path / 'out'} is a file, not a folder; "
        "choose another folder with --out or BRIEFING_OUT_DIR"
    ) == str(raised.value)


def test_email_without_recipients_fails_in_the_plan(tmp_path: Path) -> None:
    """Asking for email with no recipient anywhere fails while planning, saying what to set."""
    with pytest.raises(ConfigurationError, match="BRIEFING_EMAIL_RECIPIENTS"):
        build_plan(settings(tmp_path), today=TODAY, send_email=True)


def test_a_failed_feed_is_kept_as_an_outcome_and_gives_no_items(
    tmp_path: Path, topic: Topic
) -> None:
    """A feed that failed is in the selection's outcomes, with its reason, and adds no item."""
    plan = build_plan(settings(tmp_path), today=TODAY)
    fetch = failed_fetch(CONFIGURED[0], "HTTP 503 Service Unavailable", 503)
    selection = select_news(plan, topic, [fetch])
    assert ((), 0) == (selection.items, selection.duplicates)
    assert [("failed", "HTTP 503 Service Unavailable")] == [
        (outcome.status, outcome.reason) for outcome in selection.outcomes
    ]
