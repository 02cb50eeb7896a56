"""Editions built from the teaser feed of the article fixtures, served on 127.0.0.1: the flow's
own stage functions, from the feed's fetch to the rendered PDF, HTML and JSON."""

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing import edition as stages
from briefing.edition import EditionPlan, Selection
from briefing.models import Briefing
from briefing.render.summary import build_summary_markdown
from briefing.settings import Settings
from briefing.store.files import edition_json
from tests.articleserver import TEASERS, add_article_routes, labels
from tests.feedserver import FeedServer

TODAY = date(2026, 12, 1)
# Only the Gateway page's body holds it: the feed's teaser does not.
ONLY_IN_THE_BODY = (
    "The agreement commits Japan to supply 14 tonnes of cargo to the Gateway over its first five "
    "years, JAXA vice president Kenji Hoshino said."
)
PAGES_WITH_TEXT = 9  # of the thirteen relevant items: the ten pages less the paywall


@pytest.fixture(scope="module")
def article_server(feed_server: FeedServer) -> FeedServer:
    """The session's feed server with the article fixtures added."""
    add_article_routes(feed_server)
    return feed_server


def plan_for(server: FeedServer, folder: Path, **choices: object) -> EditionPlan:
    """An edition of the teaser feed alone, its memory and output in the test's folder."""
    settings = Settings(
        out_dir=folder / "out",
        database_url=f"sqlite:///{folder}/memory.db",
        fetch_retries=0,
        article_cap=60,  # the tests' default is none (conftest)
    )
    return stages.build_plan(
        settings,
        today=TODAY,
        include_seeds=False,
        extra_feed_urls=[server.url(TEASERS)],
        allow_private_network=True,
        **choices,  # type: ignore[arg-type]
    )


@dataclass
class Edition:
    """One edition made and remembered, with what its article round selected."""

    briefing: Briefing
    selection: Selection


def make_edition(plan: EditionPlan) -> Edition:
    """Fetch, select, fetch articles, extract, compose and remember one edition."""
    topic, seeds = stages.load_sources(plan)
    fetches = [stages.fetch_one_feed(plan, feed, None) for feed in plan.feeds]
    selection = stages.fetch_full_articles(plan, stages.select_news(plan, topic, fetches))
    documents = seeds + selection.documents
    extracted = stages.extract_edition(topic, documents)
    briefing = stages.compose_edition(
        plan, topic, documents, extracted.facts, selection.outcomes, versions={}
    )
    stages.write_to_memory(
        plan, briefing, selection, fetches, extracted, run_id="t", written_at=datetime.now(UTC)
    )
    return Edition(briefing, selection)


def page_requests(server: FeedServer) -> int:
    """How many requests the server has had for article pages (the feed aside)."""
    return sum(
        1 for path, _ in server.requests if path.startswith("/articles/") and path != TEASERS
    )


@pytest.mark.slow
def test_the_briefing_quotes_the_article_body_and_nothing_around_it(
    article_server: FeedServer, tmp_path: Path
) -> None:
    """A teaser becomes its full article: the edition quotes a sentence only the page's body
    holds, and no navigation, share, related-post, comment, cookie or footer text of any page
    reaches the PDF's text, the HTML page or the JSON edition."""
    assert ONLY_IN_THE_BODY.encode() not in article_server.routes[TEASERS].body
    plan = plan_for(article_server, tmp_path)
    made = make_edition(plan)
    rendered = stages.render_edition(plan, made.briefing)
    pdf_text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(rendered.pdf)).pages
    )
    editions = {
        "pdf": pdf_text,
        "html": " ".join(b"".join(rendered.html).decode().replace("&#39;", "'").split()),
        "json": " ".join(edition_json(made.briefing).decode().split()),
    }
    statements = [fact.statement for fact in made.briefing.facts()]
    leaked = [
        (name, piece)
        for page in labels().values()
        for piece in page["other"]
        for name, text in editions.items()
        if " ".join(piece.split()) in text
    ]
    gateway = next(
        d for d in made.briefing.sources if d.title and "Gateway habitat" in d.title.value
    )
    assert (True, True, [], True, True) == (
        ONLY_IN_THE_BODY in statements,
        ONLY_IN_THE_BODY in editions["html"],
        leaked,
        gateway.full_article and gateway.fetched_from is not None,
        "Full articles: 9 fetched, 4 failed, teaser kept (1 HTTP 404 Not Found;" in editions["pdf"],
    )


@pytest.mark.slow
def test_source_health_counts_the_articles_fetched_and_why_others_failed(
    article_server: FeedServer, tmp_path: Path
) -> None:
    """Nine pages become articles (the Japanese one too); the paywall, the PDF, the 404 and the
    redirect to the metadata address keep their teasers, each with its reason, in the outcome
    and the run's summary on its Prefect page."""
    made = make_edition(plan_for(article_server, tmp_path))
    (outcome,) = made.briefing.source_health
    expected = {
        "articles_fetched": PAGES_WITH_TEXT,
        "articles_reused": 0,
        "articles_failed": 4,
        "article_failures": {
            "HTTP 404 Not Found": 1,
            "not an HTML page (application/pdf)": 1,
            "refused 169.254.169.254: 169.254.169.254 is a link-local address": 1,
            "too little text on the page (25 words): a paywall or an empty page": 1,
        },
        "articles_over_cap": 0,
    }
    summary = build_summary_markdown(made.briefing, "briefing.pdf")
    assert (expected, True) == (
        {name: getattr(outcome, name) for name in expected},
        r"| 9 fetched, 4 failed, teaser kept \(1 HTTP 404 Not Found; " in summary,
    )


@pytest.mark.slow
def test_an_article_seen_before_is_asked_for_conditionally_and_reused(
    article_server: FeedServer, tmp_path: Path
) -> None:
    """The next edition sends each page's ETag (with the project's User-Agent, asking for
    HTML); every page answers 304 and its kept copy gives the same document text as before."""
    plan = plan_for(article_server, tmp_path)
    first = make_edition(plan)
    path = "/articles/gateway-habitat.html?utm_source=rss"
    etag = article_server.received(path)[-1]
    second = make_edition(plan)
    (outcome,) = second.briefing.source_health
    asked = article_server.received(path)[-1]
    agent = (
        "us-japan-space-briefing/0.1 (+https://example.org/us-japan-space-briefing; "
        "weekly feed reader)"
    )
    assert (None, True, agent, True, 0, PAGES_WITH_TEXT, first.selection.documents) == (
        etag.get("if-none-match"),
        asked.get("if-none-match", "").startswith('"'),
        asked.get("user-agent"),
        asked.get("accept", "").startswith("text/html"),
        outcome.articles_fetched,
        outcome.articles_reused,
        second.selection.documents,
    )


def test_with_articles_off_no_page_is_requested(article_server: FeedServer, tmp_path: Path) -> None:
    """With fetch_articles off (the run form's switch, the CLI's --no-articles) the edition
    reads the teasers and the server sees no request for any page."""
    before = page_requests(article_server)
    made = make_edition(plan_for(article_server, tmp_path, fetch_articles=False))
    after = page_requests(article_server)
    full = [d.id for d in made.briefing.sources if d.full_article]
    assert (0, [], 0) == (after - before, full, made.briefing.source_health[0].articles_fetched)


@pytest.mark.slow
def test_the_flow_fetches_the_articles_and_its_run_form_can_turn_that_off(
    prefect_harness: None,
    article_server: FeedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through Prefect: the weekly-briefing flow's articles stage gives the JSON edition the
    full articles and the sentence only a page's body holds; fetch_articles=False gives none."""
    from briefing.parameters import EditionParameters, form_values
    from flows.weekly_briefing import weekly_briefing

    monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{tmp_path}/memory.db")
    monkeypatch.setenv("BRIEFING_ARTICLE_CAP", "60")
    monkeypatch.setenv("BRIEFING_FETCH_RETRIES", "0")
    found = []
    for fetch_articles in (True, False):
        result = weekly_briefing(
            **form_values(
                EditionParameters(
                    edition_date=TODAY,
                    output_dir=str(tmp_path / f"out-{fetch_articles}"),
                    include_configured_feeds=False,
                    extra_feed_urls=[article_server.url(TEASERS)],
                    include_seeds=False,
                    allow_private_network=True,
                    fetch_articles=fetch_articles,
                )
            )
        )
        briefing = Briefing.model_validate_json(result.json_file.read_bytes())
        found.append(
            (
                sum(1 for source in briefing.sources if source.full_article),
                ONLY_IN_THE_BODY in [fact.statement for fact in briefing.facts()],
            )
        )
    assert [(PAGES_WITH_TEXT, True), (0, False)] == found
