"""The trust figures of ``briefing evaluate`` in one report: merging on the labelled sentence
pairs (``briefing.evaluate_merge``) and relevance on the real outlet feeds
(``briefing.evaluate_feeds``), each as a table for the command to print."""

from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel

from briefing.evaluate import Score
from briefing.evaluate_feeds import FeedsReport, feeds_rows, score_real_feeds
from briefing.evaluate_merge import MergeReport, load_merge_pairs, merge_rows, score_merges
from briefing.models import Briefing
from briefing.topic import Topic


class TrustReport(BaseModel):
    """Merge precision and recall, and relevance on real feeds: the set the rules were tuned
    on, and the held-out one (read, never tuned on)."""

    merges: MergeReport
    real_feeds: FeedsReport
    real_feeds_held_out: FeedsReport

    def tables(self) -> list[tuple[str, list[tuple[str, Score]], list[str]]]:
        """Each table's title, its named figures and the misses behind them."""
        return [
            (
                f"Merging: against merge/pairs.yaml ({self.merges.missing} pairs not carried)",
                list(merge_rows(self.merges)),
                self.merges.misses,
            ),
            (
                f"Real feeds: against real-feeds/labels.yaml ({self.real_feeds.items} items)",
                list(feeds_rows(self.real_feeds)),
                self.real_feeds.misses,
            ),
            (
                "Real feeds, held out: against real-feeds-heldout/labels.yaml "
                f"({self.real_feeds_held_out.items} items)",
                list(feeds_rows(self.real_feeds_held_out)),
                self.real_feeds_held_out.misses,
            ),
        ]


def score_trust(
    evaluation: Path,
    topic: Topic,
    editions: Sequence[tuple[str, Briefing, Mapping[str, str]]],
) -> TrustReport:
    """Score the news sets' editions (name, edition, each document's GUID) on the merge pairs
    of ``evaluation/merge``, and the real feeds of ``evaluation/real-feeds`` and
    ``evaluation/real-feeds-heldout``."""
    return TrustReport(
        merges=score_merges(editions, load_merge_pairs(evaluation / "merge" / "pairs.yaml")),
        real_feeds=score_real_feeds(evaluation / "real-feeds", topic),
        real_feeds_held_out=score_real_feeds(evaluation / "real-feeds-heldout", topic),
    )
