"""robots.txt respected (#27): asked once per site per run with the project's User-Agent, a
disallowed page read as its teaser and counted, a missing robots.txt allowing everything, an
unreadable one nothing, and requests to one host spaced by a delay."""

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.hostile import article_page, teaser_feed
from briefing import edition as stages
from briefing.errors import FetchError
from briefing.sources.articles import ArticleCopy, ArticleFetch, ArticlePolicy, fetch_articles
from briefing.sources.feeds import FeedConfig
from briefing.sources.fetch import Fetched, Validators
from briefing.sources.robots import (
    DISALLOWED,
    MAX_CRAWL_DELAY,
    ROBOTS_AGENT,
    UNREACHABLE,
    RobotsRules,
)
from tests.articleserver import teaser_plan
from tests.feedserver import Route, serve_feeds
from tests.test_articles import FEED, item


def _robots(answers: dict[str, bytes | int]) -> tuple[RobotsRules, Counter[str]]:
    """Rules over a fake fetch answering each robots.txt URL with a body or an HTTP status."""
    asked: Counter[str] = Counter()

    def fetch(url: str) -> Fetched:
        asked[url] += 1
        answer = answers[url]
        if isinstance(answer, int):
            raise FetchError(f"HTTP {answer}", transient=answer >= 500, http_status=answer)
        return Fetched(url, 200, answer, len(answer), "text/plain", Validators())

    return RobotsRules(fetch), asked


def test_a_sites_rules_are_read_once_and_matched_to_this_reader() -> None:
    """Rules for this reader's token apply, others' do not; robots.txt is fetched once."""
    rules, asked = _robots(
        {
            "https://news.example/robots.txt": (
                f"User-agent: *\nDisallow: /\n\nUser-agent: {ROBOTS_AGENT}\n"
                "Disallow: /members/\nCrawl-delay: 30\n"
            ).encode()
        }
    )
    assert (
        None,
        DISALLOWED,
        None,
        MAX_CRAWL_DELAY,
        Counter({"https://news.example/robots.txt": 1}),
    ) == (
        rules.refusal("https://news.example/2026/story.html"),
        rules.refusal("https://news.example/members/story.html"),
        rules.refusal("https://NEWS.example/other.html"),
        rules.delay("https://news.example/x"),
        asked,
    )


def test_a_missing_robots_txt_allows_all_and_an_unreadable_one_nothing() -> None:
    """A 404 allows every page (RFC 9309); a 503 leaves the site alone for the run."""
    rules, _ = _robots({"https://a.example/robots.txt": 404, "https://b.example/robots.txt": 503})
    assert (None, UNREACHABLE) == (
        rules.refusal("https://a.example/story"),
        rules.refusal("https://b.example/story"),
    )


def test_requests_to_one_host_are_spaced_by_the_delay() -> None:
    """Three articles on one host with a delay of 2 s: the second waits about 2 s, the third
    about 4 s (the clock does not move here: the waits are what the round asked for)."""
    items = [item("Short teaser.", n=3 * n) for n in range(3)]  # all on news0.example
    feeds = {FEED: FeedConfig(name="Desk", url=FEED)}
    waits: list[float] = []

    def fetch_one(link: str, canonical: str, previous: ArticleCopy | None) -> ArticleFetch:
        return ArticleFetch("failed", reason="HTTP 410 Gone")

    policy = ArticlePolicy(per_host=1, workers=1, host_delay=2.0)
    fetch_articles(items, feeds, {}, fetch_one, policy, sleep=waits.append)
    assert [2, 4] == [round(wait) for wait in waits]


@pytest.mark.slow
def test_a_page_robots_txt_disallows_is_read_as_its_teaser_and_counted(tmp_path: Path) -> None:
    """A site serving ``Disallow: /``: its robots.txt is asked once with the project's
    User-Agent, none of its pages is requested, and each is counted disallowed."""
    with serve_feeds() as site:
        site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /\n", "text/plain")
        links = []
        for n in range(3):
            site.routes[f"/story-{n}.html"] = Route(article_page(3000), "text/html")
            links.append(site.url(f"/story-{n}.html"))
        site.routes["/feed.xml"] = Route(teaser_feed(site.url(""), links))
        plan = teaser_plan(tmp_path, site.url("/feed.xml"))
        selection = stages.read_edition(plan, stages.Plainly()).selection
        robots_requests = site.received("/robots.txt")
        page_requests = sum(len(site.received(f"/story-{n}.html")) for n in range(3))
    (outcome,) = selection.outcomes
    assert (1, True, 0, {DISALLOWED: 3}) == (
        len(robots_requests),
        robots_requests[0]["user-agent"].startswith(f"{ROBOTS_AGENT}/"),
        page_requests,
        outcome.article_failures,
    )
