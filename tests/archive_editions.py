"""Three editions of the labelled news set for the archive's tests, each a window of its items
(2023; the first half of 2024; July 2024 to June 2025), made with the flow's own stages: composed,
rendered (PDF and HTML) and written by the write stage, which writes the archive after each."""

from datetime import UTC, date, datetime
from pathlib import Path

from briefing import edition as stages
from briefing.compose.assemble import compose_briefing
from briefing.evaluate_news import load_news_set, select_news_set
from briefing.extract.facts import extract_documents
from briefing.models import Briefing
from briefing.settings import PROJECT_ROOT, Settings
from briefing.topic import load_topic

WINDOWS = (
    (date(2023, 1, 1), date(2023, 12, 31)),
    (date(2024, 1, 1), date(2024, 6, 30)),
    (date(2024, 7, 1), date(2025, 6, 30)),
)
# In the third edition only (the Space Force's new unit at Yokota Air Base, 2024-2025).
ONLY_IN_ONE = "Yokota"
# In the first edition only (the X-ray mission launched in 2023): its quarter's search bundle
# is not the one the archive page loads first, but one merged into it.
ONLY_IN_THE_OLDEST = "XRISM"


def compose_window(start: date, end: date) -> Briefing:
    """The edition of the news set's items from start to end, dated end."""
    topic = load_topic(Settings().topic_file)
    documents, _ = select_news_set(
        load_news_set(PROJECT_ROOT / "evaluation" / "news"), topic, start, end
    )
    facts = [fact for done in extract_documents(documents, topic) for fact in done.facts]
    return compose_briefing(topic, documents, facts, end, period_start=start, versions={})


def write_three_editions(folder: Path) -> list[Briefing]:
    """The three editions written to the folder by the write stage, oldest first."""
    settings = Settings(out_dir=folder)
    briefings = []
    for start, end in WINDOWS:
        plan = stages.build_plan(settings, today=end, include_seeds=False)
        briefing = compose_window(start, end)
        rendered = stages.render_edition(plan, briefing)
        stages.write_files(plan, briefing, rendered, run_id="test", written_at=datetime.now(UTC))
        stages.write_archive_of(plan, briefing)
        briefings.append(briefing)
    return briefings
