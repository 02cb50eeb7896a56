"""The benchmark suite itself, at a tiny scale: every stage reported, counts that add up."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import feedparser
import pytest

from benchmarks.__main__ import main
from benchmarks.memory import Sampler, current_rss, rss_of
from benchmarks.report import peak_of, summary, table
from benchmarks.runner import (
    INGEST,
    STAGES,
    Clock,
    bench_choices,
    bench_environment,
    bench_plan,
    run_edition,
    run_scale,
)
from benchmarks.server import serving
from benchmarks.synth import build_feeds
from briefing.parameters import EditionParameters, form_values
from briefing.sources.feeds import plain_text
from flows.weekly_briefing import weekly_briefing


@pytest.fixture(scope="module")
def tiny() -> dict[str, Any]:
    """Two feeds of ten items, without the seeds, cold then warm."""
    return run_scale(2, 10, include_seeds=False)


def rate_agrees(items: int, seconds: float, rate: float) -> bool:
    """Whether a rate rounded to 0.1 per second is items over a time rounded to 0.1 ms."""
    fastest, slowest = items / max(seconds - 5e-5, 1e-9), items / (seconds + 5e-5)
    return slowest - 0.05 <= rate <= fastest + 0.05


@pytest.mark.slow
def test_every_stage_is_reported_for_both_runs_and_the_figures_agree(tiny: dict[str, Any]) -> None:
    """Cold and warm runs each report every stage; each rate is the items over the stage's
    time, and the stages add up to the run's total and the first four to ingest."""
    for run in ("cold", "warm"):
        stages, report = tiny[run]["stages"], tiny[run]
        assert list(STAGES) == list(stages)
        seconds = {name: stage["seconds"] for name, stage in stages.items()}
        # A stage that did nothing (the warm run reuses the edition: no consolidation) has
        # no rate.
        off_rates = [
            name
            for name, stage in stages.items()
            if (stage["items_per_second"] is None) != (stage["seconds"] <= 0)
            or (
                stage["seconds"] > 0
                and not rate_agrees(tiny["items"], stage["seconds"], stage["items_per_second"])
            )
        ]
        assert [] == off_rates
        assert pytest.approx((report["total_seconds"], report["ingest_seconds"]), abs=1e-3) == (
            sum(seconds.values()),
            sum(seconds[name] for name in INGEST),
        )


@pytest.mark.slow
def test_every_generated_item_is_parsed(tiny: dict[str, Any]) -> None:
    """The parser sees exactly the items generated, and sorts each one."""
    parse = tiny["cold"]["stages"]["parse"]["counts"]
    kept = parse["documents"] + parse["off_topic"] + parse["out_of_period"]
    assert (20, 20, 20) == (tiny["items"], parse["entries"], kept)


@pytest.mark.slow
def test_on_topic_items_give_facts(tiny: dict[str, Any]) -> None:
    """Items about the partnership are read and yield facts; off-topic ones are left out."""
    parse = tiny["cold"]["stages"]["parse"]["counts"]
    extract = tiny["cold"]["stages"]["extract"]["counts"]
    assert parse["documents"] > 0 and parse["off_topic"] > 0
    assert extract["facts"] > parse["documents"]


@pytest.mark.slow
def test_a_warm_run_gets_304_from_every_feed(tiny: dict[str, Any]) -> None:
    """The second run sends the ETags back, and every feed answers 304 Not Modified."""
    assert {"200": 2} == {k: v for k, v in tiny["cold"]["http"].items() if v}
    assert {"304": 2} == {k: v for k, v in tiny["warm"]["http"].items() if v}
    assert {"unchanged": 2, "bytes_received": 0} == tiny["warm"]["stages"]["fetch"]["counts"]


@pytest.mark.slow
def test_a_warm_run_extracts_nothing_again(tiny: dict[str, Any]) -> None:
    """Every document of the warm run was seen by the cold one: the memory keeps their facts,
    and as the run reuses the cold run's edition, it never reads them."""
    cold, warm = (tiny[run]["stages"]["extract"]["counts"] for run in ("cold", "warm"))
    assert (0, cold["documents"], 0) == (warm["extracted"], warm["kept"], warm["facts"])
    assert (cold["documents"], 0) == (cold["extracted"], cold["kept"]) and cold["facts"] > 0


@pytest.mark.slow
def test_the_warm_run_is_a_process_of_its_own_that_reuses_the_edition(
    tiny: dict[str, Any],
) -> None:
    """The warm run, in its own process (its peak its own), reused the cold run's edition, and
    the scale's peak is the highest of the cold run's and the warm run's processes' peaks and
    of the memory sampled in either with the workers added; the cold run's peak is no higher
    than the scale's process over everything."""
    cold, warm = tiny["cold"], tiny["warm"]
    assert warm["reused"] and 1 == warm["stages"]["compose"]["counts"]["reused"]
    assert 0 < warm["process_peak_rss_mib"] and 0 < cold["process_peak_rss_mib"]
    assert cold["process_peak_rss_mib"] <= tiny["process_peak_rss_mib"]
    measures = ("process_peak_rss_mib", "peak_with_workers_rss_mib")
    assert max(run[measure] for run in (cold, warm) for measure in measures) == peak_of(tiny)


@pytest.mark.slow
def test_the_table_has_every_stage_and_ratio(tiny: dict[str, Any]) -> None:
    """The printed table names each stage, both baselines and every ratio."""
    text = table({"scales": [tiny], "ratios": summary([tiny])})
    for name in [*STAGES, "feedparser alone", "WeasyPrint alone", "ingest_vs_feedparser@20"]:
        assert name in text


@pytest.mark.slow
def test_a_scale_run_three_times_reports_each_figure_as_the_median_of_its_runs(
    tiny: dict[str, Any],
) -> None:
    """Three runs of one scale: each figure is the middle one of its three values, all three
    listed; the table shows the stages of the run whose cold total is the median and says so."""
    import copy

    runs = []
    for total, feedparser_seconds in ((9.0, 0.5), (3.0, 1.0), (6.0, 2.0)):
        run = copy.deepcopy(tiny)
        run["cold"]["total_seconds"] = total
        run["baselines"]["feedparser_seconds"] = feedparser_seconds
        runs.append(run)
    once = [summary([run])[f"warm_vs_cold@{tiny['items']}"]["value"] for run in runs]
    found = summary(runs)[f"warm_vs_cold@{tiny['items']}"]
    assert found["runs"] == once
    assert found["value"] == sorted(once)[1]
    ingest = summary(runs)[f"ingest_vs_feedparser@{tiny['items']}"]
    assert ingest["value"] == sorted(ingest["runs"])[1] and len(set(ingest["runs"])) == 3
    text = table({"scales": runs, "ratios": summary(runs)})
    assert "3 runs, the median's stages shown: cold totals 9.00, 3.00, 6.00" in text
    assert "| **total** | **6.00**" in text and "**9.00**" not in text
    assert f"(runs: {', '.join(map(str, once))})" in text


@pytest.mark.slow
def test_bare_weasyprint_is_timed_as_a_fresh_process_first_layout_and_again_here(
    tiny: dict[str, Any], tmp_path: Path
) -> None:
    """Both WeasyPrint baselines are measured; the fresh process lays out exactly the inputs it
    is given: the print HTML and the attachments, read back as written."""
    from datetime import date

    from benchmarks.bare import write_inputs
    from benchmarks.runner import weasyprint_first_layout

    base = tiny["baselines"]
    assert base["weasyprint_seconds"] > 0 and base["weasyprint_in_process_seconds"] > 0
    html = "<html><body><p>One line.</p></body></html>"
    attachments = [("edition.json", b'{"a": 1}', "The JSON edition")]
    write_inputs(tmp_path, html, Path("templates"), attachments, date(2025, 6, 16))
    assert (tmp_path / "print.html").read_text(encoding="utf-8") == html
    assert (tmp_path / "attachment-0").read_bytes() == b'{"a": 1}'
    seconds = weasyprint_first_layout(html, Path("templates"), attachments, date(2025, 6, 16))
    assert 0 < seconds < 60


def test_repeat_must_be_at_least_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--quick", "--repeat", "0"])
    assert "--repeat must be at least 1" in capsys.readouterr().err


def test_the_sampler_counts_the_memory_of_child_processes() -> None:
    """A child holding 200 MiB (as an extraction worker holds its facts) is in the peak."""
    sampler = Sampler()
    with sampler.running():
        alone = current_rss()
        subprocess.run(
            [sys.executable, "-c", "import time; x = bytearray(200 * 2**20); time.sleep(0.5)"],
            check=True,
        )
    assert sampler.peak() >= alone + 190 * 2**20


def test_a_thread_is_never_counted_as_a_child() -> None:
    """A thread's id is a /proc entry with this process's memory: given as a child's number
    (as a dead child's number reused by a new thread would be), it counts nothing."""
    threads = [int(entry.name) for entry in os.scandir("/proc/self/task")]
    assert threads and 0 == rss_of(threads)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"]) as child:
        try:
            assert rss_of([child.pid]) > 0
        finally:
            child.kill()


def test_a_forked_child_before_its_program_starts_counts_nothing() -> None:
    """A child still running this process's program (forked, not yet started its own, as
    subprocess's children are for a moment) shares this process's pages: not counted twice."""
    pid = os.fork()
    if pid == 0:  # the child: wait to be measured, then leave without cleaning up
        time.sleep(2)
        os._exit(0)
    try:
        assert 0 == rss_of([pid])
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_feeds_are_deterministic_and_of_news_length() -> None:
    """The same seed gives the same bytes; RSS and Atom alternate; every item's text is as long
    as a news item's (150 to 400 words)."""
    first, second = build_feeds(2, 3), build_feeds(2, 3)
    assert [f.body for f in first] == [f.body for f in second]
    assert ["rss", "atom"] == [f.kind for f in first]
    lengths = [
        len(plain_text(entry.summary).split())
        for feed in first
        for entry in feedparser.parse(feed.body).entries
    ]
    assert 6 == len(lengths)
    assert all(150 <= length <= 400 for length in lengths), lengths


def test_help_explains_scales_and_output(capsys: pytest.CaptureFixture[str]) -> None:
    """--help names the scales, the output file and --quick."""
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert all(word in text for word in ("20 feeds x 100 items", "--output", "--quick", "--repeat"))


@pytest.mark.slow
def test_the_benchmark_makes_exactly_the_flows_pdf(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Driven directly, the benchmark's stages write the same PDF, HTML and JSON bytes as the
    weekly-briefing flow run on the same feeds and choices: it times the flow's own work."""
    feeds = build_feeds(2, 10)
    with serving(feeds) as server:
        urls = [server.url(feed.path) for feed in feeds]
        for name, value in bench_environment(tmp_path / "bench").items():
            monkeypatch.setenv(name, value)
        (tmp_path / "bench").mkdir()
        benched = run_edition(bench_plan(urls, tmp_path / "bench-out", True), Clock(Sampler()))
        monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{tmp_path}/flow.db")
        flowed = weekly_briefing(
            **form_values(EditionParameters(**bench_choices(urls, tmp_path / "flow-out", True)))
        )
    stem = flowed.pdf_file.stem
    assert flowed.facts == sum(1 for _ in benched.briefing.facts())
    for suffix in (".pdf", ".html", ".json"):
        bench_file = (tmp_path / "bench-out" / stem).with_suffix(suffix)
        assert flowed.pdf_file.with_suffix(suffix).read_bytes() == bench_file.read_bytes()
