"""Whether two statements of an edition are about the same thing, and when they were published.

Two statements are about the same thing when their content words (``content_words``, without
the words of their stated time: "in December" and "on Wednesday" tell nothing of *what*) share
at least ``SAME_WORDS`` words, one of them distinctive, and the shared words weigh at least
``SAME_OVERLAP`` of the lighter statement's, every word weighed by its rarity among the
edition's statements as stories weigh the words of leads (``briefing.compose.stories``).
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from briefing.compose.consolidate import content_words
from briefing.compose.stories import Rarity, rarity_of
from briefing.models import Fact, PartialDate
from briefing.topic import Topic

# Seen on the labelled news set's timeline: rows of one event on one day overlap from 0.18
# (0.26 to 0.84 for most), rows of two events on one day at most 0.16; a statement is shorter
# than a story's lead, so fewer words are asked than of two leads.
SAME_WORDS = 3
SAME_OVERLAP = 0.25
# Bounds on grouping, whatever the input: groups compared per distinctive word (the latest),
# and statements of a group compared (its first).
CANDIDATES_PER_WORD = 50
COMPARED = 4


@dataclass(frozen=True)
class Likeness:
    """The edition's statements as content words, and the rarity of each word among them."""

    words: Mapping[str, frozenset[str]]
    rarity: Rarity
    weights: Mapping[str, float]  # each statement's words' summed weight

    def same_thing(self, a: Fact, b: Fact) -> bool:
        """Whether the two statements are about the same thing (see the module): the shared
        words' weight over the lighter statement's (as ``stories.overlap_of``, its sums kept)."""
        shared = self.words[a.id] & self.words[b.id]
        if len(shared) < SAME_WORDS or not any(self.rarity.is_distinctive(w) for w in shared):
            return False
        lighter = min(self.weights[a.id], self.weights[b.id])
        return lighter > 0 and self.rarity.weigh(shared) >= SAME_OVERLAP * lighter

    def share_a_name(self, a: Fact, b: Fact) -> bool:
        """A looser test: the statements share ``SAME_WORDS`` words, a distinctive one among
        them, however much else each says."""
        shared = self.words[a.id] & self.words[b.id]
        return len(shared) >= SAME_WORDS and any(self.rarity.is_distinctive(w) for w in shared)


def statement_words(fact: Fact, topic: Topic) -> frozenset[str]:
    """The statement's content words, without those of its stated time."""
    statement = fact.statement
    if fact.when is not None:
        statement = statement.replace(fact.when.text, " ")
    # An actor's name counts once, as the actor: the words of "Japan Aerospace Exploration
    # Agency" beside "@JAXA" made "aerospace" a distinctive word shared by any two statements
    # naming the agency in full.
    actors = {f"@{name}" for name in topic.find_actors(statement)}
    return content_words(topic.blank_actors(statement), topic) | actors


def build_likeness(facts: Iterable[Fact], topic: Topic) -> Likeness:
    """The likeness of an edition's statements (every statement it may be asked about)."""
    words = {fact.id: statement_words(fact, topic) for fact in facts}
    rarity = rarity_of(words.values())
    return Likeness(words, rarity, {key: rarity.weigh(bag) for key, bag in words.items()})


def interval(fact: Fact) -> tuple[date, date]:
    """The first and last day a timed statement's time can mean."""
    assert fact.when is not None
    return fact.when.start, fact.when.end


def first_published(fact: Fact, published: Mapping[str, PartialDate | None]) -> date | None:
    """The earliest publication day of the statement's sources, if any is dated."""
    days = [day.earliest() for doc in fact.source_ids() if (day := published.get(doc))]
    return min(days, default=None)


def group_alike(
    items: Iterable[Sequence[Fact]], likeness: Likeness, key: Callable[[Fact], Hashable]
) -> dict[str, list[Fact]]:
    """Items (each a few statements of one thing, the shown one first) grouped by what they are
    about, each group under its first statement's id, in order: an item joins the first group
    of the same ``key`` (a time, say) whose first statements (``COMPARED``, those of the item
    that started it) hold one about the same thing as one of its own, else starts one. Only the
    latest ``CANDIDATES_PER_WORD`` groups sharing each of its distinctive words are compared,
    so the work grows with the statements, not their square (a 20,000-item edition has
    thousands of plans of one year, and words distinctive among 60,000 statements that a
    thousand of them hold)."""
    groups: list[list[Fact]] = []
    by_word: dict[tuple[Hashable, str], list[int]] = {}
    for item in items:
        where = key(item[0])
        names = {
            word
            for fact in item
            for word in likeness.words[fact.id]
            if likeness.rarity.is_distinctive(word)
        }
        candidates = sorted(
            {
                index
                for word in names
                for index in by_word.get((where, word), ())[-CANDIDATES_PER_WORD:]
            }
        )
        home = next(
            (
                index
                for index in candidates
                if any(likeness.same_thing(a, b) for a in item for b in groups[index][:COMPARED])
            ),
            None,
        )
        if home is None:
            home = len(groups)
            groups.append([])
        groups[home].extend(item)
        for word in names:
            found = by_word.setdefault((where, word), [])
            if home not in found[-CANDIDATES_PER_WORD:]:
                found.append(home)
    return {group[0].id: group for group in groups}
