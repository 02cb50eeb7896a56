"""Property-based tests of the parsers of outside input the feeds bring: feed bytes, feed dates,
HTML, the feed configuration file, settings from the environment, URLs and email addresses.

Each test runs a bounded number of generated examples (the "briefing" Hypothesis profile in
conftest.py), so `make test` stays quick and repeatable.
"""

import html
import ipaddress
import os
import re
import string
from datetime import UTC, date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from unittest import mock

import httpx
import pytest
import yaml
from feedparser.datetimes import _parse_date  # the reference for what a date string means
from hypothesis import HealthCheck, assume, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError

from briefing.addresses import parse_address
from briefing.compose.assemble import compose_briefing
from briefing.deliver.mail import addressed, build_message
from briefing.errors import ConfigurationError, FetchError, SourceError
from briefing.extract.facts import extract_facts
from briefing.models import FetchOutcome
from briefing.settings import Settings
from briefing.sources.feeds import (
    FeedConfig,
    FeedCopy,
    FeedFetch,
    feed_for_url,
    load_feed_config,
    parse_feed,
    plain_text,
    select_items,
)
from briefing.sources.fetch import FetchLimits, Validators, address_refusal, fetch_url
from briefing.topic import Topic
from tests.conftest import TEMPLATES_DIR
from tests.feedserver import fixture

EDITION = date(2023, 1, 27)
PERIOD_START = EDITION - timedelta(days=7)
FEED = FeedConfig(name="Generated Feed", url="https://feeds.example.org/space.xml")
# A URL no text of any generated input shows: if it is ever in a document, markup leaked.
TRACKER = "https://tracker.example.net/pixel"

# --- feed bytes ------------------------------------------------------------------------------

NEWS = [
    "NASA and JAXA signed the Artemis agreement for the Gateway last week.",
    "Japan and the United States agreed that debris from ASAT tests threatens satellites.",
    "A Japanese astronaut will land on the Moon by 2028, Blinken said on Friday.",
    "The U.S.-Japan alliance covers attacks in space under Article V.",
    "JAXA said the H3 rocket would launch in fiscal 2023.",
    "日米、月面探査で協力",
]
plain = st.text(string.ascii_letters + string.digits + " .,;:'’“”—-()éü日本宇宙", max_size=40)
words = st.one_of(st.sampled_from(NEWS), plain)


def element(depth: int = 2) -> st.SearchStrategy[str]:
    """Generated HTML: nested tags, attributes pointing at the tracker, scripts and text."""
    text = words.map(html.escape)
    if depth == 0:
        return text
    inner = st.lists(element(depth - 1), max_size=3).map(" ".join)
    tag = st.sampled_from(["p", "div", "b", "em", "span", "a", "li", "h2", "blockquote", "td"])
    attribute = st.sampled_from(
        [
            "",
            f' href="{TRACKER}"',
            f" src='{TRACKER}'",
            f' style="background:url({TRACKER})"',
            f' onclick="fetch(&quot;{TRACKER}&quot;)"',
            ' title="' + "x" * 3000 + '"',
        ]
    )
    return st.one_of(
        text,
        st.tuples(tag, attribute, inner).map(lambda t: f"<{t[0]}{t[1]}>{t[2]}</{t[0]}>"),
        st.just(f'<img src="{TRACKER}" alt="">'),
        st.just(f'<iframe src="{TRACKER}"></iframe>'),
        st.just(f"<script>new Image().src='{TRACKER}'</script>"),
        st.just(f"<style>@import url({TRACKER});</style>"),
        st.just(f"<!-- {TRACKER} -->"),
        st.just("<br/>"),
    )


# Markup as feeds send it: once escaped (usual), twice escaped (a common publishing bug).
markup = st.tuples(st.lists(element(), min_size=1, max_size=4).map(" ".join), st.integers(0, 2))


def escaped(value: tuple[str, int]) -> str:
    """The markup escaped as many times as the generated number says."""
    text, times = value
    for _ in range(times):
        text = html.escape(text, quote=False)
    return text


def feedparser_date(text: str) -> date | None:
    """The UTC day feedparser's own date parser reads in a date string, if any."""
    parsed = _parse_date(text)
    return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday) if parsed else None


def feed_date(moment: datetime, style: int) -> str:
    """A date as RSS (RFC 822) or Atom (RFC 3339) writes it."""
    return moment.strftime("%a, %d %b %Y %H:%M:%S %z") if style == 0 else moment.isoformat()


OFFSETS = [0, 9 * 60, -12 * 60, 14 * 60, 5 * 60 + 30, -(3 * 60 + 30)]
raw_dates = st.one_of(
    st.datetimes(
        min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ).flatmap(lambda moment: st.integers(0, 1).map(lambda style: feed_date(moment, style))),
    st.builds(
        "{}, {:02d} {} {} {:02d}:{:02d}:{:02d} {}".format,
        st.sampled_from(["Mon", "Tue", "Xyz", ""]),
        st.integers(0, 99),
        st.sampled_from(["Jan", "Feb", "Dec", "Foo", "13"]),
        st.integers(0, 99999),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["GMT", "Z", "+0900", "-1200", "+1400", "JST", "EST", "+2500", ""]),
    ),
    st.text(max_size=30),
)


def rss_item(title: str, body: str, when: str | None, link: str) -> str:
    """One RSS 2.0 item."""
    pub = f"<pubDate>{html.escape(when)}</pubDate>" if when is not None else ""
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>{body}</description>{pub}</item>"
    )


def atom_entry(title: str, body: str, when: str | None, link: str) -> str:
    """One Atom entry, its content HTML."""
    updated = f"<updated>{html.escape(when)}</updated>" if when is not None else ""
    return (
        f'<entry><title type="html">{title}</title><id>{link}</id><link href="{link}"/>'
        f'<content type="html">{body}</content>{updated}</entry>'
    )


def rdf_item(title: str, body: str, when: str | None, link: str) -> str:
    """One RSS 1.0 (RDF) item."""
    stamp = f"<dc:date>{html.escape(when)}</dc:date>" if when is not None else ""
    return (
        f'<item rdf:about="{link}"><title>{title}</title><link>{link}</link>'
        f"<description>{body}</description>{stamp}</item>"
    )


WRAPPERS = {
    "rss": ('<rss version="2.0"><channel><title>Gen</title>', "</channel></rss>", rss_item),
    "atom": ('<feed xmlns="http://www.w3.org/2005/Atom"><title>Gen</title>', "</feed>", atom_entry),
    "rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel><title>Gen</title></channel>",
        "</rdf:RDF>",
        rdf_item,
    ),
}
ENCODINGS = ["utf-8", "shift_jis", "iso-8859-1", "utf-16", "euc-jp"]
ENTITIES = ["&amp;", "&lt;", "&#x26;", "&#38;", "&nbsp;", "&bogus;", "&#0;", "&#xD800;", "&"]
# Document type declarations a hostile feed may carry: entity expansion and external entities.
DOCTYPES = [
    "",
    '<!DOCTYPE rss [<!ENTITY who "NASA and JAXA">]>',
    '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    '<!DOCTYPE rss [<!ENTITY ext SYSTEM "file:///etc/passwd">]>',
    f'<!DOCTYPE rss [<!ENTITY ext SYSTEM "{TRACKER}">]>',
]


@st.composite
def generated_feeds(draw: st.DrawFn) -> bytes:
    """A whole feed, RSS, Atom or RDF, in one encoding, declared rightly or wrongly."""
    kind = draw(st.sampled_from(sorted(WRAPPERS)))
    opening, closing, item = WRAPPERS[kind]
    entries = []
    for n in range(draw(st.integers(0, 3))):
        references = st.sampled_from(["", *ENTITIES, "&who;", "&d;", "&ext;"])
        title = escaped(draw(markup)) + draw(references)
        body = escaped(draw(markup)) + draw(references)
        when = draw(st.one_of(st.none(), raw_dates))
        link = draw(st.sampled_from([f"https://news.example.org/{n}", "javascript:alert(1)", ""]))
        entries.append(item(title, body, when, link))
    encoding = draw(st.sampled_from(ENCODINGS))
    declared = draw(st.sampled_from([encoding, "Shift_JIS", "utf-8", "x-unknown"]))
    doctype = draw(st.sampled_from(DOCTYPES))
    text = f'<?xml version="1.0" encoding="{declared}"?>{doctype}{opening}'
    text += "".join(entries) + closing
    return text.encode(encoding, errors="xmlcharrefreplace")


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> bytes:
    """A fixture feed with bytes cut out, inserted or repeated at generated places."""
    name = draw(st.sampled_from(["rss20.xml", "atom.xml", "rdf.xml", "shift_jis.xml"]))
    body = fixture(name)
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(body)))
        end = draw(st.integers(start, min(len(body), start + 200)))
        change = draw(
            st.one_of(
                st.binary(max_size=20),
                st.sampled_from([b"<", b"]]>", b"&", b"<![CDATA[", b"<!ENTITY a 'b'>", b"\x00"]),
                st.just(body[start:end] * 2),
            )
        )
        body = body[:start] + change + body[end:]
    return body


feed_bytes = st.one_of(st.binary(max_size=300), mutated_fixtures(), generated_feeds())


def fetched(body: bytes, content_type: str | None) -> FeedFetch:
    """A feed fetch that received the body."""
    outcome = FetchOutcome(feed=FEED.name, url=FEED.url, status="fetched", http_status=200)
    copy = FeedCopy(url=FEED.url, body=body, content_type=content_type, validators=Validators())
    return FeedFetch(feed=FEED, outcome=outcome, copy=copy, fresh=True)


content_types = st.sampled_from(
    [None, "application/rss+xml", "text/xml; charset=shift_jis", "text/html", "text/plain"]
)


@pytest.mark.slow
@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(body=feed_bytes, content_type=content_types)
def test_any_feed_bytes_give_cited_statements_or_a_recorded_failure(
    body: bytes, content_type: str | None, topic: Topic
) -> None:
    """Feed bytes of any shape end as items whose statements are quoted at their spans and that
    compose into an edition, or as a failed outcome in source health; never as a crash."""
    items, outcome = select_items(fetched(body, content_type), topic, PERIOD_START, EDITION)
    assert outcome.status in {"fetched", "failed"}
    if outcome.status == "failed":
        assert ((), True) == (items, bool(outcome.reason))
        return
    assert outcome.kept == len(items) <= outcome.items
    documents = tuple(item.document for item in items)
    facts = [fact for document in documents for fact in extract_facts(document, topic).facts]
    texts = {document.id: document.text for document in documents}
    for fact in facts:
        for evidence in fact.evidence:
            assert texts[evidence.document_id][evidence.start : evidence.end] == evidence.quote
    briefing = compose_briefing(
        topic, documents, facts, EDITION, period_start=PERIOD_START, source_health=(outcome,)
    )
    assert len(documents) == len(briefing.sources)


@pytest.mark.slow
@given(body=generated_feeds())
def test_no_markup_or_remote_url_reaches_a_document(body: bytes) -> None:
    """Whatever markup or entities a feed carries, its documents hold no tag, no address from an
    attribute, script, style or comment, no local file and no entity expanded a thousandfold."""
    try:
        parsed = parse_feed(body, "application/xml", FEED)
    except SourceError:
        return
    for item in parsed.items:
        text = item.document.text
        assert (None, False) == (re.search(r"</?[A-Za-z][^>]*>", text), TRACKER in text)
        assert ("root:" not in text, "a" * 1000 not in text) == (True, True)


@pytest.mark.slow
@given(fragment=markup)
def test_html_becomes_its_visible_words(fragment: tuple[str, int]) -> None:
    """HTML, escaped or not, turns into its visible words: no tag, no attribute value, no
    script, and every sentence of its text still there."""
    text = plain_text(escaped(fragment))
    assert (None, False) == (re.search(r"</?[A-Za-z][^>]*>", text), TRACKER in text)
    shown = [sentence for sentence in NEWS if html.escape(sentence) in fragment[0]]
    assert shown == [sentence for sentence in shown if sentence in " ".join(text.split())]
    assert plain_text(text, "text/plain") == text


@pytest.mark.slow
@given(when=raw_dates, kind=st.sampled_from(sorted(WRAPPERS)))
def test_any_feed_date_gives_a_calendar_day_or_none_and_the_item_is_kept(
    when: str, kind: str
) -> None:
    """An item keeps its text whatever date string it carries, dated the day feedparser reads
    in the string, or undated when it reads none or a year the briefing cannot place."""
    opening, closing, item = WRAPPERS[kind]
    body = f'<?xml version="1.0"?>{opening}{item("Title", NEWS[0], when, "https://a.example/1")}'
    parsed = parse_feed((body + closing).encode("utf-8"), "application/xml", FEED)
    assert [NEWS[0]] == [item.document.text.splitlines()[-1] for item in parsed.items]
    published = parsed.items[0].document.published
    read = feedparser_date(when.strip())
    expected = read if read is not None and 1900 <= read.year <= 2200 else None
    assert expected == (published.value.earliest() if published is not None else None)


@pytest.mark.slow
@given(
    moment=st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2150, 12, 31),
        timezones=st.sampled_from([timezone(timedelta(minutes=m)) for m in OFFSETS]),
    ),
    style=st.integers(0, 1),
)
def test_a_well_formed_feed_date_is_read_as_its_utc_day(moment: datetime, style: int) -> None:
    """A pubDate or updated value that is a real moment is read as that moment's UTC day."""
    opening, closing, item = WRAPPERS["rss" if style == 0 else "atom"]
    text = feed_date(moment, style)
    body = f'<?xml version="1.0"?>{opening}{item("Title", NEWS[0], text, "https://a.example/1")}'
    parsed = parse_feed((body + closing).encode("utf-8"), "application/xml", FEED)
    published = parsed.items[0].document.published
    day = moment.astimezone(UTC).date()
    assert published is not None
    assert day == published.value.earliest()


# --- the configuration file, settings and URLs -----------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
feed_entries = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(scalars, st.sampled_from(["News", "Review"])),
        "url": st.one_of(
            scalars,
            st.sampled_from(
                [
                    "https://news.example.org/rss.xml",
                    "http://review.example.org/atom.xml",
                    "ftp://example.org/feed",
                    "file:///etc/passwd",
                    "https://",
                    "http://[::1",
                    "javascript:alert(1)",
                ]
            ),
        ),
        "source_type": st.one_of(scalars, st.sampled_from(["news", "analysis", "wire"])),
        "extra": scalars,
    },
)
config_shapes = st.one_of(
    st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(st.text(max_size=10), children)
        ),
        max_leaves=10,
    ),
    st.fixed_dictionaries({"feeds": st.one_of(scalars, st.lists(feed_entries, max_size=4))}),
)


@pytest.mark.slow
@given(data=config_shapes, raw=st.one_of(st.none(), st.text(max_size=60)))
def test_any_configuration_file_is_loaded_or_refused_clearly(
    data: object, raw: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A feeds file of any content loads as web feeds with unique names and URLs, or is refused
    with a ConfigurationError naming the file."""
    path = tmp_path_factory.mktemp("config") / "briefing.yaml"
    path.write_text(yaml.safe_dump(data) if raw is None else raw, encoding="utf-8")
    try:
        feeds = load_feed_config(path)
    except ConfigurationError as exc:
        assert str(path) in str(exc)
        return
    assert all(feed.url.split(":", 1)[0].lower() in {"http", "https"} for feed in feeds)
    assert len({feed.name for feed in feeds}) == len(feeds) == len({feed.url for feed in feeds})


ENVIRONMENT = [
    "BRIEFING_OUT_DIR",
    "BRIEFING_TIMEZONE",
    "BRIEFING_ALLOW_PRIVATE_NETWORK",
    "BRIEFING_CONNECT_TIMEOUT",
    "BRIEFING_MAX_FEED_BYTES",
    "BRIEFING_FETCH_RETRIES",
    "BRIEFING_EMAIL_RECIPIENTS",
    "BRIEFING_SMTP_PORT",
    "BRIEFING_SMTP_SECURITY",
    "BRIEFING_SMTP_FROM",
    "BRIEFING_SMTP_RETRIES",
]
environment_values = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
    st.sampled_from(
        [
            "true",
            "0",
            "-1",
            "1e400",
            "nan",
            "inf",
            "Asia/Tokyo",
            "../../etc",
            "a@example.org, b@example.org",
            "a@example.org\r\nBcc: c@example.org",
            "starttls",
            "65536",
        ]
    ),
)


def setting_name(variable: str) -> str:
    """The Settings field an environment variable sets: BRIEFING_SMTP_PORT is smtp_port."""
    return variable.removeprefix("BRIEFING_").lower()


@pytest.mark.slow
@given(values=st.dictionaries(st.sampled_from(ENVIRONMENT), environment_values, max_size=4))
def test_settings_from_any_environment_load_or_name_the_variable(values: dict[str, str]) -> None:
    """BRIEFING_* values of any text give settings the pipeline can use, or a validation
    error that names each variable at fault; a variable left unset keeps its default, whatever
    the others say, and recipients are bare addresses."""
    # None of the variables comes from the shell running the tests, only the generated ones.
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT} | values
    with mock.patch.dict(os.environ, environment, clear=True):
        try:
            settings = Settings()
        except ValidationError as exc:
            assert {str(error["loc"][0]) for error in exc.errors()} <= set(
                map(setting_name, values)
            )
            return
    unset = [setting_name(name) for name in ENVIRONMENT if name not in values]
    defaults = {name: Settings.model_fields[name].default for name in unset}
    assert defaults == {name: getattr(settings, name) for name in unset}
    assert all(parse_address(address) == address for address in settings.email_recipients)


url_text = st.one_of(
    st.text(max_size=40),
    st.builds(
        "{}://{}{}".format,
        st.sampled_from(["http", "HTTPS", "ftp", "file", "javascript", "data", ""]),
        st.sampled_from(["", "news.example.org", "[::1]", "127.0.0.1:8080", "a b", "x\r\ny"]),
        st.text(max_size=10),
    ),
)


@given(url=url_text)
@example(url="A://[]")  # urlsplit raised "'' does not appear to be an IPv4 or IPv6 address"
def test_a_feed_url_is_accepted_only_as_http_or_https(url: str) -> None:
    """Any string given as --feed becomes a feed with an http(s) URL and a host, or is refused
    with a validation error that quotes it."""
    try:
        feed = feed_for_url(url)
    except ValidationError as exc:
        assert f"{url!r} is not an http or https URL" in str(exc)
        return
    assert feed.url.split(":", 1)[0].lower() in {"http", "https"}
    assert "//" in feed.url and feed.url.split("//", 1)[1]


class NoConnection(httpx.BaseTransport):
    """A transport that fails the test if a request is ever sent."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Fail: nothing may be connected to."""
        raise AssertionError(f"tried to connect to {request.url}")


@given(url=url_text)
def test_a_url_that_is_not_a_web_address_is_refused_before_any_connection(url: str) -> None:
    """fetch_url refuses every URL that is not http(s) with a host, with a FetchError, before
    anything is resolved or connected to."""
    try:
        parsed = httpx.URL(url)
        assume(not (parsed.scheme in {"http", "https"} and parsed.host))
    except httpx.InvalidURL:
        pass
    with httpx.Client(transport=NoConnection()) as client, pytest.raises(FetchError):
        fetch_url(client, url, limits=FetchLimits())


@given(address=st.ip_addresses(), allowed=st.booleans())
def test_only_public_addresses_are_fetched_unless_private_ones_are_allowed(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: bool
) -> None:
    """A global unicast address is always allowed; link-local, multicast and unspecified ones
    never are; loopback and private ones only when the private network is allowed."""
    refusal = address_refusal(address, allow_private_network=allowed)
    plain_address = (
        address.ipv4_mapped
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped
        else address
    )
    never = plain_address.is_link_local or plain_address.is_multicast
    if never or plain_address.is_unspecified or plain_address.is_reserved:
        assert (refusal is not None) == (not allowed or not plain_address.is_loopback)
    elif plain_address.is_loopback or plain_address.is_private:
        assert (refusal is None) == allowed
    elif plain_address.is_global:
        assert refusal is None
    else:
        assert refusal is None if allowed else refusal is not None


# --- email addresses -------------------------------------------------------------------------

address_text = st.one_of(
    st.emails(),
    st.text(max_size=40),
    st.builds(
        "{}{}{}".format,
        st.emails(),
        st.sampled_from(
            ["\r\nBcc: x@evil.example", "\n", " ", ",b@example.org", "=?utf-8?q?=0A?="]
        ),
        st.sampled_from(["", "@example.org", ".org"]),
    ),
)


@pytest.mark.slow
@given(value=address_text)
def test_an_address_is_bare_or_refused_and_never_adds_a_header(value: str) -> None:
    """Any string is a bare address that puts exactly one recipient in the To header, or is
    refused with a ValueError; no line break or second address ever reaches the headers."""
    try:
        address = parse_address(value)
    except ValueError as exc:
        assert "is not an email address" in str(exc)
        return
    assert not re.search(r"[\s,<>\"]", address) and address.count("@") == 1
    message = build_message(
        title="A briefing",
        edition_date=EDITION,
        points=[],
        sender="briefing@example.org",
        pdf=b"%PDF-1.7\n",
        sent_at=datetime(2023, 1, 27, tzinfo=UTC),
        templates_dir=TEMPLATES_DIR,
    )
    received = message_from_bytes(addressed(message.as_bytes(), value), policy=policy.default)
    names = ["Subject", "From", "To", "Date", "Message-ID", "MIME-Version", "Content-Type"]
    assert (sorted(names), address) == (sorted(received.keys()), str(received["To"]))
