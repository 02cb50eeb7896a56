"""Facts to a briefing: reports of the same thing merged, sections, key points, the timeline,
milestones, what is coming up and where sources differ. Pure."""

from briefing.compose.ahead import build_coming_up, build_milestones, milestone_problems
from briefing.compose.assemble import compose_briefing, edition_number, period_start_for
from briefing.compose.consolidate import (
    Consolidation,
    consolidate,
    consolidate_counted,
    find_disagreements,
)
from briefing.compose.reports import independent_reports
from briefing.compose.stories import REMEMBERED_DAYS, EarlierStory, story_statements
from briefing.compose.timeline import build_timeline

__all__ = [
    "REMEMBERED_DAYS",
    "Consolidation",
    "EarlierStory",
    "build_coming_up",
    "build_milestones",
    "build_timeline",
    "compose_briefing",
    "consolidate",
    "consolidate_counted",
    "edition_number",
    "find_disagreements",
    "independent_reports",
    "milestone_problems",
    "period_start_for",
    "story_statements",
]
