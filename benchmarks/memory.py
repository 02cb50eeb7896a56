"""Peak resident memory per stage, from a thread sampling /proc/self/statm and the statm of this
process's children (the extraction's worker processes)."""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

PAGE = os.sysconf("SC_PAGE_SIZE")
INTERVAL = 0.005  # seconds between samples
CHILDREN_EVERY = 10  # samples between two listings of this process's children


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


def children() -> list[int]:
    """The process ids of this process's children (started by any of its threads)."""
    pids = []
    for task in os.scandir("/proc/self/task"):
        try:
            with open(f"{task.path}/children", encoding="ascii") as listing:
                pids += [int(pid) for pid in listing.read().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return pids


def rss_of(pids: list[int]) -> int:
    """The summed resident set size, in bytes, of those processes that are still this process's
    children and run a program of their own.

    A child's number can be reused once it has ended, by a new thread of this very process among
    others (a thread's id is a /proc entry too), so the parent is checked. A child that has not
    yet replaced itself with its program (forked, its command line still this process's) shares
    this process's pages and shows them all as its own: WeasyPrint's import asks gcc and ld
    where its libraries are 22 times, and at 20,000 items each such child read 780 MiB."""
    total = 0
    me = os.getpid()
    own_command = _command_line(me)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
                # After the name in brackets: the state, then the parent's number.
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent != me or _command_line(pid) == own_command:
                continue
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):  # it ended meanwhile
            continue
    return total


def _command_line(pid: int) -> bytes:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read()


@dataclass
class Sampler:
    """Samples the RSS of this process and its children every INTERVAL seconds (the children
    listed again every CHILDREN_EVERY samples); ``peak_between`` answers for any interval."""

    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        kin: list[int] = []
        count = 0
        while not self._stop.is_set():
            if count % CHILDREN_EVERY == 0:
                kin = children()
            count += 1
            self.samples.append((time.perf_counter(), current_rss() + rss_of(kin)))
            self._stop.wait(INTERVAL)

    def peak(self) -> int:
        """The highest RSS sampled so far, this process's and its children's together."""
        return max((rss for _, rss in self.samples), default=current_rss())

    def peak_between(self, start: float, end: float) -> int:
        """The highest RSS sampled between two perf_counter times (and at their edges), this
        process's and its children's together."""
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
