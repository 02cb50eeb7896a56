"""The full article behind a teaser feed item, fetched with the feeds' own safe fetcher.

Which items want their article (``wants_article``), fetching one page with the copy kept from
the last time (``fetch_article``: a conditional GET, a 304 reuses the copy), and the item with
the article's text in place of the teaser (``with_article``). ``fetch_articles`` does a round
for an edition: in the items' order, at most ``cap`` pages, at most ``per_host`` at once on any
one host, a transient failure tried again ``retries`` times. No failure is ever raised: it
leaves the teaser in place and is counted, with its reason, for Source health.
"""

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict

from briefing.errors import FetchError
from briefing.models import SourceDocument
from briefing.sources.feeds import ITEM_NOTE_TAIL, FeedConfig, FeedItem
from briefing.sources.fetch import (
    PAGE_ACCEPT,
    FetchLimits,
    PrivateAllowance,
    PrivateHosts,
    Validators,
    fetch_url,
    fetches_end_by,
)
from briefing.sources.pages import (
    MIN_ARTICLE_WORDS,
    article_text,
    count_words,
    extract_main_text,
    is_html,
)
from briefing.sources.text import first_part, short_text

# The marks a feed leaves on a teaser: an excerpt cut with "[…]" or "…", a "Continue reading"
# or "Read more" link, WordPress's "The post ... appeared first on ...".
_TEASER = re.compile(
    r"(?:\[(?:…|&hellip;|\.\.\.)\]|…|\.\.\.)$"
    r"|\b(?:Continue reading|Keep reading|Read (?:more|the (?:full|whole|rest))\b)"
    r"|\b(?:appeared first|first appeared) on\b",
    re.IGNORECASE | re.MULTILINE,
)
ARTICLE_REASON_LIMIT = 120


def looks_like_teaser(body: str) -> bool:
    """Whether an item's text (headline aside) carries a teaser's marks."""
    return _TEASER.search(body) is not None


def item_body(document: SourceDocument) -> str:
    """An item's text without its headline line."""
    title = document.title.value if document.title is not None else None
    first, _, rest = document.text.partition("\n")
    return rest if title is not None and first == title else document.text


def wants_article(document: SourceDocument, feed: FeedConfig) -> bool:
    """Whether an item's article should be fetched: by the feed's ``full_text`` choice, and
    with ``auto`` when its own text is short or looks like a teaser. Needs a web link."""
    if document.url is None or document.full_article or feed.full_text == "never":
        return False
    if feed.full_text == "always":
        return True
    body = item_body(document)
    return count_words(body) < feed.full_text_words or looks_like_teaser(body)


class ArticleCopy(BaseModel):
    """An article's text as last extracted from its page, with the page's validators."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    canonical_link: str
    url: str  # where it was fetched from, redirects followed
    text: str  # the page's main text (no headline), one paragraph a line
    validators: Validators


ArticleStatus = Literal["fetched", "reused", "failed"]


@dataclass(frozen=True)
class ArticleFetch:
    """One article's fetch: fetched now, reused from the copy (304), or failed with a reason."""

    status: ArticleStatus
    copy: ArticleCopy | None = None
    reason: str | None = None
    transient: bool = False


def _failed(reason: str, *, transient: bool = False) -> ArticleFetch:
    reason = short_text(reason, ARTICLE_REASON_LIMIT)
    return ArticleFetch("failed", reason=reason, transient=transient)


def fetch_article(
    client: httpx.Client,
    link: str,
    canonical: str,
    *,
    limits: FetchLimits,
    allow_private_network: PrivateAllowance = False,
    previous: ArticleCopy | None = None,
) -> ArticleFetch:
    """Fetch and extract one article page; never raises FetchError."""
    try:
        fetched = fetch_url(
            client,
            link,
            limits=limits,
            allow_private_network=allow_private_network,
            validators=previous.validators if previous is not None else None,
            accept=PAGE_ACCEPT,
        )
    except FetchError as exc:
        return _failed(exc.reason, transient=exc.transient)
    if fetched.not_modified:
        if previous is None:
            return _failed("HTTP 304 for a page with no copy kept")
        return ArticleFetch("reused", copy=previous)
    if not is_html(fetched.content_type, fetched.body):
        kind = (fetched.content_type or "no type").split(";", 1)[0]
        return _failed(f"not an HTML page ({kind})")
    text = extract_main_text(fetched.body)
    if count_words(text) < MIN_ARTICLE_WORDS:
        return _failed(
            f"too little text on the page ({count_words(text)} words): a paywall or an empty page"
        )
    copy = ArticleCopy(
        canonical_link=canonical, url=fetched.url, text=text, validators=fetched.validators
    )
    return ArticleFetch("fetched", copy=copy)


def with_article(item: FeedItem, copy: ArticleCopy) -> FeedItem | None:
    """The item with the article's text (headline first) in place of the teaser, recording that
    it is the full article and where it came from; None when the article says less."""
    document = item.document
    headline = document.title.value if document.title is not None else ""
    whole = article_text(headline, copy.text)
    text = first_part(whole)
    if count_words(text) <= count_words(document.text):
        return None
    # "An item of the feed X: its title and the text the feed carries." says otherwise now. X
    # may be the feed's URL, colons and all: the known tail comes off, nothing is cut at a colon.
    note = document.note or ""
    said = note.removesuffix(ITEM_NOTE_TAIL) if note.endswith(ITEM_NOTE_TAIL) else "A feed item"
    data = document.model_dump()
    data.update(
        text=text,
        sha256="",
        full_article=True,
        fetched_from=copy.url,
        note=f"{said}: the whole article, fetched from its page (the feed carried a teaser).",
    )
    return FeedItem(
        document=SourceDocument.model_validate(data),
        feed_url=item.feed_url,
        canonical_link=item.canonical_link,
        guid=item.guid,
        cut=len(text) < len(whole),
    )


def article_private_hosts(
    feeds: Sequence[FeedConfig], feeds_private: bool, named: Sequence[str]
) -> PrivateHosts:
    """The hosts an edition's article links may reach at private addresses: the named ones,
    and each feed's own host and port when feeds may be fetched from private addresses."""
    return PrivateHosts.of([feed.url for feed in feeds] if feeds_private else [], named)


class HostSlots:
    """At most ``limit`` requests at once to any one host, and the starts of its requests
    spaced by a delay."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    def wait_for_turn(self, url: str, delay: float, now: float) -> float:
        """Seconds to wait before the next request to the URL's host may start, ``delay``
        after the last one's start; the turn is taken."""
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + delay
        return start - now

    @contextmanager
    def held(self, url: str) -> Iterator[None]:
        """Hold one of the URL's host's slots for the block."""
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self._limit))
        with slot:
            yield


@dataclass(frozen=True)
class ArticlePolicy:
    """How an edition fetches articles: its cap, the parallel limits and the retries."""

    cap: int = 60
    per_host: int = 2
    workers: int = 8
    retries: int = 2
    retry_delay: float = 2.0
    stage_seconds: float = 300.0  # the whole round, from its start
    host_seconds: float = 120.0  # one host's pages, from its first request
    host_delay: float = 0.0  # seconds between the starts of two requests to one host


@dataclass
class ArticleRound:
    """What an edition's article round did: the items, and per feed the counts and reasons."""

    items: tuple[FeedItem, ...]
    copies: tuple[ArticleCopy, ...]  # fetched now, to keep
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # by feed URL
    failures: dict[str, Counter[str]] = field(default_factory=dict)  # by feed URL


FetchOne = Callable[[str, str, ArticleCopy | None], ArticleFetch]


class Robots(Protocol):
    """What a site's robots.txt says of a page (``briefing.sources.robots.RobotsRules``)."""

    def refusal(self, url: str) -> str | None:
        """Why the page may not be fetched, or None."""

    def delay(self, url: str) -> float:
        """The site's Crawl-delay for this reader."""


# An article not fetched because the stage's or its host's deadline had passed: teaser kept.
LATE = ArticleFetch("failed", reason="the article stage's deadline had passed")
clock_now = time.monotonic


class Deadlines:
    """When the round must end (``stage_seconds`` from its start) and each host's pages
    (``host_seconds`` from the host's first request), whichever comes first."""

    def __init__(self, start: float, policy: ArticlePolicy) -> None:
        self._stage = start + policy.stage_seconds
        self._host_seconds = policy.host_seconds
        self._hosts: dict[str, float] = {}
        self._lock = threading.Lock()

    def ends_for(self, url: str) -> float:
        """The time by which a fetch from the URL's host must be over."""
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            ends = self._hosts.setdefault(host, clock_now() + self._host_seconds)
        return min(self._stage, ends)


def fetch_articles(
    items: Sequence[FeedItem],
    feeds: Mapping[str, FeedConfig],
    kept: Mapping[str, ArticleCopy],
    fetch_one: FetchOne,
    policy: ArticlePolicy,
    sleep: Callable[[float], None] = time.sleep,
    robots: "Robots | None" = None,
) -> ArticleRound:
    """Fetch the articles of the items that want one, within the policy; each fetched or reused
    article replaces its item's teaser, each failure leaves the teaser. With ``robots``, a page
    its site's robots.txt disallows is not fetched (a failure saying so) and the site's
    Crawl-delay spaces its requests."""
    wanted = [
        index
        for index, item in enumerate(items)
        if item.canonical_link is not None
        and item.feed_url in feeds
        and wants_article(item.document, feeds[item.feed_url])
    ]
    chosen, over_cap = wanted[: policy.cap], wanted[policy.cap :]
    slots = HostSlots(policy.per_host)
    clock = Deadlines(clock_now(), policy)

    def attempt(index: int) -> ArticleFetch:
        item = items[index]
        assert item.document.url is not None and item.canonical_link is not None
        link, canonical = item.document.url.value, item.canonical_link
        for tried in range(policy.retries + 1):
            with slots.held(link):
                ends = clock.ends_for(link)
                if clock_now() >= ends:
                    return LATE
                with fetches_end_by(ends):
                    refusal = robots.refusal(link) if robots is not None else None
                    if refusal is not None:
                        return _failed(refusal)
                    delay = max(policy.host_delay, robots.delay(link) if robots else 0.0)
                    wait = slots.wait_for_turn(link, delay, clock_now())
                    if clock_now() + wait >= ends:
                        return LATE
                    if wait > 0:
                        sleep(wait)
                    result = fetch_one(link, canonical, kept.get(canonical))
            if result.status == "failed" and clock_now() >= ends:
                return LATE  # cut by the stage's or the host's deadline, not the page's own
            if not result.transient or tried == policy.retries:
                return result
            if clock_now() + policy.retry_delay >= ends:
                return result
            sleep(policy.retry_delay)
        raise AssertionError("unreachable")  # pragma: no cover

    with ThreadPoolExecutor(max(1, policy.workers)) as pool:
        results = dict(zip(chosen, pool.map(attempt, chosen), strict=True))
    out = list(items)
    copies: list[ArticleCopy] = []
    counts: dict[str, Counter[str]] = {}
    failures: dict[str, Counter[str]] = {}
    for index in over_cap:
        counts.setdefault(items[index].feed_url, Counter())["over_cap"] += 1
    for index, result in results.items():
        item = items[index]
        if result is LATE:
            counts.setdefault(item.feed_url, Counter())["late"] += 1
            continue
        status, reason = result.status, result.reason
        replaced = with_article(item, result.copy) if result.copy is not None else None
        if result.copy is not None and replaced is None:
            status, reason = "failed", "the page holds no more text than the feed item"
        if replaced is not None:
            out[index] = replaced
            if replaced.cut and not item.cut:
                counts.setdefault(item.feed_url, Counter())["cut"] += 1
            if status == "fetched":
                copies.append(result.copy)  # type: ignore[arg-type]
        counts.setdefault(item.feed_url, Counter())[status] += 1
        if status == "failed":
            failures.setdefault(item.feed_url, Counter())[reason or "failed"] += 1
    return ArticleRound(tuple(out), tuple(copies), counts, failures)
