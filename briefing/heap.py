"""Memory a stage freed, handed back to the system when the stage ends.

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
from collections.abc import Callable
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
