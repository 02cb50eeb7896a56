"""Feeds: the configured list, fetching one safely, and its items as plain-text source documents.

``fetch_feed`` is the only I/O here; it never raises for one feed's trouble but records it in the
``FetchOutcome``. ``parse_feed`` and ``select_items`` are pure: bytes in, documents and counts out.
feedparser only ever sees bytes that ``briefing.sources.fetch`` fetched.
"""

import hashlib
import html
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import nh3
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefing.configfile import load_utf8
from briefing.errors import ConfigurationError, FetchError, SourceError
from briefing.models import Attested, FetchOutcome, PartialDate, SourceDocument, SourceType
from briefing.redact import shown_url
from briefing.sources.limits import FetchLimits, Validators
from briefing.sources.text import first_part, one_line, safe_link, short_text, strip_unshown
from briefing.topic import ITEM_KEPT, Topic

if TYPE_CHECKING:
    import httpx

# Block elements become line breaks, so paragraphs stay paragraphs; every other tag goes.
_BLOCK_TAGS = {"p", "br", "div", "li", "ul", "ol", "blockquote", "pre", "hr", "tr", "table"}
_BLOCK_TAGS |= {f"h{level}" for level in range(1, 7)}
# nh3's output has only the tags above, attribute-less; a "<" in its text is escaped as &lt;.
_CLEAN_TAG = re.compile(r"</?[a-z0-9]+\s*/?>")
# Text that still holds an HTML tag or comment, or an escaped one, after a pass of cleaning: HTML
# escaped twice over. Only HTML's own element names count, so "&lt;here&gt;" stays text.
_HTML_ELEMENTS = set(nh3.ALLOWED_TAGS) | {
    "audio", "base", "body", "button", "embed", "font", "form", "frame", "frameset", "head",
    "html", "iframe", "input", "link", "math", "meta", "noscript", "object", "option", "picture",
    "script", "select", "source", "style", "svg", "template", "textarea", "title", "video",
}  # fmt: skip
_MARKUP = re.compile(
    rf"(?:<|&lt;)(?:!--|/?(?:{'|'.join(sorted(_HTML_ELEMENTS))})(?=[\s/>]|&gt;))", re.IGNORECASE
)
_ESCAPE_LEVELS = 3
_TRACKING_PARAMETER = re.compile(r"^(?:utm_\w+|fbclid|gclid)$")
# Entries read per feed, in the feed's order; the rest are counted as unread. A feed lists what
# is current, a few dozen entries; one of 20,000 near-identical items kept consolidation busy
# for minutes and filled the edition with copies of one statement.
MAX_FEED_ITEMS = 500
# A failed feed's reason in Source health and the JSON edition: it may quote a server's words.
OUTCOME_REASON_LIMIT = 300
# The most feeds one edition reads, the longest name and URL one may have: a 5 MB name once
# passed and then crashed the flow inside Prefect (EventTooLarge); 20,000 feeds were accepted.
MAX_FEEDS = 1000
MAX_FEED_NAME = 200
MAX_URL = 2048
MAX_CONFIG_BYTES = 1024 * 1024
# How an item's source note ends; what comes before it names the feed (a URL, colons and all).
ITEM_NOTE_TAIL = ": its title and the text the feed carries."


class FeedConfig(BaseModel):
    """One feed to read: its name in the briefing, its URL and the kind of writing it carries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=MAX_FEED_NAME,
        description="Shown in the source-health appendix.",
    )
    url: str = Field(max_length=MAX_URL, description="An http or https URL.")
    source_type: SourceType = SourceType.NEWS
    full_text: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Fetch the article behind each relevant item: auto (when the item's text is "
        "shorter than full_text_words or looks like a teaser), always, or never.",
    )
    full_text_words: int = Field(
        default=150,
        ge=0,
        le=10_000,
        description="With full_text auto: an item whose text (headline aside) has fewer words "
        "is a teaser.",
    )

    @field_validator("name")
    @classmethod
    def _one_line(cls, name: str) -> str:
        # The name heads the feed's row in Source health and becomes its items' outlet.
        line = one_line(name)
        if not line:
            raise ValueError("a feed's name needs a printable character")
        return line

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError as exc:  # "http://[::1", "A://[]": a bracketed host that is no address
            raise ValueError(f"{url!r} is not an http or https URL: {exc}") from exc
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"{url!r} is not an http or https URL")
        if safe_link(url) != url:
            raise ValueError(
                f"{url!r} is not an http or https URL: it holds white space or control "
                "characters (percent-encode them)"
            )
        return url

    @property
    def named(self) -> bool:
        """Whether the name was chosen in the configuration rather than taken from the URL."""
        return self.name not in (self.url, shown_url(self.url))


class FeedsFile(BaseModel):
    """The configuration file: the feeds every edition reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feeds: list[FeedConfig] = Field(default_factory=list, max_length=MAX_FEEDS)

    @field_validator("feeds")
    @classmethod
    def _unique(cls, feeds: list[FeedConfig]) -> list[FeedConfig]:
        for attribute in ("name", "url"):
            values = [getattr(feed, attribute) for feed in feeds]
            if len(values) != len(set(values)):
                raise ValueError(f"feed {attribute}s must be unique")
        return feeds


def load_feed_config(path: Path) -> tuple[FeedConfig, ...]:
    """The feeds listed in the configuration file."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigurationError(
                f"configuration file {path} is over {MAX_CONFIG_BYTES:,} bytes: it lists at most "
                f"{MAX_FEEDS} feeds"
            )
        data = yaml.safe_load(load_utf8(path)) or {}
        return tuple(FeedsFile.model_validate(data).feeds)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the configuration file {path}: {exc.strerror}; "
            "set BRIEFING_CONFIG_FILE to a file like briefing.yaml in the project"
        ) from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"configuration file {path} is invalid:\n{exc}") from exc


def check_feed_count(feeds: Sequence[FeedConfig]) -> None:
    """ConfigurationError when an edition would read more than MAX_FEEDS feeds."""
    if len(feeds) > MAX_FEEDS:
        raise ConfigurationError(
            f"{len(feeds)} feeds (briefing.yaml and --feed together): an edition reads at most "
            f"{MAX_FEEDS}"
        )


def feed_for_url(url: str) -> FeedConfig:
    """A feed given only by its URL (``--feed``): named by the URL (its credentials hidden),
    carrying news."""
    # Named by the URL with any password or token hidden: the name is shown in every edition.
    return FeedConfig(name=shown_url(url), url=url)


class FeedCopy(BaseModel):
    """The body of a feed's last successful fetch, with the validators that came with it. As
    JSON (the worker processes', ``briefing.workers``) the body is base64: it need not be UTF-8.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64"
    )

    url: str
    body: bytes
    content_type: str | None
    validators: Validators


@dataclass(frozen=True)
class FeedFetch:
    """One feed's fetch: its outcome and, unless it failed, the body to parse."""

    feed: FeedConfig
    outcome: FetchOutcome
    copy: FeedCopy | None = None
    fresh: bool = False
    transient: bool = False


def failed_fetch(feed: FeedConfig, reason: str, http_status: int | None = None) -> FeedFetch:
    """The record of a feed that could not be fetched; its reason one line, cut short (a
    server writes part of it)."""
    outcome = FetchOutcome(
        feed=feed.name,
        url=feed.url,
        status="failed",
        reason=short_text(reason, OUTCOME_REASON_LIMIT),
        http_status=http_status,
    )
    return FeedFetch(feed=feed, outcome=outcome)


def fetch_feed(
    client: "httpx.Client",
    feed: FeedConfig,
    *,
    limits: FetchLimits,
    allow_private_network: bool = False,
    previous: FeedCopy | None = None,
) -> FeedFetch:
    """Fetch a feed, asking whether it changed since the previous copy; never raises FetchError."""
    # Here, not at the top: the worker processes parse feeds without the HTTP client (0.1 s).
    from briefing.sources.fetch import fetch_url

    try:
        fetched = fetch_url(
            client,
            feed.url,
            limits=limits,
            allow_private_network=allow_private_network,
            validators=previous.validators if previous is not None else None,
        )
    except FetchError as exc:
        return replace(failed_fetch(feed, exc.reason, exc.http_status), transient=exc.transient)
    if fetched.not_modified:
        if previous is None:
            return failed_fetch(feed, "HTTP 304 for a feed with no copy kept", fetched.status)
        outcome = FetchOutcome(
            feed=feed.name, url=feed.url, status="unchanged", http_status=fetched.status
        )
        return FeedFetch(feed=feed, outcome=outcome, copy=previous)
    copy = FeedCopy(
        url=feed.url,
        body=fetched.body,
        content_type=fetched.content_type,
        validators=fetched.validators,
    )
    outcome = FetchOutcome(
        feed=feed.name,
        url=feed.url,
        status="fetched",
        http_status=fetched.status,
        bytes_received=fetched.bytes_received,
    )
    return FeedFetch(feed=feed, outcome=outcome, copy=copy, fresh=True)


@dataclass(frozen=True)
class FeedItem:
    """A feed entry as a source document, with the keys it is recognised by elsewhere."""

    document: SourceDocument
    feed_url: str
    canonical_link: str | None
    guid: str | None
    cut: bool = False  # its text (or its article's) was longer than MAX_DOCUMENT_CHARS


@dataclass(frozen=True)
class ParsedFeed:
    """What a feed holds: its items, how many entries had no text, how many past
    ``MAX_FEED_ITEMS`` were not read, and any parser complaint."""

    items: tuple[FeedItem, ...]
    entries: int
    empty: int
    bozo: str | None
    unread: int = 0


def _no_attribute(_tag: str, _attribute: str, _value: str) -> None:
    return None


def plain_text(value: str, content_type: str = "text/html") -> str:
    """Markup-free text: HTML is sanitized by nh3 down to line breaks, then entities unescaped
    (again while what is left still holds tags: HTML escaped twice over).

    Lines are stripped and inner runs of white space made single spaces; blank lines go, and
    so do control and bidi formatting characters (``strip_unshown``): a U+202E in a feed must
    not turn the text around in the PDF, HTML, email or logs.
    """
    if "html" in content_type or "xml" in content_type:
        # Feeds that escape their HTML twice ("&amp;lt;p&amp;gt;") leave tags in the text after
        # one pass; those are cleaned again, a bounded number of times.
        for _ in range(_ESCAPE_LEVELS):
            cleaned = nh3.clean(
                value,
                tags=_BLOCK_TAGS,
                attributes={},
                link_rel=None,
                # attributes={} alone keeps nh3's generic "title" and "lang" on every tag, and a
                # tag with an attribute would stay in the text as markup.
                attribute_filter=_no_attribute,
            )
            value = html.unescape(_CLEAN_TAG.sub("\n", cleaned))
            if not _MARKUP.search(value):
                break
    lines = (" ".join(strip_unshown(line).split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


def canonical_link(link: str) -> str:
    """A link as it identifies an article: lower-case scheme and host, no fragment, no tracking."""
    parts = urlsplit(link.strip())
    netloc = parts.netloc.lower()
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme.lower(), "")
    if default_port and netloc.endswith(default_port):
        netloc = netloc.removesuffix(default_port)
    query = [(k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING_PARAMETER.match(k)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def _detail_text(detail: Mapping[str, Any] | None) -> str:
    if not detail or not isinstance(detail.get("value"), str):
        return ""
    value, kind = detail["value"], str(detail.get("type") or "text/html")
    # "Plain text" that holds tags is HTML in all but name (feedparser leaves it unsanitized).
    return plain_text(value, "text/html" if _MARKUP.search(value) else kind)


def _published(entry: Mapping[str, Any]) -> Attested[PartialDate] | None:
    for key, origin in (("published_parsed", "item published"), ("updated_parsed", "item updated")):
        # Not entry.get: feedparser answers a missing updated_parsed with published_parsed and
        # a DeprecationWarning; its "in" asks only for the key itself.
        parsed = entry[key] if key in entry else None  # noqa: SIM401 - see above
        if isinstance(parsed, time.struct_time):
            try:
                day = PartialDate(year=parsed.tm_year, month=parsed.tm_mon, day=parsed.tm_mday)
            except ValidationError:
                # A year the briefing cannot place (before 1900, after 2200) is no date at all:
                # the item is read as undated rather than failing its whole feed.
                continue
            return Attested(value=day, basis="metadata", origin=origin)
    return None


def _web_link(entry: Mapping[str, Any]) -> str | None:
    link = entry.get("link")
    if isinstance(link, str) and urlsplit(link).scheme.lower() in {"http", "https"}:
        return safe_link(link)
    return None


def _source_outlet(entry: Mapping[str, Any], channel: str | None) -> str | None:
    """The outlet an item's ``<source>`` element names (RSS 2.0; Atom's ``source`` title), when
    it is not the feed itself: an aggregator's item credited to the outlet that reported it."""
    source = entry.get("source")
    title = source.get("title") if isinstance(source, Mapping) else None
    if not isinstance(title, str):
        return None
    name = one_line(plain_text(title, "text/plain"))
    return name if name and name != channel else None


def build_item(entry: Mapping[str, Any], feed: FeedConfig, channel: str | None) -> FeedItem | None:
    """One feed entry as a plain-text source document, or None when it has no text at all."""
    title = _detail_text(entry.get("title_detail"))
    contents = [_detail_text(detail) for detail in entry.get("content") or []]
    body = max(contents, key=len) if contents else _detail_text(entry.get("summary_detail"))
    text = "\n".join(part for part in (title, body) if part)
    if not text:
        return None
    whole = len(text)
    text = first_part(text)
    link = _web_link(entry)
    guid = (one_line(entry["id"]) or None) if isinstance(entry.get("id"), str) else None
    canonical = canonical_link(link) if link else None
    key = canonical or (f"guid:{guid}" if guid else f"text:{text}")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    outlet: Attested[str] | None = None
    note = f"An item of the feed {feed.name}{ITEM_NOTE_TAIL}"
    reporter = _source_outlet(entry, channel)
    if reporter is not None:
        # An aggregator's or digest's item names the outlet that reported it: the item is
        # that outlet's report, which arrived through this feed.
        outlet = Attested(value=reporter, basis="metadata", origin="item source element")
        note = f"A report of {reporter}, arrived through the feed {feed.name}{ITEM_NOTE_TAIL}"
    elif feed.named:
        outlet = Attested(value=feed.name, basis="metadata", origin="feed configuration name")
    elif channel:
        outlet = Attested(value=channel, basis="metadata", origin="channel title")
    author = one_line(plain_text(entry["author"])) if isinstance(entry.get("author"), str) else ""
    document = SourceDocument(
        id=f"feed-{digest}",
        source_type=feed.source_type,
        outlet=outlet,
        title=Attested(value=title, basis="metadata", origin="item title") if title else None,
        author=Attested(value=author, basis="metadata", origin="item author") if author else None,
        published=_published(entry),
        url=Attested(value=link, basis="metadata", origin="item link") if link else None,
        # Not "not the whole article": some feeds carry it whole; a teaser's article, fetched,
        # says so (briefing.sources.articles.with_article).
        note=note,
        form="feed-item",
        location=link or f"{feed.url}#{guid or digest}",
        text=text,
    )
    return FeedItem(
        document=document,
        feed_url=feed.url,
        canonical_link=canonical,
        guid=guid,
        cut=len(text) < whole,
    )


def parse_feed(body: bytes, content_type: str | None, feed: FeedConfig) -> ParsedFeed:
    """The items of an RSS 0.9x/1.0/2.0 or Atom feed; SourceError when nothing can be read.

    A feed the parser complains about ("bozo") is still read if it has entries, and the
    complaint is kept. Only the first ``MAX_FEED_ITEMS`` entries are read; the rest are counted.
    """
    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = feedparser.parse(
            body,
            response_headers={**headers, "content-location": feed.url},
            # Every text is made plain by ``plain_text`` (nh3, no tag or attribute kept), so
            # feedparser's own sanitizing and link resolving of the same HTML, two more passes
            # over it (a third of its time), would change nothing the briefing reads.
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (ValueError, LookupError) as exc:
        # feedparser lets a few malformed inputs escape, e.g. UnicodeEncodeError on the
        # character reference &#xD800; (a lone surrogate): the feed is unreadable, not the run.
        raise SourceError(f"not a readable feed: {type(exc).__name__}: {exc}") from exc
    problem = None
    if parsed.get("bozo"):
        exception = parsed.get("bozo_exception")
        problem = (
            short_text(f"{type(exception).__name__}: {exception}", OUTCOME_REASON_LIMIT)
            if exception
            else "malformed feed"
        )
    if not parsed.entries and (problem or not parsed.get("version")):
        raise SourceError(f"not a readable feed: {problem or 'no RSS or Atom found'}")
    # One line: a CRLF in a channel title must not become a line (a "Bcc:", say) of an email.
    channel = one_line(_detail_text(parsed.feed.get("title_detail"))) or None
    items = [build_item(entry, feed, channel) for entry in parsed.entries[:MAX_FEED_ITEMS]]
    return ParsedFeed(
        items=tuple(item for item in items if item is not None),
        entries=len(parsed.entries),
        empty=sum(1 for item in items if item is None),
        bozo=problem,
        unread=max(0, len(parsed.entries) - MAX_FEED_ITEMS),
    )


def select_items(
    fetch: FeedFetch, topic: Topic, period_start: date, edition_date: date
) -> tuple[tuple[FeedItem, ...], FetchOutcome]:
    """The items of a fetched feed that the edition reads, and its outcome with the counts.

    An item is read if, judged whole, it concerns the partnership (``Topic.judge_item``, whose
    reasons for leaving one out are counted) and is dated within the period; an item with no
    date is read too (a feed lists what is current) and counted as undated.
    """
    if fetch.copy is None:
        return (), fetch.outcome
    try:
        parsed = parse_feed(fetch.copy.body, fetch.copy.content_type, fetch.feed)
    except SourceError as exc:
        reason = short_text(str(exc), OUTCOME_REASON_LIMIT)
        failed = fetch.outcome.model_copy(update={"status": "failed", "reason": reason})
        return (), FetchOutcome.model_validate(failed.model_dump())
    kept, out_of_period, reasons = [], 0, Counter[str]()
    for item in parsed.items:
        published = item.document.published
        verdict = topic.judge_item(item.document.text)
        if verdict not in ITEM_KEPT:
            reasons[verdict] += 1
        elif published and not period_start <= published.value.earliest() <= edition_date:
            out_of_period += 1
        else:
            kept.append(item)
    outcome = fetch.outcome.model_copy(
        update={
            "items": parsed.entries,
            "kept": len(kept),
            "off_topic": reasons.total(),
            "off_topic_reasons": dict(sorted(reasons.items())),
            "out_of_period": out_of_period,
            "empty": parsed.empty,
            "unread": parsed.unread,
            "undated": sum(1 for item in kept if item.document.published is None),
            "cut": sum(1 for item in kept if item.cut),
            "bozo": parsed.bozo,
        }
    )
    return tuple(kept), FetchOutcome.model_validate(outcome.model_dump())


def dedupe_items(items: Iterable[FeedItem]) -> tuple[FeedItem, ...]:
    """One item per article: later items with a link, GUID or text seen before are left out."""
    seen: set[str] = set()
    unique = []
    for item in items:
        keys = {f"text:{item.document.sha256}"}
        if item.canonical_link:
            keys.add(f"link:{item.canonical_link}")
        if item.guid:
            keys.add(f"guid:{item.guid}")
        if not keys & seen:
            unique.append(item)
        seen |= keys
    return tuple(unique)
