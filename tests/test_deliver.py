"""Tests for briefing.deliver.smtp: SMTP through a real server on 127.0.0.1, records, the plan."""

import logging
import smtplib
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from briefing.deliver.mail import addressed
from briefing.deliver.smtp import (
    MAX_RECIPIENTS,
    DeliveryAttempt,
    DeliveryLog,
    DeliveryPlan,
    Round,
    connect_smtp,
    describe_failure,
    describe_missed,
    load_delivery_log,
    load_delivery_records,
    plan_delivery,
    send_round,
    served,
    write_delivery_record,
    write_message,
)
from briefing.errors import ConfigurationError
from briefing.settings import Settings, SmtpServer
from tests.conftest import Mailbox, free_port, serve_smtp

DATA = b"From: briefing@example.org\r\nTo: desk@example.org\r\nSubject: test\r\n\r\nbody\r\n"


def plain_server(port: int) -> SmtpServer:
    """Settings for an unencrypted SMTP server on 127.0.0.1."""
    return SmtpServer(
        host="127.0.0.1",
        port=port,
        security="none",
        username=None,
        password=None,
        timeout_seconds=10,
    )


def test_a_server_that_is_down_raises_connection_refused() -> None:
    """Nothing listening on the port: the connection is refused, described by its error."""
    with pytest.raises(ConnectionRefusedError) as caught:
        connect_smtp(plain_server(free_port()))
    assert "ConnectionRefusedError: Connection refused" == describe_failure(caught.value)


def attempt(recipient: str, number: int, run_id: str) -> DeliveryAttempt:
    """A failed attempt with fixed time and detail."""
    return DeliveryAttempt(
        edition_date=date(2023, 1, 20),
        recipient=recipient,
        attempt=number,
        at=datetime(2023, 1, 20, 7, 0, number, tzinfo=UTC),
        outcome="failed",
        via="SMTP 127.0.0.1:25 (none)",
        detail="421 try later",
        run_id=run_id,
    )


def test_delivery_records_are_appended_and_read_back_per_run(tmp_path: Path) -> None:
    """Attempts append to deliveries.jsonl; reading back by run gives that run's, in order."""
    records = [attempt("a@example.org", 1, "run-1"), attempt("b@example.org", 1, "run-2")]
    records.append(attempt("a@example.org", 2, "run-1"))
    for record in records:
        write_delivery_record(tmp_path, record)
    assert [records[0], records[2]] == load_delivery_records(tmp_path, "run-1")
    assert records == load_delivery_records(tmp_path)


def test_a_torn_last_record_is_skipped_and_reported_and_the_next_one_is_whole(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash tore the log's last record mid-line: the next record is appended on a line of its
    own, both whole records load back, and the torn line is reported by number, not raised."""
    first, second = attempt("a@example.org", 1, "run-1"), attempt("a@example.org", 2, "run-2")
    write_delivery_record(tmp_path, first)
    torn = second.model_dump_json().encode()[:40]
    with (tmp_path / "deliveries.jsonl").open("ab") as stream:
        stream.write(torn)
    write_delivery_record(tmp_path, second)
    with caplog.at_level(logging.WARNING, logger="briefing.deliver.smtp"):
        records = load_delivery_records(tmp_path)
    lines = (tmp_path / "deliveries.jsonl").read_bytes().split(b"\n")
    assert [first, second] == records
    assert DeliveryLog([second], [2]) == load_delivery_log(tmp_path, "run-2")
    assert torn == lines[1]
    assert [
        f"{tmp_path / 'deliveries.jsonl'}: skipped line 2, not a delivery record "
        "(torn by a crash while being written?); the other records are read"
    ] == caplog.messages


def test_a_torn_record_cut_inside_a_character_is_skipped_too(tmp_path: Path) -> None:
    """A tear through a multi-byte character leaves bytes that are not UTF-8: that line alone
    is skipped."""
    record = attempt("a@example.org", 1, "run-1").model_copy(update={"detail": "421 échec"})
    data = record.model_dump_json().encode("utf-8")
    cut = data.index("é".encode()) + 1
    (tmp_path / "deliveries.jsonl").write_bytes(data[:cut])
    write_delivery_record(tmp_path, record)
    assert DeliveryLog([record], [1]) == load_delivery_log(tmp_path)


def test_write_message_writes_the_dated_eml(tmp_path: Path) -> None:
    """A dry run's message is written as briefing-DATE.eml with exactly the message's bytes."""
    path = write_message(tmp_path, date(2023, 1, 20), DATA)
    assert (tmp_path / "briefing-2023-01-20.eml", DATA) == (path, path.read_bytes())


def settings(**values: object) -> Settings:
    """Settings with the given values and nothing from the environment's BRIEFING_SMTP_*."""
    base: dict[str, object] = {"smtp_from": "briefing@example.org", "smtp_host": "127.0.0.1"}
    return Settings.model_validate({**base, **values})


def test_the_plan_merges_configured_and_run_recipients() -> None:
    """Recipients are the configured ones, then the run's, each once; the server from settings."""
    plan = plan_delivery(
        settings(email_recipients="desk@example.org, analyst@example.net", smtp_security="ssl"),
        ["Desk@example.org", "chief@example.jp"],
        smtp_block=None,
        dry_run=False,
    )
    assert ("desk@example.org", "analyst@example.net", "chief@example.jp") == plan.recipients
    assert "SMTP 127.0.0.1:465 (ssl)" == plan.via()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "no recipients"),
        ({"email_recipients": "desk@example.org", "smtp_from": None}, "BRIEFING_SMTP_FROM"),
        ({"email_recipients": "desk@example.org", "smtp_host": None}, "no SMTP server"),
    ],
)
def test_the_plan_says_what_is_missing(values: dict[str, object], message: str) -> None:
    """No recipients, no From address or no server: refused before any work, saying which."""
    with pytest.raises(ConfigurationError, match=message):
        plan_delivery(settings(**values), [], smtp_block=None, dry_run=False)


def test_a_dry_run_or_a_block_needs_no_smtp_settings() -> None:
    """Without BRIEFING_SMTP_HOST, a dry run or a named block still makes a plan."""
    configured = settings(email_recipients="desk@example.org", smtp_host=None)
    plans = [
        plan_delivery(configured, [], smtp_block=None, dry_run=True),
        plan_delivery(configured, [], smtp_block="mail-relay", dry_run=False),
    ]
    assert ["dry run (.eml file)", "prefect-email block 'mail-relay'"] == [p.via() for p in plans]


def test_a_malformed_configured_recipient_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """BRIEFING_EMAIL_RECIPIENTS with a display name fails settings validation, naming it."""
    monkeypatch.setenv("BRIEFING_EMAIL_RECIPIENTS", "desk@example.org, Jane <jane@example.org>")
    with pytest.raises(ValueError, match="is not an email address"):
        Settings()


def plan_for(port: int, recipients: tuple[str, ...]) -> DeliveryPlan:
    """A delivery to these recipients through the plain server on 127.0.0.1 at ``port``."""
    return DeliveryPlan(
        recipients=recipients,
        sender="briefing@example.org",
        server=plain_server(port),
        smtp_block=None,
        dry_run=False,
        timeout_seconds=10,
    )


EVERYONE = tuple(f"reader{n}@example.org" for n in range(6))
MESSAGE = b"Subject: Briefing\r\nFrom: briefing@example.org\r\n\r\nThe edition.\r\n"


def a_round(
    folder: Path, plan: DeliveryPlan, connect: Callable[[], smtplib.SMTP], attempt: int = 1
) -> Round:
    return send_round(
        connect, folder, date(2023, 1, 20), plan, MESSAGE,
        attempt=attempt, now=lambda: datetime(2023, 1, 20, 7, tzinfo=UTC), run_id="run",
    )  # fmt: skip


def test_each_recipient_gets_a_copy_addressed_to_them_alone_over_one_connection(
    smtp_server: Mailbox, tmp_path: Path
) -> None:
    """Six recipients: six messages, each To its recipient only (nobody sees the list), one
    SMTP transaction each, all over one connection; each recorded sent."""
    plan = plan_for(smtp_server.port, EVERYONE)
    done = a_round(tmp_path, plan, partial(connect_smtp, plan.server))
    assert (EVERYONE, (), {}) == (done.sent, done.already, done.missed)
    assert [[r] for r in EVERYONE] == [e.rcpt_tos for e in smtp_server.envelopes]
    assert [addressed(MESSAGE, r) for r in EVERYONE] == [
        e.original_content for e in smtp_server.envelopes
    ]
    assert {"briefing@example.org"} == {e.mail_from for e in smtp_server.envelopes}
    assert list(EVERYONE) == [m["To"] for m in smtp_server.messages()]
    assert 1 == len(set(smtp_server.peers))
    assert set(EVERYONE) == served(load_delivery_records(tmp_path), date(2023, 1, 20))


class Stopped(BaseException):
    """A stop signal arriving midway (as KeyboardInterrupt would)."""


def test_a_delivery_stopped_midway_and_run_again_sends_no_one_two_messages(
    smtp_server: Mailbox, tmp_path: Path
) -> None:
    """Stopped before its third message, a delivery run again sends to the four not yet served
    only: every recipient has exactly one message."""
    plan = plan_for(smtp_server.port, EVERYONE)
    sends = []

    def stopping_connect() -> smtplib.SMTP:
        client = connect_smtp(plan.server)  # type: ignore[arg-type]
        real = client.sendmail

        def sendmail(*args: Any, **kwargs: Any) -> Any:
            if len(sends) == 2:
                client.close()
                raise Stopped
            sends.append(args)
            return real(*args, **kwargs)

        client.sendmail = sendmail  # type: ignore[method-assign]
        return client

    with pytest.raises(Stopped):
        a_round(tmp_path, plan, stopping_connect)
    again = a_round(tmp_path, plan, partial(connect_smtp, plan.server))
    assert (EVERYONE[:2], EVERYONE[2:]) == (again.already, again.sent)
    assert sorted(EVERYONE) == sorted(r for e in smtp_server.envelopes for r in e.rcpt_tos)


class FullFor(Mailbox):
    """A server whose mailbox full@example.org is full: 550 for it, 250 for the others."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        """Refuse the full mailbox, accept the others."""
        self.recipients_asked.append(address)
        if address == "full@example.org":
            return "550 5.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_is_not_asked_again_in_the_run_and_the_rest_are_served(
    tmp_path: Path,
) -> None:
    """A 550 for one recipient is final for this run: a second round asks only the others it
    missed, and the account of the missed names the refusal."""
    with serve_smtp(FullFor(port=free_port())) as mailbox:
        plan = plan_for(mailbox.port, ("full@example.org", "desk@example.org"))
        first = a_round(tmp_path, plan, partial(connect_smtp, plan.server))
        second = a_round(tmp_path, plan, partial(connect_smtp, plan.server), attempt=2)
    assert (("desk@example.org",), ["full@example.org"]) == (first.sent, list(first.missed))
    assert ((), ("desk@example.org",)) == (second.sent, second.already)
    assert ["full@example.org"] == list(second.missed)
    assert ["full@example.org", "desk@example.org"] == mailbox.recipients_asked
    account = describe_missed(
        tmp_path, date(2023, 1, 20), plan, "run", tmp_path / "briefing-2023-01-20.pdf"
    )
    assert account is not None and "1 of 2 recipients: full@example.org: 550" in account.text
    assert ((1, 2), True) == (account[:2], "(a refusal: not retried)" in account.text)


def test_a_list_past_the_bound_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """More recipients than an edition is mailed to: refused, naming the bound and the way out."""
    monkeypatch.setenv("BRIEFING_SMTP_FROM", "briefing@example.org")
    monkeypatch.setenv("BRIEFING_SMTP_HOST", "127.0.0.1")
    many = [f"r{n}@example.org" for n in range(MAX_RECIPIENTS + 1)]
    with pytest.raises(ConfigurationError, match=f"at most {MAX_RECIPIENTS}.*mailing list"):
        plan_delivery(Settings(), many, None, dry_run=False)
