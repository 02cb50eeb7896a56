"""What a rendered edition lists of a briefing: everything in the HTML edition, the most
important first in the PDF, as far as its page budget goes.

The PDF's entries are taken in one order of importance (``priority``): every story's headline
and first lead sentence, the top stories first, then the others by rank; what is coming up; the
milestones; the feeds that failed; the stories' second and third lead sentences; then, round by
round, one more statement of each story and of each theme's other statements, one more event of
the timeline (the latest first), one more note of differing sources and one more feed of the
health table. The brief on page one (top stories, key points, what is new) and the key actors
are always printed. A ``Cut`` takes the first entries of that order; the page budget
(``briefing.render.budget``) finds the most that fit. Each list then says how many more entries
the HTML and JSON editions hold, only where some were cut. The sources listed are those the
printed entries cite.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import attrgetter
from typing import Any, Generic, TypeVar, overload

from briefing.models import (
    Briefing,
    Disagreement,
    Fact,
    FetchOutcome,
    Milestone,
    Section,
    SourceDocument,
    Story,
)
from briefing.render.formatting import cited_numbers, outlet_key

T = TypeVar("T")

BRIEF_ENTRIES = 8  # entries of the week in brief at most: top stories, then key points
BRIEF_LEAST = 5  # key points join the top stories until the brief has this many
KEY_ACTORS = 12

# The lists the PDF cuts, each by a key: a story's statements by the story's id, a theme's
# stories and other statements by the theme, the others by "".
STORIES, STORY, OTHERS = "stories", "story", "others"
COMING_UP, MILESTONES, TIMELINE = "coming_up", "milestones", "timeline"
DISAGREEMENTS, SOURCE_HEALTH = "disagreements", "source_health"

Step = tuple[tuple[str, str], ...]  # what one entry of the order adds: one to each list named


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The entries of one list that are shown, and how many more the full list has."""

    entries: tuple[T, ...]
    more: int


def cut(entries: Sequence[T], limit: int | None, *, latest: bool = False) -> Shown[T]:
    """The first ``limit`` entries (the last ones if ``latest``) and how many are left out;
    every entry when the limit is None."""
    if limit is None or len(entries) <= limit:
        return Shown(tuple(entries), 0)
    kept = entries[len(entries) - limit :] if latest else entries[:limit]
    return Shown(tuple(kept), len(entries) - limit)


def story_statements(story: Story, briefing: Briefing) -> list[Fact]:
    """A story's statements as printed under its headline: its leads, then the others by rank,
    and for a story an earlier edition carried, what is new since first; never a title (its own
    or another outlet's), which is a headline, not a statement."""
    titles = briefing.headline_ids
    statements = [briefing.fact(i) for i in story.fact_ids[1:] if i not in titles]
    if story.developing_since is None or briefing.previous_edition is None:
        return statements
    new = briefing.new_ids
    return sorted(statements, key=lambda fact: fact.id not in new)  # stable: ranks kept


def other_statements(briefing: Briefing, section: Section) -> list[Fact]:
    """A theme's statements outside its stories (a story's are shown with it), no title."""
    titles = briefing.headline_ids
    return [
        fact
        for fact in section.facts
        if briefing.story_of(fact.id) is None and fact.id not in titles
    ]


def stories_in_order(briefing: Briefing) -> list[Story]:
    """The stories, the most important first: the top stories (those the brief leads with),
    then the others by rank."""
    top = [briefing.story(story_id) for story_id in briefing.top_stories]
    chosen = set(briefing.top_stories)
    return [*top, *(story for story in briefing.stories if story.id not in chosen)]


def theme_stories(briefing: Briefing, theme: str) -> list[Story]:
    """A theme's stories, the most important first (``stories_in_order``)."""
    return [story for story in stories_in_order(briefing) if story.theme == theme]


def coming_up(briefing: Briefing) -> list[Fact]:
    """What the sources say is scheduled after the edition date, soonest first."""
    return [briefing.fact(fact_id) for fact_id in briefing.coming_up]


def _failed_first(briefing: Briefing) -> list[FetchOutcome]:
    # A failed feed is what a reader of the appendix looks for; the others keep their order.
    return sorted(briefing.source_health, key=lambda outcome: outcome.status != "failed")


def priority(briefing: Briefing, list_limit: int | None = None) -> list[Step]:
    """The PDF's entries in order of importance (see the module); ``list_limit``, when given,
    is the most entries any one list takes. The whole order: the PDF reads only its first
    steps, as far as they go (``Order``, ``order_of_importance``)."""
    return list(order_of_importance(briefing, list_limit))


class Order(Sequence[Step]):
    """An order of importance made as far as it is read: its steps, from a generator, kept as
    they are made, and its length, known before them (worked out from the lists' lengths).

    At 20,000 items the order has 80,000 steps and a 16-page PDF prints the first 30-40; the
    search for its cut reads a few hundred (``step_sizes``), so that many are made."""

    def __init__(self, steps: Iterator[Step], length: int | None) -> None:
        self._steps = steps
        self._made: list[Step] = []
        self._length = length

    def _make(self, upto: int | None) -> None:
        """The steps made up to ``upto`` (all with None)."""
        if upto is None:
            self._made.extend(self._steps)
            self._length = len(self._made)
        elif upto > len(self._made):
            self._made.extend(islice(self._steps, upto - len(self._made)))

    def __len__(self) -> int:
        if self._length is None:
            self._make(None)
        assert self._length is not None
        return self._length

    @overload
    def __getitem__(self, index: int) -> Step: ...

    @overload
    def __getitem__(self, index: slice) -> list[Step]: ...

    def __getitem__(self, index: int | slice) -> Step | list[Step]:
        if isinstance(index, slice):
            start, stop, stride = index.start or 0, index.stop, index.step or 1
            plain = stop is not None and min(start, stop) >= 0 and stride > 0
            self._make(stop if plain else None)
            return self._made[index]
        self._make(index + 1 if index >= 0 else None)
        return self._made[index]

    def __iter__(self) -> Iterator[Step]:
        made = 0
        while True:
            if made >= len(self._made):
                self._make(made + 1)
                if made >= len(self._made):
                    return
            yield self._made[made]
            made += 1


def order_of_importance(briefing: Briefing, list_limit: int | None = None) -> Order:
    """``priority`` as an ``Order``: made as far as it is read. Its length comes from the
    lengths of the lists (no list is made for it), except with ``list_limit``, whose order is
    made whole to count it."""
    lists = _lists(briefing)
    stories = lists.stories_in_order
    statements = {story.id: lists.count(STORY, story.id) for story in stories}
    leads = {story.id: len(story.lead_ids) for story in stories}
    failed = sum(1 for outcome in briefing.source_health if outcome.status == "failed")
    # Each list of the rounds as its entry and how many it has left, in order.
    rounds: list[tuple[tuple[str, str], int]] = [
        *(((STORY, s.id), statements[s.id] - max(leads[s.id], 1)) for s in stories),
        *(((OTHERS, s.theme), lists.count(OTHERS, s.theme)) for s in briefing.sections),
        ((TIMELINE, ""), len(briefing.timeline)),
        ((DISAGREEMENTS, ""), len(briefing.disagreements)),
        ((SOURCE_HEALTH, ""), len(briefing.source_health) - failed),
    ]
    active = [(entry, left) for entry, left in rounds if left > 0]

    def steps() -> Iterator[Step]:
        for story in stories:  # its headline, and its first lead when it has a statement
            yield ((STORIES, story.theme), (STORY, story.id))[: 2 if statements[story.id] else 1]
        yield from repeat(((COMING_UP, ""),), len(briefing.coming_up))
        yield from repeat(((MILESTONES, ""),), len(briefing.milestones))
        # A feed that failed says what this edition could not read: it comes first of the feeds.
        yield from repeat(((SOURCE_HEALTH, ""),), failed)
        for rank in (2, 3):
            yield from (((STORY, s.id),) for s in stories if leads[s.id] >= rank)
        # Then one more of each list a round: the stories' further statements, each theme's
        # other statements, the timeline, the notes of differing sources and the feeds. A round
        # takes one of each list that has any, and a list that has none is dropped (zip_longest
        # went through every list every round: at 20,000 items 19,000 rounds of thousands).
        left, taken_rounds = active, 0
        while left:
            yield from ((entry,) for entry, _ in left)
            taken_rounds += 1
            left = [(entry, more) for entry, more in left if more > taken_rounds]

    if list_limit is None:
        length = len(stories) + len(briefing.coming_up) + len(briefing.milestones) + failed
        length += sum(min(max(count - 1, 0), 2) for count in leads.values())
        return Order(steps(), length + sum(left for _, left in active))
    taken: Counter[tuple[str, str]] = Counter()

    def kept() -> Iterator[Step]:
        for step in steps():
            if all(taken[entry] < list_limit for entry in step):
                taken.update(step)
                yield step

    return Order(kept(), None)


# What an entry costs on the page beyond its words, in characters: its citations and date
# line, margins, a story's header lines (measured: a story with its first lead takes about a
# fifth of an A4 page, an entry of the rounds a tenth).
ENTRY_COST, STORY_COST = 120, 700


def step_sizes(briefing: Briefing, order: Sequence[Step], most: float | None = None) -> list[int]:
    """About how much page each step of the order takes, in characters of text: the words of
    the entries it adds and what an entry costs besides (``ENTRY_COST``, ``STORY_COST``); only
    as far as the sizes add up to ``most`` characters, when it is given."""
    made = _lists(briefing)

    def entries(name: str, key: str) -> Sequence[Any]:
        if name == TIMELINE:  # cut from the start, so each step adds from the end
            return made.entries(TIMELINE)[::-1]
        return made.entries(name, key)

    lists: dict[tuple[str, str], Sequence[Any]] = {}
    taken: Counter[tuple[str, str]] = Counter()
    sizes: list[int] = []
    total = 0
    for step in order:
        if most is not None and total > most:
            break
        size = 0
        for entry_of in step:
            if entry_of not in lists:
                lists[entry_of] = entries(*entry_of)
            entry = lists[entry_of][taken[entry_of]]
            taken[entry_of] += 1
            if isinstance(entry, Story):
                size += STORY_COST + len(briefing.fact(entry.headline).statement)
                continue
            if isinstance(entry, tuple):  # a milestone and its statement
                entry = entry[1]
            size += ENTRY_COST + len(getattr(entry, "statement", ""))
        sizes.append(size)
        total += size
    return sizes


@dataclass(frozen=True)
class Cut:
    """How many entries of each list the PDF shows (the first ``steps`` of the order), and how
    many citations of each statement; ``complete`` when the order was taken whole."""

    counts: Mapping[tuple[str, str], int]
    citations: int
    complete: bool

    @classmethod
    def first(cls, order: Sequence[Step], steps: int, citations: int) -> "Cut":
        """The cut that shows the first ``steps`` entries of ``order``."""
        counts = Counter(entry for step in order[:steps] for entry in step)
        return cls(dict(counts), citations, steps >= len(order))


@dataclass(frozen=True)
class ShownBriefing:
    """Every list a rendered edition shows, the sources it lists, and the citations it shows
    per statement (None: all of them). Templates read a list by name (``shown.timeline``), a
    theme's by name and theme (``shown.stories[theme]``), a story's by ``shown.story(story)``.
    """

    lists: dict[str, Shown[Any]]
    theme_lists: dict[str, dict[str, Shown[Any]]]
    story_lists: dict[str, Shown[Fact]]
    sources: Shown[tuple[int, SourceDocument]]
    citation_limit: int | None
    brief: tuple[Story | Fact, ...] = field(default=())

    def story(self, story: Story) -> Shown[Fact]:
        """The statements shown under a story's headline, and how many more it has."""
        return self.story_lists[story.id]

    def __getitem__(self, name: str) -> Any:
        """A list by name, so that templates read ``shown.timeline``, ``shown.stories[theme]``."""
        return self.lists[name] if name in self.lists else self.theme_lists[name]

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def printed_stories(self) -> frozenset[str]:
        """The ids of the stories printed in the themes' sections, which links may point to."""
        return frozenset(
            story.id
            for by_theme in self.theme_lists[STORIES].values()
            for story in by_theme.entries
        )

    @property
    def listed_numbers(self) -> frozenset[int]:
        """The numbers of the sources the edition lists, which citations may link to."""
        return frozenset(number for number, _ in self.sources.entries)

    @property
    def drawn_on_timeline(self) -> frozenset[str]:
        """The ids of the events and milestones shown, which the timeline figure draws."""
        events = (fact.id for fact in self.lists[TIMELINE].entries)
        return frozenset((*events, *(fact.id for _, fact in self.lists[MILESTONES].entries)))

    def entries(self, *, brief: bool = True) -> Iterator[Any]:
        """Every entry shown: the brief (unless not asked for), list after list, each story
        shown with its statements."""
        if brief:
            yield from self.brief
        for shown in self.lists.values():
            yield from shown.entries
        for by_theme in self.theme_lists.values():
            for shown in by_theme.values():
                yield from shown.entries
        for shown in self.story_lists.values():
            yield from shown.entries


@dataclass(frozen=True)
class EditionCounts:
    """The edition in numbers, for the line under the brief and What's new."""

    stories: int
    statements: int
    reports: int  # feed items and documents the stories and statements cite
    outlets: int
    new_stories: int
    developing: int
    new_statements: int
    coming_up: int
    milestones_moved: int  # done, or passed
    new_story_headlines: tuple[Story, ...]


def edition_counts(briefing: Briefing) -> EditionCounts:
    """Count the edition's stories, reports, outlets, what is new and what moved (once per
    edition: ``Briefing.derived``)."""
    return briefing.derive("edition counts", lambda: _count_edition(briefing))


def _count_edition(briefing: Briefing) -> EditionCounts:
    cited = briefing.cited_document_ids
    new = [story for story in briefing.stories if story.developing_since is None]
    # ``outlets_of(cited)``, the sources read in order, not each looked up: 13,000 at 20,000
    # items (0.018 -> 0.011 s, best of 15).
    outlets = {outlet_key(source) for source in briefing.sources if source.id in cited}
    return EditionCounts(
        stories=len(briefing.stories),
        statements=sum(len(section.facts) for section in briefing.sections),
        reports=len(cited),
        outlets=len(outlets),
        new_stories=len(new),
        developing=len(briefing.stories) - len(new),
        new_statements=len(briefing.new_fact_ids),
        coming_up=len(briefing.coming_up),  # not 5,500 facts looked up to count them
        milestones_moved=sum(1 for m in briefing.milestones if m.status != "upcoming"),
        new_story_headlines=tuple(new[:BRIEF_ENTRIES]),
    )


def build_brief(briefing: Briefing) -> tuple[Story | Fact, ...]:
    """The week in brief: the top stories, then key points while it has fewer than
    ``BRIEF_LEAST`` entries (an edition of few stories, or of background only)."""
    stories: list[Story | Fact] = [briefing.story(story_id) for story_id in briefing.top_stories]
    points = [briefing.fact(fact_id) for fact_id in briefing.key_points]
    room = max(0, BRIEF_LEAST - len(stories)) if stories else BRIEF_ENTRIES
    return tuple([*stories, *points[:room]][:BRIEF_ENTRIES])


def _cited(entry: object, briefing: Briefing, citations: int | None) -> Iterator[int]:
    """The source numbers an entry cites as printed."""
    if isinstance(entry, Story):  # its "Reported by" line
        yield from sorted(briefing.source_number(d) for d in entry.document_ids)[:citations]
    elif isinstance(entry, Fact):
        yield from cited_numbers(entry.evidence, briefing)[:citations]
    elif isinstance(entry, Milestone):
        yield from _cited(briefing.fact(entry.fact_id), briefing, citations)
        if entry.done_fact_id is not None:
            yield from _cited(briefing.fact(entry.done_fact_id), briefing, citations)
    elif isinstance(entry, tuple):
        for part in entry:
            yield from _cited(part, briefing, citations)
    elif isinstance(entry, Disagreement):
        yield from (briefing.source_number(c.evidence.document_id) for c in entry.claims)


# The lists of a rendered edition other than the themes' and the stories', in the order a
# rendered edition's ``lists`` holds them.
LISTS = (COMING_UP, MILESTONES, TIMELINE, DISAGREEMENTS, SOURCE_HEALTH, "key_actors")


class _Lists:
    """A briefing's lists, uncut, each made when first asked for and kept: the same for every
    render of the edition (``_lists``: once per edition). A list is named as ``Cut`` counts
    it: ``(STORY, story id)``, ``(STORIES, theme)``, ``(OTHERS, theme)`` or ``(name, "")``.

    The HTML edition shows every list whole. A PDF shows the first entries of a few and says
    how many the others hold, which the longest lists (a story's statements, a theme's other
    statements, the timeline) count without being made: at 20,000 items making every list
    took 0.12 s of the PDF's step, for 30-40 entries printed."""

    def __init__(self, briefing: Briefing, kept: dict[str, Any]) -> None:
        self.briefing = briefing
        # What is made and kept for the edition, in ``Briefing.derived``: never this object,
        # which refers to the briefing (a cycle would keep an edition alive until a collection).
        self._kept = kept
        self._made: dict[tuple[str, str], list[Any]] = kept.setdefault("lists", {})
        self._others: dict[str, int] = kept.setdefault("others counted", {})

    def _once(self, name: str, make: Callable[[], T]) -> T:
        if name not in self._kept:
            self._kept[name] = make()
        value: T = self._kept[name]
        return value

    @property
    def stories_in_order(self) -> list[Story]:
        return self._once("stories in order", lambda: stories_in_order(self.briefing))

    @property
    def numbered(self) -> tuple[tuple[int, SourceDocument], ...]:
        return self._once("numbered", lambda: tuple(enumerate(self.briefing.sources, start=1)))

    @property
    def brief(self) -> tuple[Story | Fact, ...]:
        return self._once("brief", lambda: build_brief(self.briefing))

    @property
    def _sections(self) -> dict[str, Section]:
        return self._once("sections", lambda: {s.theme: s for s in self.briefing.sections})

    @property
    def _in_stories_or_titles(self) -> set[str]:
        """The ids of the statements no theme lists as its other statements."""

        def make() -> set[str]:
            stories = self.briefing.stories
            ids = set(chain.from_iterable(story.fact_ids for story in stories))
            ids.update(self.briefing.headline_ids)
            return ids

        return self._once("in stories or titles", make)

    def entries(self, name: str, key: str = "") -> list[Any]:
        """A list, whole."""
        if (name, key) not in self._made:
            self._made[(name, key)] = self._make(name, key)
        return self._made[(name, key)]

    def _make(self, name: str, key: str) -> list[Any]:
        briefing = self.briefing
        if name == STORY:
            return story_statements(briefing.story(key), briefing)
        if name == STORIES:
            return [story for story in self.stories_in_order if story.theme == key]
        if name == OTHERS:
            return other_statements(briefing, self._sections[key])
        if name == COMING_UP:
            return coming_up(briefing)
        if name == MILESTONES:
            return [(m, briefing.fact(m.fact_id)) for m in briefing.milestones]
        if name == TIMELINE:
            return [briefing.fact(fact_id) for fact_id in briefing.timeline]
        if name == DISAGREEMENTS:
            return list(briefing.disagreements)
        if name == SOURCE_HEALTH:
            return _failed_first(briefing)
        if name == "key_actors":
            return [actor for actor in briefing.key_actors if actor.listed]
        raise KeyError(name)

    def count(self, name: str, key: str = "") -> int:
        """How many entries a list holds: ``len(entries(name, key))``, without making it."""
        if (name, key) in self._made:
            return len(self._made[(name, key)])
        briefing = self.briefing
        if name == STORY:  # its statements but the headline, no title among them
            story = briefing.story(key)
            titles = briefing.headline_ids.intersection(story.fact_ids[1:])
            return len(story.fact_ids) - 1 - len(titles)
        if name == OTHERS and key not in self._others:  # every render asks
            facts = self._sections[key].facts
            listed = self._in_stories_or_titles.intersection(map(attrgetter("id"), facts))
            self._others[key] = len(facts) - len(listed)
        if name == OTHERS:
            return self._others[key]
        if name in _ONE_FOR_ONE:  # as long as the briefing's own list: not made to count it
            return len(getattr(briefing, name))
        return len(self.entries(name, key))

    def shown(self, name: str, key: str, limit: int | None, *, latest: bool = False) -> Shown[Any]:
        """``cut(entries(name, key), limit, latest=latest)``; a list that shows nothing, or
        the latest few events of the timeline, without making the list."""
        if limit is not None and (name, key) not in self._made:
            total = self.count(name, key)
            if limit == 0 or total == 0:
                return Shown((), total)
            if name == TIMELINE and latest:
                more = max(total - limit, 0)
                facts = tuple(self.briefing.fact(i) for i in self.briefing.timeline[more:])
                return Shown(facts, more)
        return cut(self.entries(name, key), limit, latest=latest)


# The lists with one entry for each of the briefing's list of the same name. A PDF at 20,000
# items shows none of the 5,500 dates coming up and 6,500 milestones, only their counts.
_ONE_FOR_ONE = frozenset({COMING_UP, MILESTONES, TIMELINE, DISAGREEMENTS, SOURCE_HEALTH})


def _lists(briefing: Briefing) -> _Lists:
    """The briefing's lists (``_Lists``), kept once per edition (``Briefing.derived``): the
    PDF's search renders a handful of cuts of them, then the HTML edition all of them."""
    kept: dict[str, Any] = briefing.derived.setdefault("shown: lists", {})
    return _Lists(briefing, kept)


class _CutStories(dict[str, Shown[Fact]]):
    """The statements a cut shows under each story: those of the stories it shows statements
    of, made with the cut, and those of any other story, none, with their count, when asked
    for (a PDF at 20,000 items shows statements of 30 stories of 5,000)."""

    def __init__(self, lists: _Lists, cut_at: "Cut") -> None:
        super().__init__(
            (key, lists.shown(STORY, key, taken))
            for (name, key), taken in cut_at.counts.items()
            if name == STORY
        )
        self._lists = lists

    def __missing__(self, story_id: str) -> Shown[Fact]:
        self[story_id] = self._lists.shown(STORY, story_id, 0)
        return self[story_id]


def build_shown(briefing: Briefing, cut_at: Cut | None = None) -> ShownBriefing:
    """The lists of a briefing as a rendered edition shows them: every entry without a cut.

    With a cut, the sources listed are those the shown entries cite, in number order; a
    citation of another source is printed without a link."""

    def limit(name: str, key: str = "") -> int | None:
        return None if cut_at is None else cut_at.counts.get((name, key), 0)

    made = _lists(briefing)
    limits = {name: KEY_ACTORS if name == "key_actors" else limit(name) for name in LISTS}
    lists = {name: made.shown(name, "", limits[name], latest=name == TIMELINE) for name in LISTS}
    themes = [section.theme for section in briefing.sections]
    theme_lists = {
        name: {theme: made.shown(name, theme, limit(name, theme)) for theme in themes}
        for name in (STORIES, OTHERS)
    }
    brief = made.brief
    if cut_at is None:
        stories = {story.id: made.shown(STORY, story.id, None) for story in briefing.stories}
        return ShownBriefing(lists, theme_lists, stories, Shown(made.numbered, 0), None, brief)
    cut_stories = _CutStories(made, cut_at)
    shown = ShownBriefing(lists, theme_lists, cut_stories, Shown((), 0), cut_at.citations, brief)
    # A story in the brief cites its first lead's sources; one in its theme, every source
    # (its "Reported by" line) and those of its statements shown.
    in_brief = [
        briefing.fact(entry.lead_ids[0]) if isinstance(entry, Story) else entry
        for entry in brief
        if not isinstance(entry, Story) or entry.lead_ids
    ]
    cited = {
        number
        for entry in (*in_brief, *shown.entries(brief=False))
        for number in _cited(entry, briefing, cut_at.citations)
    }
    # The cited sources by their numbers, not every source numbered and filtered: 13,000 of
    # them at 20,000 items, for the 100-200 a PDF lists.
    sources = briefing.sources
    kept = tuple((number, sources[number - 1]) for number in sorted(cited))
    return ShownBriefing(
        lists,
        theme_lists,
        cut_stories,
        Shown(kept, len(sources) - len(kept)),
        cut_at.citations,
        brief,
    )


def printed_statements(briefing: Briefing, cut_at: Cut) -> int:
    """How many of the edition's statements the PDF prints: in the brief, in any list, under
    any story (its headline too)."""
    shown = build_shown(briefing, cut_at)
    printed: set[str] = set()
    for entry in shown.entries():
        for item in entry if isinstance(entry, tuple) else (entry,):
            if isinstance(item, Fact):
                printed.add(item.id)
            elif isinstance(item, Story):
                printed.add(item.headline)
    return len(printed & {fact.id for fact in briefing.facts()})
