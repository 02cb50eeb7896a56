"""A story's lead sentences: the statements most central to what all its outlets report.

Every statement of a story that is no item's title is a candidate. Each is scored by
- centrality: its LexRank score in the graph of the story's sentences and titles, edges the
  cosine of their content words weighted by rarity (``lexrank``), scaled so the most central is 1;
- what the outlets headlined: its best cosine with one of the story's titles;
- its place in its item: 1 for the first sentence under the title, 1/2 for the second...;
- its kind and voice: a reported event over a plan over an assessment, a quote lower;
- its support: the outlets reporting it;
and one that opens with a reference to something outside it (past its item's first sentence)
comes after those that stand alone.
Up to ``LEADS`` are chosen by maximal marginal relevance: each next one the best score less its
likeness to those chosen, and none as alike as ``REDUNDANT`` to one chosen.

Not sumy's LexRank: it splits and tokenizes the text again with NLTK, whose sentence model must
be downloaded at run time (these machines and the workers reach no such host), while here the
statements are already the verbatim spans, with content words that know the topic's actors.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from briefing.compose.standalone import opens_with_outside_reference
from briefing.models import Fact, FactKind

LEADS = 3  # lead sentences a story prints at most
REDUNDANT = 0.6  # cosine from which a candidate repeats a lead already chosen
MMR_LAMBDA = 0.7  # weight of the score against the likeness to leads chosen
CANDIDATES = 40  # the candidates scored, by place and support: bounds the graph to 40 x 40
DAMPING = 0.85
ITERATIONS = 50
TOLERANCE = 1e-6  # the scores only rank a story's sentences
# Weights of the signals (tuned on evaluation/news, whose leads were labelled before any output
# was seen; evaluation/news-heldout was not looked at to choose them).
CENTRAL, HEADLINED, PLACE, SUPPORT = 1.0, 1.0, 1.2, 0.2
KIND = {FactKind.EVENT: 0.4, FactKind.PLAN: 0.2, FactKind.ASSESSMENT: 0.0}
QUOTE = 0.4  # taken off a statement with a speaker: what happened before what was said of it
OUTSIDE_REFERENCE = 2.0  # taken off one that does not say what it is about

Words = frozenset[str]


@dataclass(frozen=True)
class Ranked:
    """A story's statements as ranked: its leads, then the others by score."""

    leads: tuple[Fact, ...]
    rest: tuple[Fact, ...]


def cosine(a: Words, b: Words, weight: Callable[[str], float]) -> float:
    """The cosine of two bags of words, each word weighted (squared) by its rarity."""
    return similarities([a, b], weight)[0][1]


def similarities(bags: Sequence[Words], weight: Callable[[str], float]) -> list[list[float]]:
    """The cosine of every two bags (``cosine``), 0 on the diagonal; each word's weight and
    each bag's norm worked out once."""
    squared = {word: weight(word) ** 2 for bag in bags for word in bag}
    # ``math.fsum``: a set's order follows the process's string hashes, and a plain sum of
    # floats in another order can differ in its last bit, enough to order two leads of equal
    # score the other way in another process.
    norms = [math.sqrt(math.fsum(map(squared.__getitem__, bag))) for bag in bags]
    return [
        [
            math.fsum(map(squared.__getitem__, a & b)) / (norms[i] * norms[j])
            if i != j and norms[i] and norms[j]
            else 0.0
            for j, b in enumerate(bags)
        ]
        for i, a in enumerate(bags)
    ]


def lexrank(similarity: Sequence[Sequence[float]]) -> list[float]:
    """Continuous LexRank (Erkan and Radev, 2004): the stationary scores of a random walk on
    the similarity graph, with ``DAMPING``, by power iteration (at most ``ITERATIONS``)."""
    size = len(similarity)
    if size == 0:
        return []
    rows = []
    for row in similarity:
        total = sum(row)
        rows.append([value / total for value in row] if total else [1.0 / size] * size)
    scores = [1.0 / size] * size
    for _ in range(ITERATIONS):
        new = [
            (1 - DAMPING) / size + DAMPING * sum(rows[j][i] * scores[j] for j in range(size))
            for i in range(size)
        ]
        change = sum(abs(x - y) for x, y in zip(new, scores, strict=True))
        scores = new
        if change < TOLERANCE:
            break
    return scores


def rank_statements(
    candidates: Sequence[Fact],
    titles: Sequence[Fact],
    words: Callable[[Fact], Words],
    weight: Callable[[str], float],
    place: Mapping[str, int],
) -> Ranked:
    """The story's leads and the rest of ``candidates`` (no titles among them), ranked as the
    module says. ``place`` is each statement's best place in its items' bodies, from 0."""

    def first_look(fact: Fact) -> tuple[int, int]:
        return place.get(fact.id, 99), -len(fact.source_ids())

    ordered = sorted(candidates, key=first_look)
    scored, later = ordered[:CANDIDATES], ordered[CANDIDATES:]
    if not scored:
        return Ranked((), ())
    similarity = similarities([*map(words, scored), *map(words, titles)], weight)
    central = lexrank(similarity)[: len(scored)]
    top = max(central)

    def score(index: int) -> float:
        fact = scored[index]
        headlined = max(similarity[index][len(scored) :], default=0.0)
        return (
            CENTRAL * central[index] / top
            + HEADLINED * headlined
            + PLACE / (1 + place.get(fact.id, 99))
            + KIND[fact.kind]
            - (QUOTE if fact.speaker is not None else 0.0)
            + SUPPORT * min(len(fact.source_ids()) - 1, 3)
            - (OUTSIDE_REFERENCE if refers_outside(fact) else 0.0)
        )

    def refers_outside(fact: Fact) -> bool:
        # The first sentence under a title has nothing before it to refer to but the title:
        # "The world's first wooden satellite ..." opens an item, it does not point back.
        return place.get(fact.id, 99) > 0 and opens_with_outside_reference(fact.statement)

    scores = [score(index) for index in range(len(scored))]
    chosen: list[int] = []
    left = sorted(range(len(scored)), key=lambda index: -scores[index])
    while left and len(chosen) < LEADS:

        def likeness(index: int) -> float:
            return max((similarity[index][other] for other in chosen), default=0.0)

        fresh = [index for index in left if likeness(index) < REDUNDANT]
        if not fresh:
            break
        best = max(fresh, key=lambda i: MMR_LAMBDA * scores[i] - (1 - MMR_LAMBDA) * likeness(i))
        chosen.append(best)
        left.remove(best)
    rest = [scored[index] for index in sorted(left, key=lambda index: -scores[index])]
    return Ranked(tuple(scored[index] for index in chosen), (*rest, *later))
