"""The edition's time: the timeline of dated events and the milestones of dated plans."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from briefing.models import Fact, FactKind, Milestone, PartialDate, SourceDocument


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
