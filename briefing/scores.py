"""The whole evaluation of ``briefing evaluate``: the seed edition and the two labelled news
sets scored, and the figures as tables (title, rows, notes) for any interface to print."""

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from briefing.edition import load_seed_briefing
from briefing.evaluate import Report, Score, evaluate, load_labels
from briefing.evaluate_news import (
    NewsEdition,
    NewsReport,
    evaluate_news,
    load_news_set,
    make_news_edition,
    rows,
)
from briefing.evaluate_trust import TrustReport, score_trust


@dataclass(frozen=True)
class Table:
    """A table of figures: its title, its rows (measure, score), and lines to read after it."""

    title: str
    rows: list[tuple[str, Score]]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scores:
    """Every figure of the evaluation, and the news edition's files when they were kept."""

    seeds: Report
    news: NewsReport
    held_out: NewsReport
    trust: TrustReport
    tables: list[Table]
    written: list[Path]


def _score_news(folder: Path, edition_dir: Path) -> tuple[NewsReport, NewsEdition]:
    news = load_news_set(folder)
    made = make_news_edition(news, edition_dir)
    topic = made.made.read.topic  # the profile the edition was made with
    report = evaluate_news(made.made.briefing, made.guids, news.labels, news.leads, made.cut, topic)
    return report, made


def score_all(
    labels: Path,
    news: Path,
    held_out: Path,
    edition_date: date,
    news_edition: Path | None = None,
) -> Scores:
    """The seed edition against ``labels``; an edition of each news set, made as a run makes
    it (``make_edition``), against its labels; the news set's files kept in ``news_edition``."""
    seeds = evaluate(load_seed_briefing(edition_date), load_labels(labels))
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="briefing-evaluation-") as scratch:
        news_report, news_made = _score_news(news, Path(scratch) / "news")
        held_out_report, held_out_made = _score_news(held_out, Path(scratch) / "held-out")
        if news_edition is not None:
            news_edition.mkdir(parents=True, exist_ok=True)
            for made in sorted((Path(scratch) / "news").glob("briefing-*.*")):
                if made.suffix in (".pdf", ".html", ".json"):
                    written.append(Path(shutil.copy2(made, news_edition / made.name)))
    trust = score_trust(
        news.parent,
        news_made.made.read.topic,
        [
            (news.name, news_made.made.briefing, news_made.guids),
            (held_out.name, held_out_made.made.briefing, held_out_made.guids),
        ],
    )
    tables = [_seed_table(seeds, labels)]
    for heading, folder, report in (
        ("News", news, news_report),
        ("News held out", held_out, held_out_report),
    ):
        tables.append(
            Table(
                f"{heading}: against {folder.name}/labels.yaml ({report.items} items, "
                f"{report.stories} stories made)",
                list(rows(report)),
                [
                    f"Milestones contradicting a story: {report.milestone_contradictions}; "
                    f"repeating another: {report.milestone_repeats}",
                    *(f"  - {line}" for line in report.misses),
                ],
            )
        )
    tables += [Table(title, rows_, misses) for title, rows_, misses in trust.tables()]
    return Scores(seeds, news_report, held_out_report, trust, tables, written)


def _seed_table(report: Report, labels: Path) -> Table:
    return Table(
        f"Seeds: against {labels.name} ({report.statements} statements)",
        list(_seed_rows(report)),
        [
            f"Disagreements noted: {report.disagreements_found}",
            *(
                f"  - {line}"
                for line in [*report.missing_key_events, *report.theme_errors, *report.date_errors]
            ),
        ],
    )


def _seed_rows(report: Report) -> Iterator[tuple[str, Score]]:
    yield "theme accuracy", report.theme
    yield "date accuracy (dated facts)", report.date
    yield "kind accuracy (event/plan/assessment)", report.kind
    yield "speaker accuracy", report.speaker
    yield "key events carried", report.key_events
    yield "labelled disagreements noted", report.labelled_disagreements
    yield "off-topic sentences carried", report.off_topic_carried
    yield "on-topic sentences left out", report.on_topic_dropped
