"""One scale of the benchmark, in this process: a cold run, the baselines, then a warm run.

The stages are the library functions the ``weekly-briefing`` flow calls, driven directly (no
Prefect server), in the flow's order; ``prefect_overhead`` optionally runs the flow itself once.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import feedparser

import briefing.compose.assemble
import briefing.edition.make
from benchmarks.memory import Sampler, current_rss, peak_rss
from benchmarks.server import serving
from benchmarks.synth import EDITION_DATE, PERIOD, build_feeds
from briefing import edition as stages
from briefing.edition import EditionPlan, edition_attachments
from briefing.models import Briefing
from briefing.render import build_url_fetcher, pdf_options
from briefing.settings import Settings
from briefing.sources.feeds import FeedFetch
from briefing.workers import MIN_DOCUMENTS

STAGES = ("fetch", "parse", "store", "extract", "consolidate", "compose", "render", "write")
INGEST = ("fetch", "parse", "store", "extract")
# The render stage's three steps, each timed on its own (inside render, not beside it): the
# JSON edition encoded, the PDF within its page budget (every layout its search took, and the
# writing), the HTML edition.
RENDER_STEPS = ("json", "pdf", "html")
BASELINE_RUNS = 3  # feedparser and WeasyPrint alone: the best of three
FETCH_WORKERS = 16  # the flow maps one task per feed onto Prefect's thread pool
MIB = 1024 * 1024
T = TypeVar("T")


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

    def report(self, items: int, names: Sequence[str] = STAGES) -> dict[str, dict[str, Any]]:
        """Per stage (or step, ``names``): wall time, items per second and peak RSS, with the
        stage's counts."""
        result = {}
        for name in names:
            seconds = self.seconds(name)
            if name == "compose":  # consolidation runs inside compose_briefing
                seconds -= self.seconds("consolidate")
            peak = max(
                (self.sampler.peak_between(a, b) for a, b in self.spans.get(name, [])), default=0
            )
            seconds = round(seconds, 4)  # a stage that did nothing (a reused edition's) is 0
            result[name] = {
                "seconds": seconds,
                "items_per_second": round(items / seconds, 1) if seconds > 0 else None,
                "peak_rss_mib": round(peak / MIB, 1),
                "counts": self.counts.get(name, {}),
            }
        return result


@contextmanager
def _timed_consolidation(clock: Clock) -> Iterator[None]:
    """Time ``consolidate`` where compose_briefing calls it, without running it twice."""
    original: Callable[..., Any] = briefing.compose.assemble.consolidate  # type: ignore[attr-defined]

    def timed(*args: Any, **kwargs: Any) -> Any:
        with clock.stage("consolidate") as counts:
            groups = original(*args, **kwargs)
            counts["facts_in"] = len(args[0])
            counts["groups"] = len(groups)
            counts["merged"] = sum(1 for _, reports in groups if len(reports) > 1)
        return groups

    briefing.compose.assemble.consolidate = timed  # type: ignore[attr-defined]
    try:
        yield
    finally:
        briefing.compose.assemble.consolidate = original  # type: ignore[attr-defined]


@contextmanager
def _timed_render_steps(clock: Clock) -> Iterator[None]:
    """Time the render stage's steps (``RENDER_STEPS``) where ``render_edition`` calls them."""
    make = briefing.edition.make
    originals = {step: getattr(make, name) for step, name in _RENDER_NAMES.items()}

    def timed(step: str) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            with clock.stage(step) as counts:
                value = originals[step](*args, **kwargs)
                if step == "pdf":
                    counts["layouts"] = value.layouts
                    counts["pages"] = value.pages
                    counts["steps_printed"] = value.steps
                    counts["steps_in_order"] = value.of
                    counts["print_html_bytes"] = len(value.html.encode())
                elif step == "html":  # its pages, the front page first
                    sizes = [sum(map(len, page.pieces)) for page in value]
                    counts["html_bytes"] = sum(sizes)
                    counts["html_pages"] = len(sizes)
                    counts["html_largest_page_bytes"] = max(sizes)
                else:
                    counts["json_bytes"] = len(value)
            return value

        return run

    for step, name in _RENDER_NAMES.items():
        setattr(make, name, timed(step))
    try:
        yield
    finally:
        for step, name in _RENDER_NAMES.items():
            setattr(make, name, originals[step])


# Each step and the function of ``briefing.edition.make`` it times.
_RENDER_NAMES = {"json": "edition_json", "pdf": "print_edition", "html": "render_html_pages"}


# Each stage of ``make_edition`` in the benchmark's stage it is timed in.
TIMED_AS = {
    "recall": "fetch",
    "fetch-feed": "fetch",
    "select": "parse",
    "extract": "extract",
    "recognise": "compose",
    "compose": "compose",
    "render": "render",
    "write": "write",
    "archive": "write",  # the archive, the feed and the search index: the write stage's end
    "remember": "store",
}


def _count(name: str, value: Any, counts: dict[str, int]) -> None:
    """What a stage did, as the benchmark's table counts it."""
    if name == "fetch-feed":
        for fetched in value:
            if not isinstance(fetched, FeedFetch):
                continue
            counts[fetched.outcome.status] = counts.get(fetched.outcome.status, 0) + 1
            counts["bytes_received"] = counts.get("bytes_received", 0) + (
                fetched.outcome.bytes_received or 0
            )
    elif name == "select":
        counts["entries"] = sum(o.items or 0 for o in value.outcomes)
        counts["off_topic"] = sum(o.off_topic or 0 for o in value.outcomes)
        counts["out_of_period"] = sum(o.out_of_period or 0 for o in value.outcomes)
        counts["documents"] = len(value.items)
    elif name == "extract":
        counts["documents"] = len(value.results)
        counts["extracted"] = len(value.fresh)
        counts["kept"] = len(value.kept)
        counts["facts"] = len(value.facts)  # those extracted now: the kept are read later
    elif name == "recognise":
        counts["reused"] = int(value[1] is not None)
    elif name == "compose":
        counts["facts"] = sum(1 for _ in value.facts())
        counts["disagreements"] = len(value.disagreements)
        counts["new_facts"] = len(value.new_fact_ids)
    elif name == "render":  # the HTML edition's pages are counted by its step, "html"
        counts["pdf_bytes"] = len(value.pdf)
    elif name == "write":
        counts["json_bytes"] = value.json_file.stat().st_size


class Timed(stages.Plainly):
    """``make_edition``'s stages run in this process, each timed in its benchmark stage, feeds
    on a thread pool where the flow maps one task per feed."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(threads=FETCH_WORKERS)
        self.clock = clock
        self.mapping = False

    def run(self, name: str, stage: Callable[..., T], *args: Any) -> T:
        if name not in TIMED_AS or self.mapping:
            return stage(*args)
        inner = {"compose": _timed_consolidation, "render": _timed_render_steps}.get(name)
        with (
            self.clock.stage(TIMED_AS[name]) as counts,
            inner(self.clock) if inner else nullcontext(),
        ):
            value = stage(*args)
            _count(name, value, counts)
            if name == "extract":  # the processes it ran on, for its rate per core
                plan = args[0]
                many = counts["extracted"] >= MIN_DOCUMENTS and plan.worker_processes > 1
                counts["processes"] = plan.worker_processes if many else 1
        return value

    def each(
        self, name: str, stage: Callable[..., T], plan: EditionPlan, items: Sequence[Any]
    ) -> list[T | Exception]:
        with self.clock.stage(TIMED_AS.get(name, name)) as counts:
            self.mapping = True
            try:
                values = super().each(name, stage, plan, items)
            finally:
                self.mapping = False
            _count(name, values, counts)
        return values


@dataclass
class Edition:
    """What one run produced, for the baselines and the checks."""

    fetches: tuple[FeedFetch, ...]
    briefing: Briefing
    # None: the stored edition of the same inputs was reused. Its HTML and JSON editions are in
    # their files (``result``), not here (``Rendered.written``).
    rendered: stages.Rendered | None
    result: stages.EditionResult


def run_edition(plan: EditionPlan, clock: Clock) -> Edition:
    """One edition as the flow makes it (``make_edition``), each stage timed."""
    made = stages.make_edition(plan, Timed(clock), run_id=f"bench-{os.getpid()}")
    return Edition(
        fetches=made.read.fetches,
        briefing=made.briefing,
        rendered=made.rendered,
        result=made.result,
    )


def best_of(runs: int, measure: Callable[[], float]) -> float:
    """The shortest of ``runs`` measurements: a baseline's cost, least disturbed."""
    return min(measure() for _ in range(runs))


def feedparser_alone(fetches: Sequence[FeedFetch]) -> float:
    """Seconds feedparser takes to parse exactly the bodies the run parsed, nothing else."""
    bodies = [(f.copy.body, f.copy.content_type, f.feed.url) for f in fetches if f.copy]
    start = time.perf_counter()
    for body, content_type, url in bodies:
        headers = {"content-type": content_type} if content_type else {}
        feedparser.parse(body, response_headers={**headers, "content-location": url})
    return time.perf_counter() - start


def weasyprint_alone(
    html: str, templates_dir: Path, attachments: Sequence[tuple[str, bytes, str]], created: Any
) -> float:
    """Seconds WeasyPrint alone takes to lay out and write the HTML the PDF was printed from,
    with the options the edition's PDF is written with (PDF/UA-1, the JSON attached, the same
    fonts and URL fetcher): one layout, nothing around it."""
    import weasyprint

    start = time.perf_counter()
    weasyprint.HTML(
        string=html,
        base_url=templates_dir.resolve().as_uri() + "/",
        url_fetcher=build_url_fetcher(templates_dir),
    ).write_pdf(**pdf_options(html, attachments, created))
    return time.perf_counter() - start


def weasyprint_first_layout(
    html: str, templates_dir: Path, attachments: list[tuple[str, bytes, str]], created: Any
) -> float:
    """Seconds ``weasyprint_alone`` takes as a fresh process's first layout, WeasyPrint imported
    before the clock (``benchmarks.bare``): the state the edition's PDF step runs in."""
    from benchmarks.bare import write_inputs

    with tempfile.TemporaryDirectory(prefix="briefing-bare-") as folder:
        write_inputs(Path(folder), html, templates_dir, attachments, created)
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bare", folder],
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
            cwd=Path(__file__).resolve().parent.parent,
        )
    if done.returncode:
        raise RuntimeError(f"bare WeasyPrint failed in its own process:\n{done.stderr[-3000:]}")
    return float(done.stdout.split()[-1])


def baselines(edition: "Edition", templates_dir: Path) -> dict[str, Any]:
    """feedparser alone on the bytes the run parsed and WeasyPrint alone on the HTML its PDF
    was printed from, with the same options: each the best of ``BASELINE_RUNS``. WeasyPrint is
    timed twice over: as a fresh process's first layout, as the run's PDF step is its process's
    (the ratio's baseline), and in this process after the step, its fonts and styles loaded."""
    rendered, made = edition.rendered, edition.briefing
    assert rendered is not None, "a cold run renders its edition"
    attached = edition_attachments(made, rendered.json)

    def feeds() -> float:
        return feedparser_alone(edition.fetches)

    def pdf() -> float:
        return weasyprint_alone(rendered.print_html, templates_dir, attached, made.edition_date)

    def first_pdf() -> float:
        return weasyprint_first_layout(
            rendered.print_html, templates_dir, attached, made.edition_date
        )

    return {
        "runs": BASELINE_RUNS,
        "feedparser_seconds": round(best_of(BASELINE_RUNS, feeds), 4),
        "weasyprint_seconds": round(best_of(BASELINE_RUNS, first_pdf), 4),
        "weasyprint_in_process_seconds": round(best_of(BASELINE_RUNS, pdf), 4),
    }


def bench_environment(work: Path) -> dict[str, str]:
    """The settings of every run at one scale, as the environment the flow would read: feeds
    larger than the defaults allow, and the memory in the scale's own folder."""
    return {
        "BRIEFING_MAX_FEED_BYTES": str(64 * MIB),
        "BRIEFING_MAX_DECODED_BYTES": str(64 * MIB),
        "BRIEFING_DATABASE_URL": f"sqlite:///{work}/memory.db",
        "BRIEFING_ALLOW_PRIVATE_NETWORK": "true",
    }


def bench_choices(urls: list[str], out_dir: Path, include_seeds: bool) -> dict[str, Any]:
    """A run's choices at one scale: the same for the stages driven here and for the flow."""
    return {
        "edition_date": EDITION_DATE,
        "since": EDITION_DATE - timedelta(days=PERIOD),
        "output_dir": str(out_dir),
        "include_configured_feeds": False,
        "extra_feed_urls": urls,
        "include_seeds": include_seeds,
        # The synthetic items link to made-up hosts (news0.example.org ...): the flow spent 32 s
        # failing to reach 60 of them, which the stages here never try. Articles have their
        # own benchmark on a server that has the pages (make bench-articles).
        "fetch_articles": False,
    }


def bench_plan(urls: list[str], out_dir: Path, include_seeds: bool) -> EditionPlan:
    """The plan the flow would make for these choices, from the environment's settings."""
    return stages.load_plan(
        Settings(), today=EDITION_DATE, **bench_choices(urls, out_dir, include_seeds)
    )


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for a block, then restore them."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_scale(
    feed_count: int, items_per_feed: int, *, prefect: bool = False, include_seeds: bool = True
) -> dict[str, Any]:
    """Generate, serve and run one scale: cold run, baselines, warm run (all 304)."""
    # WeasyPrint is imported first, so the cold run's render finds it imported as WeasyPrint
    # alone and the seeds-only edition do (both run later in this process): its import (0.75 s,
    # 0.3 of it gcc and ld asked where its libraries are) was in the cold render stage only,
    # and so in both ratios' numerators. `make briefing`'s time still counts it.
    import weasyprint  # noqa: F401

    started = time.perf_counter()
    feeds = build_feeds(feed_count, items_per_feed)
    generated = sum(feed.items for feed in feeds)
    generation = time.perf_counter() - started
    result: dict[str, Any] = {
        "feeds": feed_count,
        "items": generated,
        "items_on_topic": sum(feed.on_topic for feed in feeds),
        "feed_bytes": sum(len(feed.body) for feed in feeds),
        "generation_seconds": round(generation, 2),
        "baseline_rss_mib": round(current_rss() / MIB, 1),
    }
    with (
        tempfile.TemporaryDirectory(prefix="briefing-bench-") as work,
        serving(feeds) as server,
        environment(bench_environment(Path(work))),
    ):
        urls = [server.url(feed.path) for feed in feeds]
        plan = bench_plan(urls, Path(work) / "out", include_seeds)
        clock = Clock(Sampler())
        before = dict(server.statuses)
        with clock.sampler.running():
            edition = run_edition(plan, clock)
        result["cold"] = {
            **run_report(clock, generated),
            "http": _answers(server, before),
            # The process's peak up to the cold run's end: the feeds made and served, and the
            # run. The baselines, the seeds-only edition and the flow run come after it.
            "process_peak_rss_mib": round(peak_rss() / MIB, 1),
        }
        assert edition.rendered is not None, "a cold run renders its edition"
        result["baselines"] = baselines(edition, plan.templates_dir)
        del edition
        before = dict(server.statuses)
        result["warm"] = {
            **warm_run(urls, Path(work), generated, include_seeds),
            "http": _answers(server, before),
        }
        if include_seeds:
            result["seeds_only"] = seeds_only_run(Path(work))
        if prefect:
            result["prefect"] = prefect_run(urls, Path(work), include_seeds)
    result["process_peak_rss_mib"] = round(peak_rss() / MIB, 1)
    return result


def run_report(clock: Clock, items: int) -> dict[str, Any]:
    """A run's stages, its total, its ingest time (fetch to extract) and the highest memory
    sampled in the run, its process's and its extraction workers' together."""
    return {
        "stages": clock.report(items),
        "render_steps": clock.report(items, RENDER_STEPS),  # inside the render stage
        "peak_with_workers_rss_mib": round(clock.sampler.peak() / MIB, 1),
        "total_seconds": round(
            sum(clock.seconds(name) for name in STAGES) - clock.seconds("consolidate"), 3
        ),
        "ingest_seconds": round(sum(clock.seconds(name) for name in INGEST), 3),
    }


def _answers(server: Any, before: dict[int, int]) -> dict[str, int]:
    return {str(code): n - before.get(code, 0) for code, n in server.statuses.items()}


def warm_run(urls: list[str], work: Path, items: int, include_seeds: bool) -> dict[str, Any]:
    """The warm run (every feed 304) in a process of its own, as a rerun is in use
    (``benchmarks/warm.py``): in the cold run's process it started on the cold run's heap, which
    Python had freed but not returned (about 700 MB at 20,000 items), and the process peak was
    the two runs' mixed."""
    given = {"urls": urls, "work": str(work), "items": items, "include_seeds": include_seeds}
    with tempfile.TemporaryDirectory(prefix="briefing-warm-") as folder:
        inbox, outbox = Path(folder) / "in.json", Path(folder) / "out.json"
        inbox.write_text(json.dumps(given), encoding="utf-8")
        command = [sys.executable, "-m", "benchmarks.warm", str(inbox), str(outbox)]
        subprocess.run(command, check=True, cwd=Path(__file__).resolve().parent.parent)
        report: dict[str, Any] = json.loads(outbox.read_text(encoding="utf-8"))
    return report


def seeds_only_run(work: Path) -> dict[str, Any]:
    """The seeds-only edition, cold, on a memory of its own, timed like the runs above (after
    them: the same process, imports and fonts already loaded as for the warm run)."""
    with environment({"BRIEFING_DATABASE_URL": f"sqlite:///{work}/seeds-memory.db"}):
        plan = bench_plan([], work / "seeds-out", include_seeds=True)
    clock = Clock(Sampler())
    with clock.sampler.running():
        run_edition(plan, clock)
    return run_report(clock, 1)


def prefect_run(urls: list[str], work: Path, include_seeds: bool) -> dict[str, Any]:
    """One weekly_briefing flow run over the same feeds, on a fresh memory: its wall time."""
    # The flow logs a line per document; the benchmark prints only its table.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from briefing.parameters import EditionParameters, form_values
    from flows.weekly_briefing import weekly_briefing

    parameters = EditionParameters(**bench_choices(urls, work / "prefect-out", include_seeds))
    with environment({"BRIEFING_DATABASE_URL": f"sqlite:///{work}/prefect-memory.db"}):
        start = time.perf_counter()
        flow_result = weekly_briefing(**form_values(parameters))
    return {"seconds": round(time.perf_counter() - start, 3), "facts": flow_result.facts}
