"""The edition's timeline: the dated events that happened by the edition date, one row each.

An event is often stated several times: by several statements of its story (a headline, a
lead, a later paragraph) and by statements outside it. Of one story's statements of one time,
the row is the most central one (first in the story's order); rows of one time holding
statements about the same thing (``Likeness.same_thing``) are one row, the first of them:
statements of stories before the others, the most important story first.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from briefing.compose.likeness import Likeness, group_alike, interval
from briefing.models import Fact, FactKind, Story


def build_timeline(
    facts: Iterable[Fact], edition_date: date, stories: Sequence[Story], likeness: Likeness
) -> tuple[str, ...]:
    """Ids of the dated events that happened by the edition date, in the order they happened,
    one row per event (see the module)."""
    facts = list(facts)
    order = {fact.id: index for index, fact in enumerate(facts)}
    place = {
        fact_id: (rank, position)
        for rank, story in enumerate(stories)
        for position, fact_id in enumerate(story.fact_ids)
    }
    events = [
        fact
        for fact in facts
        if fact.kind == FactKind.EVENT and fact.when is not None and fact.when.end <= edition_date
    ]

    def central_first(fact: Fact) -> tuple[int, ...]:
        if fact.id in place:
            return (0, *place[fact.id])
        return (1, -len(fact.source_ids()), order[fact.id])

    rows: dict[tuple[int, tuple[date, date]] | str, list[Fact]] = {}
    for fact in sorted(events, key=central_first):
        # A story's statements of one time are one row, its first the shown one; the others
        # still tell what the row is about.
        row = (place[fact.id][0], interval(fact)) if fact.id in place else fact.id
        rows.setdefault(row, []).append(fact)
    kept = list(group_alike(rows.values(), likeness, interval))
    return tuple(
        sorted(kept, key=lambda fact_id: (*interval(facts[order[fact_id]]), order[fact_id]))
    )
