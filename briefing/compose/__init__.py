"""Facts to a briefing: reports of the same thing merged, sections, key points, the timeline,
milestones and where sources differ. Pure."""

from briefing.compose.assemble import compose_briefing, edition_number, period_start_for
from briefing.compose.consolidate import (
    Consolidation,
    consolidate,
    consolidate_counted,
    find_disagreements,
)
from briefing.compose.timeline import build_milestones, build_timeline

__all__ = [
    "Consolidation",
    "build_milestones",
    "build_timeline",
    "compose_briefing",
    "consolidate",
    "consolidate_counted",
    "edition_number",
    "find_disagreements",
    "period_start_for",
]
