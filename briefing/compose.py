"""Assemble extracted facts into a briefing: one section per theme, sources numbered."""

from collections.abc import Iterable, Set
from datetime import date

from briefing.models import Briefing, Fact, FetchOutcome, Section, SourceDocument
from briefing.topic import Topic


def merge_identical(facts: Iterable[Fact]) -> list[Fact]:
    """One fact per statement: the same sentence in several sources keeps all their evidence."""
    merged: dict[str, Fact] = {}
    for fact in facts:
        first = merged.get(fact.id)
        if first is None:
            merged[fact.id] = fact
        else:
            evidence = first.evidence + tuple(e for e in fact.evidence if e not in first.evidence)
            merged[fact.id] = first.model_copy(update={"evidence": evidence})
    return list(merged.values())


def compose_briefing(
    topic: Topic,
    documents: Iterable[SourceDocument],
    facts: Iterable[Fact],
    edition_date: date,
    *,
    period_start: date | None = None,
    previous_edition: date | None = None,
    earlier_fact_ids: Set[str] = frozenset(),
    source_health: Iterable[FetchOutcome] = (),
) -> Briefing:
    """The edition for a date: sources in the order given, each theme's facts in reading order.

    Facts whose ids are not among ``earlier_fact_ids`` (those earlier editions carried) are the
    edition's new facts; ``previous_edition`` is None on the first edition.
    """
    unique = merge_identical(facts)
    sections = tuple(
        Section(
            theme=profile.id,
            title=profile.title,
            description=profile.description,
            facts=tuple(fact for fact in unique if fact.theme == profile.id),
        )
        for profile in topic.themes
    )
    return Briefing(
        title=topic.title,
        topic=topic.id,
        edition_date=edition_date,
        sources=tuple(documents),
        sections=sections,
        period_start=period_start,
        previous_edition=previous_edition,
        new_fact_ids=tuple(
            fact.id
            for section in sections
            for fact in section.facts
            if fact.id not in earlier_fact_ids
        ),
        source_health=tuple(source_health),
    )
