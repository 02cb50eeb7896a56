"""The installed `briefing` command: which invocations start a temporary server first."""

import pytest

from commands.entry import wants_temporary_server


@pytest.mark.parametrize(
    ("args", "environment", "starts"),
    [
        (["run"], {}, True),
        (["run", "--date", "2023-01-27", "--no-seeds"], {"PREFECT_API_URL": ""}, True),
        (["run", "--help"], {}, False),
        (["run"], {"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, False),
        (["evaluate"], {}, False),
        (["memory", "upgrade"], {}, False),
        ([], {}, False),
    ],
)
def test_only_a_run_without_a_named_server_starts_one_first(
    args: list[str], environment: dict[str, str], starts: bool
) -> None:
    """`briefing run` starts its temporary server first unless PREFECT_API_URL names a server
    or it is asked for its help; no other command starts one."""
    assert starts == wants_temporary_server(args, environment)
