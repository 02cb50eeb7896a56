"""Which trouble is tried again: a feed's or a delivery's trouble that may pass is retried; a 4xx
answer from a feed (but 408 and 429) and a 5xx refusal from an SMTP server are final."""

import smtplib
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import pytest
from prefect.states import Completed, Failed

from briefing.deliver.smtp import (
    DeliveryPlan,
    connect_smtp,
    is_permanent,
    load_delivery_records,
    send_round,
)
from briefing.errors import ConfigurationError, DeliveryError, FetchError
from briefing.settings import SmtpServer
from briefing.sources.feeds import feed_for_url, fetch_feed
from flows.delivery import delivery_may_pass
from flows.stages import trouble_may_pass
from tests.conftest import Mailbox
from tests.feedserver import LIMITS, FeedServer, Route, loopback_client


@pytest.mark.parametrize(
    ("status", "transient"),
    [
        *[(status, False) for status in (400, 401, 403, 404, 410, 451)],
        *[(status, True) for status in (408, 429, 500, 503)],
    ],
)
def test_a_feeds_4xx_answer_is_final_but_408_and_429(
    feed_server: FeedServer, status: int, transient: bool
) -> None:
    """A feed answering 4xx fails for good (not retried); 408, 429 and 5xx may pass."""
    path = f"/status/{status}"
    feed_server.routes[path] = Route(b"no", "text/plain", status=status)
    with loopback_client() as client:
        feed = feed_for_url(feed_server.url(path))
        fetched = fetch_feed(client, feed, limits=LIMITS, allow_private_network=True)
    assert (status, transient) == (fetched.outcome.http_status, fetched.transient)


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (FetchError("HTTP 404 Not Found", http_status=404), False),
        (FetchError("HTTP 503 Service Unavailable", transient=True, http_status=503), True),
        (ValueError("a bug"), False),
    ],
)
def test_only_a_feeds_trouble_that_may_pass_is_retried(error: Exception, retried: bool) -> None:
    """The fetch task's retry condition follows FetchError.transient; a bug is not retried."""
    assert retried == trouble_may_pass(None, None, Failed(data=error))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 No such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (452, b"4.2.2 Mailbox full")}), False),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 Sender refused", "b@example.org"), True),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"), True),
        (smtplib.SMTPDataError(451, b"4.3.0 Try again later"), False),
        (smtplib.SMTPConnectError(554, b"No SMTP service here"), True),
        (smtplib.SMTPConnectError(421, b"Too busy, come back later"), False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_only_a_5xx_reply_makes_a_delivery_failure_permanent(
    error: Exception, permanent: bool
) -> None:
    """RFC 5321's permanent replies (5yz) are final; 4yz replies, lost connections and timeouts
    may pass."""
    assert permanent == is_permanent(error)


@pytest.mark.parametrize(
    ("state", "retried"),
    [
        (Failed(data=DeliveryError("550 5.1.1 No such user", permanent=True)), False),
        (Failed(data=DeliveryError("421 Too busy")), True),
        (Failed(data=ConfigurationError("no SMTP server to deliver through")), False),
        (Completed(data=None), False),
    ],
)
def test_only_a_delivery_failure_that_may_pass_is_retried(state: object, retried: bool) -> None:
    """The delivery task's retry condition: a DeliveryError unless permanent; nothing else."""
    assert retried == delivery_may_pass(None, None, state)  # type: ignore[arg-type]


def test_a_refusing_server_makes_the_delivery_error_permanent(
    refusing_smtp_server: Mailbox, tmp_path: Path
) -> None:
    """A real server's 550 for the recipient: recorded once, raised as a permanent failure."""
    server = SmtpServer(
        host="127.0.0.1",
        port=refusing_smtp_server.port,
        security="none",
        username=None,
        password=None,
        timeout_seconds=10,
    )
    plan = DeliveryPlan(
        recipients=("desk@example.org",),
        sender="briefing@example.org",
        server=server,
        smtp_block=None,
        dry_run=False,
        timeout_seconds=10,
    )
    done = send_round(
        partial(connect_smtp, server),
        tmp_path,
        date(2023, 1, 20),
        plan,
        b"Subject: test\r\n\r\nbody\r\n",
        attempt=1,
        now=lambda: datetime(2023, 1, 20, 7, tzinfo=UTC),
        run_id="r",
    )
    missed = done.missed["desk@example.org"]
    assert (True, "delivery to desk@example.org failed: 550 5.2.2 Mailbox full") == (
        missed.permanent,
        str(missed),
    )
    (record,) = load_delivery_records(tmp_path)
    assert (record.outcome, record.permanent) == ("failed", True)
