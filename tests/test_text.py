"""Text from feeds and servers reaches the edition without controls, bidi tricks or floods."""

import httpx
import pytest
from pydantic import ValidationError

from briefing.sources.feeds import FeedConfig, feed_for_url, fetch_feed, parse_feed
from briefing.sources.fetch import FetchLimits
from briefing.sources.text import one_line, safe_link, short_text, strip_unshown

FEED = feed_for_url("https://wire.example.org/rss.xml")


def rss(channel_title: str, item: str) -> bytes:
    """An RSS 2.0 feed of one item under a channel title, both given as XML."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{channel_title}</title><item>{item}</item></channel></rss>"
    ).encode()


def test_control_and_bidi_characters_are_stripped() -> None:
    """C0 and C1 controls and the bidi embeddings, overrides, isolates and marks all go."""
    assert "gnp.exe ab" == strip_unshown("gnp\u202e.exe\x1b a\u2066\u2069\u200e\x85\x07b")


def test_a_name_is_one_line() -> None:
    """CRLF, other line breaks and runs of white space become single spaces."""
    assert "Wire Bcc: victim@example.org" == one_line(" Wire\r\nBcc:\u2028 victim@example.org\t")


def test_a_long_reason_is_cut_short_with_an_ellipsis() -> None:
    """Text over the limit is cut to it, ending in "…"; shorter text is left as it is."""
    assert ("x" * 199 + "…", "Not Found") == (short_text("x" * 11_000), short_text("Not Found"))


def test_a_link_shows_as_it_goes() -> None:
    """A bidi override in a link is percent-encoded, a line break removed."""
    expected = "https://a.example/%E2%80%AEfdp.exe"
    assert expected == safe_link("https://a.example/\u202efdp\n.exe")


def test_a_feed_item_with_an_override_and_controls_becomes_clean_text() -> None:
    """An item's title, text, author and link lose their controls and bidi characters where
    the item becomes a document, so quotes taken from the text match what is shown."""
    item = (
        "<title>Report gnp&#x202e;.exe &#x1b;[31mred</title>"
        "<description>JAXA&#x2066; and NASA\x07 agreed.&#x85;</description>"
        "<author>Ann&#x202e; Lee</author>"
        "<link>https://a.example/\u202efdp.exe</link>"
    )
    document = parse_feed(rss("Wire", item), None, FEED).items[0].document
    assert (
        "Report gnp.exe [31mred\nJAXA and NASA agreed.",
        "Report gnp.exe [31mred",
        "Ann Lee",
        "https://a.example/%E2%80%AEfdp.exe",
    ) == (
        document.text,
        document.title.value if document.title else None,
        document.author.value if document.author else None,
        document.url.value if document.url else None,
    )


def test_a_channel_title_with_crlf_is_one_line() -> None:
    """A CRLF in a channel title cannot make a "Bcc:" line of the email: the outlet is one line."""
    body = rss("Wire&#13;&#10;Bcc: victim@example.org", "<title>Rover deal</title>")
    document = parse_feed(body, None, FEED).items[0].document
    assert "Wire Bcc: victim@example.org" == (document.outlet.value if document.outlet else None)


def test_a_configured_name_is_one_line() -> None:
    """A feed's configured name, its items' outlet, is made one line."""
    assert (
        "Wire Bcc: x@example.org"
        == FeedConfig(name="Wire\r\nBcc: x@example.org", url=FEED.url).name
    )


def test_a_feed_url_with_a_line_break_is_refused() -> None:
    """A --feed URL holding CRLF is refused, naming what is wrong with it."""
    with pytest.raises(ValidationError, match="white space or control characters"):
        feed_for_url("https://a.example/\r\nBcc: x")


def test_a_huge_reason_phrase_is_cut_short_in_the_outcome() -> None:
    """An 11 KB reason phrase from a hostile server is cut to 200 characters in the outcome."""

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, extensions={"reason_phrase": b"Busy\r\n" + b"y" * 11_000})

    feed = feed_for_url("http://127.0.0.1:9/feed.xml")
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        fetched = fetch_feed(client, feed, limits=FetchLimits(), allow_private_network=True)
    reason = fetched.outcome.reason or ""
    assert ("HTTP 503 Busy " + "y" * 194 + "…", True) == (reason, fetched.transient)
