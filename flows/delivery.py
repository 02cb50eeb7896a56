"""Tasks that email an edition: check the block, build the message, send or write it.

Retries live here, on ``deliver_stage``; the flow sets their number and backoff from settings.
Delivery tasks are never cached: sending twice must mean sending twice.
"""

import smtplib
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run
from prefect_email import EmailServerCredentials
from prefect_email.credentials import SMTPServer, SMTPType

from briefing.deliver.mail import build_message
from briefing.deliver.smtp import (
    DeliveryAttempt,
    DeliveryPlan,
    connect_smtp,
    describe_failure,
    send_message,
    write_delivery_record,
    write_message,
)
from briefing.errors import ConfigurationError, DeliveryError
from briefing.models import Briefing
from briefing.render.summary import key_points
from briefing.settings import SmtpSecurity, SmtpServer

BLOCK_SECURITY: dict[SMTPType, SmtpSecurity] = {
    SMTPType.SSL: "ssl",
    SMTPType.STARTTLS: "starttls",
    SMTPType.INSECURE: "none",
}


def block_server(credentials: EmailServerCredentials, timeout_seconds: float) -> SmtpServer:
    """The server a prefect-email block names, reached with our timeout.

    ``EmailServerCredentials.get_server()`` connects with no timeout, so a server that accepts
    the connection and never answers would hang the delivery task for ever; the block's fields
    go through ``connect_smtp`` instead, which bounds every socket operation.
    """
    host = credentials.smtp_server
    smtp_type = (
        SMTPType[credentials.smtp_type]
        if isinstance(credentials.smtp_type, str)
        else credentials.smtp_type
    )
    return SmtpServer(
        host=host.value if isinstance(host, SMTPServer) else host,
        port=credentials.smtp_port or smtp_type.value,
        security=BLOCK_SECURITY[smtp_type],
        username=credentials.username or None,
        password=credentials.password if credentials.password.get_secret_value() else None,
        timeout_seconds=timeout_seconds,
        verify_certificates=credentials.verify is not False,
    )


def block_connection(name: str, timeout_seconds: float) -> Callable[[], smtplib.SMTP]:
    """A connect function for the SMTP server of a prefect-email EmailServerCredentials block."""

    def connect() -> smtplib.SMTP:
        return connect_smtp(block_server(EmailServerCredentials.load(name), timeout_seconds))

    return connect


@task(name="check-smtp-block", cache_policy=NO_CACHE)
def check_block_stage(name: str) -> None:
    """Fail early, before any work, if the named prefect-email block does not exist."""
    try:
        EmailServerCredentials.load(name)
    except ValueError as exc:
        raise ConfigurationError(
            f"no prefect-email 'Email Server Credentials' block named {name!r}: create it in "
            "the Prefect UI (Blocks) or leave the SMTP block empty to use BRIEFING_SMTP_* settings"
        ) from exc


@task(name="message", cache_policy=NO_CACHE)
def message_stage(
    briefing: Briefing, plan: DeliveryPlan, pdf_file: Path, templates_dir: Path
) -> bytes:
    """Build the email with the PDF as written on disk attached, and return its bytes."""
    message = build_message(
        title=briefing.mail_title,
        edition_date=briefing.edition_date,
        points=key_points(briefing),
        sender=plan.sender,
        recipients=plan.recipients,
        pdf=pdf_file.read_bytes(),
        sent_at=datetime.now(UTC),
        templates_dir=templates_dir,
    )
    data = message.as_bytes()
    get_run_logger().info(
        "message: %d KiB for %d recipients", len(data) // 1024, len(plan.recipients)
    )
    return data


@task(name="write-eml", cache_policy=NO_CACHE)
def write_message_stage(
    out_dir: Path, edition_date: date, data: bytes, plan: DeliveryPlan, run_id: str | None
) -> Path:
    """A dry run's delivery: write the message as an .eml file and record it per recipient."""
    path = write_message(out_dir, edition_date, data)
    for recipient in plan.recipients:
        write_delivery_record(
            out_dir,
            DeliveryAttempt(
                edition_date=edition_date,
                recipient=recipient,
                attempt=1,
                at=datetime.now(UTC),
                outcome="written",
                via=plan.via(),
                detail=f"dry run: not sent; written to {path}",
                run_id=run_id,
            ),
        )
    get_run_logger().info("dry run: wrote %s instead of sending it", path)
    return path


@task(name="deliver", retries=3, retry_delay_seconds=[30, 60, 120], cache_policy=NO_CACHE)
def deliver_stage(
    recipient: str,
    data: bytes,
    plan: DeliveryPlan,
    edition_date: date,
    out_dir: Path,
    run_id: str | None,
) -> DeliveryAttempt:
    """Send the message to one recipient; record the attempt, whatever its outcome."""
    logger = get_run_logger()
    if plan.smtp_block:
        connect = block_connection(plan.smtp_block, plan.timeout_seconds)
    elif plan.server is not None:
        connect = partial(connect_smtp, plan.server)
    else:
        raise ConfigurationError("no SMTP server to deliver through")
    number = task_run.run_count

    def record(outcome: str, detail: str) -> DeliveryAttempt:
        attempt = DeliveryAttempt.model_validate(
            {
                "edition_date": edition_date,
                "recipient": recipient,
                "attempt": number,
                "at": datetime.now(UTC),
                "outcome": outcome,
                "via": plan.via(),
                "detail": detail,
                "run_id": run_id,
            }
        )
        write_delivery_record(out_dir, attempt)
        return attempt

    try:
        send_message(connect, data, plan.sender, recipient)
    except (smtplib.SMTPException, OSError) as exc:
        detail = describe_failure(exc)
        record("failed", detail)
        logger.warning("attempt %d: delivery to %s failed: %s", number, recipient, detail)
        raise DeliveryError(f"delivery to {recipient} failed: {detail}") from exc
    logger.info("attempt %d: sent to %s via %s", number, recipient, plan.via())
    return record("sent", "accepted by the server")
