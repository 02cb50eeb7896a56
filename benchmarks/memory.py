"""Peak resident memory per stage, from a thread sampling /proc/self/statm."""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

PAGE = os.sysconf("SC_PAGE_SIZE")
INTERVAL = 0.005  # seconds between samples


def peak_rss() -> int:
    """This process's peak resident set size in bytes so far (``VmHWM``, /proc/self/status).

    Not ``getrusage``'s ``ru_maxrss``: a process the benchmark starts reports there the peak its
    parent had reached when it was started, if that was higher than its own.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")


def current_rss() -> int:
    """This process's resident set size in bytes, from /proc/self/statm."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE


@dataclass
class Sampler:
    """Samples the RSS every INTERVAL seconds; ``peak_between`` answers for any interval."""

    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), current_rss()))
            self._stop.wait(INTERVAL)

    def peak_between(self, start: float, end: float) -> int:
        """The highest RSS sampled between two perf_counter times (and at their edges)."""
        inside = [rss for moment, rss in self.samples if start <= moment <= end]
        return max(inside, default=current_rss())

    @contextmanager
    def running(self) -> Iterator["Sampler"]:
        """Sample for the length of a block."""
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
