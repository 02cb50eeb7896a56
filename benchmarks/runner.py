"""One scale of the benchmark, in this process: a cold run, the baselines, then a warm run.

The stages are the library functions the ``weekly-briefing`` flow calls, driven directly (no
Prefect server), in the flow's order; ``prefect_overhead`` optionally runs the flow itself once.
"""

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import feedparser

import briefing.compose.assemble
from benchmarks.memory import Sampler, current_rss
from benchmarks.server import FeedServer, serving
from benchmarks.synth import EDITION_DATE, PERIOD, SyntheticFeed, build_feeds
from briefing.edition import compose_remembered
from briefing.extract.facts import extract_documents
from briefing.models import Briefing, Fact
from briefing.render.document import render_html, render_pdf
from briefing.settings import Settings
from briefing.sources.feeds import FeedConfig, FeedFetch, dedupe_items, fetch_feed, select_items
from briefing.sources.fetch import FetchLimits, build_client
from briefing.sources.seeds import load_seeds
from briefing.store.files import edition_json, edition_stem, write_edition
from briefing.store.memory import (
    EditionRecord,
    load_extractions,
    load_feed_copies,
    memory_at,
    write_memory,
)
from briefing.topic import Topic, load_topic

STAGES = ("fetch", "parse", "store", "extract", "consolidate", "compose", "render", "write")
INGEST = ("fetch", "parse", "store", "extract")
FETCH_WORKERS = 16  # the flow maps one task per feed onto Prefect's thread pool
MIB = 1024 * 1024


@dataclass
class Clock:
    """Wall time and peak RSS of each stage of one run."""

    sampler: Sampler
    spans: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[dict[str, int]]:
        """Time a stage; the yielded dict takes its counts."""
        counts = self.counts.setdefault(name, {})
        start = time.perf_counter()
        try:
            yield counts
        finally:
            self.spans.setdefault(name, []).append((start, time.perf_counter()))

    def seconds(self, name: str) -> float:
        """Total wall time spent in a stage."""
        return sum(end - start for start, end in self.spans.get(name, []))

    def report(self, items: int) -> dict[str, dict[str, Any]]:
        """Per stage: wall time, items per second and peak RSS, with the stage's counts."""
        result = {}
        for name in STAGES:
            seconds = self.seconds(name)
            if name == "compose":  # consolidation runs inside compose_briefing
                seconds -= self.seconds("consolidate")
            peak = max(self.sampler.peak_between(a, b) for a, b in self.spans[name])
            result[name] = {
                "seconds": round(seconds, 4),
                "items_per_second": round(items / seconds, 1) if seconds > 0 else None,
                "peak_rss_mib": round(peak / MIB, 1),
                "counts": self.counts.get(name, {}),
            }
        return result


@contextmanager
def _timed_consolidation(clock: Clock) -> Iterator[None]:
    """Time ``consolidate`` where compose_briefing calls it, without running it twice."""
    original: Callable[..., Any] = briefing.compose.assemble.consolidate

    def timed(*args: Any, **kwargs: Any) -> Any:
        with clock.stage("consolidate") as counts:
            groups = original(*args, **kwargs)
            counts["facts_in"] = len(args[0])
            counts["groups"] = len(groups)
            counts["merged"] = sum(1 for _, reports in groups if len(reports) > 1)
        return groups

    briefing.compose.assemble.consolidate = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        briefing.compose.assemble.consolidate = original  # type: ignore[assignment]


@dataclass
class Edition:
    """What one run produced, for the baselines and the checks."""

    fetches: list[FeedFetch]
    briefing: Briefing
    print_html: str
    facts: list[Fact]


@dataclass(frozen=True)
class Product:
    """The fixed inputs of every run at one scale."""

    settings: Settings
    topic: Topic
    feeds: tuple[FeedConfig, ...]
    limits: FetchLimits
    database_url: str
    out_dir: Path
    include_seeds: bool = True


def _fetch_one(product: Product, feed: FeedConfig, previous: Any) -> FeedFetch:
    with build_client(product.limits) as client:
        return fetch_feed(
            client, feed, limits=product.limits, allow_private_network=True, previous=previous
        )


def run_edition(product: Product, clock: Clock) -> Edition:
    """One edition, stage by stage as the flow runs them, each timed."""
    topic, settings = product.topic, product.settings
    period_start = EDITION_DATE - timedelta(days=PERIOD)
    seeds = load_seeds(settings.seeds_dir) if product.include_seeds else ()
    with clock.stage("fetch") as counts:
        with memory_at(product.database_url) as memory:
            copies = load_feed_copies(memory, [feed.url for feed in product.feeds])
        with ThreadPoolExecutor(FETCH_WORKERS) as pool:
            fetches = list(
                pool.map(lambda f: _fetch_one(product, f, copies.get(f.url)), product.feeds)
            )
        for fetched in fetches:
            counts[fetched.outcome.status] = counts.get(fetched.outcome.status, 0) + 1
        counts["bytes_received"] = sum(f.outcome.bytes_received or 0 for f in fetches)
    with clock.stage("parse") as counts:
        selected = [select_items(f, topic, period_start, EDITION_DATE) for f in fetches]
        items = dedupe_items(item for kept, _ in selected for item in kept)
        outcomes = tuple(outcome for _, outcome in selected)
        counts["entries"] = sum(o.items or 0 for o in outcomes)
        counts["off_topic"] = sum(o.off_topic or 0 for o in outcomes)
        counts["out_of_period"] = sum(o.out_of_period or 0 for o in outcomes)
        counts["documents"] = len(items)
    documents = seeds + tuple(item.document for item in items)
    with clock.stage("extract") as counts:
        # As the flow's extract task: facts kept in the memory for a known document are reused.
        with memory_at(product.database_url) as memory:
            results = extract_documents(documents, topic, partial(load_extractions, memory))
        facts = [fact for result in results for fact in result.facts]
        fresh = {r.key: r.facts for r in results if r.skipped is not None}
        counts["documents"] = len(documents)
        counts["extracted"] = len(fresh)
        counts["facts"] = len(facts)
    with clock.stage("compose") as counts, _timed_consolidation(clock):
        edition = compose_remembered(
            topic, documents, facts, EDITION_DATE, period_start, product.database_url, outcomes
        )
        counts["facts"] = sum(1 for _ in edition.facts())
        counts["disagreements"] = len(edition.disagreements)
        counts["new_facts"] = len(edition.new_fact_ids)
    with clock.stage("render") as counts:
        # As the flow's render task: the print HTML to PDF with the JSON attached, then the page.
        print_html = render_html(edition, settings.templates_dir)
        pdf = render_pdf(
            print_html,
            settings.templates_dir,
            attachments=[(f"{edition_stem(edition)}.json", edition_json(edition), "JSON")],
            created=edition.edition_date,
        )
        page = render_html(edition, settings.templates_dir, standalone=True)
        counts["pdf_bytes"] = len(pdf)
        counts["html_bytes"] = len(print_html.encode())
    with clock.stage("write") as counts:
        files = write_edition(product.out_dir, edition, pdf, page)
        counts["json_bytes"] = files.json.stat().st_size
    with clock.stage("store") as counts:
        record = EditionRecord(
            run_id=f"bench-{os.getpid()}",
            written_at=datetime.now(UTC),
            briefing=edition,
            items=items,
            fetches=tuple(fetches),
            extractions=fresh,
        )
        with memory_at(product.database_url) as memory:
            write_memory(memory, record)
        counts["documents"] = len(edition.sources)
    return Edition(fetches=fetches, briefing=edition, print_html=print_html, facts=facts)


def feedparser_alone(fetches: list[FeedFetch]) -> float:
    """Seconds feedparser takes to parse exactly the bodies the run parsed, nothing else."""
    bodies = [(f.copy.body, f.copy.content_type, f.feed.url) for f in fetches if f.copy]
    start = time.perf_counter()
    for body, content_type, url in bodies:
        headers = {"content-type": content_type} if content_type else {}
        feedparser.parse(body, response_headers={**headers, "content-location": url})
    return time.perf_counter() - start


def weasyprint_alone(html: str, templates_dir: Path) -> float:
    """Seconds WeasyPrint alone takes to render the same final HTML to PDF."""
    import weasyprint

    start = time.perf_counter()
    weasyprint.HTML(string=html, base_url=templates_dir.resolve().as_uri() + "/").write_pdf()
    return time.perf_counter() - start


def _feed_configs(server: FeedServer, feeds: list[SyntheticFeed]) -> tuple[FeedConfig, ...]:
    return tuple(
        FeedConfig(name=f"Synthetic feed {index:03d}", url=server.url(feed.path))
        for index, feed in enumerate(feeds)
    )


def run_scale(
    feed_count: int, items_per_feed: int, *, prefect: bool = False, include_seeds: bool = True
) -> dict[str, Any]:
    """Generate, serve and run one scale: cold run, baselines, warm run (all 304)."""
    started = time.perf_counter()
    feeds = build_feeds(feed_count, items_per_feed)
    generated = sum(feed.items for feed in feeds)
    generation = time.perf_counter() - started
    settings = Settings()
    topic = load_topic(settings.topic_file)
    result: dict[str, Any] = {
        "feeds": feed_count,
        "items": generated,
        "items_on_topic": sum(feed.on_topic for feed in feeds),
        "feed_bytes": sum(len(feed.body) for feed in feeds),
        "generation_seconds": round(generation, 2),
        "baseline_rss_mib": round(current_rss() / MIB, 1),
    }
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as work, serving(feeds) as server:
        product = Product(
            settings=settings,
            topic=topic,
            feeds=_feed_configs(server, feeds),
            limits=FetchLimits(max_raw_bytes=64 * MIB, max_decoded_bytes=64 * MIB),
            database_url=f"sqlite:///{work}/memory.db",
            out_dir=Path(work) / "out",
            include_seeds=include_seeds,
        )
        for run in ("cold", "warm"):
            sampler = Sampler()
            clock = Clock(sampler)
            before = dict(server.statuses)
            with sampler.running():
                edition = run_edition(product, clock)
            result[run] = {
                "stages": clock.report(generated),
                "total_seconds": round(
                    sum(clock.seconds(name) for name in STAGES) - clock.seconds("consolidate"), 3
                ),
                "ingest_seconds": round(sum(clock.seconds(name) for name in INGEST), 3),
                "http": {str(code): n - before.get(code, 0) for code, n in server.statuses.items()},
            }
            if run == "cold":
                result["baselines"] = {
                    "feedparser_seconds": round(feedparser_alone(edition.fetches), 4),
                    "weasyprint_seconds": round(
                        weasyprint_alone(edition.print_html, settings.templates_dir), 4
                    ),
                }
        if prefect:
            result["prefect"] = prefect_run(product, work)
    import resource

    result["process_peak_rss_mib"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    return result


def prefect_run(product: Product, work: str) -> dict[str, Any]:
    """One weekly_briefing flow run over the same feeds, on a fresh memory: its wall time."""
    # The flow logs a line per document; the benchmark prints only its table.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ["BRIEFING_DATABASE_URL"] = f"sqlite:///{work}/prefect-memory.db"
    from flows.weekly_briefing import EditionParameters, weekly_briefing

    parameters = EditionParameters(
        edition_date=EDITION_DATE,
        output_dir=str(Path(work) / "prefect-out"),
        include_configured_feeds=False,
        extra_feed_urls=[feed.url for feed in product.feeds],
        allow_private_network=True,
        since=EDITION_DATE - timedelta(days=PERIOD),
    )
    start = time.perf_counter()
    flow_result = weekly_briefing(parameters)
    return {"seconds": round(time.perf_counter() - start, 3), "facts": flow_result.facts}
