"""The models refuse anything that breaks the evidence rule."""

import json
from datetime import date

import pytest
from pydantic import ValidationError

from briefing.models import (
    Attested,
    Briefing,
    Evidence,
    Fact,
    FetchOutcome,
    PartialDate,
    Section,
    SourceDocument,
)

TEXT = "Intro line.\nJAXA will provide batteries for the Gateway. More text follows here."
QUOTE = "JAXA will provide batteries for the Gateway."
START = TEXT.index(QUOTE)


def make_document(**changes: object) -> SourceDocument:
    fields: dict[str, object] = {
        "id": "doc-1",
        "location": "seeds/doc-1.txt",
        "text": TEXT,
        "outlet": None,
        "title": None,
        "author": None,
        "published": None,
        "url": None,
        "source_type": "news",
    }
    return SourceDocument.model_validate({**fields, **changes})


def make_fact(quote: str = QUOTE, start: int = START) -> Fact:
    evidence = Evidence(document_id="doc-1", start=start, end=start + len(quote), quote=quote)
    return Fact(id="f1", statement=quote, theme="civil-space", when=None, evidence=(evidence,))


def make_briefing(fact: Fact) -> Briefing:
    section = Section(theme="civil-space", title="Civil", description="d", facts=(fact,))
    return Briefing(
        title="T",
        topic="t",
        edition_date=date(2023, 1, 20),
        sources=(make_document(),),
        sections=(section,),
    )


def test_briefing_accepts_a_true_quote() -> None:
    """A fact whose quote is the source's text at its span is accepted and survives JSON."""
    briefing = make_briefing(make_fact())
    assert briefing == Briefing.model_validate_json(briefing.model_dump_json())


def test_briefing_refuses_a_forged_quote() -> None:
    """A quote reworded by one word is refused, even though its span length still fits."""
    forged = QUOTE.replace("provide", "promise")
    assert len(forged) == len(QUOTE)
    with pytest.raises(ValidationError, match="is not the text of doc-1"):
        make_briefing(make_fact(quote=forged))


def test_briefing_refuses_a_shifted_span() -> None:
    """A true quote cited at the wrong offset is refused."""
    with pytest.raises(ValidationError, match="is not the text of doc-1"):
        make_briefing(make_fact(start=START + 1))


def test_forged_json_edition_is_refused() -> None:
    """Editing a statement and its quote inside a JSON edition makes it fail to load."""
    data = json.loads(make_briefing(make_fact()).model_dump_json())
    fact = data["sections"][0]["facts"][0]
    forged = QUOTE.replace("provide", "promise")
    fact["statement"] = fact["evidence"][0]["quote"] = forged
    with pytest.raises(ValidationError, match="is not the text of doc-1"):
        Briefing.model_validate(data)


def test_json_edition_with_edited_source_text_is_refused() -> None:
    """Editing a source's text inside a JSON edition breaks its fingerprint."""
    data = json.loads(make_briefing(make_fact()).model_dump_json())
    data["sources"][0]["text"] = data["sources"][0]["text"].replace("Intro", "Outro")
    with pytest.raises(ValidationError, match="sha256 does not match the text"):
        Briefing.model_validate(data)


def test_evidence_checks_the_source_when_given_context() -> None:
    """Evidence validated with the documents in context is checked on its own."""
    data = {"document_id": "doc-1", "start": START, "end": START + 4, "quote": "NASA"}
    with pytest.raises(ValidationError, match="is not the text of doc-1"):
        Evidence.model_validate(data, context={"documents": {"doc-1": TEXT}})


def test_evidence_quote_must_fit_its_span() -> None:
    """A quote longer than its span is refused without any source at hand."""
    with pytest.raises(ValidationError, match="quote is 4 characters"):
        Evidence(document_id="doc-1", start=0, end=3, quote="JAXA")


def test_statement_must_be_one_of_its_quotes() -> None:
    """A fact cannot reword its evidence."""
    evidence = Evidence(document_id="doc-1", start=START, end=START + len(QUOTE), quote=QUOTE)
    with pytest.raises(ValidationError, match="one of its evidence quotes"):
        Fact(
            id="f1",
            statement="JAXA promised batteries.",
            theme="civil-space",
            when=None,
            evidence=(evidence,),
        )


def test_evidence_must_cite_a_listed_source() -> None:
    """A fact citing a document the briefing does not list is refused."""
    evidence = Evidence(document_id="doc-2", start=START, end=START + len(QUOTE), quote=QUOTE)
    fact = Fact(id="f1", statement=QUOTE, theme="security", when=None, evidence=(evidence,))
    with pytest.raises(ValidationError, match="unknown document 'doc-2'"):
        make_briefing(fact)


def test_stated_metadata_must_be_quoted_from_the_text() -> None:
    """An outlet claimed as stated must be backed by a quote the text really holds."""
    outlet = {"value": "SpaceNews", "basis": "stated", "quote": "for SpaceNews"}
    with pytest.raises(ValidationError, match="quote given for outlet is not in"):
        make_document(outlet=outlet)


def test_inferred_metadata_needs_a_reason() -> None:
    """An inferred value without its reason is refused."""
    with pytest.raises(ValidationError, match="needs the reason"):
        Attested[str](value="The Japan Times", basis="inferred")


def test_partial_date_reads_and_prints_each_precision() -> None:
    """Partial dates round-trip through their ISO form at day, month and year precision."""
    parsed = [PartialDate.model_validate(text) for text in ("2023-01-13", "2022-05", "2030")]
    assert ["2023-01-13", "2022-05", "2030"] == [str(value) for value in parsed]
    assert ["day", "month", "year"] == [value.precision for value in parsed]


def test_partial_date_refuses_impossible_days() -> None:
    """February 30 is not a date."""
    with pytest.raises(ValidationError, match="has no day 30"):
        PartialDate(year=2023, month=2, day=30)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"new_fact_ids": ("no-such-fact",)}, "new fact ids not in the briefing: no-such-fact"),
        ({"previous_edition": date(2023, 1, 20)}, "previous edition must be dated before"),
        ({"period_start": date(2023, 1, 21)}, "period cannot start after the edition date"),
    ],
)
def test_briefing_refuses_incoherent_news_and_dates(
    changes: dict[str, object], message: str
) -> None:
    """What's new may name only the briefing's own facts, and the dates must run forwards."""
    data = {**make_briefing(make_fact()).model_dump(), **changes}
    with pytest.raises(ValidationError) as raised:
        Briefing.model_validate(data)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"milestones": [{"fact_id": "f1", "status": "done", "done_fact_id": "no-such-fact"}]},
            "unknown facts: ['no-such-fact']",
        ),
        ({"milestones": [{"fact_id": "f1", "status": "done"}]}, "names the event reporting it"),
        (
            {"milestones": [{"fact_id": "f1", "status": "upcoming", "done_fact_id": "f1"}]},
            "names the event reporting it",
        ),
        ({"coming_up": ["no-such-fact"]}, "unknown facts: ['no-such-fact']"),
    ],
)
def test_briefing_refuses_milestones_and_coming_up_naming_what_it_lacks(
    changes: dict[str, object], message: str
) -> None:
    """A done milestone names the briefing's own event reporting it, and only a done one does;
    coming up names the briefing's own statements."""
    data = {**make_briefing(make_fact()).model_dump(), **changes}
    with pytest.raises(ValidationError) as raised:
        Briefing.model_validate(data)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "failed"}, "a failed fetch, and only a failed fetch, gives its reason"),
        ({"status": "fetched", "reason": "x"}, "a failed fetch, and only a failed fetch"),
        ({"status": "fetched", "items": 2, "kept": 2, "off_topic": 1}, "more entries kept"),
        ({"status": "fetched", "items": 2, "kept": 1, "undated": 2}, "undated entries are counted"),
    ],
)
def test_fetch_outcome_counts_must_add_up(fields: dict[str, object], message: str) -> None:
    """A failure gives its reason, and no more entries are accounted for than the feed had."""
    with pytest.raises(ValidationError) as raised:
        FetchOutcome.model_validate({"feed": "f", "url": "https://f.example.org/", **fields})
    assert message in str(raised.value)


def two_source_briefing() -> Briefing:
    """A briefing of two sources, each the evidence of one fact in its own section."""
    first = make_document(id="doc-1")
    second = make_document(id="doc-2")
    facts = []
    for number, document in enumerate((first, second), start=1):
        evidence = Evidence(
            document_id=document.id, start=START, end=START + len(QUOTE), quote=QUOTE
        )
        facts.append(
            Fact(id=f"f{number}", statement=QUOTE, theme="civil-space", evidence=(evidence,))
        )
    sections = tuple(
        Section(theme="civil-space", title="Civil", description="d", facts=(fact,))
        for fact in facts
    )
    return Briefing(
        title="T",
        topic="t",
        edition_date=date(2023, 1, 20),
        sources=(first, second),
        sections=sections,
    )


@pytest.mark.parametrize("deep", [False, True])
def test_a_copy_with_other_sources_numbers_them_afresh(deep: bool) -> None:
    """A copy given the sources in another order numbers them by that order, not the cached one."""
    briefing = two_source_briefing()
    assert (1, 2) == (briefing.source_number("doc-1"), briefing.source_number("doc-2"))
    copy = briefing.model_copy(update={"sources": briefing.sources[::-1]}, deep=deep)
    assert (2, 1) == (copy.source_number("doc-1"), copy.source_number("doc-2"))
    assert (1, 2) == (briefing.source_number("doc-1"), briefing.source_number("doc-2"))


@pytest.mark.parametrize("deep", [False, True])
def test_a_copy_with_other_sections_looks_up_its_own_facts(deep: bool) -> None:
    """A copy given other sections finds the facts of those sections, and no longer the old ones."""
    briefing = two_source_briefing()
    first, second = briefing.sections
    assert "f1" == briefing.fact("f1").id
    copy = briefing.model_copy(update={"sections": (second,)}, deep=deep)
    assert second.facts[0] == copy.fact("f2")
    with pytest.raises(KeyError):
        copy.fact("f1")
    assert first.facts[0] == briefing.fact("f1")


@pytest.mark.parametrize("deep", [False, True])
def test_the_cited_sources_are_those_of_the_briefings_own_statements(deep: bool) -> None:
    """Found as the briefing is validated (and as its JSON is read), they are the sources its
    statements cite; a copy given other sections finds its own."""
    briefing = two_source_briefing()
    # Found by the validation itself, not by going through the quotes again when asked.
    assert briefing.__dict__["cited_document_ids"] == {"doc-1", "doc-2"}
    assert briefing.cited_document_ids == {"doc-1", "doc-2"}
    read = Briefing.model_validate_json(briefing.model_dump_json())
    assert read.cited_document_ids == {"doc-1", "doc-2"}
    copy = briefing.model_copy(update={"sections": briefing.sections[1:]}, deep=deep)
    assert copy.cited_document_ids == {"doc-2"}
    assert briefing.cited_document_ids == {"doc-1", "doc-2"}


@pytest.mark.parametrize("deep", [False, True])
def test_records_given_the_same_fields_share_one_set_of_their_names(deep: bool) -> None:
    """pydantic's set of the names given is one object for records given the same fields, also
    after a copy; a copy given another field has its own, and the original's is unchanged."""
    first, second = make_fact(), make_fact()
    assert first.model_fields_set is second.model_fields_set
    assert {"id", "statement", "theme", "when", "evidence"} == first.model_fields_set
    assert first.evidence[0].model_fields_set is second.evidence[0].model_fields_set
    plain = first.model_copy(deep=deep)
    assert plain.model_fields_set is first.model_fields_set
    spoken = first.model_copy(update={"speaker": "JAXA"}, deep=deep)
    assert "speaker" in spoken.model_fields_set
    assert "speaker" not in first.model_fields_set and "speaker" not in second.model_fields_set
    assert spoken.model_dump(exclude_unset=True)["speaker"] == "JAXA"
    assert "speaker" not in first.model_dump(exclude_unset=True)


def test_a_statement_is_held_once_with_its_quote() -> None:
    """A fact's statement is its evidence quote's very string, also when read from JSON."""
    fact = make_fact()
    again = Fact.model_validate_json(fact.model_dump_json())
    for each in (fact, again):
        assert each.statement is each.evidence[0].quote
