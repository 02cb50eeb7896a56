"""Bounded work per document (#27): the characters read of one article or item, the facts one
document gives, counted and shown in Source health; and an item's note keeps its feed's URL."""

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.hostile import article_page, teaser_feed
from briefing import edition as stages
from briefing.extract.facts import (
    MAX_FACTS_PER_DOCUMENT,
    MAX_KIND_PER_DOCUMENT,
    PAST_THE_CAP,
    extract_facts,
)
from briefing.models import FactKind, FetchOutcome, SourceDocument, SourceType
from briefing.render.formatting import entry_counts
from briefing.sources.articles import ArticleCopy, with_article
from briefing.sources.feeds import build_item, feed_for_url
from briefing.sources.fetch import Validators
from briefing.sources.pages import MAX_PAGE_BYTES, first_bytes_of_page
from briefing.sources.text import MAX_DOCUMENT_CHARS, first_part
from briefing.topic import Topic
from tests.articleserver import teaser_plan
from tests.feedserver import FeedServer, Route

FEED_URL = "http://127.0.0.1:8080/news/feed.xml?lang=en"


def test_a_long_text_is_cut_after_its_last_whole_paragraph() -> None:
    """Past the limit the text ends at the last paragraph that fits; a short one is unchanged."""
    text = "First paragraph here.\nSecond paragraph here.\nThird paragraph here."
    assert ("First paragraph here.\nSecond paragraph here.", "short") == (
        first_part(text, 50),
        first_part("short", 50),
    )


def test_only_a_pages_first_bytes_are_handed_to_the_extractor() -> None:
    """A page past MAX_PAGE_BYTES is cut before the last tag that starts within them."""
    page = b"<html><body>" + b"<p>JAXA and NASA agreed.</p>" * 200_000 + b"</body></html>"
    first = first_bytes_of_page(page)
    assert (True, True, True) == (
        len(page) > MAX_PAGE_BYTES >= len(first),
        page.startswith(first),
        page[len(first) : len(first) + 1] == b"<",
    )


def _long_document(sentences: int) -> SourceDocument:
    body = "\n".join(
        f"JAXA and NASA agreed on {n} tonnes of Gateway cargo in a deal signed in Tokyo."
        if n % 2
        else f"Japan will launch {n} cargo missions to the Gateway lunar station by 2029."
        for n in range(sentences)
    )
    return SourceDocument(
        id="doc-long",
        source_type=SourceType.NEWS,
        outlet=None,
        title=None,
        author=None,
        published=None,
        url=None,
        form="article",
        location="https://example.org/long",
        text=body,
    )


def test_one_document_gives_at_most_the_cap_of_facts_and_counts_the_rest(topic: Topic) -> None:
    """A document of 600 relevant sentences gives the cap's facts, at most the cap's events and
    plans, and counts every sentence past it as left out."""
    extraction = extract_facts(_long_document(600), topic)
    kinds = Counter(fact.kind for fact in extraction.facts)
    past = sum(n for reason, n in extraction.skipped.items() if reason.startswith(PAST_THE_CAP))
    assert (True, True, True, True) == (
        len(extraction.facts) <= MAX_FACTS_PER_DOCUMENT,
        kinds[FactKind.PLAN] <= MAX_KIND_PER_DOCUMENT[FactKind.PLAN],
        kinds[FactKind.EVENT] <= MAX_KIND_PER_DOCUMENT[FactKind.EVENT],
        past > 400,
    )


def test_an_item_read_from_a_feed_url_keeps_the_whole_url_in_its_note() -> None:
    """The note of an item of ``--feed URL``, and of its full article, names the whole URL."""
    feed = feed_for_url(FEED_URL)
    entry = {
        "title_detail": {"type": "text/plain", "value": "JAXA and NASA sign a Gateway deal"},
        "summary_detail": {"type": "text/plain", "value": "Japan will build it [...]"},
        "link": "http://127.0.0.1:8080/story",
    }
    item = build_item(entry, feed, None)
    assert item is not None
    copy = ArticleCopy(
        canonical_link="http://127.0.0.1:8080/story",
        url="http://127.0.0.1:8080/story",
        text=" ".join(["JAXA and NASA agreed on the habitat's life support."] * 30),
        validators=Validators(),
    )
    replaced = with_article(item, copy)
    assert replaced is not None
    assert (
        f"An item of the feed {FEED_URL}: its title and the text the feed carries.",
        f"An item of the feed {FEED_URL}: the whole article, fetched from its page (the feed "
        "carried a teaser).",
    ) == (item.document.note, replaced.document.note)


def test_source_health_says_how_many_entries_were_too_long() -> None:
    """A feed's row says how many of its kept entries were read only in part, and how many
    reached the most facts one document gives."""
    outcome = FetchOutcome(
        feed="Desk", url=FEED_URL, status="fetched", items=3, kept=2, cut=1, at_fact_cap=1
    )
    assert (
        f"3 entries: 2 read, 1 too long: only the first {MAX_DOCUMENT_CHARS:,} characters read, "
        "1 at the most facts one entry gives: the rest left out"
    ) == entry_counts(outcome)


@pytest.mark.slow
def test_an_edition_with_a_three_megabyte_page_reads_its_first_part(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """One teaser whose page holds 3 MB of relevant text: the edition is composed from the
    page's first part, its facts within the cap, and Source health counts the cut."""
    page = article_page(3_000_000)
    feed_server.routes["/bounds/page.html"] = Route(page, "text/html; charset=utf-8")
    feed_server.routes["/bounds/feed.xml"] = Route(
        teaser_feed(feed_server.url(""), [feed_server.url("/bounds/page.html")])
    )
    plan = teaser_plan(tmp_path, feed_server.url("/bounds/feed.xml"))
    read = stages.read_edition(plan, stages.Plainly())  # as every edition reads
    briefing = stages.compose(plan, read.topic, read.documents, read.extracted, read.selection)
    extracted = read.extracted
    (document,) = read.documents
    (outcome,) = briefing.source_health
    assert (True, True, (1, 1), True, True) == (
        document.full_article and len(document.text) <= MAX_DOCUMENT_CHARS,
        0 < len(extracted.facts) <= MAX_FACTS_PER_DOCUMENT,
        (outcome.cut, outcome.at_fact_cap),
        "1 too long" in entry_counts(outcome),
        "1 at the most facts one entry gives" in entry_counts(outcome),
    )
