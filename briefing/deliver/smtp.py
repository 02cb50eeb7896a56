"""Email delivery, the I/O at the edge: connect to SMTP, send, write the .eml, record attempts.

Plain ``smtplib``; the SMTP connection is a parameter (a function returning a connected client),
so the flow can hand in the server of a prefect-email block or the one the settings name. One
SMTP transaction per recipient: each recipient's outcome is known and retried on its own.
Retries live on the flow's delivery task, not here.

Each attempt has one wall-clock deadline, the SMTP timeout: a socket timeout bounds each
operation, never their sum, so a server answering one byte every few seconds would otherwise hold
an attempt for as long as it liked. ``connect_smtp``'s client is watched by a thread that shuts
its connection down once the deadline has passed, and the failure says so.
"""

import contextlib
import fcntl
import logging
import os
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.addresses import merge_recipients
from briefing.deliver.mail import UNDISCLOSED, addressed
from briefing.errors import ConfigurationError, DeliveryError, OutputError
from briefing.settings import Settings, SmtpServer
from briefing.store.files import write_atomic

DELIVERY_LOG = "deliveries.jsonl"

logger = logging.getLogger(__name__)

Connect = Callable[[], smtplib.SMTP]
Outcome = Literal["sent", "failed", "written"]


class DeliveryAttempt(BaseModel):
    """One try at getting an edition to one recipient, and how it went."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    edition_date: date
    recipient: str
    attempt: int
    at: datetime
    outcome: Outcome
    via: str
    detail: str
    run_id: str | None = None
    permanent: bool = False  # a failure the server said is final (a 5xx reply): not retried


class SmtpDeadlineExceeded(TimeoutError):
    """An SMTP attempt was not over by its deadline, so its connection was shut down."""


class _Watchdog:
    """Shuts a client's connection down once its deadline has passed.

    It tries again every tenth of a second, for as long again as the deadline, until the client
    is closed: the connection may still be being made when the deadline passes, and STARTTLS
    replaces the client's socket.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.client: smtplib.SMTP | None = None
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, name="smtp-deadline", daemon=True).start()

    def _watch(self) -> None:
        while (remaining := self.ends - time.monotonic()) > 0:
            if self._stopped.wait(remaining):
                return  # else the deadline passed, or was moved by rearm(): look again
        while time.monotonic() < self.ends + self.seconds:
            sock = self.client.sock if self.client is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):  # already shut or closed
                    sock.shutdown(socket.SHUT_RDWR)
            if self._stopped.wait(0.1):
                return

    def rearm(self) -> None:
        """A new message on the same connection: its deadline starts now (unless the last one
        has passed already, which stands)."""
        now = time.monotonic()
        if now < self.ends:
            self.ends = now + self.seconds

    def stop(self) -> None:
        """The attempt is over: leave its connection alone."""
        self._stopped.set()

    def raise_if_exceeded(self, exc: BaseException) -> None:
        """Raise SmtpDeadlineExceeded from exc if the deadline had passed when exc was raised."""
        if time.monotonic() >= self.ends:
            raise SmtpDeadlineExceeded(
                f"deadline of {self.seconds:g} s exceeded: the SMTP server had not finished "
                "(BRIEFING_SMTP_TIMEOUT_SECONDS)"
            ) from exc


class _WatchedSMTP(smtplib.SMTP):
    """An SMTP client whose whole session, from the greeting to QUIT, ends by its watchdog's
    deadline; the socket timeout is the same, so no single wait outlasts it either."""

    def __init__(self, host: str, port: int, watchdog: _Watchdog, **options: Any) -> None:
        self.watchdog = watchdog
        watchdog.client = self  # before connecting: the greeting is under the deadline too
        super().__init__(host, port, timeout=watchdog.seconds, **options)

    def sendmail(self, *args: Any, **kwargs: Any) -> dict[str, tuple[int, bytes]]:
        """smtplib's sendmail, with a deadline of its own, whose failure after the deadline
        says it was the deadline."""
        self.watchdog.rearm()
        try:
            return super().sendmail(*args, **kwargs)
        except (smtplib.SMTPException, OSError) as exc:
            self.watchdog.raise_if_exceeded(exc)
            raise

    def close(self) -> None:
        """Close the connection and stop its watchdog."""
        try:
            super().close()
        finally:
            self.watchdog.stop()


class _WatchedSMTPSSL(_WatchedSMTP, smtplib.SMTP_SSL):
    """An implicit-TLS SMTP client under a watchdog's deadline."""


def connect_smtp(server: SmtpServer) -> smtplib.SMTP:
    """A connected (and, if configured, logged-in) SMTP client for the settings' server.

    Its whole session (greeting, TLS, login, sending, QUIT) must be over within the server's
    ``timeout_seconds``; past that it fails with ``SmtpDeadlineExceeded``.
    """
    context = ssl.create_default_context()
    if not server.verify_certificates:  # only a prefect-email block with verify off asks this
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    watchdog = _Watchdog(server.timeout_seconds)
    client: smtplib.SMTP | None = None
    try:
        if server.security == "ssl":
            client = _WatchedSMTPSSL(server.host, server.port, watchdog, context=context)
        else:
            client = _WatchedSMTP(server.host, server.port, watchdog)
        if server.security == "starttls":
            client.starttls(context=context)
        if server.username:
            password = server.password.get_secret_value() if server.password else ""
            client.login(server.username, password)
    except (smtplib.SMTPException, OSError) as exc:
        _abandon(client, watchdog)
        watchdog.raise_if_exceeded(exc)
        raise
    except BaseException:
        _abandon(client, watchdog)
        raise
    return client


def _abandon(client: smtplib.SMTP | None, watchdog: _Watchdog) -> None:
    if client is not None:
        client.close()
    watchdog.stop()


def _text(reply: bytes | str) -> str:
    return reply.decode("ascii", "replace") if isinstance(reply, bytes) else reply


def describe_failure(exc: BaseException) -> str:
    """A one-line account of a failed send: the SMTP code and reply, or the network error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, SmtpDeadlineExceeded):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return f"{type(exc).__name__}: {exc}"


def is_permanent(exc: BaseException) -> bool:
    """Whether a failed send would fail the same way again: the server refused it with a 5xx
    reply (RFC 5321's permanent failures). A 4xx reply, a lost connection or a timeout may pass.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def write_delivery_record(out_dir: Path, attempt: DeliveryAttempt) -> Path:
    """Append one attempt to the output folder's delivery log (JSON lines) and return its path.

    The one place attempts are recorded: point it elsewhere (a database) without touching callers.
    """
    path = out_dir / DELIVERY_LOG
    out_dir.mkdir(parents=True, exist_ok=True)
    line = (attempt.model_dump_json() + "\n").encode("utf-8")
    handle = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        # Writers take turns, so the look at the tail and the append are one step.
        fcntl.flock(handle, fcntl.LOCK_EX)
        size = os.fstat(handle).st_size
        if size and os.pread(handle, 1, size - 1) != b"\n":
            # A crash tore the last record: end it, so it never merges with this one.
            line = b"\n" + line
        # The whole line in one write in append mode: a record is never interleaved.
        written = os.write(handle, line)
        while written < len(line):  # a short write (a nearly full disk): the rest follows it
            written += os.write(handle, line[written:])
    finally:
        os.close(handle)
    return path


class DeliveryLog(NamedTuple):
    """The delivery log's records, and the numbers of the lines that were not one."""

    records: list[DeliveryAttempt]
    unreadable_lines: list[int]


def load_delivery_log(out_dir: Path, run_id: str | None = None) -> DeliveryLog:
    """Every recorded attempt in the output folder (only one run's when run_id is given), and
    the lines skipped as no record: torn by a crash mid-append, say. Never raises for those."""
    path = out_dir / DELIVERY_LOG
    if not path.exists():
        return DeliveryLog([], [])
    records = []
    unreadable = []
    for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = DeliveryAttempt.model_validate_json(line)
        except ValidationError:
            unreadable.append(number)
            continue
        if run_id is None or record.run_id == run_id:
            records.append(record)
    return DeliveryLog(records, unreadable)


def load_delivery_records(out_dir: Path, run_id: str | None = None) -> list[DeliveryAttempt]:
    """Every recorded attempt in the output folder, or only one run's when run_id is given;
    a line that is no record (a torn one) is skipped with a warning."""
    log = load_delivery_log(out_dir, run_id)
    if log.unreadable_lines:
        logger.warning(describe_unreadable(out_dir, log.unreadable_lines))
    return log.records


def describe_unreadable(out_dir: Path, lines: list[int]) -> str:
    """The warning for delivery-log lines that are no record."""
    numbers = ", ".join(str(number) for number in lines)
    noun = "line" if len(lines) == 1 else "lines"
    return (
        f"{out_dir / DELIVERY_LOG}: skipped {noun} {numbers}, not a delivery record "
        "(torn by a crash while being written?); the other records are read"
    )


def write_message(out_dir: Path, edition_date: date, data: bytes) -> Path:
    """Write the message as ``briefing-DATE.eml`` in the output folder (a dry run's delivery)."""
    path = out_dir / f"briefing-{edition_date.isoformat()}.eml"
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
    return path


class DeliveryPlan(BaseModel):
    """Who gets an edition, from whom, and through which server; checked before any work."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipients: tuple[str, ...]
    sender: str
    server: SmtpServer | None
    smtp_block: str | None
    dry_run: bool
    timeout_seconds: float

    def via(self) -> str:
        """Where mail goes, for logs and records: the block's name or the server's address."""
        if self.dry_run:
            return "dry run (.eml file)"
        if self.smtp_block:
            return f"prefect-email block {self.smtp_block!r}"
        return f"SMTP {self.server.describe()}" if self.server else "nowhere"


def plan_delivery(
    settings: Settings, extra_recipients: Iterable[str], smtp_block: str | None, dry_run: bool
) -> DeliveryPlan:
    """The delivery an edition asks for, or ConfigurationError saying what is missing."""
    recipients = merge_recipients(settings.email_recipients, extra_recipients)
    if not recipients:
        raise ConfigurationError(
            "email was asked for but there are no recipients: set BRIEFING_EMAIL_RECIPIENTS "
            "or give addresses (--to, or the run's recipients)"
        )
    if len(recipients) > MAX_RECIPIENTS:
        raise ConfigurationError(
            f"{len(recipients)} recipients: an edition is emailed to at most {MAX_RECIPIENTS} "
            "(BRIEFING_EMAIL_RECIPIENTS and the run's together); send it to a mailing list's "
            "address instead"
        )
    if settings.smtp_from is None:
        raise ConfigurationError("email was asked for but BRIEFING_SMTP_FROM is not set")
    server = settings.smtp_server()
    if not dry_run and smtp_block is None and server is None:
        raise ConfigurationError(
            "email was asked for but no SMTP server is configured: set BRIEFING_SMTP_HOST "
            "(and BRIEFING_SMTP_PORT, BRIEFING_SMTP_SECURITY) or name a prefect-email block"
        )
    return DeliveryPlan(
        recipients=recipients,
        sender=settings.smtp_from,
        server=server,
        smtp_block=smtp_block,
        dry_run=dry_run,
        timeout_seconds=settings.smtp_timeout_seconds,
    )


def write_attempt(
    out_dir: Path,
    edition_date: date,
    delivery: DeliveryPlan,
    recipient: str,
    *,
    attempt: int,
    at: datetime,
    outcome: Outcome,
    detail: str,
    run_id: str | None,
    permanent: bool = False,
) -> DeliveryAttempt:
    """Record one delivery attempt in the output folder's delivery log, and return it: the
    one way an attempt is made and kept."""
    record = DeliveryAttempt(
        edition_date=edition_date,
        recipient=recipient,
        attempt=attempt,
        at=at,
        outcome=outcome,
        via=delivery.via(),
        detail=detail,
        run_id=run_id,
        permanent=permanent,
    )
    write_delivery_record(out_dir, record)
    return record


def write_dry_run(
    out_dir: Path,
    edition_date: date,
    delivery: DeliveryPlan,
    data: bytes,
    *,
    at: datetime,
    run_id: str | None,
) -> Path:
    """A dry run's delivery: the message as ``briefing-DATE.eml`` (addressed to undisclosed
    recipients: each real copy names its recipient alone), recorded per recipient. Hold the
    edition's lock around it, as around the edition's other files."""
    path = write_message(out_dir, edition_date, addressed(data, UNDISCLOSED))
    for recipient in delivery.recipients:
        write_attempt(
            out_dir,
            edition_date,
            delivery,
            recipient,
            attempt=1,
            at=at,
            outcome="written",
            detail=f"dry run: not sent; written to {path}",
            run_id=run_id,
        )
    return path


MAX_RECIPIENTS = 10_000  # one edition's list; past it, a mailing list is the tool


@dataclass(frozen=True)
class Round:
    """One round of delivery: who was sent the edition now, who had it already, and who was
    missed, with why and whether that is final."""

    sent: tuple[str, ...]
    already: tuple[str, ...]
    missed: dict[str, DeliveryError]


def served(records: Iterable[DeliveryAttempt], edition_date: date) -> set[str]:
    """The recipients the delivery log's records say were sent this edition, by any run."""
    return {
        record.recipient
        for record in records
        if record.edition_date == edition_date and record.outcome == "sent"
    }


# Reconnections within one round after the server dropped the connection midway.
RECONNECTS = 3


def send_round(
    connect: Connect,
    out_dir: Path,
    edition_date: date,
    delivery: DeliveryPlan,
    data: bytes,
    *,
    attempt: int,
    now: Callable[[], datetime],
    run_id: str | None,
) -> Round:
    """Send the message (``build_message``'s bytes) to every recipient the log does not show
    served, each a copy addressed to them alone, one SMTP transaction each over one connection
    (connected again, up to RECONNECTS times, when the server drops it); every attempt
    recorded. A recipient refused outright in this run is not asked again."""
    records = load_delivery_records(out_dir)  # the log, read once a round
    done = served(records, edition_date)
    # Refused outright (5xx) in this run: asked again, they would be refused again.
    final = {
        record.recipient
        for record in records
        if record.run_id == run_id and record.edition_date == edition_date and record.permanent
    }
    already = tuple(r for r in delivery.recipients if r in done)
    todo = [r for r in delivery.recipients if r not in done and r not in final]
    sent: list[str] = []
    missed: dict[str, DeliveryError] = {
        r: DeliveryError(f"delivery to {r} was refused earlier in this run", permanent=True)
        for r in delivery.recipients
        if r in final and r not in done
    }
    record = partial(write_attempt, out_dir, edition_date, delivery, attempt=attempt, run_id=run_id)
    client: smtplib.SMTP | None = None
    reconnects = 0
    try:
        for recipient in todo:
            try:
                if client is None:
                    client = connect()
                client.sendmail(delivery.sender, [recipient], addressed(data, recipient))
            except (smtplib.SMTPException, OSError) as exc:
                detail, permanent = describe_failure(exc), is_permanent(exc)
                record(recipient, at=now(), outcome="failed", detail=detail, permanent=permanent)
                missed[recipient] = DeliveryError(
                    f"delivery to {recipient} failed: {detail}", permanent=permanent
                )
                if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                    _abandon_client(client)  # the connection is in doubt: a new one, or none
                    client = None
                    reconnects += 1
                    if reconnects > RECONNECTS:
                        _miss_the_rest(todo, recipient, missed, record, now, detail)
                        break
                continue
            record(recipient, at=now(), outcome="sent", detail="accepted by the server")
            sent.append(recipient)
    finally:
        if client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
            _abandon_client(client)
    return Round(tuple(sent), already, missed)


def _abandon_client(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()


def _miss_the_rest(
    todo: list[str],
    last: str,
    missed: dict[str, DeliveryError],
    record: Callable[..., DeliveryAttempt],
    now: Callable[[], datetime],
    detail: str,
) -> None:
    """The recipients after ``last`` are not tried this round: the server keeps failing."""
    for recipient in todo[todo.index(last) + 1 :]:
        why = f"not tried: the server failed {RECONNECTS + 1} times in this round ({detail})"
        record(recipient, at=now(), outcome="failed", detail=why)
        missed[recipient] = DeliveryError(f"delivery to {recipient} failed: {why}")


class Missed(NamedTuple):
    """The recipients an edition did not reach: how many, of how many, and why, in words."""

    number: int
    total: int
    text: str


def describe_missed(
    out_dir: Path, edition_date: date, delivery: DeliveryPlan, run_id: str | None, pdf: Path
) -> Missed | None:
    """Why the edition did not reach every recipient, from this run's last attempt at each one
    the log does not show served (ten named, the rest counted); None when all were served."""
    records = load_delivery_records(out_dir)
    done = served(records, edition_date)
    last: dict[str, DeliveryAttempt] = {}
    for record in records:
        if (
            record.run_id == run_id
            and record.edition_date == edition_date
            and record.outcome == "failed"
        ):
            last[record.recipient] = record
    missed = [r for r in delivery.recipients if r not in done]
    if not missed:
        return None
    reasons = []
    for recipient in missed[:10]:
        failed = last.get(recipient)
        if failed is None:
            reasons.append(f"{recipient}: not tried")
        elif failed.permanent:
            reasons.append(f"{recipient}: {failed.detail} (a refusal: not retried)")
        else:
            reasons.append(f"{recipient}: {failed.detail} (the last of {failed.attempt} attempts)")
    more = f"; and {len(missed) - 10} more" if len(missed) > 10 else ""
    return Missed(
        len(missed),
        len(delivery.recipients),
        f"could not email the edition via {delivery.via()} to {len(missed)} of "
        f"{len(delivery.recipients)} recipients: {'; '.join(reasons)}{more}; the edition is kept "
        f"in {pdf} and every attempt is recorded in {out_dir / DELIVERY_LOG}; run it again to "
        "send it to those missed only",
    )
