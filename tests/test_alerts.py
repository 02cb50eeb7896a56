"""The operator's alert relay (commands/alerts.py): what it answers, and what it writes."""

from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import httpx
import pytest

from commands.alerts import TOKEN_HEADER, _handler, describe_run
from tests.feedserver import running

TOKEN = "t" * 32


@pytest.fixture
def relay() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The relay on a free loopback port, its deliveries recorded instead of mailed."""
    sent: list[tuple[str, str]] = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(TOKEN, lambda run, event: sent.append((run, event)))
    )
    with running(server) as address:
        yield address, sent


def test_only_the_servers_post_with_the_token_is_relayed(
    relay: tuple[str, list[tuple[str, str]]],
) -> None:
    """Without the token, another path or a GET: 404; a body that is no alert: 400; the
    Prefect server's payload: relayed, with the run's id."""
    url, sent = relay
    good = {"resource": "prefect.flow-run.0a1b", "event": "prefect.flow-run.Failed"}
    with httpx.Client(base_url=url, timeout=10) as client:
        codes = [
            client.post("/alert", json=good).status_code,
            client.post("/alert", json=good, headers={TOKEN_HEADER: "wrong"}).status_code,
            client.post("/other", json=good, headers={TOKEN_HEADER: TOKEN}).status_code,
            client.get("/alert", headers={TOKEN_HEADER: TOKEN}).status_code,
            client.post("/alert", content=b"{", headers={TOKEN_HEADER: TOKEN}).status_code,
            client.post("/alert", json=good, headers={TOKEN_HEADER: TOKEN}).status_code,
        ]
    assert ([404, 404, 404, 404, 400, 204], [("0a1b", "prefect.flow-run.Failed")]) == (
        codes,
        sent,
    )


def test_the_alert_says_what_happened_to_which_run_and_links_it() -> None:
    """A late run: 'did not start on time', its expected start and its page in the UI."""
    run = {
        "id": "0a1b",
        "name": "calm-otter",
        "expected_start_time": "2026-12-07T07:00:00+09:00",
        "state": {"name": "Late", "message": None},
    }
    subject, body = describe_run(run, "prefect.flow-run.Late", "http://127.0.0.1:4200")
    assert "Briefing run calm-otter did not start on time" == subject
    assert "Expected to start: 2026-12-07T07:00:00+09:00" in body
    assert "Run: http://127.0.0.1:4200/runs/flow-run/0a1b" in body
