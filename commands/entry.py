"""The `briefing` command as installed: `briefing run` starts its temporary Prefect server before
anything else, then the command line (``commands.cli``) takes over.

The server's boot (4-5 s on 2 cores) is most of `make briefing`; begun here, it runs on the other
core while the run imports its modules and Prefect and checks its settings (1.5 s), instead of
after. A run that turns out not to need it (a server named in Prefect's profile, a refused
option or setting) stops it before it ends; a run with PREFECT_API_URL in its environment, or
asked for --help, never starts one. A stop signal in those first moments waits for the run's
handlers, and then stops the run as it would later: its line, exit code 128 + the signal, the
server stopped.
"""

import os
import sys
from collections.abc import Mapping


def main() -> None:
    """Run the command line, with `briefing run`'s temporary server started first; a stop
    signal is held from then until the run's handlers are installed (``commands.cli.run``),
    and the server (started before, so as not to inherit the block) is stopped with the run."""
    if wants_temporary_server(sys.argv[1:], os.environ):
        from commands.stopping import hold_stop_signals
        from commands.temporary_server import start_early

        start_early()
        hold_stop_signals()
    from commands.cli import app

    app()


def wants_temporary_server(args: list[str], environment: Mapping[str, str]) -> bool:
    """Whether these arguments run an edition that will start a temporary server: `run`,
    without --help, and no PREFECT_API_URL in the environment."""
    return args[:1] == ["run"] and "--help" not in args and not environment.get("PREFECT_API_URL")
