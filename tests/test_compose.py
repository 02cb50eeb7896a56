"""Consolidation, disagreements, timeline and milestones, on literal documents."""

from datetime import date

from briefing.compose.assemble import compose_briefing
from briefing.compose.consolidate import (
    MAX_GROUP_REPORTS,
    consolidate,
    consolidate_counted,
    content_words,
    find_disagreements,
)
from briefing.extract.facts import extract_facts
from briefing.models import Attested, Evidence, Fact, PartialDate, SourceDocument
from briefing.topic import Topic


def document(doc_id: str, text: str, published: str) -> SourceDocument:
    """A news document with an inferred publication date."""
    return SourceDocument(
        id=doc_id,
        location=f"test:{doc_id}",
        text=text,
        outlet=None,
        title=None,
        author=None,
        published=Attested[PartialDate](
            value=PartialDate.model_validate(published), basis="inferred", reason="test"
        ),
        url=None,
        source_type="news",
    )


WIRE = document(
    "wire",
    "Japan was one of the first eight countries to sign the Artemis Accords. "
    "NASA launched Artemis I on November 16 from Florida. "
    "The first crewed mission, Artemis II, is slated for May 2024.",
    "2023-01-13",
)
ANALYSIS = document(
    "analysis",
    "Recall that Japan was one of the seven original partner countries to join the NASA-led "
    "Artemis program and sign the Artemis Accords in 2020. "
    "Japan will stay in the International Space Station program through 2030.",
    "2023-01-17",
)
LATER = document(
    "later",
    "Japan and China are vying to be the global leader in developing space debris mitigation "
    "technology.",
    "2024-06-01",
)


def facts_of(*documents: SourceDocument, topic: Topic) -> list[Fact]:
    """Every fact extracted from the documents, in order."""
    return [fact for doc in documents for fact in extract_facts(doc, topic).facts]


def test_two_reports_of_one_fact_merge_and_keep_both_sources(topic: Topic) -> None:
    """The Artemis Accords sentence from two sources becomes one fact citing both."""
    groups = consolidate(facts_of(WIRE, ANALYSIS, topic=topic), topic)
    merged = [fact for fact, reports in groups if len(reports) > 1]
    (fact,) = merged
    assert ["wire", "analysis"] == fact.source_ids()


def test_the_clearest_wording_leads(topic: Topic) -> None:
    """The self-contained sentence leads, not the one opening with 'Recall that'."""
    groups = consolidate(facts_of(WIRE, ANALYSIS, topic=topic), topic)
    (fact,) = [fact for fact, reports in groups if len(reports) > 1]
    assert "Japan was one of the first eight countries to sign the Artemis Accords." == (
        fact.statement
    )


def test_unrelated_facts_stay_apart(topic: Topic) -> None:
    """The launch, the Artemis II target and the ISS statement each remain their own fact."""
    groups = consolidate(facts_of(WIRE, ANALYSIS, topic=topic), topic)
    assert [1, 1, 1, 2] == sorted(len(reports) for _, reports in groups)


def test_differing_counts_become_a_sources_differ_note(topic: Topic) -> None:
    """Seven against eight original signatories is quoted from both sources, verbatim."""
    groups = consolidate(facts_of(WIRE, ANALYSIS, topic=topic), topic)
    (fact, reports) = next((f, r) for f, r in groups if len(r) > 1)
    (disagreement,) = find_disagreements(fact, reports)
    expected = (
        "number",
        {("wire", "eight countries"), ("analysis", "seven original partner countries")},
    )
    assert expected == (
        disagreement.aspect,
        {(claim.evidence.document_id, claim.value) for claim in disagreement.claims},
    )


def test_briefing_orders_timeline_and_rates_milestones(topic: Topic) -> None:
    """Past events go on the timeline; Artemis II (May 2024) is upcoming in January 2023 and
    passed without a later report in December 2024."""
    facts = facts_of(WIRE, ANALYSIS, topic=topic)
    early = compose_briefing(topic, [WIRE, ANALYSIS], facts, date(2023, 1, 20))
    late = compose_briefing(topic, [WIRE, ANALYSIS], facts, date(2024, 12, 2))

    timeline = [early.fact(fact_id).statement for fact_id in early.timeline]
    assert ["NASA launched Artemis I on November 16 from Florida."] == timeline
    assert [
        ("The first crewed mission, Artemis II, is slated for May 2024.", "upcoming"),
        ("Japan will stay in the International Space Station program through 2030.", "upcoming"),
    ] == [(early.fact(m.fact_id).statement, m.status) for m in early.milestones]
    assert ["passed-unreported", "upcoming"] == [m.status for m in late.milestones]
    assert 1 == len(early.disagreements)


def test_a_source_published_after_the_target_counts_as_a_later_report(topic: Topic) -> None:
    """A milestone reported again by a source dated after its target is 'passed-reported'."""
    plan = document("plan", "JAXA will launch the SLIM lunar lander by 2023.", "2022-05-01")
    report = document("report", "JAXA will launch the SLIM lunar lander by 2023.", "2024-02-01")
    facts = facts_of(plan, report, topic=topic)
    briefing = compose_briefing(topic, [plan, report], facts, date(2024, 3, 1))
    assert ["passed-reported"] == [m.status for m in briefing.milestones]


def test_the_same_relative_words_read_on_two_dates_are_no_disagreement(topic: Topic) -> None:
    """'on Tuesday' in items published a week apart resolves to two days, but the sources say
    the same words: there is nothing to quote as differing (found by the benchmark's feeds)."""
    sentence = "JAXA and NASA signed an agreement on Tuesday to build a lunar rover for Artemis."
    first = document("first", sentence, "2025-06-12")
    second = document("second", sentence, "2025-06-19")
    groups = consolidate(facts_of(first, second, topic=topic), topic)
    ((fact, reports),) = groups
    assert (2, []) == (len(reports), find_disagreements(fact, reports))


def test_many_differing_reports_make_one_note_quoting_each_value_once(topic: Topic) -> None:
    """Three sources giving three counts are one note with three claims, not three pairs."""
    reports = [
        document(doc_id, f"JAXA will send {n} astronauts to the Moon on Artemis missions.", day)
        for doc_id, n, day in (
            ("a", 2, "2025-06-10"),
            ("b", 3, "2025-06-11"),
            ("c", 4, "2025-06-12"),
        )
    ]
    ((fact, grouped),) = consolidate(facts_of(*reports, topic=topic), topic)
    (note,) = find_disagreements(fact, grouped)
    assert [("a", "2 astronauts"), ("b", "3 astronauts"), ("c", "4 astronauts")] == [
        (claim.evidence.document_id, claim.value) for claim in note.claims
    ]


def test_a_sentence_repeated_in_one_document_is_one_fact(topic: Topic) -> None:
    """A feed item that repeats a sentence gives one fact citing both places, not two facts
    with one id (which the briefing refuses); found by the benchmark's feeds and the property
    tests."""
    sentence = "JAXA and NASA signed an agreement to build a lunar rover for the Artemis program."
    doc = document("repeats", f"{sentence} The talks went on. {sentence}", "2025-06-12")
    briefing = compose_briefing(topic, [doc], facts_of(doc, topic=topic), date(2025, 6, 16))
    (fact,) = briefing.facts()
    assert [0, len(sentence) + 20] == [evidence.start for evidence in fact.evidence]


def test_a_group_does_not_grow_by_a_chain_of_near_matches(topic: Topic) -> None:
    """The cabin shipment matches the report that mentions both the rover test and the cabin,
    but not the rover test itself: it is not merged into the rover test's fact through it."""
    reports = [
        document(doc_id, text, "2025-06-12")
        for doc_id, text in (
            (
                "a",
                "JAXA engineers tested the lunar rover wheels in Tsukuba for the Artemis program.",
            ),
            (
                "b",
                "JAXA engineers tested the lunar rover wheels in Tsukuba and shipped the "
                "pressurized cabin to Houston for Artemis.",
            ),
            ("c", "JAXA shipped the pressurized cabin of the lunar rover to Houston for Artemis."),
        )
    ]
    groups = consolidate(facts_of(*reports, topic=topic), topic)
    assert [["a", "b"], ["c"]] == [[f.evidence[0].document_id for f in r] for _, r in groups]


def test_each_partner_is_one_word_whichever_synonym_names_it(topic: Topic) -> None:
    """'Washington and Tokyo' and 'the United States and Japan' share the two partners' words."""
    first = content_words("Washington and Tokyo signed the framework.", topic)
    second = content_words("The United States and Japan signed the framework.", topic)
    assert {"@partner:US", "@partner:JP", "sign", "framework"} == first & second


def quoting(document_id: str, statement: str) -> Fact:
    """A fact that is the whole of its document's text."""
    evidence = Evidence(document_id=document_id, start=0, end=len(statement), quote=statement)
    return Fact(id=document_id, statement=statement, theme="civil-space", evidence=(evidence,))


def test_quotes_alike_only_in_the_profiles_common_words_are_not_one_report(topic: Topic) -> None:
    """Two quotes sharing only the profile's common words stay apart; without those words, merge."""
    facts = [
        quoting("first", "Officials wrote “united states japan” twice."),
        quoting("second", "Critics mocked “united states japan” loudly."),
    ]
    plain = Topic.model_validate({**topic.model_dump(), "common_words": []})
    assert (2, 1) == (len(consolidate(facts, topic)), len(consolidate(facts, plain)))


def test_thousands_of_near_identical_reports_fill_one_group_to_its_cap(topic: Topic) -> None:
    """5,000 feed items saying one thing (merging them took minutes) make one fact citing
    MAX_GROUP_REPORTS of them; the other reports are counted against it, not cited."""
    facts = [
        quoting(f"item-{n}", f"JAXA and NASA agreed to build a lunar rover for Artemis, item {n}.")
        for n in range(5000)
    ]
    consolidation = consolidate_counted(facts, topic)
    ((fact, reports),) = consolidation.groups
    assert (MAX_GROUP_REPORTS, MAX_GROUP_REPORTS) == (len(reports), len(fact.evidence))
    assert {fact.id: 5000 - MAX_GROUP_REPORTS} == consolidation.left_out


def test_a_report_finds_its_storys_group_behind_hundreds_of_other_stories(topic: Topic) -> None:
    """One sentence told in 300 other stories between two items of one story: the later item
    still joins the earlier one's group. (The index by word alone, cut to the latest 100
    groups per word, never compared it with its own story's group and made it a fact apart.)"""
    sentence = "JAXA will deliver the pressurized lunar rover for Artemis missions in 2031."
    others = [quoting(f"other-{n}", sentence) for n in range(300)]
    first, later = quoting("first", sentence), quoting("later", sentence)
    stories = {"first": 0, "later": 0} | {f"other-{n}": n + 1 for n in range(300)}
    groups = consolidate([first, *others, later], topic, stories)
    assert (301, ["first", "later"]) == (
        len(groups),
        [fact.id for fact in groups[0][1]],
    )
