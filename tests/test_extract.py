"""Extraction: boilerplate left out, sentences kept verbatim, themes and dates assigned."""

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest

from briefing.extract import facts
from briefing.extract.boilerplate import classify_paragraph
from briefing.extract.facts import (
    classify_theme,
    dateline_length,
    extract_facts,
    load_extractor_version,
)
from briefing.extract.segment import (
    MAX_PARAGRAPH_CHARS,
    Span,
    _segmenter,
    _sentence_spans,
    split_paragraphs,
    split_sentences,
    split_windows,
)
from briefing.models import SourceDocument
from briefing.topic import Topic

JAN_13 = date(2023, 1, 13)


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Blinken, Kishida and Hayashi attend the signing in Washington on Friday. | AFP-JIJI",
            "photo caption",
        ),
        (
            "Officials shake hands at NASA Headquarters. Credit: NASA/Aubrey Gemignani",
            "photo caption",
        ),
        ("Officials look on at NASA HQ, January 13, 2023. Screengrab.", "photo caption"),
        ("President Biden at the White House. White House photo via Twitter.", "photo caption"),
        (
            "Jeff Foust writes about space policy, commercial space, and related topics.",
            "author bio",
        ),
        (
            "Zhanna L. Malekos Smith, JD, is a senior associate with the Aerospace Project.",
            "author bio",
        ),
        ("User Comments", "reader comment"),
        (
            "SpacePolicyOnline.com has the right (but not the obligation) to monitor the comments.",
            "comment policy",
        ),
        ("Note: Japanese put their surname first and given name second.", "editorial note"),
        ("U.S., Japan Strengthen Military and Civil Space Ties", "heading"),
        (
            "Japan joined the pledge not to conduct antisatellite tests in September 2022.",
            None,
        ),
        ("“The Framework Agreement will take our cooperation to new heights,” Blinken said.", None),
    ],
)
def test_classify_paragraph(paragraph: str, expected: str | None) -> None:
    """Captions, bios, comment policies, notes and headings are named; reporting is not."""
    assert expected == classify_paragraph(paragraph, Counter([paragraph]))


def test_a_repeated_paragraph_is_boilerplate() -> None:
    """A line printed twice (a caption under and beside a photo) is not reporting."""
    line = "An artist's impression of astronauts landing on the moon during the Artemis mission."
    assert "repeated line" == classify_paragraph(line, Counter([line, line]))


def test_sentences_are_exact_spans_of_the_text() -> None:
    """Every sentence span, stripped of white space, is the text itself at that span."""
    text = (
        "WASHINGTON — The U.S. and Japan signed Jan. 13.  NASA said so.\n\nA second paragraph here."
    )
    sentences = [
        span.of(text)
        for paragraph in split_paragraphs(text)
        for span in split_sentences(text, paragraph)
    ]
    assert [
        "WASHINGTON — The U.S. and Japan signed Jan. 13.",
        "NASA said so.",
        "A second paragraph here.",
    ] == sentences


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Article V of the Japan-U.S. Security Treaty could be invoked for attacks in space.",
            ("security", None),
        ),
        (
            "Orbital debris—space junk—is a serious threat to all spacefaring states.",
            ("orbital-debris", None),
        ),
        (
            "JAXA will deliver the HTV-XG spacecraft for a Gateway logistics mission.",
            ("civil-space", None),
        ),
        (
            "Japan joined the pledge against destructive antisatellite tests that create debris.",
            ("orbital-debris", "security"),
        ),
        ("The ministers met for lunch in Washington.", None),
    ],
)
def test_classify_theme(
    sentence: str, expected: tuple[str, str | None] | None, topic: Topic
) -> None:
    """A sentence goes to the theme that weighs most in it, with a second theme that also weighs
    enough (an ASAT test ban is both debris and security), or to none."""
    assert expected == classify_theme(sentence, topic)


def test_extraction_drops_datelines_and_keeps_the_quote_verbatim(
    seeds: tuple[SourceDocument, ...], topic: Topic
) -> None:
    """The SpaceNews lead loses its dateline but stays an exact span of the article."""
    spacenews = seeds[1]
    first = extract_facts(spacenews, topic).facts[0]
    assert first.statement.startswith("The United States and Japan signed an agreement Jan. 13")
    (evidence,) = first.evidence
    assert first.statement == spacenews.text[evidence.start : evidence.end]
    assert first.when is not None
    assert ("Jan. 13", date(2023, 1, 13), "day") == (
        first.when.text,
        first.when.start,
        first.when.precision,
    )


def _article(text: str) -> SourceDocument:
    """A one-paragraph news article with no metadata."""
    return SourceDocument(
        id="article",
        location="test:article",
        text=text,
        outlet=None,
        title=None,
        author=None,
        published=None,
        url=None,
        source_type="news",
    )


WAKATA = "Japanese astronaut Koichi Wakata will fly to the space station on a NASA mission."


@pytest.mark.parametrize(
    "dateline",
    [
        "TOKYO (Kyodo) -- ",
        "TOKYO (Kyodo) — ",
        "TOKYO, Jan. 12 (Reuters) - ",
        "Tokyo, March 15 (Jiji Press)--",
        "Tokyo, Dec. 16 (Jiji Press)--",
        "KENNEDY SPACE CENTER, Fla. — ",
        "CAPE CANAVERAL, Fla. (AP) — ",
        "WASHINGTON (AP) — ",
        "SEOUL, South Korea (AP) — ",
        "Tanegashima, Japan — ",
        "WASHINGTON — ",
        "TANEGASHIMA, Kagoshima — ",
        "PETERSON SPACE FORCE BASE, Colo. -- ",
        "Kennedy Space Center, Fla., Nov. 16, 2022 – ",
    ],
)
def test_a_dateline_is_left_outside_the_statement(dateline: str, topic: Topic) -> None:
    """A wire dateline, with its state, day and agency, is trimmed: the statement and its
    evidence start at the sentence proper and quote the source's own characters there."""
    text = dateline + WAKATA
    (fact,) = extract_facts(_article(text), topic).facts
    (evidence,) = fact.evidence
    assert (WAKATA, len(dateline), len(text), WAKATA) == (
        fact.statement,
        evidence.start,
        evidence.end,
        evidence.quote,
    )
    assert text[evidence.start : evidence.end] == evidence.quote


@pytest.mark.parametrize(
    "sentence",
    [
        "Japan — a long-time partner — signed the Artemis Accords with NASA in October 2020.",
        "Artemis II — the first crewed flight of NASA’s Artemis program — will be followed by a "
        "mission carrying a Japanese astronaut.",
        "JAXA — Japan’s space agency — said its astronaut would join a NASA mission to the Moon.",
    ],
)
def test_a_dash_aside_after_a_name_is_not_a_dateline(sentence: str, topic: Topic) -> None:
    """A sentence whose subject is followed by a dash aside keeps its full text from 0."""
    (fact,) = extract_facts(_article(sentence), topic).facts
    (evidence,) = fact.evidence
    assert (sentence, 0, len(sentence)) == (fact.statement, evidence.start, evidence.end)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("TOKYO (Kyodo) -- ispace said its lander was lost.", "TOKYO (Kyodo) -- "),
        ("WASHINGTON – The budget for 2024–2025 cuts NASA.", "WASHINGTON – "),
        ("WASHINGTON — NASA’s budget — cut by a quarter — is out.", "WASHINGTON — "),
        ("Tokyo — Japanese astronaut Koichi Wakata will fly.", ""),
        ("NASA’s chief — Bill Nelson — said so.", ""),
        ("The H3 - which failed - flew again.", ""),
        ("Japan and the U.S. — Both nations signed.", ""),
        ("ALPHA BETA GAMMA DELTA, Epsilon Zeta, Eta Theta — The eight words are too many.", ""),
        ("CAPE CANAVERAL, Fla. (AP) —", ""),
    ],
)
def test_dateline_length(sentence: str, expected: str) -> None:
    """An agency or a day vouches for a dateline whatever follows; a capitalised or comma-led
    place needs a capital after its dash and no aside the dash opens (a range of years is
    none); a mixed-case word alone, an over-long place or a bare dateline is not trimmed."""
    assert expected == sentence[: dateline_length(sentence)]


def test_seeds_give_at_least_three_facts_per_theme(
    seeds: tuple[SourceDocument, ...], topic: Topic
) -> None:
    """The seeds alone fill every theme of the briefing."""
    themes = Counter(fact.theme for doc in seeds for fact in extract_facts(doc, topic).facts)
    assert all(themes[theme] >= 3 for theme in ("civil-space", "security", "orbital-debris")), (
        themes
    )


@pytest.mark.parametrize(
    "phrase",
    [
        "Screengrab",
        "Credit:",
        "| AFP-JIJI",
        "VIA KYODO",
        "writes about",
        "views, positions",
        "comments",
        "photo via",
        "surname first",
    ],
)
def test_no_boilerplate_becomes_a_fact(
    phrase: str, seeds: tuple[SourceDocument, ...], topic: Topic
) -> None:
    """No caption, credit, bio, note or comment policy in the seeds becomes a statement."""
    statements = [fact.statement for doc in seeds for fact in extract_facts(doc, topic).facts]
    assert [] == [statement for statement in statements if phrase in statement]


def test_the_asat_pledge_is_a_security_fact(
    seeds: tuple[SourceDocument, ...], topic: Topic
) -> None:
    """Japan's pledge against destructive ASAT tests is kept, dated and filed under security."""
    facts = extract_facts(seeds[4], topic).facts
    (pledge,) = [fact for fact in facts if "antisatellite tests" in fact.statement]
    assert pledge.when is not None
    assert ("security", date(2022, 9, 1), date(2022, 9, 30)) == (
        pledge.theme,
        pledge.when.start,
        pledge.when.end,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Go. Go. Go.",
        "Dr. Smith went home.  He said “Yes.”  Then   left.",
        "U.S. and Japan agreed. U.S. and Japan agreed.",
    ],
)
def test_sentence_spans_are_those_pysbd_finds(text: str) -> None:
    """The spans found with str.find are pysbd's char_span spans, repeated sentences included."""
    expected = [(p.start, p.end) for p in _segmenter().segment(text)]
    assert expected == [tuple(span) for span in _sentence_spans(text)]


@pytest.fixture
def fresh_extractor_version() -> Iterator[None]:
    """The extractor's fingerprint computed anew in the test, and again after it."""
    load_extractor_version.cache_clear()
    yield
    load_extractor_version.cache_clear()


@pytest.mark.usefixtures("fresh_extractor_version")
def test_the_extractor_version_follows_the_sentence_splitters_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another pysbd is another fingerprint, so facts it would split otherwise are not reused."""
    installed = load_extractor_version()
    load_extractor_version.cache_clear()
    again = load_extractor_version()
    real_version = facts.metadata.version

    def upgraded(name: str) -> str:
        return "99.0.0" if name == "pysbd" else real_version(name)

    monkeypatch.setattr(facts.metadata, "version", upgraded)
    load_extractor_version.cache_clear()
    assert installed == again
    assert 2 == len({installed, load_extractor_version()})


def test_windows_cover_an_over_long_body_and_end_after_white_space() -> None:
    """A body over the limit is cut into adjacent windows within the limit, each after a space,
    preferring a sentence's end; a body within it is one window."""
    body = "word " * 30 + "Done. " + "more " * 10
    windows = split_windows(body, limit=100)
    assert [Span(0, 100), Span(100, 156), Span(156, 206)] == windows
    assert [Span(0, 40)] == split_windows(body[:40], limit=100)


@pytest.mark.slow
def test_an_unpunctuated_paragraph_of_300_kb_is_extracted_window_by_window(
    topic: Topic,
) -> None:
    """A feed item of 300 KB with one full stop, at its end (pysbd alone took minutes), gives
    facts that quote it verbatim at their spans, and the cut is counted."""
    words = "Japan and the United States agree on lunar cooperation with JAXA and NASA engineers "
    text = (words * (300_000 // len(words))).strip() + "."
    extraction = extract_facts(_article(text), topic)
    spans = [(e.start, e.end, e.quote) for fact in extraction.facts for e in fact.evidence]
    assert 1 == extraction.skipped["over-long paragraph cut into windows"]
    assert len(text) // MAX_PARAGRAPH_CHARS <= len(spans)
    assert all(quote == text[start:end] for start, end, quote in spans)
    assert all(end - start <= MAX_PARAGRAPH_CHARS for start, end, _ in spans)
