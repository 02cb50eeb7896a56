"""What the PDF and HTML editions list of a briefing: at most so many entries per list.

The JSON edition stays complete; a rendered edition shows the first entries of each list (the
best-supported statements, the soonest milestones, the latest events) and says how many more
the JSON edition holds. The limits sit far above what the seed edition produces, which is
therefore shown whole.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Generic, TypeVar

from briefing.models import Briefing, Disagreement, Fact, FetchOutcome, Milestone, SourceDocument
from briefing.settings import CITATION_LIMIT, LIST_LIMIT

T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The entries of one list that are shown, and how many more the JSON edition has."""

    entries: tuple[T, ...]
    more: int


def _first(entries: tuple[T, ...] | list[T], limit: int) -> Shown[T]:
    return Shown(tuple(entries[:limit]), max(0, len(entries) - limit))


@dataclass(frozen=True)
class ShownBriefing:
    """Every list a rendered edition shows, each cut at the list limit."""

    new_facts: Shown[Fact]
    sections: dict[str, Shown[Fact]]
    disagreements: Shown[Disagreement]
    timeline: Shown[Fact]
    milestones: Shown[tuple[Milestone, Fact]]
    sources: Shown[tuple[int, SourceDocument]]
    source_health: Shown[FetchOutcome]

    @property
    def listed_numbers(self) -> frozenset[int]:
        """The numbers of the sources the edition lists, which citations may link to."""
        return frozenset(number for number, _ in self.sources.entries)


def build_shown(
    briefing: Briefing, list_limit: int = LIST_LIMIT, citation_limit: int = CITATION_LIMIT
) -> ShownBriefing:
    """The lists of a briefing as a rendered edition shows them.

    Sources: all of them when they fit; otherwise those the shown entries cite most, in number
    order. A citation of a source not listed is printed without a link.
    """
    by_id = briefing.fact
    sections = {section.theme: _first(section.facts, list_limit) for section in briefing.sections}
    new_facts = _first(list(briefing.new_facts()), list_limit)
    disagreements = _first(briefing.disagreements, list_limit)
    # The latest events matter most to a reader of this week's edition.
    events = [by_id(fact_id) for fact_id in briefing.timeline]
    timeline = Shown(tuple(events[-list_limit:]), max(0, len(events) - list_limit))
    milestones = _first([(m, by_id(m.fact_id)) for m in briefing.milestones], list_limit)
    numbered = list(enumerate(briefing.sources, start=1))
    if len(numbered) <= list_limit:
        sources = Shown(tuple(numbered), 0)
    else:
        cited_facts = [
            *(by_id(fact_id) for fact_id in briefing.key_points),
            *new_facts.entries,
            *(fact for shown in sections.values() for fact in shown.entries),
            *timeline.entries,
            *(fact for _, fact in milestones.entries),
        ]
        # The sources cited most by what is shown, up to the limit, in number order.
        cited = Counter(
            e.document_id for fact in cited_facts for e in fact.evidence[:citation_limit]
        )
        cited.update(c.evidence.document_id for d in disagreements.entries for c in d.claims)
        top = {document for document, _ in cited.most_common(list_limit)}
        kept = tuple((n, source) for n, source in numbered if source.id in top)
        sources = Shown(kept, len(numbered) - len(kept))
    return ShownBriefing(
        new_facts=new_facts,
        sections=sections,
        disagreements=disagreements,
        timeline=timeline,
        milestones=milestones,
        sources=sources,
        source_health=_first(briefing.source_health, list_limit),
    )
