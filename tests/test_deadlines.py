"""One wall-clock deadline per feed fetch and per SMTP attempt, against servers on 127.0.0.1 that
answer one byte at a time: each byte comes well within every per-operation timeout, so only the
deadline can end the wait."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import pytest

from briefing.deliver.smtp import DeliveryPlan, connect_smtp, load_delivery_records, send_round
from briefing.settings import SmtpServer
from briefing.sources.feeds import FeedConfig, fetch_feed
from briefing.sources.fetch import FetchLimits
from tests.feedserver import loopback_client

DEADLINE = 2.0
DRIBBLE_EVERY = 0.5  # seconds between bytes: a quarter of the deadline, half the read timeout
HTTP_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 7\r\n\r\n<rss/>\n"
)


@contextmanager
def dribbling_server(answer: bytes, every: float, at_once: bytes = b"") -> Iterator[int]:
    """A TCP server on 127.0.0.1 that sends each client `at_once`, then the answer one byte
    every `every` seconds, reading nothing, until the client hangs up; yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # so that the accepting thread sees the stop soon
    stop = threading.Event()

    def dribble(connection: socket.socket) -> None:
        with connection:
            connection.sendall(at_once)
            for byte in answer:
                if stop.wait(every):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:  # the client hung up: what the deadline is for
                    return

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(None)
            threading.Thread(target=dribble, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.mark.slow
def test_a_feed_whose_headers_come_one_byte_at_a_time_fails_at_the_deadline() -> None:
    """Status line and headers count against the deadline: the fetch fails with "deadline of 2 s
    exceeded", as trouble that may pass, instead of lasting as long as the server dribbles."""
    limits = FetchLimits(connect_timeout=1.0, read_timeout=1.0, deadline=DEADLINE)
    with dribbling_server(HTTP_ANSWER, DRIBBLE_EVERY) as port, loopback_client() as client:
        feed = FeedConfig(name="dribbler", url=f"http://127.0.0.1:{port}/feed.xml")
        fetched = fetch_feed(client, feed, limits=limits, allow_private_network=True)
    # The whole answer takes len(HTTP_ANSWER) * DRIBBLE_EVERY = 41 s to arrive: only the
    # deadline can end the fetch with this reason (before, it failed as "Server disconnected").
    assert ("failed", "deadline of 2 s exceeded", True) == (
        fetched.outcome.status,
        (fetched.outcome.reason or "")[: len("deadline of 2 s exceeded")],
        fetched.transient,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("at_once", "dribbled"),
    [
        (b"", b"220 dribbler.example.org ESMTP ready\r\n"),
        (b"220 dribbler.example.org ESMTP ready\r\n", b"250-dribbler.example.org\r\n250 OK\r\n"),
    ],
    ids=["greeting", "reply to EHLO"],
)
def test_an_smtp_server_answering_one_byte_a_second_fails_the_attempt_at_the_deadline(
    at_once: bytes, dribbled: bytes, tmp_path: Path
) -> None:
    """Each byte comes within the socket timeout, yet the attempt ends at its deadline
    (BRIEFING_SMTP_TIMEOUT_SECONDS), whether the server dribbles its greeting (while connecting)
    or its reply to EHLO (while sending), and the failure says "deadline of 2 s exceeded"."""
    folder = tmp_path
    with dribbling_server(dribbled, 1.0, at_once) as port:
        server = SmtpServer(
            host="127.0.0.1",
            port=port,
            security="none",
            username=None,
            password=None,
            timeout_seconds=DEADLINE,
        )
        delivery = DeliveryPlan(
            recipients=("b@example.org",), sender="a@example.org", server=server,
            smtp_block=None, dry_run=False, timeout_seconds=DEADLINE,
        )  # fmt: skip
        done = send_round(
            partial(connect_smtp, server), folder, date(2023, 1, 20), delivery, b"body",
            attempt=1, now=partial(datetime.now, UTC), run_id="run",
        )  # fmt: skip
    # The dribbled part alone takes 38 s (greeting) or 32 s (EHLO reply) to arrive; only the
    # attempt's deadline ends it with this reason (speed is for benchmarks, not asserted here).
    (record,) = load_delivery_records(folder)
    assert ("failed", True, False) == (
        record.outcome,
        record.detail.startswith("deadline of 2 s exceeded"),
        done.missed["b@example.org"].permanent,
    )
