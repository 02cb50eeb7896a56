"""Full articles behind teaser items: which items want one, the page's main text, the round's
cap, per-host limit and retries, and the pages of the fixtures fetched over real HTTP."""

import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from briefing.errors import ConfigurationError
from briefing.models import Attested, FetchOutcome, SourceDocument, SourceType
from briefing.render.formatting import article_counts
from briefing.sources.articles import (
    ArticleCopy,
    ArticleFetch,
    ArticlePolicy,
    fetch_article,
    fetch_articles,
    looks_like_teaser,
    wants_article,
    with_article,
)
from briefing.sources.feeds import FeedConfig, FeedItem, load_feed_config
from briefing.sources.fetch import Validators
from briefing.sources.pages import article_text, extract_main_text, is_html
from tests.articleserver import PAGES, add_article_routes, labels
from tests.feedserver import LIMITS, FeedServer, loopback_client

FEED = "http://feed.example/rss.xml"


def item(text: str, *, title: str = "Japan and NASA sign a Gateway deal", n: int = 0) -> FeedItem:
    """A feed item whose first line is its headline, linking to a page of its own."""
    link = f"http://news{n % 3}.example/story-{n}"
    document = SourceDocument(
        id=f"feed-{n:016x}",
        source_type=SourceType.NEWS,
        outlet=None,
        title=Attested(value=title, basis="metadata", origin="item title"),
        author=None,
        published=None,
        url=Attested(value=link, basis="metadata", origin="item link"),
        note="An item of the feed Desk: its title and the text the feed carries.",
        form="feed-item",
        location=link,
        text=f"{title}\n{text}",
    )
    return FeedItem(document=document, feed_url=FEED, canonical_link=link, guid=None)


LONG = " ".join(["JAXA and NASA agreed on the habitat's life support."] * 30)


@pytest.mark.parametrize(
    ("full_text", "text", "wanted"),
    [
        ("auto", "Japan will build the Gateway's life support.", True),  # short
        ("auto", LONG, False),  # long and whole
        ("auto", LONG + " The post Gateway deal appeared first on Orbital Wire.", True),
        ("auto", LONG + " [&hellip;]", True),
        ("auto", LONG + " Continue reading →", True),
        ("always", LONG, True),
        ("never", "Japan will build the Gateway's life support.", False),
    ],
)
def test_which_items_want_their_article(full_text: str, text: str, wanted: bool) -> None:
    """auto fetches a short item or one with a teaser's marks, always and never do as they say."""
    feed = FeedConfig(name="Desk", url=FEED, full_text=full_text)  # type: ignore[arg-type]
    assert wanted == wants_article(item(text).document, feed)


def test_briefing_yaml_takes_full_text_per_feed_and_refuses_other_values(tmp_path: Path) -> None:
    """full_text and full_text_words are read from the configuration file; a value that is not
    auto, always or never is refused naming the field."""
    good = tmp_path / "good.yaml"
    good.write_text(
        "feeds:\n  - {name: Desk, url: 'https://desk.example/rss', full_text: always}\n"
        "  - {name: Wire, url: 'https://wire.example/rss', full_text_words: 40}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "feeds:\n  - {name: Desk, url: 'https://desk.example/rss', full_text: sometimes}\n",
        encoding="utf-8",
    )
    feeds = load_feed_config(good)
    with pytest.raises(ConfigurationError, match="full_text"):
        load_feed_config(bad)
    assert [("always", 150), ("auto", 40)] == [(f.full_text, f.full_text_words) for f in feeds]


def test_teaser_marks_are_read_at_the_end_of_a_line_or_anywhere_for_footers() -> None:
    """An ellipsis ends a teaser only at the end of a line; an ellipsis inside a quote is none."""
    assert (True, False) == (
        looks_like_teaser("The rover came through the test…"),
        looks_like_teaser("He said … and left. The rover passed."),
    )


def test_the_headline_is_not_repeated_when_the_page_opens_with_it() -> None:
    """A page whose text starts with the headline gives it once, first."""
    assert "Headline\nBody one.\nBody two." == article_text(
        "Headline", "Headline\nBody one.\nBody two."
    )


def test_html_is_known_by_its_type_or_its_first_bytes() -> None:
    """text/html and XHTML are pages; a PDF is not; an untyped body is judged by its start."""
    assert (True, True, False, True, False) == (
        is_html("text/html; charset=utf-8", b""),
        is_html("application/xhtml+xml", b""),
        is_html("application/pdf", b"<html>"),
        is_html(None, b"  <!DOCTYPE html><html>"),
        is_html(None, b"%PDF-1.7"),
    )


@pytest.mark.slow
def test_trafilatura_keeps_the_labelled_body_and_leaves_out_the_rest() -> None:
    """On the ten fixture pages every hand-labelled body sentence is kept and no labelled piece
    of navigation, sharing, related posts, comments, cookie notices or footers is."""
    missed, leaked = [], []
    for page, page_labels in labels().items():
        text = " ".join(extract_main_text((PAGES / page).read_bytes()).split())
        missed += [s for s in page_labels["body"] if " ".join(s.split()) not in text]
        leaked += [s for s in page_labels["other"] if " ".join(s.split()) in text]
    assert ([], []) == (missed, leaked)


def test_extraction_opens_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura is given bytes and nothing else: with sockets made to fail, a page whose
    links and canonical URL point elsewhere is still read whole."""

    import trafilatura  # noqa: F401 - imported first: its module body names socket.socket

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the extraction tried to open a connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    text = " ".join(extract_main_text((PAGES / "gateway-habitat.html").read_bytes()).split())
    assert [] == [s for s in labels()["gateway-habitat.html"]["body"] if s not in text]


def test_a_full_article_must_say_where_it_came_from() -> None:
    """A document marked full_article without the page it was fetched from is refused."""
    data = item("Short.").document.model_dump()
    with pytest.raises(ValueError, match="names its page"):
        SourceDocument.model_validate({**data, "full_article": True})


def test_the_article_replaces_the_teaser_headline_first() -> None:
    """The item keeps its id, link and headline; its text is the page's, its note says so."""
    copy = ArticleCopy(
        canonical_link="http://news0.example/story-0",
        url="http://news0.example/story-0",
        text=LONG,
        validators=Validators(etag='"e1"'),
    )
    replaced = with_article(item("Japan will build it."), copy)
    assert replaced is not None
    document = replaced.document
    assert (
        "feed-0000000000000000",
        f"Japan and NASA sign a Gateway deal\n{LONG}",
        True,
        "http://news0.example/story-0",
        "An item of the feed Desk: the whole article, fetched from its page (the feed carried "
        "a teaser).",
    ) == (document.id, document.text, document.full_article, document.fetched_from, document.note)


def test_source_health_says_what_the_articles_came_to() -> None:
    """A feed's row names the articles fetched, reused, failed with their reasons, and capped;
    a feed that wanted none says nothing of them."""
    outcome = FetchOutcome(
        feed="Desk",
        url=FEED,
        status="fetched",
        items=9,
        kept=9,
        articles_fetched=3,
        articles_reused=1,
        articles_failed=2,
        article_failures={"HTTP 404 Not Found": 1, "not an HTML page (application/pdf)": 1},
        articles_over_cap=1,
    )
    assert (
        "Full articles: 3 fetched, 1 reused from the copy kept, 2 failed, teaser kept, 1 not "
        "fetched: the edition's cap (1 HTTP 404 Not Found; 1 not an HTML page (application/pdf))",
        "",
    ) == (
        article_counts(outcome),
        article_counts(FetchOutcome(feed="D", url=FEED, status="fetched")),
    )


def test_the_cap_keeps_the_first_teasers_and_counts_the_rest() -> None:
    """With a cap of two, the first two teasers are fetched and the third is counted over it."""
    items = [item("Short teaser about the Gateway.", n=n) for n in range(3)]
    feeds = {FEED: FeedConfig(name="Desk", url=FEED)}
    asked: list[str] = []

    def fetch_one(link: str, canonical: str, previous: ArticleCopy | None) -> ArticleFetch:
        asked.append(link)
        return ArticleFetch("failed", reason="HTTP 404 Not Found")

    round_ = fetch_articles(items, feeds, {}, fetch_one, ArticlePolicy(cap=2, workers=1))
    expected = (
        ["http://news0.example/story-0", "http://news1.example/story-1"],
        Counter({"failed": 2, "over_cap": 1}),
        Counter({"HTTP 404 Not Found": 2}),
    )
    assert expected == (asked, round_.counts[FEED], round_.failures[FEED])


def test_no_more_than_the_per_host_limit_of_requests_at_once() -> None:
    """Eight articles on one host, eight workers and a limit of two: never three at once."""
    items = [item("Short teaser.", n=3 * n) for n in range(8)]  # all on news0.example
    feeds = {FEED: FeedConfig(name="Desk", url=FEED)}
    lock, running, most = threading.Lock(), [0], [0]

    def fetch_one(link: str, canonical: str, previous: ArticleCopy | None) -> ArticleFetch:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return ArticleFetch("failed", reason="HTTP 410 Gone")

    fetch_articles(items, feeds, {}, fetch_one, ArticlePolicy(per_host=2, workers=8))
    assert 2 == most[0]


def test_only_trouble_that_may_pass_is_tried_again() -> None:
    """A timeout is tried again (twice here) and the third try's answer counts; a 404 is not."""
    items = [item("Short teaser.", n=0), item("Short teaser.", n=1)]
    feeds = {FEED: FeedConfig(name="Desk", url=FEED)}
    tries: Counter[str] = Counter()

    def fetch_one(link: str, canonical: str, previous: ArticleCopy | None) -> ArticleFetch:
        tries[link] += 1
        if link.endswith("-1"):
            return ArticleFetch("failed", reason="HTTP 404 Not Found")
        return ArticleFetch("failed", reason="timed out", transient=True)

    policy = ArticlePolicy(retries=2, retry_delay=0.0)
    round_ = fetch_articles(items, feeds, {}, fetch_one, policy, sleep=lambda _: None)
    expected = (
        Counter({"http://news0.example/story-0": 3, "http://news1.example/story-1": 1}),
        Counter({"timed out": 1, "HTTP 404 Not Found": 1}),
    )
    assert expected == (tries, round_.failures[FEED])


# --- over real HTTP on 127.0.0.1 -------------------------------------------------------------


@pytest.fixture(scope="module")
def article_server(feed_server: FeedServer) -> FeedServer:
    """The session's feed server with the article fixtures added."""
    add_article_routes(feed_server)
    return feed_server


# The feed tests' low limits, with time to answer on a loaded machine: no test here is about
# a timeout, and half a second to answer failed one under a load of ten on two cores.
PAGE_LIMITS = LIMITS.model_copy(update={"read_timeout": 5.0})


def fetch_page(server: FeedServer, path: str, allow_private_network: bool = True) -> ArticleFetch:
    """Fetch one of the server's pages as an article, with the pipeline's fetcher."""
    with loopback_client() as client:
        return fetch_article(
            client,
            server.url(path),
            server.url(path),
            limits=PAGE_LIMITS,
            allow_private_network=allow_private_network,
        )


def test_a_redirect_to_the_metadata_address_is_refused_before_connecting(
    article_server: FeedServer,
) -> None:
    """The page's link answers 302 to 169.254.169.254: the hop is refused before any connection
    (the tripwire transport would fail the test) and the teaser stays."""
    before = len(article_server.received("/articles/moved.html"))
    fetched = fetch_page(article_server, "/articles/moved.html")
    after = len(article_server.received("/articles/moved.html"))
    expected = ("failed", "refused 169.254.169.254: 169.254.169.254 is a link-local address", 1)
    assert expected == (fetched.status, fetched.reason, after - before)


def test_a_page_on_a_private_address_is_not_requested_unless_allowed(
    article_server: FeedServer,
) -> None:
    """Without the operator's allowance, the page on 127.0.0.1 gets no request at all."""
    path = "/articles/wire-qzss.html"
    before = len(article_server.received(path))
    fetched = fetch_page(article_server, path, allow_private_network=False)
    assert fetched.reason is not None
    expected = ("failed", "refused 127.0.0.1: 127.0.0.1 is a loopback or private address", 0)
    assert expected == (
        fetched.status,
        fetched.reason[:61],
        len(article_server.received(path)) - before,
    )


def test_a_page_answers_a_conditional_request_with_304_and_the_copy_is_reused(
    article_server: FeedServer,
) -> None:
    """The second fetch sends the first one's ETag; the server's 304 reuses the copy kept."""
    path = "/articles/amp-lunar-cruiser.html"
    first = fetch_page(article_server, path)
    assert first.copy is not None
    with loopback_client() as client:
        second = fetch_article(
            client,
            article_server.url(path),
            first.copy.canonical_link,
            limits=PAGE_LIMITS,
            allow_private_network=True,
            previous=first.copy,
        )
    sent = article_server.received(path)[-1].get("if-none-match")
    assert (first.copy.validators.etag, "reused", first.copy) == (sent, second.status, second.copy)


def test_the_japanese_page_is_read_in_the_charset_its_meta_names(
    article_server: FeedServer,
) -> None:
    """Served as bare text/html, the page is decoded by its <meta charset> and read whole."""
    fetched = fetch_page(article_server, "/articles/ja-slim-followup.html")
    assert fetched.copy is not None
    body = labels()["ja-slim-followup.html"]["body"]
    assert body == [line for line in fetched.copy.text.splitlines() if line in body]


def test_a_paywall_stub_and_a_pdf_leave_the_teaser_with_a_reason(
    article_server: FeedServer,
) -> None:
    """A page with a sentence and a subscribe box is too little text; a PDF is no HTML page."""
    paywalled = fetch_page(article_server, "/articles/paywall-budget.html")
    pdf = fetch_page(article_server, "/articles/kibo-results.pdf")
    assert (
        "failed",
        "too little text on the page (25 words): a paywall or an empty page",
        "not an HTML page (application/pdf)",
    ) == (paywalled.status, paywalled.reason, pdf.reason)


def test_the_fixture_pages_are_served(article_server: FeedServer) -> None:
    """Every page of the fixtures is on the server (so the edition tests read all ten)."""
    pages = sorted(path.name for path in Path(PAGES).glob("*.html"))
    served = sorted(
        path.removeprefix("/articles/")
        for path, route in article_server.routes.items()
        if path.startswith("/articles/") and path.endswith(".html") and route.status == 200
    )
    assert (10, pages) == (len(pages), served)
