"""``make_edition``, the edition's one sequence, driven plainly (no Prefect): the order of its
stages, the memory's part in it, a failed feed recorded, and the reuse decision."""

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest

from briefing.edition import EditionPlan, Plainly, build_plan, make_edition
from briefing.errors import ConfigurationError, FetchError
from briefing.settings import Settings
from briefing.sources.feeds import FeedConfig, FeedCopy, FeedFetch
from briefing.store.files import manifest_path
from tests.conftest import Mailbox

T = TypeVar("T")
DAY = date(2023, 1, 20)


class Recording(Plainly):
    """Stages run plainly, their names recorded; ``after`` runs a hook after a named stage."""

    def __init__(self, after: dict[str, Callable[[], None]] | None = None) -> None:
        super().__init__(threads=2)
        self.names: list[str] = []
        self.after = after or {}

    def run(self, name: str, stage: Callable[..., T], *args: Any) -> T:
        value = super().run(name, stage, *args)
        self.names.append(name)
        if name in self.after:
            self.after[name]()
        return value


def plan_in(folder: Path, **choices: Any) -> EditionPlan:
    settings = Settings(out_dir=folder, database_url=f"sqlite:///{folder / 'memory.db'}")
    return build_plan(settings, today=DAY, **choices)


@pytest.mark.slow
def test_the_stages_run_in_order_and_a_second_run_reuses_the_first(tmp_path: Path) -> None:
    """Load, recall, select, articles, extract, recognise, compose, render, write, archive,
    remember; the HTML edition's bytes are left to its files once written (the JSON edition the
    PDF carries is kept); a second run of the same inputs reuses the first's files, composing
    and rendering nothing (and is remembered)."""
    first = Recording()
    made = make_edition(plan_in(tmp_path), first, run_id="first")
    assert [
        "load", "recall", "select", "articles", "extract", "recognise", "compose", "render",
        "write", "archive", "remember",
    ] == first.names  # fmt: skip
    assert (made.result.pdf_file.exists(), made.rendered is not None) == (True, True)
    assert made.rendered is not None
    assert ((), ()) == (made.rendered.html, made.rendered.html_pages)
    assert made.rendered.json == made.result.json_file.read_bytes()
    second = Recording()
    reused = make_edition(plan_in(tmp_path), second, run_id="second")
    assert ("first", None) == (reused.result.reused_from_run, reused.rendered)
    assert {"compose", "render", "write"}.isdisjoint(second.names)
    assert "remember" in second.names


@pytest.mark.slow
def test_files_replaced_after_recognising_them_are_made_after_all(tmp_path: Path) -> None:
    """A stored edition recognised as this one's, whose files another run replaced before this
    run took the edition's lock, is not reused: the edition is composed and written."""
    make_edition(plan_in(tmp_path), Recording(), run_id="first")
    manifest = manifest_path(tmp_path, DAY)
    driver = Recording(after={"recognise": manifest.unlink})
    made = make_edition(plan_in(tmp_path), driver, run_id="second")
    assert (None, True) == (made.result.reused_from_run, made.rendered is not None)
    assert ["recognise", "compose", "render", "write"] == [
        n for n in driver.names if n in ("recognise", "compose", "render", "write")
    ]


@pytest.mark.slow
def test_without_memory_nothing_is_recalled_or_remembered(tmp_path: Path) -> None:
    """A plan with no memory (the evaluation's) reads, makes and writes, and touches no
    database."""
    from dataclasses import replace

    driver = Recording()
    plan = replace(plan_in(tmp_path), database_url=None)
    made = make_edition(plan, driver)
    assert {"recall", "remember"}.isdisjoint(driver.names)
    assert made.result.json_file.exists() and not (tmp_path / "memory.db").exists()


def test_a_feed_whose_trouble_may_pass_is_recorded_failed_and_a_bug_is_raised(
    tmp_path: Path,
) -> None:
    """A feed that still fails (FetchError) is a failed fetch in the edition; any other error
    of a feed's fetch is a bug, raised."""
    from briefing.edition.run import fetch_all

    feeds = (
        FeedConfig(name="calm", url="https://calm.example.org/rss"),
        FeedConfig(name="down", url="https://down.example.org/rss"),
    )
    plan = build_plan(
        Settings(out_dir=tmp_path), today=DAY, configured_feeds=feeds, include_seeds=False
    )

    def fetch(_plan: EditionPlan, feed: FeedConfig, _previous: FeedCopy | None) -> FeedFetch:
        if feed.name == "down":
            raise FetchError("timed out", transient=True)
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        fetch_all(plan, Plainly(), fetch)

    def down_only(plan: EditionPlan, feed: FeedConfig, previous: FeedCopy | None) -> FeedFetch:
        if feed.name == "down":
            raise FetchError("timed out", transient=True, http_status=503)
        return FeedFetch(feed=feed, outcome=_fetched(feed), copy=None, fresh=True)

    fetches: Sequence[FeedFetch] = fetch_all(plan, Plainly(), down_only)
    assert ["fetched", "failed"] == [f.outcome.status for f in fetches]
    assert ("timed out", 503) == (fetches[1].outcome.reason, fetches[1].outcome.http_status)


def _fetched(feed: FeedConfig) -> Any:
    from briefing.models import FetchOutcome

    return FetchOutcome(feed=feed.name, url=feed.url, status="fetched")


def test_the_plan_the_command_checked_is_handed_to_the_flow_once(tmp_path: Path) -> None:
    """The plan the command line built to check is the flow's, once: the next run plans anew
    (a process running the flow again next week reads the clock again)."""
    from briefing.edition import load_plan_once

    settings = Settings(out_dir=tmp_path)
    handed = load_plan_once(settings, hand_over=True, today=DAY)
    assert load_plan_once(settings, today=DAY) is handed
    again = load_plan_once(settings, today=DAY)
    assert (again is not handed, again) == (True, handed)


def test_a_degraded_run_says_what_went_wrong(tmp_path: Path) -> None:
    """Failed feeds (named, with why), article pages unread, email not configured: each a line
    of the run's warnings; a healthy run has none."""
    from briefing.edition import Selection
    from briefing.edition.run import edition_warnings
    from briefing.models import FetchOutcome

    down = FetchOutcome(
        feed="Down", url="https://down.example.org/", status="failed", reason="timed out"
    )
    calm = FetchOutcome(
        feed="Calm",
        url="https://calm.example.org/",
        status="fetched",
        items=3,
        kept=3,
        articles_failed=2,
        article_failures={"HTTP 404": 2},
    )
    plan = plan_in(tmp_path)
    assert [] == edition_warnings(plan, Selection((), (), 0), None)
    settings = Settings(out_dir=tmp_path, email_recipients=[])
    lenient = build_plan(settings, today=DAY, send_email=True, strict=False)
    assert [
        "1 of 2 feeds failed: Down (timed out)",
        "2 article pages could not be read: their teasers were used",
        "Not emailed: email was asked for but there are no recipients: set "
        "BRIEFING_EMAIL_RECIPIENTS or give addresses (--to, or the run's recipients)",
    ] == edition_warnings(lenient, Selection((), (down, calm), 0), None)
    with pytest.raises(ConfigurationError, match="no recipients"):
        build_plan(settings, today=DAY, send_email=True)


@pytest.mark.slow
def test_made_plainly_the_edition_is_mailed_to_each_recipient(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    """Without Prefect (Plainly), an edition asked to be emailed goes to each recipient through
    the settings' server, a copy each, and is recorded; nobody missed."""
    settings = Settings(
        out_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'memory.db'}",
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_security="none",
        smtp_from="briefing@example.org",
    )
    plan = build_plan(
        settings, today=DAY, send_email=True, recipients=["a@example.org", "b@example.org"]
    )
    made = make_edition(plan, Plainly())
    assert ([], [["a@example.org"], ["b@example.org"]]) == (
        made.result.warnings,
        sorted(envelope.rcpt_tos for envelope in smtp_server.envelopes),
    )
