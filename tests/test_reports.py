"""Who reported it: an aggregator's item credited to its own outlet, and outlets' copies of
one wire story counted as one independent report."""

from datetime import date

from briefing.compose.reports import _WORD, SHINGLE, _shingles, independent_reports, wire_credit
from briefing.render.formatting import report_count
from briefing.sources.feeds import FeedConfig, parse_feed
from briefing.topic import Topic
from tests.test_stories import edition, item

AGGREGATOR = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Space Digest</title>
<item><title>Japan picks two astronaut candidates</title>
<link>https://www.japantimes.co.jp/news/2023/02/28/national/jaxa-astronauts/</link>
<description>JAXA named two astronaut candidates on Tuesday.</description>
<source url="https://www.japantimes.co.jp/feed/">The Japan Times</source></item>
<item><title>Digest of the week</title><link>https://digest.example/week</link>
<description>The week in space, by the digest's editors.</description>
<source url="https://digest.example/feed">Space Digest</source></item>
</channel></rss>"""


def test_an_aggregator_item_is_credited_to_its_own_outlet() -> None:
    """An item whose <source> names The Japan Times is The Japan Times' report, arrived through
    the digest feed; the digest's own item (its <source> the digest itself) stays the digest's."""
    feed = FeedConfig(name="https://digest.example/feed", url="https://digest.example/feed")
    parsed = parse_feed(AGGREGATOR, "application/rss+xml", feed)
    japan_times, own = (i.document for i in parsed.items)
    assert (
        ("The Japan Times", "item source element", True),
        ("Space Digest", "channel title"),
    ) == (
        (
            japan_times.outlet.value if japan_times.outlet else None,
            japan_times.outlet.origin if japan_times.outlet else None,
            "arrived through the feed https://digest.example/feed" in (japan_times.note or ""),
        ),
        (own.outlet.value if own.outlet else None, own.outlet.origin if own.outlet else None),
    )


KYODO_COPY = (
    "TOKYO (Kyodo) -- The Japan Aerospace Exploration Agency on Tuesday named two new astronaut "
    "candidates, a surgeon and a World Bank official, its first selection in 13 years, as Japan "
    "prepares to send astronauts to the Moon under the U.S.-led Artemis program."
)


def test_two_outlets_copies_of_one_wire_story_count_as_one_independent_report(
    topic: Topic,
) -> None:
    """The Japan Times and Nikkei run Kyodo's copy; SpaceNews writes its own: three reports
    from three outlets, two of them independent."""
    day = date(2024, 1, 23)
    documents = [
        item("jt", "Japan Times", day, "JAXA names two astronaut candidates", KYODO_COPY),
        item("nikkei", "Nikkei", day, "JAXA picks 2 astronaut candidates", KYODO_COPY),
        item(
            "spacenews",
            "SpaceNews",
            day,
            "JAXA selects two astronaut candidates for Artemis",
            "JAXA announced Jan. 23 that it selected two astronaut candidates, who could fly "
            "to the Moon on Artemis missions under an agreement between Japan and NASA.",
        ),
    ]
    briefing = edition(documents, topic)
    (story,) = [s for s in briefing.stories if len(s.document_ids) == 3]
    assert "3 reports from 3 outlets, 2 independent reports" == report_count(story, briefing)


def test_near_duplicate_texts_without_a_credit_are_one_report() -> None:
    """A copy whose credit was cut is still the same text: one report; a wire credit is read
    from the dateline."""
    day = date(2024, 1, 23)
    first = item("a", "Japan Times", day, "Title one", KYODO_COPY)
    second = item("b", "Nikkei", day, "Title two", KYODO_COPY.removeprefix("TOKYO (Kyodo) -- "))
    own = item("c", "SpaceNews", day, "Title three", "JAXA chose two people to be astronauts.")
    assert ([["feed-a", "feed-b"], ["feed-c"]], "Kyodo") == (
        independent_reports([first, second, own]),
        wire_credit(first),
    )


def test_shingles_are_the_words_lowered_one_by_one() -> None:
    """A word whose lowercase has a mark that is not a word character ("İ" lowers to "i" and a
    combining dot) stays one word of a shingle, as lowering each word found gives; texts of
    fewer than five words have none."""
    text = "İstanbul hosted ΟΔΥΣΣΕΑΣ and the Japan-U.S. talks on debris, JAXA said"
    words = [word.lower() for word in _WORD.findall(text)]
    expected = {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    assert (_shingles(text), _shingles("one two three four")) == (expected, frozenset())
    assert ("i̇stanbul", "hosted", "οδυσσεας", "and", "the") in expected
