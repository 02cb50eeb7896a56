"""Merging the same claim only: a story's launch and docking sentences stay two statements."""

from datetime import date
from pathlib import Path

from briefing.compose import claims
from briefing.compose.assemble import compose_briefing
from briefing.compose.claims import claim_shape, claims_conflict
from briefing.compose.consolidate import consolidate
from briefing.evaluate_merge import (
    MergePair,
    MergePairs,
    PairSentence,
    load_merge_pairs,
    score_merges,
)
from briefing.extract.facts import extract_facts
from briefing.models import Fact, SourceDocument
from briefing.topic import Topic
from tests.test_compose import document

LAUNCH = (
    "The Crew Dragon spacecraft carrying NASA astronauts and JAXA astronaut Satoshi Furukawa "
    "to the International Space Station launched from the Kennedy Space Center at 3:27 a.m. "
    "Saturday."
)
DOCKING = (
    "The Crew Dragon spacecraft carrying NASA astronauts and JAXA astronaut Satoshi Furukawa "
    "docked with the International Space Station at 1:05 p.m. Sunday."
)
LAUNCH_AGAIN = (
    "A SpaceX Crew Dragon carrying JAXA astronaut Satoshi Furukawa and three crewmates lifted "
    "off for the International Space Station at 3:27 a.m. Saturday from the Kennedy Space Center."
)


def crew_facts(topic: Topic) -> tuple[list[SourceDocument], list[Fact]]:
    """Three outlets' sentences: a launch, the docking, the launch again."""
    day = "2023-08-26"
    documents = [
        document("a", LAUNCH, day),
        document("b", DOCKING, day),
        document("c", LAUNCH_AGAIN, day),
    ]
    return documents, [fact for doc in documents for fact in extract_facts(doc, topic).facts]


def test_a_launch_and_a_docking_sentence_of_one_story_stay_two_statements(topic: Topic) -> None:
    """Two outlets' sentences of one story, one on the launch and one on the docking, sharing
    the spacecraft, the crew and the station, are two statements; two launch sentences are one."""
    _, facts = crew_facts(topic)
    groups = consolidate(facts, topic, {"a": 0, "b": 0, "c": 0})
    cited = sorted(sorted(e.document_id for e in fact.evidence) for fact, _ in groups)
    assert [["a", "c"], ["b"]] == cited


def test_a_plan_is_not_the_event_and_clock_times_must_agree() -> None:
    """'Is scheduled to dock' is not 'docked'; 9:22 and 10:37 are two moments, while 3:27 a.m.
    EDT and 4:27 p.m. Japan time may be one."""
    planned = claim_shape("The crew is scheduled to dock to the space station Sunday.")
    docked = claim_shape("The crew docked to the space station Sunday.")
    early = claim_shape("The rocket lifted off at 9:22 a.m.")
    late = claim_shape("The rocket lifted off at 10:37 a.m.")
    eastern = claim_shape("The rocket lifted off at 3:27 a.m. EDT.")
    japan = claim_shape("The rocket lifted off at 4:27 p.m. Japan time.")
    assert (True, True, False) == (
        claims_conflict(planned, docked),
        claims_conflict(early, late),
        claims_conflict(eastern, japan),
    )


def test_the_predicate_is_the_main_clauses(topic: Topic) -> None:
    """A relative clause, an apposition or an 'as' clause does not give the predicate: the
    rocket that launched a module 'reentered'; officials 'cheered as' a rocket reached orbit."""
    assert ("reenter", "flyby", None, "launch") == (
        claim_shape(
            "The core stage of the rocket that launched the module reentered over the ocean."
        ).predicate,
        claim_shape("The rocket, launched late on Tuesday, flew over Okinawa.").predicate,
        claim_shape("Officials cheered as the H3 rocket reached orbit.").predicate,
        claim_shape("The rocket launched late on Tuesday.").predicate,
    )


def test_merge_precision_and_recall_are_counted_over_labelled_pairs(topic: Topic) -> None:
    """A pair merged and labelled the same is right; one merged and labelled different would
    cost precision; a pair with a sentence the edition does not carry is counted apart."""
    documents, facts = crew_facts(topic)
    briefing = compose_briefing(topic, documents, facts, date(2023, 8, 27), versions={})
    guids = {"a": "g-a", "b": "g-b", "c": "g-c"}

    def pair(a: str, quote_a: str, b: str, quote_b: str, same: bool) -> MergePair:
        return MergePair(
            set="s",
            a=PairSentence(guid=a, quote=quote_a),
            b=PairSentence(guid=b, quote=quote_b),
            same=same,
        )

    pairs = MergePairs(
        pairs=[
            pair("g-a", LAUNCH[:40], "g-c", LAUNCH_AGAIN[:40], True),
            pair("g-a", LAUNCH[:40], "g-b", DOCKING[:40], False),
            pair("g-a", LAUNCH[:40], "g-b", "No such sentence is in the item at all", True),
        ]
    )
    report = score_merges([("s", briefing, guids)], pairs)
    assert ((1, 1), (1, 1), 1) == (
        (report.precision.right, report.precision.total),
        (report.recall.right, report.recall.total),
        report.missing,
    )


def test_the_labelled_pairs_load() -> None:
    """The committed pairs file is valid and holds pairs of both kinds."""
    pairs = load_merge_pairs(Path(__file__).parent.parent / "evaluation" / "merge" / "pairs.yaml")
    assert {True, False} == {pair.same for pair in pairs.pairs}


def _first_characters(pattern: str) -> set[str]:
    """The characters a match of the regex can open with (its parse tree's first items)."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def first(items: list[tuple[object, object]]) -> set[str]:
        op, value = items[0]
        if op is c.LITERAL:
            return {chr(value)}  # type: ignore[arg-type]
        if op is c.IN:
            return {chr(v) for kind, v in value if kind is c.LITERAL}  # type: ignore[attr-defined]
        if op is c.BRANCH:
            return set().union(*(first(list(branch)) for branch in value[1]))  # type: ignore[index]
        if op is c.SUBPATTERN:
            return first(list(value[-1]))  # type: ignore[index]
        raise AssertionError(f"a predicate's words open with {op}")

    return first(list(_parser.parse(pattern)))


def test_every_predicate_opens_with_a_letter_the_pattern_tries() -> None:
    """The predicates are tried only at a word opening with one of ``_FIRST_LETTERS``: every
    word of every predicate opens with one of them (a word added with another letter would
    never be found)."""
    openings = {
        name: _first_characters(words) - set(claims._FIRST_LETTERS)
        for name, words in claims._PREDICATES.items()
    }
    assert {} == {name: letters for name, letters in openings.items() if letters}
