"""One fact per thing reported: merge what several sources say, and notice where they differ.

Two statements from different documents report the same thing when their content words,
weighted by how rare each word is among the edition's statements, mostly coincide, or when they
quote the same words of a speaker. The clearest wording leads the merged fact; the others stay
as its evidence. Within a merged fact, differing numbers or dates become a ``Disagreement``.
"""

import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from briefing.compose.claims import ClaimShape, claim_shape, claims_conflict, same_event
from briefing.models import Claim, Disagreement, Fact, FactKind
from briefing.topic import Topic

# Thresholds on the rarity-weighted Jaccard (J) and overlap (O) of two statements' content words.
SAME = 0.45  # J from which two statements report the same thing, whatever else differs
SIMILAR = (0.28, 0.55)  # J and O from which they do, when their dates do not conflict
SAME_DAY = (0.15, 0.3)  # J and O from which they do, when both name the same day
# J and O from which two statements of one story do, when both state the same main predicate
# (briefing.compose.claims): one story's "lifted off" sentences are one launch.
SAME_STORY = (0.12, 0.25)
QUOTED_WORDS = 3  # or: they quote the same run of this many content words...
RARE_IN = 4  # ...each found in fewer statements than this (roughly)
_RARE = "\0rare"  # the weight from which a word counts as rare, kept beside the words
MIN_WORDS = 4  # a statement with fewer content words is matched by its quotes only
LONG_QUOTE = 10  # words inside a quote this long (a title, a speech) are left out of the bag
# Reports one group keeps, each cited in the HTML edition (the PDF shows the first three,
# BRIEFING_PDF_CITATION_LIMIT).
# Further reports of the same thing are counted (``Consolidation.left_out``) but not kept: one
# feed of 20,000 copies of an item made one statement carrying 20,000 citations, and merging
# them took minutes. They join no other group either, which would repeat the statement.
MAX_GROUP_REPORTS = 100

# Words too common to tell two statements apart.
_STOPWORDS = frozenset(
    """
    a an the of to and or in on at for with by from as that this these those it its is are was
    were be been being has have had will would can could may might also not no but than then
    there their they them he she his her we our us you your who whom which what when where
    while about into over under after before during between through up out so such other more
    most said says say according told noted added explained well very just only both each all
    any some many much new one
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
}
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*|\d+(?:\.\d+)?")
_QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")
_QUANTITY = re.compile(
    r"\b(?P<number>\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(?P<words>(?:[a-z-]+\s+){0,3}?)"
    r"(?P<noun>[a-z-]+s)\b"
)
_UNCLEAR_START = re.compile(
    r"^(?:It|They|This|These|That|He|She|But|And|In addition|Recall that|Although|"
    r"Lastly|Ultimately|Presently|Perhaps|Yes)\b"
)


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(statement: str, topic: Topic) -> frozenset[str]:
    """The statement's content words: actors by canonical name, each partner the profile's
    synonyms name as one word, the rest stemmed.

    Long quotes (titles, speeches) are left out: their words say little about what is reported.
    """
    unquoted = _QUOTED.sub(
        lambda match: " " if len(match[1].split()) >= LONG_QUOTE else match[0], statement
    )
    words = {f"@{name}" for name in topic.find_actors(unquoted)}
    words |= {f"@partner:{partner}" for partner in topic.find_partners(unquoted)}
    words.update(filter(None, map(_content_stem, _WORD.findall(unquoted))))
    return frozenset(words)


@lru_cache(maxsize=1 << 16)
def _content_stem(token: str) -> str | None:
    """A word's stem as a content word, None for a stopword or a number: worked out once per
    distinct word (a 2,000-item edition asks 370,000 times, for a few thousand words)."""
    lower = token.lower()
    if lower in _STOPWORDS or lower in _NUMBER_WORDS or token.isdigit():
        return None
    # Interned: one string per distinct word, not one per statement (at 20,000 items the
    # statements' words were 800,000 strings, 42 MB, most of them repeats).
    return sys.intern(_stem(lower))


def _quoted_runs(statement: str, ignored: frozenset[str]) -> set[tuple[str, ...]]:
    runs = set()
    for quoted in _QUOTED.findall(statement):
        words = [
            _stem(word)
            for word in _WORD.findall(quoted)
            if len(word) > 2 and word.lower() not in ignored
        ]
        runs |= {tuple(words[i : i + QUOTED_WORDS]) for i in range(len(words) - QUOTED_WORDS + 1)}
    return runs


_NO_RUNS: frozenset[tuple[str, ...]] = frozenset()  # most statements quote nothing


@dataclass(frozen=True, slots=True)
class _Profile:
    fact: Fact
    words: frozenset[str]
    quoted: frozenset[tuple[str, ...]]
    total: float = 0.0  # the words' summed weight, once the weights are known
    shape: ClaimShape | None = None  # its main predicate and clock times, worked out once


def _shape(profile: _Profile) -> ClaimShape:
    return profile.shape or claim_shape(profile.fact.statement)


def _weights(
    profiles: Sequence[tuple[Iterable[str], Iterable[tuple[str, ...]]]],
) -> dict[str, float]:
    """Each word's rarity among the statements (inverse document frequency), from each
    statement's words and quoted runs."""
    counts = Counter(
        word
        for words, quoted in profiles
        for word in {*words, *(word for run in quoted for word in run)}
    )
    total = len(profiles) + 1
    weights = {word: math.log(total / count) + 0.1 for word, count in counts.items()}
    weights[_RARE] = math.log(total / RARE_IN) + 0.1
    return weights


def _dates_conflict(a: Fact, b: Fact, slack: int = 0) -> bool:
    """Whether the two facts' times are apart, by more than ``slack`` days."""
    if a.when is None or b.when is None:
        return False
    return (a.when.start - b.when.end).days > slack or (b.when.start - a.when.end).days > slack


def _same_day_event(a: Fact, b: Fact) -> bool:
    return (
        a.kind == b.kind == FactKind.EVENT
        and a.when is not None
        and b.when is not None
        and a.when.precision == b.when.precision == "day"
        and a.when.start == b.when.start
    )


def same_report(
    a: _Profile, b: _Profile, weights: dict[str, float], same_story: bool = False
) -> bool:
    """Whether two statements from different documents report the same claim: words enough in
    common (fewer within one story, ``same_story``, when both state the same predicate), and
    no conflict in what they claim: their main predicates, clock times and dates (a day apart
    is one moment in two time zones)."""
    rare = weights[_RARE]
    # A shared quote counts when its words are rare here: "exploration and use of outer space"
    # is everyone's phrase, "take our cooperation to new heights" is one speaker's.
    shared_runs = a.quoted & b.quoted
    if any(sum(weights.get(word, 0.0) >= rare for word in run) >= 2 for run in shared_runs):
        return True

    def weight(words: Iterable[str]) -> float:
        # Summed exactly (``math.fsum``): a set's order differs from process to process.
        return math.fsum(map(weights.__getitem__, words))

    if min(len(a.words), len(b.words)) < MIN_WORDS:
        return False
    shape_a, shape_b = _shape(a), _shape(b)
    if claims_conflict(shape_a, shape_b) or _dates_conflict(a.fact, b.fact, slack=1):
        return False
    shared = weight(a.words & b.words)
    total_a = a.total or weight(a.words)
    total_b = b.total or weight(b.words)
    jaccard = shared / ((total_a + total_b - shared) or 1)
    overlap = shared / (min(total_a, total_b) or 1)
    if jaccard >= SAME:
        return True
    if (
        same_story
        and same_event(shape_a, shape_b)
        and jaccard >= SAME_STORY[0]
        and overlap >= SAME_STORY[1]
    ):
        return True
    if _same_day_event(a.fact, b.fact) and jaccard >= SAME_DAY[0] and overlap >= SAME_DAY[1]:
        return True
    return jaccard >= SIMILAR[0] and overlap >= SIMILAR[1] and not _dates_conflict(a.fact, b.fact)


def clarity_penalty(fact: Fact) -> float:
    """Lower is clearer: a self-contained sentence of moderate length that says when."""
    words = len(fact.statement.split())
    penalty = abs(words - 25) / 10
    penalty += 3 if _UNCLEAR_START.match(fact.statement) else 0
    penalty += 1 if fact.statement.startswith(("“", '"')) else 0
    penalty -= 1.5 if fact.when is not None else 0
    return penalty


def merge_facts(group: Sequence[Fact]) -> Fact:
    """One fact from several reports of it, led by the clearest wording."""
    leader = min(group, key=clarity_penalty)
    others = [fact for fact in group if fact is not leader]
    evidence = list(leader.evidence)
    seen = set(evidence)  # a set, not the list: the list made merging quadratic in the reports
    for fact in others:
        for item in fact.evidence:
            if item not in seen:
                seen.add(item)
                evidence.append(item)
    return leader.model_copy(
        update={
            "evidence": tuple(evidence),
            "actors": tuple(dict.fromkeys(a for fact in group for a in fact.actors)),
        }
    )


_EMPTY: Mapping[object, int | list[int]] = {}


class _Index:
    """Group numbers by story (None: a seed's) and key (a word, a quoted run, a day and word),
    for the statements that may join them: a feed item's, its own story's and the seeds';
    a seed's, every story's. A number listed once is kept bare, not in a list of its own (at
    20,000 items most words of a story's first reports are listed once)."""

    def __init__(self) -> None:
        self._by_story: dict[int | None, dict[object, int | list[int]]] = {}

    def add(self, story: int | None, key: object, number: int) -> None:
        """List a group's number under its story and a key."""
        listed = self._by_story.setdefault(story, {})
        found = listed.get(key)
        if found is None:
            listed[key] = number
        elif isinstance(found, int):
            listed[key] = [found, number]
        else:
            found.append(number)

    def find(self, story: int | None, key: object, into: set[int]) -> None:
        """Add to ``into`` the groups listed under the key that a statement of the story may
        join."""
        shelves = (
            self._by_story.values()
            if story is None
            else (self._by_story.get(story, _EMPTY), self._by_story.get(None, _EMPTY))
        )
        for shelf in shelves:
            found = shelf.get(key)
            if isinstance(found, int):
                into.add(found)
            elif found is not None:
                into.update(found)


# A match by words needs at least this rarity-weighted Jaccard; one of two events of the same
# day needs at least the lower one.
_JACCARD_FLOOR = min(SAME, SIMILAR[0], SAME_STORY[0])
_SAME_DAY_FLOOR = SAME_DAY[0]


def _event_day(fact: Fact) -> date | None:
    """The day of an event dated to the day: what the same-day rule compares."""
    if fact.kind == FactKind.EVENT and fact.when is not None and fact.when.precision == "day":
        return fact.when.start
    return None


def _probe_words(profile: _Profile, weights: dict[str, float], floor: float) -> list[str]:
    """The rarest of a statement's words, enough that any statement it could match by words
    shares at least one of them: the words left out weigh less than the Jaccard floor allows."""
    if len(profile.words) < MIN_WORDS:
        return []
    ordered = sorted(profile.words, key=lambda word: (-weights[word], word))
    total = sum(map(weights.__getitem__, ordered))
    rest, prefix = total, []
    # A small margin: a longer prefix only adds candidates, it never loses a match.
    while ordered and rest >= floor * total * (1 - 1e-9):
        word = ordered.pop(0)
        prefix.append(word)
        rest -= weights[word]
    return prefix


def _first_home(
    profile: _Profile,
    candidates: list[tuple[int, _Profile]],
    weights: dict[str, float],
    stories: Mapping[str, int],
) -> int | None:
    """The first group with a report of the same thing from another document, if any, among
    candidates of the statement's own story or of none (the index keeps them so); an item's
    headline (its text's first span) joins only other headlines: merged into a sentence, it
    would leave its story no title."""
    document = profile.fact.evidence[0].document_id
    headline = document in stories and profile.fact.evidence[0].start == 0
    for group, member in sorted(candidates, key=lambda pair: pair[0]):
        other = member.fact.evidence[0].document_id
        if (other in stories and member.fact.evidence[0].start == 0) != headline:
            continue
        story = stories.get(document)
        same_story = story is not None and story == stories.get(other)
        if other != document and same_report(member, profile, weights, same_story):
            return group
    return None


@dataclass
class Consolidation:
    """The groups of reports of one thing, each as (merged fact, its reports), and how many
    more reports of each merged fact (by id) its group left out, past ``MAX_GROUP_REPORTS``."""

    groups: list[tuple[Fact, list[Fact]]] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)


def consolidate(
    facts: Sequence[Fact],
    topic: Topic,
    stories: Mapping[str, int] | None = None,
) -> list[tuple[Fact, list[Fact]]]:
    """Group the facts that report the same thing; each group as (merged fact, its reports),
    at most ``MAX_GROUP_REPORTS`` of them (``consolidate_counted`` counts the rest)."""
    return consolidate_counted(facts, topic, stories).groups


def consolidate_counted(
    facts: Sequence[Fact],
    topic: Topic,
    stories: Mapping[str, int] | None = None,
) -> Consolidation:
    """Group the facts that report the same thing, counting the reports a full group left out.

    Each statement joins the first group whose first report is a report of the same thing from
    another document (matching any member instead let groups grow by chains of near matches
    into one "fact" of thousands). Only statements sharing a rare word or a quoted run can
    match, so an inverted index over the groups' first reports finds the candidates, and no
    candidate is left out: a feed item's statement can only join a group of its own story or
    of no story (a seed's), so the index is kept per story, and its lists stay short (an index
    by word alone gave a statement of 20,000 items some 400 candidates, nearly all of other
    stories, and was cut to the latest 100 groups per word, losing matches). A group with
    ``MAX_GROUP_REPORTS`` reports still takes the reports of its thing, but only counts them.
    Feed items of two ``stories`` (the story of each item, by document id: stories span a few
    days) report two things, whatever their words: "The rocket lifted off from the Tanegashima
    Space Center" of two launches a year apart is not one report.
    """
    # A quote shares nothing telling in the subject's own words ("the United States and Japan").
    ignored = _STOPWORDS | frozenset(topic.common_words)
    # Each statement's words as a tuple (a third of a set's bytes) and its runs, for the
    # weights; a statement's profile, with sets, is made when its turn comes, and only a
    # group's first report keeps it (at 20,000 items the profiles of all were 300 MB).
    bags = [
        (
            tuple(content_words(fact.statement, topic)),
            frozenset(_quoted_runs(fact.statement, ignored)) or _NO_RUNS,
        )
        for fact in facts
    ]
    weights = _weights(bags)
    stories = stories or {}
    groups: list[list[Fact]] = []
    members: list[tuple[int, _Profile]] = []  # (group, its first report), in group order
    listed = _Index()
    by_id: dict[str, int] = {}
    left_out = Counter[int]()
    for fact, (words, quoted) in zip(facts, bags, strict=True):
        profile = _Profile(
            fact,
            frozenset(words),
            quoted,
            total=sum(map(weights.__getitem__, words)),
            shape=claim_shape(fact.statement),
        )
        story = stories.get(fact.evidence[0].document_id)
        candidates: set[int] = set()
        for word in _probe_words(profile, weights, _JACCARD_FLOOR):
            listed.find(story, word, candidates)
        day = _event_day(profile.fact)
        if day is not None:
            for word in _probe_words(profile, weights, _SAME_DAY_FLOOR):
                listed.find(story, (day, word), candidates)
        for run in profile.quoted:
            listed.find(story, run, candidates)
        # The same sentence is the same report wherever it appears: two groups led by it would
        # give the briefing two facts with one id.
        home = by_id.get(profile.fact.id)
        if home is None:
            home = _first_home(
                profile, [members[number] for number in candidates], weights, stories
            )
        founder = home is None
        if home is None:
            home = len(groups)
            groups.append([])
        if len(groups[home]) >= MAX_GROUP_REPORTS:
            left_out[home] += 1
            continue
        groups[home].append(fact)
        by_id.setdefault(profile.fact.id, home)
        if not founder:
            continue
        number = len(members)
        members.append((home, profile))
        for word in profile.words:
            listed.add(story, word, number)
            if day is not None:
                listed.add(story, (day, word), number)
        for run in profile.quoted:
            listed.add(story, run, number)
    result = Consolidation()
    for index, reports in enumerate(groups):
        merged = merge_facts(reports) if len(reports) > 1 else reports[0]
        result.groups.append((merged, reports))
        if left_out[index]:
            result.left_out[merged.id] += left_out[index]
    return result


def _quantities(fact: Fact) -> list[tuple[int, str, str]]:
    found = []
    for match in _QUANTITY.finditer(fact.statement):
        number = match["number"]
        value = int(number) if number.isdigit() else _NUMBER_WORDS[number]
        if 1900 <= value <= 2199:
            continue  # a year, not a count
        found.append((value, match["noun"], match[0]))
    return found


def find_disagreements(merged: Fact, reports: Sequence[Fact]) -> list[Disagreement]:
    """Differing counts or dates among the reports of one fact, each quoted with its evidence.

    One note per counted noun and one for the date, each value quoted once (from its first
    report): ten reports of one thing give one note, not one per pair of them.
    """
    counts: dict[str, dict[int, Claim]] = {}
    dates: dict[str, tuple[Fact, Claim]] = {}
    for report in reports:
        evidence = report.evidence[0]
        for value, noun, text in _quantities(report):
            counts.setdefault(noun, {}).setdefault(value, Claim(value=text, evidence=evidence))
        when = report.when
        if when is not None and when.precision in {"day", "month"}:
            dates.setdefault(when.text.lower(), (report, Claim(value=when.text, evidence=evidence)))
    found = [
        Disagreement(fact_id=merged.id, aspect="number", claims=tuple(claims.values()))
        for claims in counts.values()
        if len(claims) > 1 and len({c.evidence.document_id for c in claims.values()}) > 1
    ]
    dated = list(dates.values())
    if any(
        a.evidence[0].document_id != b.evidence[0].document_id
        and a.when is not None
        and b.when is not None
        and (a.when.end < b.when.start or b.when.end < a.when.start)
        for index, (a, _) in enumerate(dated)
        for b, _ in dated[index + 1 :]
    ):
        claims = tuple(claim for _, claim in dated)
        found.append(Disagreement(fact_id=merged.id, aspect="date", claims=claims))
    return found
