"""Memory a stage freed goes back to the system when the stage ends (``briefing.heap``)."""

from dataclasses import replace
from datetime import date

import pytest

from briefing import edition
from briefing.edition import build_plan
from briefing.heap import give_back_freed_memory, gives_back_freed_memory
from briefing.models import Briefing
from briefing.settings import Settings
from briefing.topic import Topic


def test_freed_memory_goes_back_to_the_system() -> None:
    """Blocks freed below one still held leave pages only a trim hands back (glibc, as here)."""
    made = [bytearray(2000) for _ in range(20_000)]  # 40 MB from malloc's heap
    held = bytearray(2000)
    del made
    assert give_back_freed_memory()
    assert 2000 == len(held)


def test_a_stage_gives_back_after_it_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The call comes once the stage has returned its value (its own objects freed), and also
    when it raised; the stages of an edition that free the most are wrapped."""
    calls: list[str] = []
    monkeypatch.setattr("briefing.heap.give_back_freed_memory", lambda: calls.append("trim"))

    @gives_back_freed_memory
    def stage(fail: bool) -> str:
        calls.append("stage")
        if fail:
            raise ValueError("broken")
        return "done"

    assert "done" == stage(False)
    with pytest.raises(ValueError, match="broken"):
        stage(True)
    assert ["stage", "trim", "stage", "trim"] == calls
    for name in ("load_and_extract", "compose_edition", "render_edition", "write_to_memory"):
        assert hasattr(getattr(edition, name), "__wrapped__"), name


def test_the_heap_is_held_still_for_the_block_and_put_back_after() -> None:
    """Objects that exist as the block begins are frozen for it (full collections skip them),
    objects made inside are not, and every one is the collector's again after; inside a block
    a caller already froze, nothing is changed."""
    import gc

    from briefing.heap import heap_held_still

    before = gc.get_freeze_count()
    with heap_held_still():
        inside = gc.get_freeze_count()
        made = [[] for _ in range(1000)]  # noqa: F841 - new objects, not frozen
        with heap_held_still():
            nested = gc.get_freeze_count()
    after = gc.get_freeze_count()
    # Frozen objects still go when nothing refers to them (the count may fall); 1,000 new
    # objects frozen by the inner block would raise it.
    assert (0, True, True, 0) == (before, inside > 0, nested <= inside, after)


def test_the_stages_that_make_many_objects_run_with_the_heap_held_still(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the feeds, extracting, composing and writing the memory each run with the heap
    that existed before them frozen (rendering too: its own test), so their full collections
    walk only the objects they made."""
    import gc
    from contextlib import nullcontext
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from briefing.edition import facts, gather, keep, make

    frozen: dict[str, bool] = {}

    def seen(name: str, value: object) -> object:
        def inner(*_args: object, **_kwargs: object) -> object:
            frozen[name] = gc.get_freeze_count() > 0
            return value

        return inner

    monkeypatch.setattr(gather, "select_from_feeds", seen("select", []))
    monkeypatch.setattr(facts, "extract_edition", seen("extract", facts.Extracted(())))
    monkeypatch.setattr(make, "compose_briefing", seen("compose", None))
    monkeypatch.setattr(keep, "memory_at", lambda _url: nullcontext())
    monkeypatch.setattr(keep, "write_memory", seen("remember", None))
    plan = replace(build_plan(Settings(), today=date(2025, 6, 16)), database_url=None)
    topic = Topic.model_construct()
    gather.select_news(plan, topic, [])
    facts.load_and_extract(plan, topic, [])
    make.compose_edition(plan, topic, [], [], versions={})
    selection = SimpleNamespace(items=(), article_copies={})
    keep.write_to_memory(
        replace(plan, database_url="sqlite://"),
        Briefing.model_construct(),
        selection,  # type: ignore[arg-type]
        [],
        facts.Extracted(()),
        run_id="run",
        written_at=datetime(2025, 6, 16, tzinfo=UTC),
    )
    assert {"select": True, "extract": True, "compose": True, "remember": True} == frozen
    assert 0 == gc.get_freeze_count()


def test_a_step_that_collects_once_after_runs_without_collections_and_frees_its_cycles() -> None:
    """While the step runs the collector is off (no collection however much it makes); once it
    returns, or raises, the collector is on again and the cycles the step made and let go are
    already freed; inside a caller that turned the collector off, it stays off."""
    import gc
    import weakref

    from briefing.heap import collects_once_after

    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector frees it

    seen: list[tuple[bool, int]] = []
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    @collects_once_after
    def step(fail: bool) -> weakref.ref[Node]:
        gc.callbacks.append(count)
        try:
            made = [[[]] for _ in range(50_000)]  # far past the youngest generation's 700
            seen.append((gc.isenabled(), len(collections)))
            del made
        finally:
            gc.callbacks.remove(count)
        if fail:
            raise ValueError("broken")
        return weakref.ref(Node())

    left = step(False)
    with pytest.raises(ValueError, match="broken"):
        step(True)
    enabled_after = gc.isenabled()
    gc.disable()
    try:
        kept = step(False)
        inside_off = (kept() is not None, gc.isenabled())
    finally:
        gc.enable()
    assert ([(False, 0)] * 3, None, True, (True, False)) == (
        seen,
        left(),
        enabled_after,
        inside_off,
    )
