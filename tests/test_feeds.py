"""Feeds fetched over real HTTP from 127.0.0.1, parsed and selected: each ends as an outcome."""

import ipaddress
from datetime import date
from pathlib import Path

import pytest

from briefing.errors import ConfigurationError, FetchError
from briefing.models import Attested, FetchOutcome, PartialDate, SourceDocument, SourceType
from briefing.render.formatting import entry_counts
from briefing.settings import PROJECT_ROOT
from briefing.sources.feeds import (
    MAX_FEED_ITEMS,
    FeedConfig,
    FeedCopy,
    FeedFetch,
    FeedItem,
    canonical_link,
    dedupe_items,
    feed_for_url,
    fetch_feed,
    load_feed_config,
    parse_feed,
    plain_text,
    select_items,
)
from briefing.sources.fetch import Validators, address_refusal, fetch_url
from briefing.topic import Topic, item_lead
from tests.feedserver import LIMITS, FeedServer, loopback_client

EDITION = date(2023, 1, 27)
SINCE = date(2023, 1, 20)


def fetch(server: FeedServer, path: str, *, allow_private_network: bool = True) -> FeedFetch:
    """Fetch one of the server's paths as a feed named by its URL."""
    with loopback_client() as client:
        return fetch_feed(
            client,
            feed_for_url(server.url(path)),
            limits=LIMITS,
            allow_private_network=allow_private_network,
        )


def read(server: FeedServer, path: str, topic: Topic) -> tuple[tuple[FeedItem, ...], FetchOutcome]:
    """Fetch a path, then select its items for the edition of EDITION."""
    return select_items(fetch(server, path), topic, SINCE, EDITION)


def outcome_of(server: FeedServer, path: str, topic: Topic) -> dict[str, object]:
    """The outcome of reading a path, without the feed's name and URL."""
    return read(server, path, topic)[1].model_dump(exclude={"feed", "url"}, exclude_defaults=True)


def test_rss20_item_becomes_a_plain_text_document_with_metadata(
    feed_server: FeedServer, topic: Topic
) -> None:
    """An RSS 2.0 item's title and HTML description become plain text; its fields are metadata."""
    items, _ = read(feed_server, "/rss20.xml", topic)
    link = "https://orbit-wire.example.org/2023/01/24/lunar-rover"
    text = (
        "JAXA and NASA sign lunar rover agreement\n"
        "Japan and the United States signed an agreement on Jan. 24 under which JAXA will "
        "supply a pressurized rover for Artemis missions to the Moon.\n"
        "NASA said a Japanese astronaut would fly on two future Artemis landing missions & "
        "work on the lunar surface."
    )
    expected = SourceDocument(
        id=items[0].document.id,
        source_type=SourceType.NEWS,
        outlet=Attested(value="Orbit Wire", basis="metadata", origin="channel title"),
        title=Attested(
            value="JAXA and NASA sign lunar rover agreement", basis="metadata", origin="item title"
        ),
        author=Attested(value="Jane Example", basis="metadata", origin="item author"),
        published=Attested(
            value=PartialDate(year=2023, month=1, day=24), basis="metadata", origin="item published"
        ),
        url=Attested(value=link, basis="metadata", origin="item link"),
        note=f"An item of the feed {feed_server.url('/rss20.xml')}: its title and the text the "
        "feed carries.",
        form="feed-item",
        location=link,
        text=text,
    )
    assert (expected, link, link) == (items[0].document, items[0].canonical_link, items[0].guid)


def test_no_markup_or_remote_url_from_item_html_survives(
    feed_server: FeedServer, topic: Topic
) -> None:
    """The tracking image and the script of an item's HTML leave no trace in its text."""
    items, _ = read(feed_server, "/rss20.xml", topic)
    leftovers = [
        (item.document.id, marker)
        for item in items
        for marker in ("<", ">", "tracker.example.net", "script", "alert", "&amp;")
        if marker in item.document.text
    ]
    assert [] == leftovers


def test_off_topic_and_out_of_period_items_are_dropped_and_counted(
    feed_server: FeedServer, topic: Topic
) -> None:
    """Of five items, a market report is off topic (not about space), one is too old, the
    NASA-only one on the Artemis rocket is left out (a U.S. item in civil space with no
    Japanese role), and the undated one is kept and counted as undated."""
    expected = {
        "status": "fetched",
        "http_status": 200,
        "bytes_received": len((feed_server.routes["/rss20.xml"]).body),
        "items": 5,
        "kept": 2,
        "off_topic": 2,
        "off_topic_reasons": {"not about space": 1, "one partner, without the other's role": 1},
        "out_of_period": 1,
        "undated": 1,
    }
    assert expected == outcome_of(feed_server, "/rss20.xml", topic)


def test_undated_item_is_kept_without_a_published_date(
    feed_server: FeedServer, topic: Topic
) -> None:
    """The item with no date is read, with no published date rather than an invented one."""
    items, _ = read(feed_server, "/rss20.xml", topic)
    undated = [item.document.title.value for item in items if item.document.published is None]
    assert ["Allies to share space data"] == undated


@pytest.mark.parametrize(
    ("path", "titles", "origin"),
    [
        ("/atom.xml", ["Debris threatens the station", "Rover deal signed"], "item updated"),
        ("/rdf.xml", ["Sensors to ride on QZSS"], "item updated"),
        ("/malformed.xml", ["Joint lunar mission studied"], "item published"),
        ("/shift_jis.xml", ["日米、月面探査で協力"], "item published"),
        (
            "/gzip.xml",
            [
                "JAXA and NASA sign lunar rover agreement",
                "Allies to share space data",
            ],
            None,
        ),
    ],
)
def test_each_feed_format_yields_its_items(
    feed_server: FeedServer, topic: Topic, path: str, titles: list[str], origin: str | None
) -> None:
    """Atom, RSS 1.0 (RDF), a malformed RSS, a Shift_JIS RSS and a gzip-encoded RSS are read."""
    items, outcome = read(feed_server, path, topic)
    origins = {item.document.published.origin for item in items if item.document.published}
    expected = ("fetched", titles, {origin} if origin else {"item published"})
    assert expected == (outcome.status, [i.document.title.value for i in items], origins)


def test_shift_jis_text_is_decoded_to_the_right_characters(
    feed_server: FeedServer, topic: Topic
) -> None:
    """The Shift_JIS feed's Japanese characters arrive as the same characters, not mojibake."""
    items, _ = read(feed_server, "/shift_jis.xml", topic)
    expected = (
        "日米、月面探査で協力\nJAXA and NASA agreed to study a Japanese lunar lander for the "
        "Artemis program, officials said in Tokyo (東京)."
    )
    assert expected == items[0].document.text


def test_a_malformed_feed_with_entries_is_kept_and_its_problem_recorded(
    feed_server: FeedServer, topic: Topic
) -> None:
    """feedparser's complaint about the undefined entity is kept beside the item it still read."""
    expected = {
        "status": "fetched",
        "http_status": 200,
        "bytes_received": len(feed_server.routes["/malformed.xml"].body),
        "items": 1,
        "kept": 1,
        "bozo": "SAXParseException: <unknown>:9:97: undefined entity",
    }
    assert expected == outcome_of(feed_server, "/malformed.xml", topic)


def test_an_empty_feed_is_fetched_with_no_items(feed_server: FeedServer, topic: Topic) -> None:
    """A valid channel with no items is a fetch that read nothing, not a failure."""
    expected = {
        "status": "fetched",
        "http_status": 200,
        "bytes_received": len(feed_server.routes["/empty.xml"].body),
    }
    assert expected == outcome_of(feed_server, "/empty.xml", topic)


@pytest.mark.parametrize(
    ("path", "reason", "transient"),
    [
        ("/not-a-feed", "not a readable feed: NonXMLContentType: text/html is not an XML", False),
        ("/too-big.xml", "the response is over the 65536-byte cap", False),
        ("/too-big-declared.xml", "the response declares 133489 bytes, over the 65536", False),
        ("/gzip-bomb.xml", "the body decompresses past the decoded size cap", False),
        ("/to-metadata-service", "refused 169.254.169.254: 169.254.169.254 is a link-local", False),
        ("/never-answers.xml", "timed out waiting for data from 127.0.0.1", True),
        ("/unavailable.xml", "HTTP 503 Service Unavailable", True),
        ("/hop/5", "more than 5 redirects", False),
    ],
)
def test_each_bad_feed_ends_as_a_failed_outcome_with_its_reason(
    feed_server: FeedServer, topic: Topic, path: str, reason: str, transient: bool
) -> None:
    """Nothing raises: the feed is recorded as failed, saying why and whether to try again."""
    fetched = fetch(feed_server, path)
    _, outcome = select_items(fetched, topic, SINCE, EDITION)
    assert outcome.reason is not None
    assert ("failed", reason, transient) == (
        outcome.status,
        outcome.reason[: len(reason)],
        fetched.transient,
    )


def test_a_redirect_to_an_internal_address_is_refused_without_connecting(
    feed_server: FeedServer,
) -> None:
    """The link-local hop is refused before any connection: the tripwire transport stays quiet
    and the server saw only the first request."""
    before = len(feed_server.received("/to-metadata-service"))
    with loopback_client() as client, pytest.raises(FetchError) as raised:
        fetch_url(
            client,
            feed_server.url("/to-metadata-service"),
            limits=LIMITS,
            allow_private_network=True,
        )
    after = len(feed_server.received("/to-metadata-service"))
    expected = (1, "refused 169.254.169.254: 169.254.169.254 is a link-local address")
    assert expected == (after - before, raised.value.reason)


def test_five_redirects_are_followed(feed_server: FeedServer, topic: Topic) -> None:
    """Five hops, each checked, end at the RSS feed and its items are read."""
    assert "fetched" == read(feed_server, "/hop/4", topic)[1].status


def test_loopback_is_refused_unless_the_private_network_is_allowed(
    feed_server: FeedServer,
) -> None:
    """Without the allowance a feed on 127.0.0.1 fails before any request reaches the server."""
    before = len(feed_server.received("/empty.xml"))
    outcome = fetch(feed_server, "/empty.xml", allow_private_network=False).outcome
    after = len(feed_server.received("/empty.xml"))
    assert outcome.reason is not None
    expected = ("failed", "refused 127.0.0.1: 127.0.0.1 is a loopback or private address", 0)
    assert expected == (outcome.status, outcome.reason[:61], after - before)


def test_a_second_fetch_sends_the_etag_and_a_304_reuses_the_kept_copy(
    feed_server: FeedServer,
) -> None:
    """With the first fetch's copy, the second asks If-None-Match and is 'unchanged' on a 304."""
    first = fetch(feed_server, "/rdf.xml")
    assert first.copy is not None
    with loopback_client() as client:
        second = fetch_feed(
            client,
            feed_for_url(feed_server.url("/rdf.xml")),
            limits=LIMITS,
            allow_private_network=True,
            previous=first.copy,
        )
    sent = feed_server.received("/rdf.xml")[-1].get("if-none-match")
    expected = (first.copy.validators.etag, "unchanged", 304, first.copy, False)
    assert expected == (
        sent,
        second.outcome.status,
        second.outcome.http_status,
        second.copy,
        second.fresh,
    )


@pytest.mark.parametrize(
    ("address", "allow_private_network", "refused"),
    [
        ("93.184.216.34", False, None),
        ("2606:2800:220:1:248:1893:25c8:1946", False, None),
        ("127.0.0.1", False, "127.0.0.1 is a loopback or private address"),
        ("10.0.0.1", False, "10.0.0.1 is a loopback or private address"),
        ("192.168.1.20", False, "192.168.1.20 is a loopback or private address"),
        ("::1", False, "::1 is a loopback or private address"),
        ("fd00::1", False, "fd00::1 is a loopback or private address"),
        ("::ffff:10.0.0.1", False, "10.0.0.1 is a loopback or private address"),
        ("10.0.0.1", True, None),
        ("127.0.0.1", True, None),
        ("169.254.169.254", True, "169.254.169.254 is a link-local address"),
        ("fe80::1", True, "fe80::1 is a link-local address"),
        ("224.0.0.1", True, "224.0.0.1 is not a unicast address"),
        ("0.0.0.0", True, "0.0.0.0 is not a unicast address"),
        ("240.0.0.1", True, "240.0.0.1 is a reserved address"),
    ],
)
def test_address_refusal(address: str, allow_private_network: bool, refused: str | None) -> None:
    """Public addresses pass; loopback and private ones only when allowed; link-local,
    multicast, reserved and unspecified ones never."""
    reason = address_refusal(
        ipaddress.ip_address(address), allow_private_network=allow_private_network
    )
    assert refused == (reason[: len(refused)] if reason and refused else reason)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed.xml", "gopher://x"])
def test_only_http_and_https_urls_are_fetched(url: str) -> None:
    """Any other scheme is refused before a resolver or a socket is touched."""
    with loopback_client() as client, pytest.raises(FetchError) as raised:
        fetch_url(client, url, limits=LIMITS, allow_private_network=True)
    assert raised.value.reason.startswith("only http and https URLs are fetched")


def test_plain_text_keeps_paragraphs_and_unescapes_entities() -> None:
    """Block elements become line breaks, inline tags vanish, entities become characters."""
    html = "<h2>Title</h2><p>A &amp; B<br>said “<b>yes</b>”&nbsp;&lt;here&gt;</p><style>p{}</style>"
    assert "Title\nA & B\nsaid “yes” <here>" == plain_text(html)


def test_canonical_link_ignores_case_port_fragment_and_tracking() -> None:
    """Two spellings of one article's link are the same canonical link."""
    spelled = "HTTPS://Orbit-Wire.example.org:443/a/b?utm_source=x&id=7#top"
    assert "https://orbit-wire.example.org/a/b?id=7" == canonical_link(spelled)


def test_the_same_item_through_two_feeds_is_read_once(
    feed_server: FeedServer, topic: Topic
) -> None:
    """The Atom feed relays the RSS feed's rover story under another spelling of its link: one
    document remains, the first one read."""
    rss, _ = read(feed_server, "/rss20.xml", topic)
    atom, _ = read(feed_server, "/atom.xml", topic)
    titles = [item.document.title.value for item in dedupe_items(rss + atom)]
    expected = [
        "JAXA and NASA sign lunar rover agreement",
        "Allies to share space data",
        "Debris threatens the station",
    ]
    assert expected == titles


def test_feed_configuration_file_lists_feeds(tmp_path: Path) -> None:
    """The configuration file gives each feed's name, URL and source type."""
    path = tmp_path / "briefing.yaml"
    path.write_text(
        "feeds:\n  - name: Orbit Wire\n    url: https://orbit-wire.example.org/rss\n"
        "    source_type: wire\n",
        encoding="utf-8",
    )
    expected = (
        FeedConfig(
            name="Orbit Wire", url="https://orbit-wire.example.org/rss", source_type=SourceType.WIRE
        ),
    )
    assert expected == load_feed_config(path)


def test_the_project_configuration_file_is_valid() -> None:
    """briefing.yaml as shipped loads: a list of https feeds (read only, nothing fetched)."""
    feeds = load_feed_config(PROJECT_ROOT / "briefing.yaml")
    assert feeds
    assert all(feed.url.startswith("https://") and feed.named for feed in feeds)


@pytest.mark.parametrize(
    "content",
    [
        "feeds:\n  - name: Local\n    url: file:///etc/passwd\n",
        "feeds:\n  - name: A\n    url: https://a.example.org/\n  - name: A\n    url: https://b.example.org/\n",
        "feeds:\n  - url: https://a.example.org/\n",
        "feeds: [",
    ],
)
def test_an_unusable_configuration_file_is_a_configuration_error(
    tmp_path: Path, content: str
) -> None:
    """A non-web URL, a repeated name, a missing name or bad YAML stop the run, naming the file."""
    path = tmp_path / "briefing.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_feed_config(path)
    assert str(path) in str(raised.value)


def test_an_item_is_judged_whole_by_the_profiles_rules(topic: Topic) -> None:
    """Each rule of the profile's relevance, in order, gives its reason for an item."""
    texts = {
        "JAXA and NASA plan a lunar mission.": "names every partner",
        "Japan and the U.S. will share satellite data.": "names every partner",
        "Kishida and Biden discussed the Moon.": "names every partner",
        "Japan's Kibo module marks 15 years\nThe ISS module hosts experiments.": "a shared program",
        "NASA astronauts test the Gateway airlock\nThe Gateway will orbit the Moon.": (
            "a shared program"
        ),
        "NASA's Webb telescope unfolds its mirror\nThe Gateway will come later.": (
            "one partner, without the other's role"
        ),
        "Roscosmos cosmonauts dock with the ISS.": "names neither partner",
        "NASA plans a lunar mission.": "one partner, without the other's role",
        "The FCC fined Dish for leaving space debris in orbit.": "one partner in a theme",
        "U.S. Space Command says Russia tested an anti-satellite missile.": (
            "one partner in a theme"
        ),
        "Space Force adds cyber units to guard rocket launches.": (
            "one partner, without the other's role"
        ),
        "SLIM touched down on the Moon.": "one partner in a theme",
        "Japan plans a lunar mission.": "one partner in a theme",
        "Japan and the United States discussed trade.": "not about space",
        "Let us see Japan's new satellite.": "one partner, outside the themes",
        "India's lander reached the lunar south pole.": "names neither partner",
        "China's Chang'e 6 returned lunar samples, a first since the U.S. Apollo missions.": (
            "another nation's activity"
        ),
        "China's lunar lander carries a NASA laser reflector.": (
            "one partner, without the other's role"
        ),
    }
    assert texts == {text: topic.judge_item(text) for text in texts}


def test_a_one_partner_item_is_judged_on_its_headline_and_lead(topic: Topic) -> None:
    """A one-partner item's theme weighs in its headline and first two paragraphs: a NASA
    science story whose debris word stands deep in the article (a Mars rover's "debris field",
    as on a real NASA feed) is not debris news; the same word in the lead is."""
    background = "The rover drove higher in the canyon toward the layered rocks of Mount Sharp."
    story = [
        "NASA's Curiosity rover poses like a field geologist",
        "NASA's Mars rover Curiosity took this image with its front hazard camera on Sunday.",
        "Written by a planetary geologist of the Mars Science Laboratory mission team.",
        *[background] * 3,
        "The team imaged a debris field below the rover before the weekend drive.",
    ]
    deep, early = "\n".join(story), "\n".join([*story[:2], story[-1], *story[2:-1]])
    assert "one partner, without the other's role" == topic.judge_item(deep)
    assert "one partner in a theme" == topic.judge_item(early)
    # A "4 min read", a credit line or the headline repeated is not a paragraph of the lead.
    assert (
        "Headline\nFirst paragraph of the lead, in running text of eight words.\nSecond "
        "paragraph of the lead, in running text too."
        == item_lead(
            "Headline\n4 min read\nHeadline\nFirst paragraph of the lead, in running text "
            "of eight words.\nNASA/Daniel Rutter\nSecond paragraph of the lead, in running "
            "text too.\nA third paragraph, past the lead, is not part of it at all."
        )
    )


def test_a_profile_without_relevance_rules_reads_items_naming_every_partner(
    topic: Topic,
) -> None:
    """Without a relevance section, an item must name every partner and touch the scope."""
    bare = topic.model_copy(update={"relevance": None})
    expected = ["names every partner", "does not name every partner", "not about space"]
    assert expected == [
        bare.judge_item(text)
        for text in ("JAXA and NASA plan a lunar mission.", "NASA plans a lunar mission.", "Trade.")
    ]


def rss_with_item(item: str) -> bytes:
    """An RSS 2.0 feed of one item, given as its inner XML."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<item>{item}</item></channel></rss>"
    ).encode()


ABOUT = "<title>Rover deal</title><description>JAXA and NASA agreed.</description>"


@pytest.mark.parametrize(
    "pub_date",
    [
        "Tue, 00 Jan 2023 09:00:00 GMT",  # day "00": feedparser gives no parsed date
        "Mon, 01 Jan 0001 00:00:00 GMT",  # a year no briefing can place
        "Sat, 01 Jan 1000 00:00:00 +1400",
    ],
)
def test_an_item_with_an_impossible_pubdate_is_read_undated(pub_date: str) -> None:
    """A pubDate with day 00 or a year before 1900 leaves the item undated instead of failing
    the feed (it once raised ValidationError, or feedparser's DeprecationWarning)."""
    feed = feed_for_url("https://wire.example.org/rss.xml")
    parsed = parse_feed(rss_with_item(f"{ABOUT}<pubDate>{pub_date}</pubDate>"), None, feed)
    assert [("Rover deal\nJAXA and NASA agreed.", None)] == [
        (item.document.text, item.document.published) for item in parsed.items
    ]


def test_a_lone_surrogate_character_reference_fails_only_its_feed(topic: Topic) -> None:
    """&#xD800; made feedparser raise UnicodeEncodeError out of the run; now the feed fails
    with a reason in source health."""
    feed = feed_for_url("https://wire.example.org/rss.xml")
    body = rss_with_item("<title>x</title><description>&amp;lt;b&amp;gt;&#xD800;</description>")
    copy = FeedCopy(url=feed.url, body=body, content_type="text/html", validators=Validators())
    outcome = FetchOutcome(feed=feed.name, url=feed.url, status="fetched")
    items, result = select_items(
        FeedFetch(feed=feed, outcome=outcome, copy=copy, fresh=True), topic, SINCE, EDITION
    )
    assert ((), "failed") == (items, result.status)
    assert "UnicodeEncodeError" in (result.reason or "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("&lt;p&gt;Fish &amp;amp; chips &lt;b&gt;now&lt;/b&gt;&lt;/p&gt;", "Fish & chips now"),
        ("&amp;lt;p&amp;gt;Twice &amp;lt;em&amp;gt;escaped&amp;lt;/em&amp;gt;", "Twice escaped"),
        ('<p title="https://tracker.example.net/x" lang="en">Titled</p>', "Titled"),
        ('&lt;img src="https://tracker.example.net/x"&gt;Seen', "Seen"),
    ],
)
def test_html_escaped_twice_or_with_generic_attributes_leaves_no_markup(
    value: str, expected: str
) -> None:
    """Descriptions escaped twice, and tags carrying title or lang, become their words alone
    (they once left "<b>", "<p title=...>" and the tracker's address in the text)."""
    assert expected == plain_text(value)


def test_a_plain_text_title_holding_tags_is_sanitized() -> None:
    """An RSS 1.0 title is "plain text" to feedparser, which then leaves its tags alone; tags in
    it are cleaned like HTML."""
    body = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><channel><title>Gen</title></channel>'
        b'<item rdf:about="https://a.example/1"><title>&lt;img src="https://t.example/p"&gt;'
        b"Lander</title><link>https://a.example/1</link><description>JAXA.</description></item>"
        b"</rdf:RDF>"
    )
    parsed = parse_feed(body, "application/xml", feed_for_url("https://a.example/rss"))
    assert ["Lander\nJAXA."] == [item.document.text for item in parsed.items]


@pytest.mark.slow
def test_a_feed_of_2000_items_is_read_up_to_the_cap_and_the_rest_counted(topic: Topic) -> None:
    """Of a feed of 2,000 items (one of 20,000 kept a run busy for minutes) the first
    MAX_FEED_ITEMS are read and the others are counted as unread in source health."""
    feed = feed_for_url("https://wire.example.org/rss.xml")
    items = "".join(
        f"<item><title>Rover deal {n}</title><description>JAXA and NASA agreed on lunar "
        f"rover {n}.</description><guid>rover-{n}</guid></item>"
        for n in range(2000)
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"{items}</channel></rss>"
    ).encode()
    copy = FeedCopy(url=feed.url, body=body, content_type=None, validators=Validators())
    outcome = FetchOutcome(feed=feed.name, url=feed.url, status="fetched")
    read, result = select_items(
        FeedFetch(feed=feed, outcome=outcome, copy=copy, fresh=True), topic, SINCE, EDITION
    )
    assert (500, 500) == (MAX_FEED_ITEMS, len(read))
    assert "Rover deal 499\n" in read[-1].document.text
    assert "2000 entries: 500 read (500 undated), 1500 past the number read per feed" == (
        entry_counts(result)
    )
