"""``python -m benchmarks.warm IN.json OUT.json``: the warm run of one scale, in a process of
its own, as a rerun is in use (a new ``briefing run``, or a worker's new flow run).

IN holds the feeds' addresses, the scale's work folder (the cold run's memory and output) and
whether the seeds are in; OUT gets the run's stages, totals and the process's peak memory. The
feeds are served by the parent process, which counts their answers.
"""

import json
import sys
from pathlib import Path

from benchmarks.memory import Sampler, peak_rss
from benchmarks.runner import (
    MIB,
    Clock,
    bench_environment,
    bench_plan,
    environment,
    run_edition,
    run_report,
)


def main(argv: list[str]) -> int:
    """Run the warm edition and write its report."""
    given = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    work = Path(given["work"])
    with environment(bench_environment(work)):
        plan = bench_plan(given["urls"], work / "out", given["include_seeds"])
        clock = Clock(Sampler())
        with clock.sampler.running():
            edition = run_edition(plan, clock)
    report = run_report(clock, given["items"])
    report["reused"] = edition.rendered is None
    report["process_peak_rss_mib"] = round(peak_rss() / MIB, 1)
    Path(argv[1]).write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
