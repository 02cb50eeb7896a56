"""Property-based tests: outside input of any shape never crashes a parser or breaks provenance.

Each test runs a bounded number of generated examples (the "briefing" Hypothesis profile in
conftest.py), so `make test` stays quick and repeatable.
"""

import contextlib
import string
from datetime import date

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from briefing.errors import ConfigurationError, SourceError
from briefing.extract.boilerplate import classify_paragraph, classify_sentence, count_paragraphs
from briefing.extract.facts import extract_facts
from briefing.extract.temporal import find_times
from briefing.models import PartialDate, SourceDocument
from briefing.sources.seeds import build_document, parse_manifest
from briefing.topic import Topic, load_topic

# Text that looks like news: words from the topic, dates, numbers, quotes, dashes, newlines.
WORDS = [
    "Japan",
    "NASA",
    "JAXA",
    "signed",
    "the",
    "agreement",
    "Artemis",
    "Gateway",
    "by",
    "2030",
    "last",
    "week",
    "Friday",
    "November",
    "Jan.",
    "13",
    "fiscal",
    "2023",
    "no",
    "later",
    "than",
    "as",
    "early",
    "debris",
    "space",
    "junk",
    "Article",
    "V",
    "“quoted words”",
    "—",
    "U.S.",
    "said",
    "Blinken",
    "will",
    "May",
    "the 1980s",
    "Screengrab.",
    "Credit:",
    "|",
    "\n",
    "\n\n",
]
news_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(string.printable + "’“”—…é日本", max_size=12)),
    min_size=1,
    max_size=80,
).map(" ".join)
references = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))


@pytest.mark.slow
@given(sentence=news_text, reference=references)
def test_times_are_verbatim_and_ordered(sentence: str, reference: date | None) -> None:
    """Every time found is words of the sentence at its position, and starts before it ends."""
    for found in find_times(sentence, reference):
        assert found.when.text == sentence[found.start : found.end]
        assert found.when.start <= found.when.end


@pytest.mark.slow
@given(text=news_text, published=references)
def test_extraction_keeps_every_statement_verbatim(
    text: str, published: date | None, topic: Topic
) -> None:
    """Whatever the text, each fact's quote is the document's text at its span."""
    if not text.strip():
        return
    document = SourceDocument.model_validate(
        {
            "id": "generated",
            "location": "test",
            "text": text,
            "outlet": None,
            "title": None,
            "author": None,
            "published": (
                {"value": published.isoformat(), "basis": "inferred", "reason": "generated"}
                if published
                else None
            ),
            "url": None,
            "source_type": "news",
        }
    )
    for fact in extract_facts(document, topic).facts:
        for evidence in fact.evidence:
            assert text[evidence.start : evidence.end] == evidence.quote == fact.statement


@pytest.mark.slow
@given(paragraphs=st.lists(news_text, max_size=6))
def test_boilerplate_rules_never_crash(paragraphs: list[str]) -> None:
    """Classifying any paragraph, or any paragraph as one sentence, returns a rule name or None."""
    seen = count_paragraphs(paragraphs)
    feed_kinds = {
        "photo caption",
        "feed footer",
        "call to action",
        "share or related links",
        "truncated excerpt",
    }
    for paragraph in paragraphs:
        assert classify_paragraph(paragraph, seen) in {
            None,
            *feed_kinds,
            "repeated line",
            "author bio",
            "comment policy",
            "editorial note",
            "heading",
        }
        assert classify_sentence(paragraph) in {None, *feed_kinds}


@given(raw=st.binary(max_size=400))
def test_seed_bytes_are_read_or_refused_with_a_source_error(raw: bytes) -> None:
    """Any bytes as a seed either become a document or raise SourceError, nothing else."""
    entry = parse_manifest(
        {
            "documents": [
                {
                    "id": "seed",
                    "file": "seed.txt",
                    "source_type": "news",
                    "outlet": None,
                    "title": None,
                    "author": None,
                    "published": None,
                    "url": None,
                }
            ]
        }
    ).documents[0]
    try:
        document = build_document(entry, raw, "seeds/seed.txt")
    except SourceError:
        return
    assert document.text == raw.decode("utf-8")


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.slow
@given(data=yaml_values)
def test_any_manifest_shape_is_validated(data: object) -> None:
    """A seeds manifest of any shape parses or raises pydantic's ValidationError."""
    with contextlib.suppress(ValidationError):
        parse_manifest(data)


@pytest.mark.slow
@given(data=yaml_values)
def test_any_topic_profile_is_loaded_or_refused_clearly(
    data: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A topic profile of any content loads or raises ConfigurationError, nothing else."""
    path = tmp_path_factory.mktemp("topic") / "topic.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with contextlib.suppress(ConfigurationError):
        load_topic(path)


@given(text=st.text(max_size=12))
def test_partial_dates_parse_or_refuse(text: str) -> None:
    """Any string is a valid partial date that prints back the same, or a ValidationError."""
    try:
        value = PartialDate.model_validate(text)
    except ValidationError:
        return
    assert text == str(value)
