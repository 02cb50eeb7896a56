"""Story leads: the sentences most central to what all a story's outlets report, chosen first."""

from datetime import date

from briefing.compose.leads import cosine, lexrank, rank_statements
from briefing.models import Briefing, Evidence, Fact, FactKind
from briefing.topic import Topic
from tests.test_stories import edition, item

ASTROSCALE = item(
    "adras-spacenews",
    "SpaceNews",
    date(2024, 2, 18),
    "Astroscale launches probe to inspect space junk up close",
    "Astroscale, a well-capitalized Japanese startup, is preparing a small satellite to do "
    "something that has never been done in space. A Rocket Lab Electron launched Astroscale's "
    "ADRAS-J spacecraft Feb. 18 to approach and inspect a discarded Japanese rocket stage. "
    '"This is a big day for debris removal," Astroscale founder Nobu Okada said.',
)
ASTROSCALE_JT = item(
    "adras-japantimes",
    "The Japan Times",
    date(2024, 2, 19),
    "Astroscale probe lifts off to inspect spent rocket stage",
    "Astroscale's ADRAS-J spacecraft lifted off on a Rocket Lab Electron on Feb. 18 to inspect "
    "a discarded Japanese rocket stage in orbit. The company listed its shares in Tokyo.",
)


def fact(key: str, statement: str, kind: FactKind = FactKind.EVENT, **extra: object) -> Fact:
    """A fact quoting a document of its own."""
    return Fact(
        id=key,
        statement=statement,
        theme="civil-space",
        kind=kind,
        evidence=(
            Evidence(document_id=f"doc-{key}", start=0, end=len(statement), quote=statement),
        ),
        **extra,  # type: ignore[arg-type]
    )


def words(fact: Fact) -> frozenset[str]:
    """Lower-case words, for hand-made facts."""
    return frozenset(fact.statement.lower().replace(".", "").split())


def test_lexrank_scores_the_sentence_like_the_others_highest() -> None:
    """In a graph where one node is like both others and they are unlike each other, that
    node is the most central, and the two others score the same."""
    scores = lexrank([[0, 0.5, 0.5], [0.5, 0, 0], [0.5, 0, 0]])
    assert scores[0] > scores[1]
    assert round(scores[1], 9) == round(scores[2], 9)
    assert 1.0 == round(sum(scores), 9)


def test_cosine_weighs_shared_rare_words() -> None:
    """Two bags sharing nothing are 0 apart; the same bag is 1; a rare shared word counts more."""
    weight = {"rare": 3.0}.get
    a, b, c = frozenset({"rare", "the"}), frozenset({"rare", "dog"}), frozenset({"the", "dog"})
    assert (0.0, 1.0) == (
        cosine(frozenset({"x"}), frozenset({"y"}), lambda w: 1.0),
        round(cosine(a, a, lambda w: 1.0), 9),
    )
    assert cosine(a, b, lambda w: weight(w, 1.0)) > cosine(a, c, lambda w: weight(w, 1.0))


def test_a_story_leads_with_the_event_its_outlets_report_not_the_scene_setting(
    topic: Topic,
) -> None:
    """Told by two outlets, the debris-inspection launch leads with the launch, not with the
    first sentence describing the company nor with the founder's quote."""
    briefing = edition([ASTROSCALE, ASTROSCALE_JT], topic)
    story = next(s for s in briefing.stories if len(s.document_ids) == 2)
    leads = [briefing.fact(fact_id).statement for fact_id in story.lead_ids]
    assert leads[0].startswith(("A Rocket Lab Electron launched", "Astroscale's ADRAS-J"))


def test_leads_are_the_statements_right_after_the_headline_and_no_title(topic: Topic) -> None:
    """A story's leads follow its headline in its statements, and no outlet's title is a lead."""
    briefing = edition([ASTROSCALE, ASTROSCALE_JT], topic)
    for story in briefing.stories:
        assert story.lead_ids == story.fact_ids[1 : 1 + len(story.lead_ids)]
        assert not set(story.lead_ids) & set(briefing.headlines)
        assert story.headline in briefing.headlines


def test_a_lead_that_repeats_one_chosen_is_not_chosen_again() -> None:
    """Of two statements saying the same thing, only one is a lead (maximal marginal
    relevance); a different statement is the second lead."""
    same = fact("a", "Japan launched the SLIM lander to the moon on Thursday.")
    again = fact("b", "Japan launched the SLIM lander to the moon on Thursday morning.")
    other = fact("c", "The probe carries an X-ray telescope built with NASA.")
    ranked = rank_statements(
        [same, again, other], [], words, lambda word: 1.0, {"a": 0, "b": 0, "c": 1}
    )
    assert ["a", "c"] == [lead.id for lead in ranked.leads]
    assert ["b"] == [fact.id for fact in ranked.rest]


def test_a_first_sentence_that_opens_with_the_is_not_taken_for_a_reference_back() -> None:
    """An item's first sentence under its title cannot point back to anything, so "The
    world's first wooden satellite ..." leads; a later sentence opening "It" does not."""
    first = fact("a", "The world's first wooden satellite was launched on Tuesday.")
    later = fact("b", "It will later be released into orbit from the station.", FactKind.PLAN)
    ranked = rank_statements([later, first], [], words, lambda word: 1.0, {"a": 0, "b": 1})
    assert ["a", "b"] == [lead.id for lead in ranked.leads]


def test_the_edition_lists_every_title_as_a_headline(topic: Topic) -> None:
    """Every item's title is cited by one of the briefing's headlines, and a headline is a title
    (two titles of one launch are one headline citing both)."""
    briefing: Briefing = edition([ASTROSCALE, ASTROSCALE_JT], topic)
    titles = {doc.title.value for doc in (ASTROSCALE, ASTROSCALE_JT) if doc.title is not None}
    facts = [briefing.fact(fact_id) for fact_id in briefing.headlines]
    assert (titles, True) == (
        {evidence.quote for fact in facts for evidence in fact.evidence},
        all(fact.statement in titles for fact in facts),
    )


# Printed by a fresh interpreter: the weights of word sets as leads and story grouping sum them.
_SUMS_OF_WORD_SETS = """
from briefing.compose.leads import similarities
from briefing.compose.stories import Rarity
words = [f"w{i}" for i in range(40)]
weights = {w: 0.1 * (i % 7 + 1) + 0.01 * i for i, w in enumerate(words)}
bags = [frozenset(words[i::2]) | frozenset(words[:9]) for i in range(3)]
print(repr(similarities(bags, weights.__getitem__)))
print(repr(Rarity(weights, 1.0, 0.5).weigh(frozenset(words))))
"""


def test_sums_over_word_sets_are_the_same_in_every_process() -> None:
    """A set of words is iterated in an order that follows the process's string hashes; summed
    in that order, the weights differed in their last bit from process to process (these four
    hash seeds gave several values), and with them the order of two leads of equal score: the
    same inputs gave two editions."""
    import os
    import subprocess
    import sys

    printed = set()
    for seed in ("1", "2", "3", "4"):
        done = subprocess.run(
            [sys.executable, "-c", _SUMS_OF_WORD_SETS],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        printed.add(done.stdout)
    assert len(printed) == 1, printed
