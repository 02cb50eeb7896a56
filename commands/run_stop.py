"""What `briefing run` does when stopped: the line it prints, its temporary server stopped, and
the servers that killed runs left, stopped by the next run (``commands.stopping`` catches the
signals; ``commands.server_records`` keeps the record of each temporary server)."""

import os
import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.edition import EditionPlan
from briefing.errors import BriefingError
from briefing.store import load_edition_manifest, manifest_path
from commands.stopping import RunStopped

if TYPE_CHECKING:
    from commands.temporary_server import TemporaryServer


def describe_stop(
    stopped: RunStopped, out_dir: Path, edition_date: date, started_at: datetime
) -> str:
    """One line: which signal stopped the run started at ``started_at``, and what of its edition
    is in the output folder (written as a whole or not at all: see ``briefing.store.files``)."""
    edition = f"the edition of {edition_date.day} {edition_date:%B %Y}"
    try:
        manifest = load_edition_manifest(out_dir, edition_date)
    except BriefingError:
        if manifest_path(out_dir, edition_date).exists():
            return (
                f"Stopped by {stopped.signal_name} while replacing {edition} in {out_dir}: "
                "the next run of that date completes or replaces it."
            )
    else:
        if manifest.written_at >= started_at:
            return (
                f"Stopped by {stopped.signal_name} after writing {edition} to {out_dir}; "
                "what comes after (the memory's record of it, the email) may not have been "
                "done: run it again to finish."
            )
    return (
        f"Stopped by {stopped.signal_name} before {edition} was written: the files of that "
        f"date in {out_dir}, if any, are an earlier run's, as they were."
    )


class Stopping:
    """What a stop signal does to `briefing run`, once its flow has started."""

    def __init__(
        self,
        plan: EditionPlan,
        server: "TemporaryServer | None",
        started_at: datetime,
        notify: Callable[[str], None],
    ) -> None:
        self.plan, self.server, self.started_at = plan, server, started_at
        self.notify = notify
        self._said = False
        self._saying = threading.Lock()

    def say(self, stopped: RunStopped) -> None:
        """Print the one line saying so, once, whether the main thread or the watcher comes
        first."""
        with self._saying:
            if self._said:
                return
            self._said = True
            try:
                message = describe_stop(
                    stopped, self.plan.out_dir, self.plan.edition_date, self.started_at
                )
            except OSError:  # the output folder cannot be read: say what is known
                message = f"Stopped by {stopped.signal_name}."
            with suppress(OSError):  # no terminal left to say it to (after a SIGHUP, say)
                self.notify(message)

    def force(self, stopped: RunStopped) -> None:
        """The watcher's stop, when the flow's way out is held up: say so, stop the temporary
        server, and end the process now."""
        self.say(stopped)
        if self.server is not None:
            self.server.stop_now()
        os._exit(stopped.exit_code)


def prepare_temporary_server(notify: Callable[[str], None]) -> "TemporaryServer | None":
    """Stop the temporary Prefect servers that killed runs left (one line for each), then, when
    no PREFECT_API_URL names a server, the temporary server this run will start: the one
    started early (``commands.entry``) if there is one, else a new one (not started). An early
    server the run does not need is stopped."""
    from prefect.settings import get_current_settings

    from commands.server_records import records_folder, stop_stale_servers
    from commands.temporary_server import TemporaryServer, take_early

    settings = get_current_settings()
    records = records_folder(settings.home)
    early = take_early()
    for stale in stop_stale_servers(records):
        notify(
            f"Stopped a temporary Prefect server left running by a run that ended without "
            f"stopping it: pid {stale.server.pid}, port {stale.port} (the run was pid "
            f"{stale.run.pid})."
        )
    if settings.api.url:
        if early is not None:
            early.stop()
        return None
    if early is None:
        return TemporaryServer(records=records)
    early.keep_records_in(records)
    return early
