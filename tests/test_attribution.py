"""Tests for briefing.extract.attribution: who speaks, who else is named, what kind of statement."""

import re
from datetime import date

import pytest

from briefing.extract import attribution
from briefing.extract.attribution import (
    by_first_letter,
    classify_kind,
    find_other_actors,
    find_speaker,
)
from briefing.models import FactKind, SourceDocument, When
from briefing.topic import Topic

PUBLISHED = date(2023, 1, 20)
JAN_13 = When(text="Jan. 13", start=date(2023, 1, 13), end=date(2023, 1, 13), precision="day")
IN_2026 = When(text="2026", start=date(2026, 1, 1), end=date(2026, 12, 31), precision="year")
BY_2023 = When(
    text="by 2023", start=date(2023, 1, 1), end=date(2023, 12, 31), precision="year", qualifier="by"
)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("Blinken said the alliance had never been stronger.", "Antony Blinken"),
        (
            "Scott Pace, a space policy expert at George Washington University, said the accord "
            "was overdue.",
            "Scott Pace",
        ),
        ("“This is a historic step,” said Japan's prime minister Fumio Kishida.", "Fumio Kishida"),
        (
            "Zhanna L. Malekos Smith, a senior associate at CSIS, argued that deterrence matters.",
            "Zhanna Malekos Smith",
        ),
        ("According to NASA, the rover will launch in 2026.", "NASA"),
        # "State" is a title word ("Secretary of State"), but here it opens the name.
        ("According to the State Department, the pact is in force.", "U.S. Department of State"),
        ("According to the Defense Ministry, the satellites are safe.", "Defense Ministry"),
        ("Experts such as Jane Doe warned that debris is a growing threat.", "Jane Doe"),
        # A company's suffix is not a name: the brand before it is, lower case or not.
        ("Japanese startup ispace Inc. said Friday its lander likely crashed.", "ispace Inc"),
        # A title before the name is not part of it.
        ("ispace CEO Takeshi Hakamada said the lander was lost.", "Takeshi Hakamada"),
        ("Gen. Chance Saltzman said the command will grow.", "Chance Saltzman"),
        ("Officials said the talks went well.", None),
        ("The agreement was signed in Washington on Jan. 13.", None),
    ],
)
def test_the_speaker_is_the_named_person_as_the_gazetteer_names_them(
    topic: Topic, statement: str, expected: str | None
) -> None:
    """A speaker named by a speech verb or "according to" is given by their gazetteer name, a
    speaker the gazetteer lacks as written, and a sentence with no one speaking has none."""
    assert expected == find_speaker(statement, topic, None)


def test_a_pronoun_takes_the_previous_speaker(topic: Topic) -> None:
    """A pronoun ("she noted") takes the previous speaker of the document, or no one if none."""
    statement = "She noted that the deal covers lunar exploration."
    expected = ("Kazuto Suzuki", None)
    assert expected == (
        find_speaker(statement, topic, "Kazuto Suzuki"),
        find_speaker(statement, topic, None),
    )


def test_a_named_speaker_wins_over_the_previous_one(topic: Topic) -> None:
    """A sentence naming its own speaker is theirs, whoever spoke before in the document."""
    expected = "Antony Blinken"
    assert expected == find_speaker("Blinken said it again.", topic, "Kazuto Suzuki")


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("Hiroko Yotsumoto, a space law expert, welcomed the agreement.", ("Hiroko Yotsumoto",)),
        (
            "Hiroko Yotsumoto, a space law expert, and Taro Yamada, a JAXA official, spoke.",
            ("Hiroko Yotsumoto", "Taro Yamada"),
        ),
        ("Experts such as Jane Doe warned that debris is a growing threat.", ("Jane Doe",)),
        ("Scott Pace, a space policy expert, said the accord was overdue.", ()),
        ("Blinken said the alliance had never been stronger.", ()),
        ("According to the Defense Ministry, the satellites are safe.", ()),
        ("The agreement was signed in Washington on Jan. 13.", ()),
    ],
)
def test_other_actors_are_named_people_the_gazetteer_lacks(
    topic: Topic, statement: str, expected: tuple[str, ...]
) -> None:
    """People introduced by name and role or by a speech verb are listed verbatim, once each,
    in order; gazetteer actors and sentences naming no one give none."""
    assert expected == find_other_actors(statement, topic)


@pytest.mark.parametrize(
    ("statement", "when", "published", "speaker", "expected"),
    [
        # Dated before publication and in the past tense: it happened.
        ("The agreement was signed in Washington on Jan. 13.", JAN_13, PUBLISHED, None, "event"),
        # Dated after publication: a plan, whatever the tense.
        ("JAXA launched plans for a mission in 2026.", IN_2026, PUBLISHED, None, "plan"),
        # A target ("by 2023") not yet passed on the publication date.
        ("Japan aims to land an astronaut by 2023.", BY_2023, PUBLISHED, None, "plan"),
        # The same day reported by a source published before it: still ahead, so a plan.
        ("The agreement was signed on Jan. 13.", JAN_13, date(2023, 1, 10), None, "plan"),
        # Undated: the future tense makes a plan, a hedge or a speaker makes it an opinion.
        ("The two countries will land an astronaut on the Moon.", None, None, None, "plan"),
        ("The two countries will likely deepen their cooperation.", None, None, None, "assessment"),
        ("The alliance will grow stronger.", None, None, "Antony Blinken", "assessment"),
        # Undated past events, and a sentence that neither reports nor plans.
        ("Japan launched its first satellite in 1970.", None, None, None, "event"),
        ("Space cooperation is critical for the alliance.", None, None, None, "assessment"),
        ("The framework covers the Moon.", JAN_13, PUBLISHED, None, "assessment"),
        # Reported the day it happened, in the past tense: an event.
        ("The FCC said on Monday it had fined Dish Network.", JAN_13, JAN_13.end, None, "event"),
        # "its planned touchdown" names what was planned; the sentence reports a crash.
        (
            "The lander crashed shortly before its planned touchdown.",
            None,
            PUBLISHED,
            None,
            "event",
        ),
        ("The lander is planned to touch down in 2026.", None, PUBLISHED, None, "plan"),
        # The future in a clause of its own, after the past-tense verb: what happened that day.
        (
            "An Electron launched a spacecraft Jan. 13 that will inspect an upper stage.",
            JAN_13,
            JAN_13.end,
            None,
            "event",
        ),
        ("The agency will launch a spacecraft Jan. 13.", JAN_13, JAN_13.end, None, "plan"),
        # Dated the day after its source, in the past tense: the source's time zone is behind.
        ("JAXA confirmed that SLIM landed on Jan. 13.", JAN_13, date(2023, 1, 12), None, "event"),
    ],
)
def test_kind_follows_tense_and_date_against_publication(
    statement: str, when: When | None, published: date | None, speaker: str | None, expected: str
) -> None:
    """A statement is an event if it reports a past action, a plan if it is dated ahead or
    states an intention, and otherwise an assessment."""
    assert FactKind(expected) == classify_kind(statement, when, published, speaker)


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        # Newsroom style: the present tense tells what happened...
        ("Russia vetoes Japan-U.S. draft U.N. resolution against nukes in space", "event"),
        ("Japan's H3 rocket reaches orbit, reviving hopes for cheaper launches", "event"),
        ("NASA's SpaceX Crew-10 launches to International Space Station", "event"),
        ("Defunct Russian satellite breaks apart in orbit", "event"),
        # ... "to" what is planned, and "says" what someone thinks.
        ("Japan to launch lunar rover with NASA in 2031", "plan"),
        ("White House says Russia developing 'troubling' anti-satellite weapon", "assessment"),
    ],
)
def test_a_headline_tells_the_past_in_the_present_tense(headline: str, expected: str) -> None:
    """A feed item's title is read in newsroom style; the same words in a sentence are not."""
    kinds = (
        classify_kind(headline, None, PUBLISHED, headline=True),
        classify_kind("Japan launches rockets from Tanegashima.", None, PUBLISHED, headline=False),
    )
    assert (FactKind(expected), FactKind.ASSESSMENT) == kinds


@pytest.mark.parametrize(
    ("name", "words", "before"),
    [
        ("_FUTURE", attribution._FUTURE_WORDS, r"\b"),
        ("_HEDGE", attribution._HEDGE_WORDS, r"\b"),
        ("_EVENT", attribution._EVENT_WORDS, r"\b"),
        ("_HEADLINE_EVENT", attribution._HEADLINE_EVENT_WORDS, r"(?<!\bto )\b"),
    ],
)
def test_words_grouped_by_first_letter_match_as_the_plain_alternation(
    name: str, words: str, before: str, seeds: tuple[SourceDocument, ...]
) -> None:
    """Each kind pattern, its words in one branch per first letter, finds the same words at
    the same places as the plain alternation of them, in the seeds and in odd capitals."""
    plain = re.compile(rf"{before}(?:{words})\b", re.IGNORECASE)
    grouped = getattr(attribution, name)
    texts = [seed.text for seed in seeds] + [
        "WAS SIGNED, were  signed; Was Scheduled To, is to, are set to fly, next Week.",
        "It ſigned; the \u212aibo launches to land; to launch; broke up, breaks apart.",
        "Vetoes, veto and vetoed; reaches the reach; canceled or cancelled; cannot put it.",
    ]
    expected = [[m.span() for m in plain.finditer(text)] for text in texts]
    assert expected == [[m.span() for m in grouped.finditer(text)] for text in texts]


def test_by_first_letter_refuses_an_alternative_opening_otherwise() -> None:
    """A group opening an alternative could collide with any letter: it is refused."""
    with pytest.raises(ValueError, match="ASCII letter"):
        by_first_letter(r"will|(?:is|are)\s+to")


def test_names_without_a_company_suffix_are_found_as_with_the_brand(
    seeds: tuple[SourceDocument, ...],
) -> None:
    """In text holding no company suffix ("Inc", "Corp", "Co", "Ltd", "LLC") the name patterns
    without the brand before a suffix match the same names at the same places."""
    texts = [
        line
        for seed in seeds
        for line in seed.text.splitlines()
        if not any(suffix in line for suffix in ("Inc", "Co", "Ltd", "LLC"))
    ]
    texts += ["ispace said so. Blinken, the U.S. Secretary of State, said it was time.", "spa said"]
    pairs = [
        *zip(
            attribution._SPEAKER_PATTERNS, attribution._SPEAKER_PATTERNS_WITHOUT_BRAND, strict=True
        ),
        (attribution._PERSON_PHRASE, attribution._PERSON_PHRASE_WITHOUT_BRAND),
    ]
    for with_brand, without in pairs:
        expected = [[(m.span(), m["name"]) for m in with_brand.finditer(t)] for t in texts]
        assert expected == [[(m.span(), m["name"]) for m in without.finditer(t)] for t in texts]
