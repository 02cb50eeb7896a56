"""Assemble extracted facts into a briefing: merged, sectioned, put on a timeline, checked."""

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import date, timedelta
from typing import Literal

from briefing.compose.consolidate import consolidate, find_disagreements
from briefing.extract.facts import fact_id
from briefing.models import (
    Briefing,
    Fact,
    FactKind,
    FetchOutcome,
    KeyActor,
    MethodNote,
    Milestone,
    PartialDate,
    Section,
    SourceDocument,
)
from briefing.topic import Topic


def build_timeline(facts: Iterable[Fact], edition_date: date) -> tuple[str, ...]:
    """Ids of the dated events that happened by the edition date, in the order they happened."""
    events = [
        fact
        for fact in facts
        if fact.kind == FactKind.EVENT and fact.when is not None and fact.when.end <= edition_date
    ]
    return tuple(
        fact.id
        for fact in sorted(events, key=lambda f: (f.when.start, f.when.end) if f.when else ())
    )


MilestoneStatus = Literal["upcoming", "passed-reported", "passed-unreported"]


def milestone_status(
    reports: Sequence[Fact], published: dict[str, PartialDate | None], edition_date: date
) -> MilestoneStatus:
    """Where a target stands on the edition date: still ahead, or passed with or without a
    report of it from a source published after the target date."""
    target = reports[0].when
    assert target is not None
    if target.end >= edition_date:
        return "upcoming"
    later = [
        report
        for report in reports
        for evidence in report.evidence
        if (day := published.get(evidence.document_id)) is not None and day.earliest() > target.end
    ]
    return "passed-reported" if later else "passed-unreported"


def build_milestones(
    groups: Sequence[tuple[Fact, list[Fact]]],
    documents: Sequence[SourceDocument],
    edition_date: date,
) -> tuple[Milestone, ...]:
    """Every dated plan or target, soonest first, with its status on the edition date."""
    published = {doc.id: doc.published.value if doc.published else None for doc in documents}
    plans = [
        (fact, reports)
        for fact, reports in groups
        if fact.kind == FactKind.PLAN and fact.when is not None
    ]
    plans.sort(key=lambda item: (item[0].when.start, item[0].when.end) if item[0].when else ())
    return tuple(
        Milestone(
            fact_id=fact.id,
            status=milestone_status([fact, *reports], published, edition_date),
        )
        for fact, reports in plans
    )


def report_ids(fact: Fact) -> set[str]:
    """The ids of every report merged into a fact: the id each quote has as a statement."""
    return {fact_id(evidence.quote) for evidence in fact.evidence}


KEY_POINTS = (5, 8)
KEY_ACTORS = 12
DEFAULT_PERIOD = timedelta(days=7)
_KIND_WEIGHT = {FactKind.EVENT: 2.0, FactKind.PLAN: 1.5, FactKind.ASSESSMENT: 0.5}


def edition_number(edition_date: date) -> str:
    """The edition's number: the ISO week of its date (2023-W03), the same for any rerun."""
    year, week, _ = edition_date.isocalendar()
    return f"{year}-W{week:02d}"


def key_point_score(
    fact: Fact, topic: Topic, published: Mapping[str, PartialDate | None], today: date
) -> float:
    """How much a statement matters: support first, then its kind, the weight of its theme's
    words in it, recency (of what it reports, else of its newest source) and a stated time."""
    newest = max(
        (day.earliest() for doc in fact.source_ids() if (day := published.get(doc)) is not None),
        default=None,
    )
    moment = fact.when.end if fact.when is not None else newest
    age_weeks = (today - moment).days / 7 if moment is not None else 52.0
    recency = 1.0 / (1.0 + max(age_weeks, 0.0) / 4)
    weight = min(topic.theme(fact.theme).score(fact.statement), 12) / 4
    return (
        3.0 * len(fact.source_ids())
        + _KIND_WEIGHT[fact.kind]
        + weight
        + recency
        + (0.5 if fact.when is not None else 0.0)
    )


def select_key_points(
    topic: Topic,
    sections: Sequence[Section],
    documents: Sequence[SourceDocument],
    edition_date: date,
) -> tuple[str, ...]:
    """Five to eight statements that matter most: the best of each theme, then the best left."""
    published = {doc.id: doc.published.value if doc.published else None for doc in documents}
    low, high = KEY_POINTS

    def score(fact: Fact) -> float:
        return key_point_score(fact, topic, published, edition_date)

    chosen = [max(section.facts, key=score) for section in sections if section.facts][:high]
    rest = sorted(
        (fact for section in sections for fact in section.facts if fact not in chosen),
        key=score,
        reverse=True,
    )
    target = max(low, min(high, len(chosen) + 3))
    chosen += rest[: max(0, target - len(chosen))]
    return tuple(fact.id for fact in sorted(chosen, key=score, reverse=True))


def build_key_actors(facts: Iterable[Fact], limit: int = KEY_ACTORS) -> tuple[KeyActor, ...]:
    """The actors named by the most statements, listed in the gazetteer or not."""
    listed: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for fact in facts:
        listed.update(set(fact.actors))
        other.update(set(fact.other_actors) - set(fact.actors))
    ranked = sorted(
        [(name, count, True) for name, count in listed.items()]
        + [(name, count, False) for name, count in other.items()],
        key=lambda item: (-item[1], item[0]),
    )
    return tuple(KeyActor(name=n, statements=c, listed=lst) for n, c, lst in ranked[:limit])


def build_method_note(
    topic: Topic, documents: Sequence[SourceDocument], versions: Mapping[str, str]
) -> MethodNote:
    """The inputs' fingerprint and the versions that made the edition."""
    digest = hashlib.sha256(topic.model_dump_json().encode("utf-8"))
    for document in sorted(documents, key=lambda doc: doc.id):
        digest.update(f"{document.id}:{document.sha256}".encode())
    return MethodNote(
        inputs_sha256=digest.hexdigest(), documents=len(documents), versions=dict(versions)
    )


def compose_briefing(
    topic: Topic,
    documents: Sequence[SourceDocument],
    facts: Iterable[Fact],
    edition_date: date,
    *,
    period_start: date | None = None,
    versions: Mapping[str, str] | None = None,
    previous_edition: date | None = None,
    earlier_fact_ids: Set[str] = frozenset(),
    source_health: Iterable[FetchOutcome] = (),
) -> Briefing:
    """The edition for a date: reports of the same thing merged, then one section per theme
    (best-supported first), key points, the timeline, the milestones and where sources differ.

    A fact none of whose reports an earlier edition carried (``earlier_fact_ids``) is new;
    ``previous_edition`` is None on the first edition.
    """
    groups = consolidate(list(facts), topic)
    merged = [fact for fact, _ in groups]
    order = {fact.id: index for index, fact in enumerate(merged)}
    sections = tuple(
        Section(
            theme=profile.id,
            title=profile.title,
            description=profile.description,
            facts=tuple(
                sorted(
                    (fact for fact in merged if fact.theme == profile.id),
                    key=lambda fact: (-len(fact.source_ids()), order[fact.id]),
                )
            ),
        )
        for profile in topic.themes
    )
    return Briefing(
        title=topic.title,
        subtitle=topic.subtitle,
        mail_title=topic.mail_title or topic.title,
        topic=topic.id,
        edition_date=edition_date,
        edition=edition_number(edition_date),
        period_start=period_start or edition_date - DEFAULT_PERIOD,
        distribution=topic.distribution,
        sources=tuple(documents),
        sections=sections,
        key_points=select_key_points(topic, sections, documents, edition_date),
        key_actors=build_key_actors(merged),
        timeline=build_timeline(merged, edition_date),
        milestones=build_milestones(groups, documents, edition_date),
        disagreements=tuple(
            disagreement
            for fact, reports in groups
            for disagreement in find_disagreements(fact, reports)
        ),
        method=build_method_note(topic, documents, versions or {}),
        previous_edition=previous_edition,
        new_fact_ids=tuple(
            fact.id
            for section in sections
            for fact in section.facts
            if not report_ids(fact) & earlier_fact_ids
        ),
        source_health=tuple(source_health),
    )
