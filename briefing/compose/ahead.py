"""What lies ahead: the milestones (dated plans and targets, with where each stands), the
statements of times still to come, and a check that milestones agree with the stories.

A target is a statement with a stated time that is not an item's title (a year in a headline
is no target date), nor the day it was said ("…will join a mission to the Moon, Biden said on
Wednesday"), and whose time had not ended when its first source was published (a plan that
"was to be delivered in March", reported in May, is a report of the past). Two targets of
the same time about the same thing (``Likeness.same_thing``: two outlets' announcements that
consolidation left apart) are one target, shown by its best supported statement.

A target is done when an event of the edition reports it (``reports_done``): the event is
dated, by its stated time or else its first source's publication, no earlier than the plan's
first publication nor the target's start (a deadline, "by", "no later than", "before",
"until", "through", can be met any time before its end), and no later than ``LATE_DAYS``
after the target's end; a source other than the plan's own reports it; and it is about the
same thing: the plan and the event are statements of one story, or they share enough
rarity-weighted words and a distinctive one. An event the sources date after they were
published is no report of something done. The rule is conservative: a story's earlier step
(a launch, for a plan of the docking it leads to) does not complete a target, and a target it
misses shows as passed, not as done on a wrong report.
"""

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import islice
from typing import Literal

from briefing.compose.likeness import (
    Likeness,
    build_likeness,
    first_published,
    group_alike,
    interval,
)
from briefing.compose.stories import is_headline
from briefing.models import (
    Briefing,
    Fact,
    FactKind,
    Milestone,
    PartialDate,
    SourceDocument,
    Story,
)
from briefing.topic import Topic

LATE_DAYS = 31  # an event this long after a target's end may still be it, a little late
YEAR_DAYS = 366  # the longest span of an event looked for before a plan's window opens
CANDIDATES_PER_KEY = 50  # events of one word or story tried for one plan at most
_DEADLINES = frozenset({"by", "no-later-than", "before", "until", "through"})

MilestoneStatus = Literal["upcoming", "done", "passed-reported", "passed-unreported"]


@dataclass(frozen=True)
class Ahead:
    """What the edition's milestones and coming-up list are read against: its statements (in
    order) and their likeness, its sources' publication days and titles, and its stories."""

    facts: Sequence[Fact]
    likeness: Likeness
    published: Mapping[str, PartialDate | None]
    documents: Mapping[str, SourceDocument]
    story_of: Mapping[str, str]
    # Each event's span and each plan's window, worked out once: every plan is tried against
    # every event that shares a distinctive word with it.
    _spans: dict[str, tuple[date, date] | None] = field(default_factory=dict, compare=False)
    _windows: dict[str, tuple[date, date] | None] = field(default_factory=dict, compare=False)

    @cached_property
    def finder(self) -> "_DoneFinder":
        """The edition's events, looked up by story and distinctive word."""
        return _DoneFinder(self.facts, self)

    def is_target(self, fact: Fact) -> bool:
        """Whether the statement states a target: timed, no headline, not past when published."""
        if fact.when is None or is_headline(fact, self.documents) or is_time_said(fact):
            return False
        announced = first_published(fact, self.published)
        return announced is None or fact.when.end >= announced

    def same_story(self, a: Fact, b: Fact) -> bool:
        """Whether the two statements belong to one story."""
        story = self.story_of.get(a.id)
        return story is not None and story == self.story_of.get(b.id)

    def event_span(self, event: Fact) -> tuple[date, date] | None:
        """When the event happened: its stated time, else its first source's day; None when
        undated, or dated after its sources were published (a plan, whatever its kind)."""
        if event.id not in self._spans:
            self._spans[event.id] = self._event_span(event)
        return self._spans[event.id]

    def _event_span(self, event: Fact) -> tuple[date, date] | None:
        days = [day.earliest() for d in event.source_ids() if (day := self.published.get(d))]
        if event.when is None:
            return (min(days), min(days)) if days else None
        if days and event.when.start > max(days):
            return None
        return event.when.start, event.when.end

    def done_window(self, plan: Fact) -> tuple[date, date] | None:
        """The days an event accomplishing the plan falls in (see the module)."""
        if plan.id not in self._windows:
            self._windows[plan.id] = self._done_window(plan)
        return self._windows[plan.id]

    def _done_window(self, plan: Fact) -> tuple[date, date] | None:
        assert plan.when is not None
        announced = first_published(plan, self.published)
        if announced is None:
            return None
        earliest = announced
        if plan.when.qualifier not in _DEADLINES:
            earliest = max(announced, plan.when.start)
        return earliest, plan.when.end + timedelta(days=LATE_DAYS)

    def reports_done(self, plan: Fact, event: Fact, *, strict: bool = True) -> bool:
        """Whether the event reports the plan's target done (see the module); ``strict=False``
        asks less of the words: a distinctive word among ``SAME_WORDS`` shared is enough."""
        if event.kind != FactKind.EVENT or plan.when is None or event.id == plan.id:
            return False
        # The dates first: both are worked out once, and most candidates fail them.
        window, span = self.done_window(plan), self.event_span(event)
        if window is None or span is None or span[1] < window[0] or span[0] > window[1]:
            return False
        if not set(event.source_ids()) - set(plan.source_ids()):
            return False
        if self.same_story(plan, event):
            return True
        if strict:
            return self.likeness.same_thing(plan, event)
        return self.likeness.share_a_name(plan, event)


_SAID = re.compile(r"\b(?:said|says|announced|stated|declared|told(?: \w+)?)(?: on)?$")


def is_time_said(fact: Fact) -> bool:
    """Whether the statement's time is when it was said ("..., Blinken said Friday.")."""
    if fact.when is None:
        return False
    before = fact.statement[: fact.statement.find(fact.when.text)].rstrip(" ,")
    return _SAID.search(before) is not None


def read_ahead(
    facts: Iterable[Fact],
    documents: Sequence[SourceDocument],
    stories: Sequence[Story],
    likeness: Likeness,
) -> Ahead:
    """The edition's statements, sources and stories, ready to read targets against."""
    return Ahead(
        facts=tuple(facts),
        likeness=likeness,
        published={doc.id: doc.published.value if doc.published else None for doc in documents},
        documents={doc.id: doc for doc in documents},
        story_of={fact_id: story.id for story in stories for fact_id in story.fact_ids},
    )


class _DoneFinder:
    """The events that may report a target done, looked up by story and distinctive word, each
    key's events in the order they happened.

    For a plan, each key's events are read from a year before its window opens (an event's span
    is at most a year but for a decade's or a range's) to its close, earliest first, up to the
    first that reports it done (and any of the same day) and at most ``CANDIDATES_PER_KEY``:
    so the work grows with the plans, not with plans times events (a word common to a
    thousand statements of a large edition is still distinctive in it)."""

    def __init__(self, events: Iterable[Fact], ahead: Ahead) -> None:
        self.ahead = ahead
        self.order: dict[str, int] = {}
        by_key: dict[str, list[tuple[date, int, Fact]]] = {}
        for index, event in enumerate(events):
            span = ahead.event_span(event) if event.kind == FactKind.EVENT else None
            if span is None:
                continue
            self.order[event.id] = index
            for key in self._keys(event):
                by_key.setdefault(key, []).append((span[0], index, event))
        self.by_key = {key: [event for *_, event in sorted(found)] for key, found in by_key.items()}
        self.starts = {key: [start for start, *_ in sorted(found)] for key, found in by_key.items()}

    def _keys(self, fact: Fact) -> list[str]:
        rarity = self.ahead.likeness.rarity
        keys = [f"word:{w}" for w in self.ahead.likeness.words[fact.id] if rarity.is_distinctive(w)]
        story = self.ahead.story_of.get(fact.id)
        return [*keys, f"story:{story}"] if story is not None else keys

    def _first_done(self, plan: Fact, key: str, window: tuple[date, date]) -> list[Fact]:
        """The earliest events of one key that report the plan done (see the class)."""
        starts = self.starts.get(key, [])
        first = bisect_left(starts, window[0] - timedelta(days=YEAR_DAYS))
        done: list[Fact] = []
        done_on: date | None = None  # the day of the first found: others of that day may tie
        for event, start in islice(
            zip(self.by_key[key][first:], starts[first:], strict=True), CANDIDATES_PER_KEY
        ):
            if start > window[1] or (done_on is not None and start > done_on):
                break
            if self.ahead.reports_done(plan, event):
                done.append(event)
                done_on = start
        return done

    def find(self, plans: Sequence[Fact]) -> Fact | None:
        """The event reporting any of the plans done: the earliest, then one stating its time,
        then the best supported."""
        found = {
            event.id: event
            for plan in plans
            if (window := self.ahead.done_window(plan)) is not None
            for key in self._keys(plan)
            if key in self.by_key
            for event in self._first_done(plan, key, window)
        }

        def first(event: Fact) -> tuple[date, bool, int, int]:
            span = self.ahead.event_span(event)
            assert span is not None
            # One that states its time (a lead) before one dated by its source (a title).
            return span[0], event.when is None, -len(event.source_ids()), self.order[event.id]

        return min(found.values(), key=first, default=None)


def _targets(facts: Iterable[Fact], ahead: Ahead) -> dict[str, list[Fact]]:
    """The targets among the statements, best supported first, grouped by what they are about:
    each under its shown statement's id."""
    facts = list(facts)
    order = {fact.id: index for index, fact in enumerate(facts)}
    targets = sorted(
        (fact for fact in facts if ahead.is_target(fact)),
        key=lambda fact: (-len(fact.source_ids()), order[fact.id]),
    )
    return group_alike(([fact] for fact in targets), ahead.likeness, interval)


def milestone_status(
    reports: Sequence[Fact], published: Mapping[str, PartialDate | None], edition_date: date
) -> MilestoneStatus:
    """Where a target not done stands on the edition date: still ahead, or passed with or
    without a report of it from a source published after the target date."""
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
    groups: Sequence[tuple[Fact, list[Fact]]], ahead: Ahead, edition_date: date
) -> tuple[Milestone, ...]:
    """One milestone per dated plan or target (see the module), soonest first, with its status
    on the edition date: done, with the event that reports it, else upcoming or passed."""
    reports = {fact.id: list(merged) for fact, merged in groups}
    plans = [fact for fact, _ in groups if fact.kind == FactKind.PLAN]
    milestones = []
    for shown, same in _targets(plans, ahead).items():
        done = ahead.finder.find(same)
        all_reports = [report for plan in same for report in [plan, *reports[plan.id]]]
        milestones.append(
            Milestone(
                fact_id=shown,
                status="done"
                if done is not None
                else milestone_status(all_reports, ahead.published, edition_date),
                done_fact_id=done.id if done is not None else None,
            )
        )
    order = {fact.id: index for index, fact in enumerate(plans)}
    by_id = {fact.id: fact for fact in plans}
    return tuple(sorted(milestones, key=lambda m: (*interval(by_id[m.fact_id]), order[m.fact_id])))


def build_coming_up(ahead: Ahead, edition_date: date) -> tuple[str, ...]:
    """Ids of the statements whose stated time starts after the edition date, soonest first:
    one per target (as milestones), none from a headline, none an event reports done."""
    order = {fact.id: index for index, fact in enumerate(ahead.facts)}
    later = [f for f in ahead.facts if f.when is not None and f.when.start > edition_date]
    done = ahead.finder.find
    shown = [same[0] for same in _targets(later, ahead).values() if done(same) is None]
    return tuple(fact.id for fact in sorted(shown, key=lambda f: (*interval(f), order[f.id])))


def milestone_problems(briefing: Briefing, topic: Topic) -> tuple[list[str], list[str]]:
    """The fact ids of the milestones that contradict a story (not done, while an event of a
    story of the edition reports the target done: ``reports_done``, in its looser form) and of
    those that repeat an earlier milestone (same target interval; same thing or same story)."""
    facts = list(briefing.facts())
    ahead = read_ahead(facts, briefing.sources, briefing.stories, build_likeness(facts, topic))
    story_events = [
        fact
        for story in briefing.stories
        for fact_id in story.fact_ids
        if (fact := briefing.fact(fact_id)).kind == FactKind.EVENT
    ]
    contradictions = [
        milestone.fact_id
        for milestone in briefing.milestones
        if milestone.status != "done"
        # The looser form holds wherever the rule does: it alone is asked.
        and any(
            ahead.reports_done(briefing.fact(milestone.fact_id), event, strict=False)
            for event in story_events
        )
    ]
    repeats = []
    seen: dict[tuple[date, date], list[Fact]] = {}
    for milestone in briefing.milestones:
        plan = briefing.fact(milestone.fact_id)
        if plan.when is None:
            continue
        earlier = seen.setdefault(interval(plan), [])
        if any(
            ahead.same_story(plan, other) or ahead.likeness.same_thing(plan, other)
            for other in earlier
        ):
            repeats.append(plan.id)
        earlier.append(plan)
    return contradictions, repeats
