"""Stop signals inside `stopped_by_signals`: RunStopped in the main thread, and the watcher's
forced stop when the way out is held up, or at a second signal. Each case is a small Python
process of its own, so that no handler is left in the test process; and the line a stopped run
prints, from what its output folder holds."""

import hashlib
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from briefing.store import EditionManifest, manifest_path
from commands.run_stop import describe_stop
from commands.stopping import RunStopped

SCRIPT = """
import os, signal, sys, time
from commands.stopping import RunStopped, stopped_by_signals

def force_stop(stopped):
    print("forced", stopped.signal_name, flush=True)
    os._exit(stopped.exit_code)

try:
    with stopped_by_signals(force_stop, grace={grace}):
        for name in {signals}:
            os.kill(os.getpid(), getattr(signal, name))
        time.sleep(30)
except RunStopped as stopped:
    print("raised", stopped.signal_name, flush=True)
    {after}
print("ended", flush=True)
"""


def run_script(grace: float, signals: list[str], after: str = "pass") -> tuple[int, list[str]]:
    """Run the script: it sends itself the signals inside the block, then does ``after`` with
    the RunStopped it caught; its exit code and the lines it printed."""
    script = textwrap.dedent(SCRIPT).format(grace=grace, signals=signals, after=after)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    return done.returncode, done.stdout.splitlines()


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_stop_signal_raises_run_stopped_in_the_main_thread(name: str) -> None:
    """The first stop signal interrupts the main thread's wait with RunStopped; once the process
    is on its way out, no forced stop is needed."""
    assert (0, [f"raised {name}", "ended"]) == run_script(grace=30, signals=[name])


def test_the_watcher_forces_the_stop_when_the_way_out_is_held_up() -> None:
    """When the main thread is held after RunStopped (as by a task that waits out a feed's
    deadline), force_stop is called once the grace has run out, and ends the process."""
    assert (143, ["raised SIGTERM", "forced SIGTERM"]) == run_script(
        grace=0.5, signals=["SIGTERM"], after="time.sleep(30)"
    )


def test_a_second_stop_signal_forces_the_stop_at_once() -> None:
    """A second signal (a second Ctrl-C) does not wait for the grace: force_stop is called
    with the first signal, and the main thread sees only one RunStopped."""
    assert (130, ["raised SIGINT", "forced SIGINT"]) == run_script(
        grace=30, signals=["SIGINT"], after="os.kill(os.getpid(), signal.SIGTERM); time.sleep(30)"
    )


def test_no_signal_leaves_the_handlers_as_they_were() -> None:
    """A block that ends without a stop signal puts the handlers back and stops the watcher:
    SIGTERM then ends the process as it always does."""
    script = textwrap.dedent("""
        import os, signal, threading
        from commands.stopping import stopped_by_signals
        before = [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)]
        with stopped_by_signals(lambda stopped: None):
            pass
        after = [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)]
        print(before == after, threading.active_count(), flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (-15, "True 1\n") == (done.returncode, done.stdout)


STARTED = datetime(2023, 1, 27, 7, 0, tzinfo=UTC)
EDITION = date(2023, 1, 27)


def write_edition_files(out: Path, written_at: datetime, *, whole: bool = True) -> None:
    """An edition's PDF and its manifest, as a run at ``written_at`` leaves them; with whole
    false, the PDF in place is not the one the manifest names (a replacement stopped half way)."""
    out.mkdir(exist_ok=True)
    pdf = b"%PDF-1.7 the edition"
    (out / "briefing-2023-01-27.pdf").write_bytes(pdf if whole else b"%PDF-1.7 an earlier one")
    manifest = EditionManifest(
        edition_date=EDITION,
        run_id="run",
        written_at=written_at,
        files={"briefing-2023-01-27.pdf": hashlib.sha256(pdf).hexdigest()},
    )
    manifest_path(out, EDITION).write_text(manifest.model_dump_json(), encoding="utf-8")


def test_a_run_stopped_before_writing_says_the_folder_is_as_it_was(tmp_path: Path) -> None:
    """No edition of the date, or an earlier run's: the line says this run wrote nothing."""
    write_edition_files(tmp_path / "earlier", STARTED - timedelta(days=1))
    assert [
        f"Stopped by SIGTERM before the edition of 27 January 2023 was written: the files of "
        f"that date in {folder}, if any, are an earlier run's, as they were."
        for folder in (tmp_path / "none", tmp_path / "earlier")
    ] == [
        describe_stop(RunStopped(15), folder, EDITION, STARTED)
        for folder in (tmp_path / "none", tmp_path / "earlier")
    ]


def test_a_run_stopped_after_writing_says_so(tmp_path: Path) -> None:
    """The edition in place was written by this run (after it started): the line says what may
    not have been done after it."""
    write_edition_files(tmp_path, STARTED + timedelta(seconds=30))
    assert (
        f"Stopped by SIGHUP after writing the edition of 27 January 2023 to {tmp_path}; what "
        "comes after (the memory's record of it, the email) may not have been done: run it "
        "again to finish."
    ) == describe_stop(RunStopped(1), tmp_path, EDITION, STARTED)


def test_a_run_stopped_while_replacing_the_edition_says_the_next_run_finishes(
    tmp_path: Path,
) -> None:
    """Files in place that the manifest does not match: the line says the next run of the date
    completes the replacement."""
    write_edition_files(tmp_path, STARTED + timedelta(seconds=30), whole=False)
    assert (
        f"Stopped by SIGINT while replacing the edition of 27 January 2023 in {tmp_path}: the "
        "next run of that date completes or replaces it."
    ) == describe_stop(RunStopped(2), tmp_path, EDITION, STARTED)


HELD = """
import os, signal, time
from commands.stopping import RunStopped, stopped_by_signals, stops_held

try:
    with stopped_by_signals(lambda stopped: os._exit(99), grace=30):
        with stops_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)  # the handler has run by now, and only noted the stop
            print("held through", flush=True)
        print("not reached", flush=True)
except RunStopped as stopped:
    print("raised", stopped.signal_name, flush=True)
"""


def test_a_stop_signal_inside_stops_held_is_raised_as_the_block_ends() -> None:
    """Inside ``stops_held`` (imports that a RunStopped raised midway would come out of as
    another error), the stop waits for the block's end and is raised then, once."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(HELD)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (0, ["held through", "raised SIGINT"]) == (done.returncode, done.stdout.splitlines())
