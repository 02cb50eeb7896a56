"""Assemble extracted facts into a briefing: merged, sectioned, put on a timeline, checked."""

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import date, timedelta

from briefing.compose.ahead import build_coming_up, build_milestones, read_ahead
from briefing.compose.consolidate import consolidate, find_disagreements
from briefing.compose.likeness import build_likeness
from briefing.compose.standalone import opens_with_outside_reference
from briefing.compose.stories import (
    EarlierStory,
    build_stories,
    group_items,
    is_headline,
    select_top_stories,
)
from briefing.compose.timeline import build_timeline
from briefing.extract.facts import fact_id
from briefing.models import (
    Briefing,
    Fact,
    FactKind,
    FetchOutcome,
    KeyActor,
    MethodNote,
    PartialDate,
    Section,
    SourceDocument,
)
from briefing.topic import Topic


def report_ids(fact: Fact) -> set[str]:
    """The ids of every report merged into a fact: the id each quote has as a statement."""
    return {fact_id(evidence.quote) for evidence in fact.evidence}


KEY_POINTS = (5, 8)
KEY_ACTORS = 12
DEFAULT_PERIOD = timedelta(days=7)
_KIND_WEIGHT = {FactKind.EVENT: 2.0, FactKind.PLAN: 1.5, FactKind.ASSESSMENT: 0.5}


def period_start_for(edition_date: date, since: date | None = None) -> date:
    """The first day of an edition's period: ``since`` when given, else a week before."""
    return since or edition_date - DEFAULT_PERIOD


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
    shown_elsewhere: Set[str] = frozenset(),
) -> tuple[str, ...]:
    """Five to eight statements that matter most: the best of each theme, then the best left;
    none of ``shown_elsewhere`` (the stories' statements, shown with their stories), and none
    that opens with a reference to something outside it (a key point is read alone)."""
    published = {doc.id: doc.published.value if doc.published else None for doc in documents}
    low, high = KEY_POINTS

    def score(fact: Fact) -> float:
        return key_point_score(fact, topic, published, edition_date)

    candidates = [
        [
            fact
            for fact in section.facts
            if fact.id not in shown_elsewhere and not opens_with_outside_reference(fact.statement)
        ]
        for section in sections
    ]
    chosen = [max(facts, key=score) for facts in candidates if facts][:high]
    rest = sorted(
        (fact for facts in candidates for fact in facts if fact not in chosen),
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
    earlier_stories: Sequence[EarlierStory] = (),
) -> Briefing:
    """The edition for a date: reports of the same thing merged, then one section per theme
    (best-supported first), key points, the timeline, the milestones, what is coming up and
    where sources differ.

    A fact none of whose reports an earlier edition carried (``earlier_fact_ids``) is new;
    ``previous_edition`` is None on the first edition. The feed items' reports become stories
    (``briefing.compose.stories``); one like a story of ``earlier_stories`` is developing.
    """
    facts = list(facts)
    items = {document.id: document for document in documents if document.form == "feed-item"}
    story_of = group_items(facts, items, topic)
    groups = consolidate(facts, topic, story_of)
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
    likeness = build_likeness(merged, topic)
    stories = build_stories(
        merged, documents, topic, edition_date, story_of, likeness.words, earlier_stories
    )
    top_stories = select_top_stories(stories, topic)
    in_stories = {fact_id for story in stories for fact_id in story.fact_ids}
    by_id = {document.id: document for document in documents}
    ahead = read_ahead(merged, documents, stories, likeness)
    return Briefing(
        title=topic.title,
        subtitle=topic.subtitle,
        topic=topic.id,
        edition_date=edition_date,
        edition=edition_number(edition_date),
        period_start=period_start_for(edition_date, period_start),
        distribution=topic.distribution,
        sources=tuple(documents),
        sections=sections,
        key_points=select_key_points(
            topic, sections, documents, edition_date, shown_elsewhere=in_stories
        ),
        key_actors=build_key_actors(merged),
        stories=stories,
        top_stories=top_stories,
        headlines=tuple(fact.id for fact in merged if is_headline(fact, by_id)),
        timeline=build_timeline(merged, edition_date, stories, likeness),
        milestones=build_milestones(groups, ahead, edition_date),
        coming_up=build_coming_up(ahead, edition_date),
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
