"""A deadline for the article stage as a whole and per host (#27): past it the rest are read as
their teasers and counted, whatever each page's own fetch deadline."""

from datetime import date
from pathlib import Path

import pytest

from benchmarks.hostile import article_page, teaser_feed
from briefing import edition as stages
from briefing.models import FetchOutcome
from briefing.render.formatting import article_counts
from briefing.settings import Settings
from tests.feedserver import FeedServer, Route

SILENT = 5.0  # seconds a slow page sends nothing, then hangs up


def _round(feed_server: FeedServer, folder: Path, feed: str, **values: object) -> FetchOutcome:
    settings = Settings(
        out_dir=folder / "out",
        database_url=f"sqlite:///{folder}/memory.db",
        fetch_retries=0,
        article_cap=60,
        read_timeout=30,  # each page's own timeouts are far from reached
        **values,  # type: ignore[arg-type]
    )
    plan = stages.build_plan(
        settings,
        today=date(2026, 12, 1),
        include_seeds=False,
        extra_feed_urls=[feed_server.url(feed)],
        allow_private_network=True,
    )
    topic, _ = stages.load_sources(plan)
    fetches = [stages.fetch_one_feed(plan, one, None) for one in plan.feeds]
    selection = stages.fetch_full_articles(plan, stages.select_news(plan, topic, fetches))
    (outcome,) = selection.outcomes
    return outcome


@pytest.mark.slow
def test_past_the_stages_deadline_the_rest_are_teasers_and_counted(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """Four pages that answer nothing, two at a time on one host, and a stage of one second:
    the two in flight are cut at the deadline, the two waiting never start; all four counted."""
    links = []
    for n in range(4):
        feed_server.routes[f"/late/{n}.html"] = Route(silent_for=SILENT)
        links.append(feed_server.url(f"/late/{n}.html"))
    feed_server.routes["/late/feed.xml"] = Route(teaser_feed(feed_server.url(""), links))
    outcome = _round(feed_server, tmp_path, "/late/feed.xml", article_stage_seconds=1.0)
    asked = sum(len(feed_server.received(f"/late/{n}.html")) for n in range(4))
    assert (4, 0, 2, "Full articles: 4 not fetched: the article stage's deadline") == (
        outcome.articles_late,
        outcome.articles_failed,
        asked,
        article_counts(outcome),
    )


@pytest.mark.slow
def test_a_slow_host_uses_up_its_own_time_not_the_others(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """Two silent pages on 127.0.0.1 and one good page on localhost, one second a host: the
    slow host's pages are counted late and the other host's page is read."""
    feed_server.routes["/hosts/slow-0.html"] = Route(silent_for=SILENT)
    feed_server.routes["/hosts/slow-1.html"] = Route(silent_for=SILENT)
    feed_server.routes["/hosts/good.html"] = Route(article_page(3000), "text/html")
    links = [
        feed_server.url("/hosts/slow-0.html"),
        feed_server.url("/hosts/slow-1.html"),
        f"http://localhost:{feed_server.port}/hosts/good.html",
    ]
    feed_server.routes["/hosts/feed.xml"] = Route(teaser_feed(feed_server.url(""), links))
    outcome = _round(
        feed_server,
        tmp_path,
        "/hosts/feed.xml",
        article_host_seconds=1.0,
        private_hosts=("localhost",),
    )
    assert (2, 1) == (outcome.articles_late, outcome.articles_fetched)
