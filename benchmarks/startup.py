"""``make briefing`` as a user runs it on a set-up machine: the seeds-only edition, wall time."""

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def time_make_briefing() -> dict[str, Any]:
    """Seconds ``make briefing`` takes from the command to its exit, writing into a temporary
    folder and memory instead of the project's (a fresh memory: a first edition)."""
    with tempfile.TemporaryDirectory(prefix="briefing-startup-") as work:
        environment = {
            **os.environ,
            "BRIEFING_OUT_DIR": f"{work}/out",
            "BRIEFING_DATABASE_URL": f"sqlite:///{work}/memory.db",
        }
        start = time.perf_counter()
        done = subprocess.run(
            ["make", "--no-print-directory", "briefing"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"make briefing failed:\n{done.stdout}\n{done.stderr}")
    return {"seconds": round(seconds, 2)}
