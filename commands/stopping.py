"""Stopping `briefing run` on SIGTERM, SIGINT or SIGHUP: promptly, its temporary server with it.

Python's default for SIGTERM and SIGHUP ends the process at once, skipping ``atexit``, where
Prefect stops its temporary server; and while a flow runs, Prefect turns SIGTERM into a crash of
the run, then sends it again to that default. So, for the block of ``stopped_by_signals``:

- the first stop signal raises ``RunStopped`` in the main thread (for SIGTERM during the flow,
  once Prefect has recorded the crash and handed the signal on): the flow ends through Prefect's
  own shutdown path and the process exits through ``atexit``, which stops the server;
- that path waits for a task still running in a worker thread (a feed that stalls, until its
  deadline), so a watcher thread, which sees every signal arrive (``signal.set_wakeup_fd``)
  whichever handler is installed, calls ``force_stop`` GRACE_SECONDS after the first stop signal
  if the process is still there, or at once on a second one.

Once a stop signal has come the handlers and the watcher stay: the process is on its way out.
"""

import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import BinaryIO

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_SECONDS = 5.0  # the shutdown path takes about a second when no task holds it up


class RunStopped(BaseException):
    """A stop signal came: a BaseException, so Prefect records the run as crashed (not failed:
    no retry, no failure hook) and no ``except Exception`` on the way out swallows it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {self.signal_name}")

    @property
    def signal_name(self) -> str:
        """The signal's name, such as SIGTERM."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """What a shell shows for a process a signal ended: 128 plus the signal's number."""
        return 128 + self.signum


@contextmanager
def stopped_by_signals(
    force_stop: Callable[[RunStopped], None], grace: float = GRACE_SECONDS
) -> Iterator[None]:
    """For the block, a stop signal raises RunStopped in the main thread, and ``force_stop`` is
    called from another thread if the process still runs ``grace`` seconds later or at a second
    stop signal (it should end the process)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can have signal handlers
        return
    stops: list[int] = []

    def raise_stopped(signum: int, _frame: FrameType | None) -> None:
        if not stops:  # later ones are the watcher's
            stops.append(signum)
            if _HELD.holding:  # raised as the held block ends
                _HELD.signal = signum
                return
            raise RunStopped(signum)

    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)  # a signal handler must never block
    handlers = {number: signal.signal(number, raise_stopped) for number in STOP_SIGNALS}
    wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    watcher = threading.Thread(
        target=_watch, args=(read_end, force_stop, grace), name="stop-watcher", daemon=True
    )
    watcher.start()
    try:
        yield
    finally:
        if not stops:
            signal.set_wakeup_fd(wakeup)
            for number, handler in handlers.items():
                signal.signal(number, handler)
            os.close(write_end)  # the watcher reads the end of the pipe, and returns
            watcher.join()


class _Held:
    """Whether stop signals are held (``stops_held``), and the first one that came meanwhile."""

    def __init__(self) -> None:
        self.holding = False
        self.signal: int | None = None


_HELD = _Held()


@contextmanager
def stops_held() -> Iterator[None]:
    """For the block, a stop signal is noted, not raised, and raised as RunStopped as the block
    ends. For work that must not be cut midway: raised inside an import, RunStopped came out
    wrapped in another error (Prefect's settings, serialised by pydantic, made it a
    PydanticSerializationError), not as a stop. Only around short work: a stop waits for the
    block (the watcher's grace still runs from the signal)."""
    if threading.current_thread() is not threading.main_thread() or _HELD.holding:
        yield
        return
    _HELD.holding, _HELD.signal = True, None
    try:
        yield
    finally:
        _HELD.holding = False
    if _HELD.signal is not None:
        raise RunStopped(_HELD.signal)


def hold_stop_signals() -> None:
    """Block the stop signals in this thread (and what it starts from now on) until
    ``release_stop_signals``: one that comes meanwhile waits, pending, and arrives then. For
    `briefing run`'s first moments, before its handlers are installed (``commands.entry``):
    a stop signal then would kill the run without its line or exit code, or leave its early
    server to the next run."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def release_stop_signals() -> None:
    """Unblock the stop signals: one pending arrives now, at the handlers installed by then."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _watch(read_end: int, force_stop: Callable[[RunStopped], None], grace: float) -> None:
    """Call force_stop when the grace after the first stop signal runs out, or at the second;
    return when the pipe is closed before."""
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        first = _first_stop(pipe, grace)
    if first is not None:
        force_stop(RunStopped(first))


def _first_stop(pipe: BinaryIO, grace: float) -> int | None:
    """The first stop signal read from the wakeup pipe, once the grace after it has run out or
    a second one came; None if the pipe was closed before any."""
    first: int | None = None
    deadline = 0.0
    while True:
        timeout = None if first is None else max(0.0, deadline - time.monotonic())
        if not select.select([pipe], [], [], timeout)[0]:
            return first  # the grace has run out
        received = pipe.read(64)
        if not received:
            return None
        for number in received:
            if number not in STOP_SIGNALS:
                continue
            if first is not None:
                return first
            first, deadline = number, time.monotonic() + grace
