"""Memory a stage freed, handed back to the system when the stage ends; and the heap that
exists before a stage, left out of the collector's full collections during it.

Python frees its objects, but glibc's malloc keeps the memory they held in the middle of its
heap, for its own later use: a stage that made and dropped millions of small objects (the
consolidation's word sets, the facts read back from the memory) leaves the process that much
larger for the rest of the run. ``malloc_trim`` returns those free pages. At 20,000 items the
stage peaks of consolidation and rendering fell by about 150 MB (the benchmark's stages run by
a profile script, one run each). Elsewhere than glibc (musl, macOS) there is no such call, and
nothing is done.
"""

import ctypes
import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    return trim


def give_back_freed_memory() -> bool:
    """Return the heap's free pages to the system; whether any were (False without glibc)."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False


def gives_back_freed_memory(stage: Callable[P, R]) -> Callable[P, R]:
    """The stage, followed by ``give_back_freed_memory`` once its own objects are freed."""

    @functools.wraps(stage)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return stage(*args, **kwargs)
        finally:
            give_back_freed_memory()

    return wrapped


@contextmanager
def heap_held_still() -> Iterator[None]:
    """For the block, the objects that exist as it begins are left out of the garbage
    collector's full collections (``gc.freeze``), and put back as it ends (``gc.unfreeze``).
    Used around the stages that make many objects and keep them: reading the feeds, the
    extraction's facts as the workers send them, composing and rendering (also as a decorator).

    Such a stage sets off full collections, and each full collection walks the whole heap: the
    run's imported modules, its documents, facts and edition (1.4 million objects at 20,000
    items, 0.9 s a collection), none of which can become garbage during the stage. Around the
    render stage, a 2,000-item edition's PDF step went from 2.5 to 2.2 s and the seed edition's
    run from 2.6 to 2.1 s (benchmark runs, two each); around compose, its full collections went
    from 0.23 to 0.02 s, the extraction's and the feeds' from 0.17 and 0.07 s (one profiled
    run each). The objects made in the block are collected as usual; those frozen are looked at
    again by the next full collection after it. Inside a block already frozen (by a caller of
    this process), nothing is changed."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
