"""Score relevance on real outlet feeds (``evaluation/real-feeds``): which of a real week's
items, most of them not about the partnership, the pipeline reads.

The set is in the news sets' form (``feeds/*.xml`` and ``labels.yaml``, no stories), so it is
composed and scored as they are; only relevance is reported, the set being labelled for it
alone.
"""

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from briefing.evaluate import Score
from briefing.evaluate_news import compose_news_set, evaluate_news, load_news_set
from briefing.topic import Topic


class FeedsReport(BaseModel):
    """Relevance on the real feeds, and the items behind each miss."""

    items: int
    precision: Score = Field(description="Items read that are on topic.")
    recall: Score = Field(description="On-topic items read.")
    misses: list[str]


def score_real_feeds(folder: Path, topic: Topic) -> FeedsReport:
    """Compose the real-feed set as the flow would and score what it reads."""
    feeds = load_news_set(folder)
    briefing, guids = compose_news_set(feeds)
    report = evaluate_news(briefing, guids, feeds.labels)
    return FeedsReport(
        items=report.items,
        precision=report.relevance_precision,
        recall=report.relevance_recall,
        misses=[miss for miss in report.misses if miss.startswith(("read, ", "left out, "))],
    )


def feeds_rows(report: FeedsReport) -> Iterable[tuple[str, Score]]:
    """The report's figures, named for a table."""
    yield "relevance precision (items read that are on topic)", report.precision
    yield "relevance recall (on-topic items read)", report.recall
