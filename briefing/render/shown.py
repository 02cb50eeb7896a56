"""What a rendered edition lists of a briefing: everything in the HTML edition, a few minutes'
read in the PDF.

The JSON and HTML editions hold every entry; the PDF shows the first entries of each list (the
best-supported statements, the soonest milestones, the latest events) up to its print limit,
and says how many more the HTML and JSON editions hold. A list the PDF may cut is one line of
``LISTS`` (or of ``THEME_LISTS``, for a list in each theme's section): where its entries come
from, in the order shown, and how many the PDF shows. The templates read it by that name
(``shown.new_facts``, ``shown.sections[theme]``); its cited sources count towards the sources
listed.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from briefing.models import (
    Briefing,
    Disagreement,
    Fact,
    FetchOutcome,
    Section,
    SourceDocument,
    Story,
)
from briefing.render.formatting import cited_numbers
from briefing.settings import CITATION_LIMIT

T = TypeVar("T")


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


@dataclass(frozen=True)
class CutList:
    """A list the PDF cuts: its entries in the order shown (from the briefing, or for a theme
    list from one section), how many the PDF shows, whether a cut keeps the latest entries (the
    end of the list) instead of the first, and the fewest a halving leaves."""

    entries: Callable[..., Sequence[Any]]
    limit: int
    latest: bool = False
    floor: int = 0


def _events(briefing: Briefing) -> list[Fact]:
    return [briefing.fact(fact_id) for fact_id in briefing.timeline]


def _failed_first(briefing: Briefing) -> list[FetchOutcome]:
    # A failed feed is what a reader of the appendix looks for; the others keep their order.
    return sorted(briefing.source_health, key=lambda outcome: outcome.status != "failed")


def _theme_stories(briefing: Briefing, section: Section) -> list[Story]:
    # The top stories lead the edition; the theme's section lists its other stories.
    top = set(briefing.top_stories)
    return [s for s in briefing.stories if s.theme == section.theme and s.id not in top]


def _other_statements(briefing: Briefing, section: Section) -> list[Fact]:
    # A story's statements are shown with it.
    return [fact for fact in section.facts if briefing.story_of(fact.id) is None]


# The lists of the whole briefing, with the most entries the PDF shows of each. The print
# limits make a few minutes' read: 14 A4 pages (15 letter) at the benchmark's 2,000 items, under
# the budget in one layout: eight top stories, then two stories and six statements per theme.
LISTS: dict[str, CutList] = {
    # Compose picks five to eight; the PDF always leads with at least the first.
    "top_stories": CutList(lambda b: [b.story(story_id) for story_id in b.top_stories], 8, floor=1),
    "key_points": CutList(lambda b: [b.fact(fact_id) for fact_id in b.key_points], 8, floor=1),
    "new_facts": CutList(lambda briefing: tuple(briefing.new_facts()), 8),
    "disagreements": CutList(lambda briefing: briefing.disagreements, 4),
    "timeline": CutList(_events, 8, latest=True),
    "milestones": CutList(lambda b: [(m, b.fact(m.fact_id)) for m in b.milestones], 8),
    "source_health": CutList(_failed_first, 20),
}
# The lists of each theme's section, by theme (entries from the briefing and the section),
# with the most entries the PDF shows of each: its stories, then its other statements.
THEME_LISTS: dict[str, CutList] = {
    "stories": CutList(_theme_stories, 2),
    "sections": CutList(_other_statements, 6),
}
SOURCES = "sources"
SOURCES_LIMIT = 10  # sources listed in the PDF: those its entries cite most
STORY_STATEMENTS = "story_statements"
STORY_STATEMENTS_LIMIT = 1  # statements of a story the PDF shows under its headline
_FLOORS = {name: rule.floor for name, rule in {**LISTS, **THEME_LISTS}.items()}


@dataclass(frozen=True)
class Limits:
    """How many entries the PDF shows of each list, by name (a theme list's limit holds for each
    theme), and how many citations of each statement."""

    lists: Mapping[str, int]
    citations: int

    def halved(self) -> "Limits":
        """Every list's limit halved, rounded down, to its floor (none, or one key point), and
        the citations halved down to one: a statement is never shown without a source."""
        return Limits(
            {name: max(_FLOORS.get(name, 0), limit // 2) for name, limit in self.lists.items()},
            max(1, self.citations // 2),
        )

    @property
    def at_floor(self) -> bool:
        """Whether halving changes nothing any more."""
        return self == self.halved()


def print_limits(list_limit: int | None = None, citation_limit: int = CITATION_LIMIT) -> Limits:
    """The PDF's limits: each list's own (``LISTS``, ``THEME_LISTS``, ``SOURCES_LIMIT``), or
    ``list_limit`` for every list when it is given."""
    own = {
        **{name: rule.limit for name, rule in {**LISTS, **THEME_LISTS}.items()},
        SOURCES: SOURCES_LIMIT,
        STORY_STATEMENTS: STORY_STATEMENTS_LIMIT,
    }
    lists = own if list_limit is None else dict.fromkeys(own, list_limit)
    return Limits(lists, citation_limit)


@dataclass(frozen=True)
class ShownBriefing:
    """Every list a rendered edition shows, by name (``theme_lists`` by name, then theme), the
    sources it lists, and the citations it shows per statement (None: all of them)."""

    lists: dict[str, Shown[Any]]
    theme_lists: dict[str, dict[str, Shown[Any]]]
    sources: Shown[tuple[int, SourceDocument]]
    citation_limit: int | None
    story_statement_limit: int | None = None

    def story_statements(self, story: Story, briefing: Briefing) -> Shown[Fact]:
        """The statements shown under a story's headline, and how many more it has."""
        return cut([briefing.fact(i) for i in story.fact_ids[1:]], self.story_statement_limit)

    def __getitem__(self, name: str) -> Any:
        """A list by name, so that templates read ``shown.timeline``, ``shown.sections[theme]``."""
        return self.lists[name] if name in self.lists else self.theme_lists[name]

    @property
    def listed_numbers(self) -> frozenset[int]:
        """The numbers of the sources the edition lists, which citations may link to."""
        return frozenset(number for number, _ in self.sources.entries)

    @property
    def drawn_on_timeline(self) -> frozenset[str]:
        """The ids of the events and milestones shown, which the timeline figure draws."""
        events = (fact.id for fact in self.lists["timeline"].entries)
        return frozenset((*events, *(fact.id for _, fact in self.lists["milestones"].entries)))

    def entries(self) -> Iterator[Any]:
        """Every entry shown, list after list."""
        for shown in self.lists.values():
            yield from shown.entries
        for by_theme in self.theme_lists.values():
            for shown in by_theme.values():
                yield from shown.entries


def _cited(
    entry: object, briefing: Briefing, citation_limit: int | None, statements: int | None = None
) -> Iterator[int]:
    """The source numbers an entry cites as printed: a statement's first citations, a
    disagreement's claims, a story's first sources and those of its statements shown; an entry
    made of several (a milestone and its fact) cites theirs."""
    if isinstance(entry, Story):
        numbers = sorted(briefing.source_number(d) for d in entry.document_ids)
        yield from numbers[:citation_limit]
        for fact_id in entry.fact_ids[1:][:statements]:
            yield from _cited(briefing.fact(fact_id), briefing, citation_limit)
    elif isinstance(entry, Fact):
        yield from cited_numbers(entry.evidence, briefing)[:citation_limit]
    elif isinstance(entry, Disagreement):
        yield from (briefing.source_number(c.evidence.document_id) for c in entry.claims)
    elif isinstance(entry, tuple):
        for part in entry:
            yield from _cited(part, briefing, citation_limit)


def build_shown(briefing: Briefing, limits: Limits | None = None) -> ShownBriefing:
    """The lists of a briefing as a rendered edition shows them: every entry without limits.

    Within limits, the sources listed are those the shown entries cite most, in number order; a
    citation of a source not listed is printed without a link.
    """

    def limit(name: str) -> int | None:
        return None if limits is None else limits.lists[name]

    lists = {
        name: cut(rule.entries(briefing), limit(name), latest=rule.latest)
        for name, rule in LISTS.items()
    }
    theme_lists = {
        name: {
            section.theme: cut(rule.entries(briefing, section), limit(name), latest=rule.latest)
            for section in briefing.sections
        }
        for name, rule in THEME_LISTS.items()
    }
    numbered = tuple(enumerate(briefing.sources, start=1))
    if limits is None:
        return ShownBriefing(lists, theme_lists, Shown(numbered, 0), None)
    statements = limits.lists[STORY_STATEMENTS]
    shown = ShownBriefing(lists, theme_lists, Shown((), 0), limits.citations, statements)
    cited = Counter(
        number
        for entry in shown.entries()
        for number in _cited(entry, briefing, limits.citations, statements)
    )
    top = {number for number, _ in cited.most_common(limits.lists[SOURCES])}
    kept = tuple((number, source) for number, source in numbered if number in top)
    return ShownBriefing(
        lists, theme_lists, Shown(kept, len(numbered) - len(kept)), limits.citations, statements
    )
