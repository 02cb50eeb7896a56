"""Memory a stage freed, handed back to the system when the stage ends; the heap that exists
before a stage, left out of the collector's full collections during it; and the PDF's layout,
which the collector looks at once, as it ends, not while it runs.

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
    extraction's facts as the workers send them, composing, rendering and writing the memory
    (also as a decorator).

    Such a stage sets off full collections, and each full collection walks the whole heap: the
    run's imported modules, its documents, facts and edition (1.4 million objects at 20,000
    items, 0.9 s a collection), none of which can become garbage during the stage. Around the
    render stage, a 2,000-item edition's PDF step went from 2.5 to 2.2 s and the seed edition's
    run from 2.6 to 2.1 s (benchmark runs, two each); around compose, its full collections went
    from 0.23 to 0.02 s, the extraction's and the feeds' from 0.17 and 0.07 s, and around the
    memory's write (a full collection of 276,000 objects) its stage from 0.47 to 0.31 s (one
    profiled run each). The objects made in the block are collected as usual; those frozen are
    looked at again by the next full collection after it. Inside a block already frozen (by a
    caller of this process), nothing is changed."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def collects_once_after(step: Callable[P, R]) -> Callable[P, R]:
    """The step with the garbage collector off while it runs, and one collection of the
    youngest generation once it has returned, which holds every object the step made: the
    cycles it left (its layout's, once unreferenced) are freed there, in the step.

    WeasyPrint's layout and writing keep their boxes and styles alive until the document is
    let go, and leave about 145,000 objects in cycles: each collection while they run (some
    450 young ones and a full one, which the objects surviving them set off, 0.06-0.3 s at
    20,000 items) walks objects still in use. One collection at the end looks at each object
    once. The PDF step at 20,000 items (its print HTML, one layout, the writing): collections
    0.11-0.14 -> 0.05-0.08 s, the step 1.96 -> 1.83 s (standalone, runs alternated); in the
    benchmark's larger process, 0.28 s of collections before and 0.155 s for the end's one
    after. The process is 9 MB larger before the end's collection than with the collector on.
    Most of what that collection frees (117,000 objects) is the layout's own leftovers, which
    young collections freed during it before; the document's own cycles are 14,000 more, left
    to a later collection before. Keeping young collections and stopping only full ones
    cost more (0.18-0.19 s, one at the end over what survived). Inside a caller that turned
    the collector off, nothing is changed."""

    @functools.wraps(step)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return step(*args, **kwargs)
        gc.disable()
        try:
            return step(*args, **kwargs)
        finally:
            gc.enable()
            gc.collect(0)

    return wrapped
