"""Stories: the reports of one event across outlets and days, each headed by an item's title.

An item tells the story of an earlier item (the story's first) when their leads (the
headline and the first sentences) share enough words, rarity-weighted as consolidation weighs
them (``STORY_OVERLAP`` of the lighter lead, at least ``SHARED_WORDS`` words, one of them
distinctive: a name few leads hold), and they were published within ``STORY_DAYS`` of each
other. An item joins the story it is most like, else starts one. A story holds the statements
whose items are all its own. A statement of an article (a seed) joins the story of
the items it was merged with. A story is headed by the title that most of its sources carry,
else the clearest, and led by up to three sentences the most central to what all its outlets
report (``briefing.compose.leads``); it is "developing" when an earlier edition of the last
``REMEMBERED_DAYS`` carried a story whose statements share as many words with its leads.
"""

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from briefing.compose.consolidate import content_words
from briefing.compose.leads import rank_statements
from briefing.compose.standalone import opens_with_outside_reference
from briefing.models import Briefing, Fact, FactKind, SourceDocument, Story
from briefing.topic import Topic

# Tuned on the labelled news set (evaluation/news): its pairs of one story overlap from 0.16,
# its pairs of two stories published within three days at most 0.10.
STORY_OVERLAP = 0.18  # rarity-weighted overlap of two leads from which they tell one story...
SHARED_WORDS = 6  # ...when they share at least this many content words
# Leads of one story share a distinctive word (a mission's or a company's name): one found in
# at most this many leads, or in this share of them.
DISTINCTIVE_ITEMS = 8
DISTINCTIVE_SHARE = 0.02
# Bounds on the work and on one story, whatever the input: stories compared per distinctive
# word (the latest that many whose first lead holds it), and items one story takes.
CANDIDATES_PER_WORD = 50
MAX_STORY_ITEMS = 100
STORY_DAYS = 3  # items of one event are published within this many days of each other
LEAD_SENTENCES = 2  # sentences after the headline that make an item's lead
TOP_STORIES = (5, 8)
MIN_RARITY_ITEMS = 20
REMEMBERED_DAYS = 42  # how far back an earlier edition's stories make a story "developing"
REMEMBERED_STATEMENTS = 6  # statements of a story the memory keeps to recognise it by
_HEADLINE_WORDS = 8  # the length of a clear headline, in words


@dataclass(frozen=True)
class EarlierStory:
    """A story an earlier edition carried, as the memory keeps it."""

    edition_date: date
    statements: tuple[str, ...]


def is_headline(fact: Fact, documents: Mapping[str, SourceDocument]) -> bool:
    """Whether the statement is, verbatim, the title of a feed item it cites."""
    for evidence in fact.evidence:
        document = documents.get(evidence.document_id)
        if (
            document is not None
            and document.form == "feed-item"
            and evidence.start == 0
            and document.title is not None
            and document.title.value == evidence.quote == fact.statement
        ):
            return True
    return False


def _day(document: SourceDocument) -> date | None:
    return document.published.value.earliest() if document.published is not None else None


@dataclass(frozen=True)
class Rarity:
    """Each word's rarity among the leads (inverse document frequency), the weight of a word
    no lead holds (as the rarest), and the weight from which a word is distinctive."""

    weights: Mapping[str, float]
    rarest: float
    distinctive: float

    def weight(self, word: str) -> float:
        """One word's weight."""
        return self.weights.get(word, self.rarest)

    def weigh(self, words: Iterable[str]) -> float:
        """The words' summed weight, the same whatever their order (``math.fsum``)."""
        return math.fsum(map(self.weight, words))

    def is_distinctive(self, word: str) -> bool:
        """Whether few leads hold the word (``DISTINCTIVE_ITEMS``, ``DISTINCTIVE_SHARE``)."""
        return self.weight(word) >= self.distinctive


def rarity_of(bags: Iterable[frozenset[str]]) -> Rarity:
    """The rarity of the leads' words; a handful of items weighs as if among
    ``MIN_RARITY_ITEMS``, or a word two of three items share would weigh nearly nothing."""
    bags = list(bags)
    counts = Counter(word for bag in bags for word in bag)
    leads = max(len(bags), MIN_RARITY_ITEMS)

    def weight(count: float) -> float:
        return math.log((leads + 1) / count) + 0.1

    return Rarity(
        {word: weight(count) for word, count in counts.items()},
        rarest=weight(1),
        distinctive=weight(max(DISTINCTIVE_ITEMS, leads * DISTINCTIVE_SHARE)),
    )


def overlap_of(a: frozenset[str], b: frozenset[str], rarity: Rarity) -> float:
    """The weight of the shared words over that of the lighter lead."""
    lighter = min(rarity.weigh(a), rarity.weigh(b))
    return rarity.weigh(a & b) / lighter if lighter else 0.0


def _same_story(a: frozenset[str], b: frozenset[str], rarity: Rarity) -> bool:
    shared = a & b
    return (
        len(shared) >= SHARED_WORDS
        and any(rarity.is_distinctive(word) for word in shared)
        and overlap_of(a, b, rarity) >= STORY_OVERLAP
    )


def _leads(
    merged: Sequence[Fact], items: Mapping[str, SourceDocument], topic: Topic
) -> dict[str, frozenset[str]]:
    """Each item's lead as content words: its headline and first sentences, as it wrote them."""
    quotes: dict[str, list[tuple[int, str]]] = {item: [] for item in items}
    for fact in merged:
        for evidence in fact.evidence:
            if evidence.document_id in quotes:
                quotes[evidence.document_id].append((evidence.start, evidence.quote))
    leads = {}
    for item, found in quotes.items():
        first = [quote for _, quote in sorted(set(found))[: LEAD_SENTENCES + 1]]
        leads[item] = frozenset(word for quote in first for word in content_words(quote, topic))
    return leads


def body_places(merged: Sequence[Fact], items: Mapping[str, SourceDocument]) -> dict[str, int]:
    """Each statement's best place in the body of an item it cites: 0 for the first sentence
    after the title, 1 for the next... (the statements kept, in text order)."""
    spans: dict[str, list[tuple[int, str]]] = {}
    for fact in merged:
        for evidence in fact.evidence:
            if evidence.document_id in items and evidence.start > 0:
                spans.setdefault(evidence.document_id, []).append((evidence.start, fact.id))
    place: dict[str, int] = {}
    for found in spans.values():
        for index, (_, fact_id) in enumerate(sorted(set(found))):
            place[fact_id] = min(place.get(fact_id, index), index)
    return place


def _close_in_time(a: SourceDocument, b: SourceDocument) -> bool:
    day_a, day_b = _day(a), _day(b)
    return day_a is None or day_b is None or abs((day_a - day_b).days) <= STORY_DAYS


def group_items(
    facts: Sequence[Fact], items: Mapping[str, SourceDocument], topic: Topic
) -> dict[str, int]:
    """The story of each feed item (by id), numbered from 0 in order of the first report.

    Items are taken in order of publication; each joins the story whose first item's lead it
    is most like (``_same_story``), within ``STORY_DAYS`` of it, else starts a story. Comparing
    with the first item only, not with any member, keeps chains of near matches from growing
    one story out of many. Only the latest ``CANDIDATES_PER_WORD`` stories holding a word are
    compared, and a story of ``MAX_STORY_ITEMS`` takes no more (a flood of copies starts a
    second), so the cost grows linearly with the items. ``facts`` are the statements as
    extracted, before consolidation (which then merges no statements of two stories).
    """
    leads = _leads(facts, items, topic)
    rarity = rarity_of(leads.values())
    order = {item: index for index, item in enumerate(items)}
    ordered = sorted(items, key=lambda item: (_day(items[item]) or date.max, order[item]))
    founders: list[str] = []
    sizes: list[int] = []
    story_of: dict[str, int] = {}
    by_word: dict[str, list[int]] = {}
    for item in ordered:
        lead = leads[item]
        # A story can only be one whose first lead shares a distinctive word with this one.
        candidates = {
            story
            for word in lead
            if rarity.is_distinctive(word)
            for story in by_word.get(word, ())[-CANDIDATES_PER_WORD:]
            if sizes[story] < MAX_STORY_ITEMS
        }
        best, best_overlap = None, 0.0
        for story in sorted(candidates):
            founder = founders[story]
            if not _close_in_time(items[item], items[founder]):
                continue
            overlap = overlap_of(lead, leads[founder], rarity)
            if _same_story(lead, leads[founder], rarity) and overlap > best_overlap:
                best, best_overlap = story, overlap
        if best is None:
            best = len(founders)
            founders.append(item)
            sizes.append(0)
            for word in lead:
                if rarity.is_distinctive(word):
                    by_word.setdefault(word, []).append(best)
        story_of[item] = best
        sizes[best] += 1
    return story_of


def _headline_penalty(fact: Fact) -> float:
    words = len(fact.statement.split())
    return abs(words - _HEADLINE_WORDS) / 4 + (2.0 if ":" in fact.statement else 0.0)


def story_score(story: Story, facts: Mapping[str, Fact], topic: Topic, today: date) -> float:
    """How much a story matters: its sources first, then recency, the weight of its theme's
    words in its headline and whether it reports an event."""
    headline = facts[story.headline]
    age_weeks = (today - story.reported).days / 7 if story.reported is not None else 52.0
    recency = 1.0 / (1.0 + max(age_weeks, 0.0))
    weight = min(topic.theme(story.theme).score(headline.statement), 12) / 4
    event = any(facts[fact_id].kind == FactKind.EVENT for fact_id in story.fact_ids)
    return 3.0 * len(story.document_ids) + 2.0 * recency + weight + (1.0 if event else 0.0)


def _developing_since(
    lead: frozenset[str],
    earlier: Sequence[tuple[date, frozenset[str]]],
    rarity: Rarity,
) -> date | None:
    days = [day for day, words in earlier if _same_story(lead, words, rarity)]
    return min(days, default=None)


def build_stories(
    merged: Sequence[Fact],
    documents: Sequence[SourceDocument],
    topic: Topic,
    edition_date: date,
    story_of: Mapping[str, int],
    words: Mapping[str, frozenset[str]],
    earlier: Sequence[EarlierStory] = (),
) -> tuple[Story, ...]:
    """The edition's news as stories, the most important first (``story_score``): ``story_of``
    is each item's story (``group_items``, given the statements as extracted, as consolidation
    was), ``merged`` the statements as consolidated, ``words`` their content words by id
    (``briefing.compose.likeness``), which its leads are chosen by."""
    by_id = {document.id: document for document in documents}
    items = {document.id: document for document in documents if document.form == "feed-item"}
    order = {document.id: index for index, document in enumerate(documents)}
    facts_by_id = {fact.id: fact for fact in merged}
    members: dict[int, list[Fact]] = {}
    for fact in merged:
        # A statement belongs to the story that holds every item it cites: one merged from
        # items of several stories (a stock phrase, a background sentence) belongs to none.
        homes = {story_of[e.document_id] for e in fact.evidence if e.document_id in story_of}
        if len(homes) == 1:
            members.setdefault(homes.pop(), []).append(fact)
    remembered = [
        (
            story.edition_date,
            frozenset(w for s in story.statements for w in content_words(s, topic)),
        )
        for story in earlier
        if timedelta(0) < edition_date - story.edition_date <= timedelta(days=REMEMBERED_DAYS)
    ]
    leads = _leads(merged, items, topic)
    rarity = rarity_of([*leads.values(), *(words for _, words in remembered)])
    place = body_places(merged, items)
    stories = []
    for facts in members.values():
        headlines = [fact for fact in facts if is_headline(fact, by_id)]
        if not headlines:
            continue
        headline = min(
            headlines,
            key=lambda f: (
                -len(f.source_ids()),
                opens_with_outside_reference(f.statement),
                _headline_penalty(f),
            ),
        )
        others = [fact for fact in headlines if fact is not headline]
        titles = {fact.id for fact in headlines}  # ids: comparing models is a deep compare
        ranked = rank_statements(
            [fact for fact in facts if fact.id not in titles],
            headlines,
            lambda fact: words[fact.id],
            rarity.weight,
            place,
        )
        cited = {document for fact in facts for document in fact.source_ids()}
        days = [day for document in cited if document in items and (day := _day(items[document]))]
        sources = sorted(cited, key=lambda d: (_day(by_id[d]) or date.max, order[d]))
        lead = frozenset(
            word for document in cited if document in leads for word in leads[document]
        )
        stories.append(
            Story(
                id="story-" + hashlib.sha256(headline.id.encode()).hexdigest()[:12],
                theme=headline.theme,
                headline=headline.id,
                reported=min(days, default=None),
                fact_ids=tuple(
                    fact.id for fact in (headline, *ranked.leads, *ranked.rest, *others)
                ),
                lead_ids=tuple(fact.id for fact in ranked.leads),
                document_ids=tuple(sources),
                developing_since=_developing_since(lead, remembered, rarity),
            )
        )
    return tuple(sorted(stories, key=lambda s: -story_score(s, facts_by_id, topic, edition_date)))


def select_top_stories(stories: Sequence[Story], topic: Topic) -> tuple[str, ...]:
    """Five to eight stories to lead with: the first of each theme that has one, then the next
    best, in rank order (``stories`` comes ranked)."""
    low, high = TOP_STORIES
    chosen: list[Story] = []
    for profile in topic.themes:
        best = next((story for story in stories if story.theme == profile.id), None)
        if best is not None and len(chosen) < high:
            chosen.append(best)
    target = max(low, min(high, len(chosen) + 3))
    chosen += [story for story in stories if story not in chosen][: max(0, target - len(chosen))]
    rank = {story.id: index for index, story in enumerate(stories)}
    return tuple(story.id for story in sorted(chosen, key=lambda story: rank[story.id]))


def story_statements(story: Story, briefing: Briefing) -> tuple[str, ...]:
    """What the memory keeps of a story to recognise it next time: its first statements."""
    first = story.fact_ids[:REMEMBERED_STATEMENTS]
    return tuple(briefing.fact(fact_id).statement for fact_id in first)
