"""``python -m benchmarks``: run the pipeline on synthetic feeds at one or more scales."""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.report import summary, table
from benchmarks.startup import time_make_briefing

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
SCALES = {"2k": (20, 100), "20k": (200, 100)}
QUICK = (2, 10)
# Runs of the smallest scale, each figure of it the median of theirs: on this virtual machine
# one run of the same code gave 7.5x to 8.7x for the edition's ratio and 1.38x to 1.69x for
# fetch, parse and store (three `make bench` runs in 25 minutes, nothing else running).
REPEAT = 3

DESCRIPTION = """\
Benchmark the briefing pipeline on synthetic news feeds served from 127.0.0.1.

Each scale runs in a fresh Python process (so its peak memory is its own): the feeds are
generated (seeded, deterministic: RSS 2.0 and Atom, about 70% of items on topic, 150-400 words
each), served with ETags, and the pipeline's stages run twice against one memory database:
a cold run (every feed fetched) and a warm run (every feed answers 304). After the cold run,
feedparser alone parses the same bytes and WeasyPrint alone renders the same HTML (as a fresh
process's first layout, as the run's PDF step is its process's, and again in this process), for
the ratios; after the warm run, the seeds-only edition runs the same way. Stages: fetch, parse,
store, extract, consolidate, compose, render, write. --startup also times `make briefing`.

Scales: 2k = 20 feeds x 100 items, 20k = 200 feeds x 100 items, or --feeds/--items. The
smallest scale runs --repeat times (default 3), each time in a fresh process; each of its
figures is the median of its runs', every run's value listed beside it.
"""


def machine() -> dict[str, Any]:
    """The CPU model, core count and memory of this machine."""
    model = "unknown"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gib": round(total_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


def run_in_subprocess(feeds: int, items: int, prefect: bool) -> dict[str, Any]:
    """One scale in a fresh interpreter; its JSON result."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "benchmarks.scale", str(feeds), str(items), out.name]
        if prefect:
            command.append("--prefect")
        subprocess.run(command, check=True, cwd=Path(__file__).resolve().parent.parent)
        result: dict[str, Any] = json.loads(Path(out.name).read_text(encoding="utf-8"))
        return result


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the scales, write the JSON and print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scale",
        action="append",
        choices=sorted(SCALES),
        help="a named scale to run (repeatable); default: 2k and 20k",
    )
    parser.add_argument("--feeds", type=int, help="a custom scale: this many feeds ...")
    parser.add_argument("--items", type=int, help="... of this many items each")
    parser.add_argument(
        "--quick", action="store_true", help=f"one tiny scale ({QUICK[0]} feeds x {QUICK[1]} items)"
    )
    parser.add_argument(
        "--prefect",
        action="store_true",
        help="also run the weekly_briefing flow once at the smallest scale (Prefect overhead)",
    )
    parser.add_argument(
        "--startup",
        action="store_true",
        help="also time `make briefing` (set up, seeds only) from the command to its exit",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help=f"run the smallest scale this many times, each in a fresh process, and report "
        f"the median of each of its figures (default {REPEAT}; 1 with --quick)",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help=f"where the JSON report goes ({RESULTS})"
    )
    args = parser.parse_args(argv)
    if args.quick:
        plan = [QUICK]
    elif args.feeds or args.items:
        plan = [(args.feeds or 20, args.items or 100)]
    else:
        plan = [SCALES[name] for name in (args.scale or ["2k", "20k"])]
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else REPEAT)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    started = time.perf_counter()
    scales = []
    for index, (feeds, items) in enumerate(sorted(plan, key=lambda p: p[0] * p[1])):
        times = repeat if index == 0 else 1
        for run in range(times):
            counted = f" (run {run + 1} of {times})" if times > 1 else ""
            print(
                f"benchmark: {feeds} feeds x {items} items{counted} ...",
                file=sys.stderr,
                flush=True,
            )
            scales.append(run_in_subprocess(feeds, items, args.prefect and index == run == 0))
    startup = None
    if args.startup:
        print("benchmark: make briefing ...", file=sys.stderr, flush=True)
        startup = time_make_briefing()
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "memory_measure": "RSS sampled every 5 ms from /proc/self/statm by a thread; process "
        "peak from /proc/self/status VmHWM: the cold run's process up to its end, the warm run's "
        "own process, and the scale's process over everything (baselines included)",
        "scales": scales,
        "make_briefing": startup,
        "ratios": summary(scales, startup["seconds"] if startup else None),
        "benchmark_seconds": round(time.perf_counter() - started, 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    print(f"\nwritten to {args.output} in {report['benchmark_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
