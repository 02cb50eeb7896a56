"""Tasks that email an edition: check the block before any work, then send the message
(``make_edition`` builds it, and writes a dry run's) to each recipient.

``deliver_stage`` is retried per recipient, as many times as the settings say, when its trouble
may pass; a server's outright refusal (a 5xx reply) is not retried. Delivery tasks are never
cached: sending twice must mean sending twice.
"""

import smtplib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from prefect import Task, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.runtime import task_run
from prefect_email import EmailServerCredentials
from prefect_email.credentials import SMTPServer, SMTPType

from briefing.deliver import Missed, Round, connect_smtp, describe_missed, send_round
from briefing.edition import EditionPlan, EditionResult
from briefing.errors import ConfigurationError, DeliveryError
from briefing.settings import Settings, SmtpSecurity, SmtpServer

BLOCK_SECURITY: dict[SMTPType, SmtpSecurity] = {
    SMTPType.SSL: "ssl",
    SMTPType.STARTTLS: "starttls",
    SMTPType.INSECURE: "none",
}


def block_server(credentials: EmailServerCredentials, timeout_seconds: float) -> SmtpServer:
    """The server a prefect-email block names, reached with our timeout.

    ``EmailServerCredentials.get_server()`` connects with no timeout, so a server that accepts
    the connection and never answers would hang the delivery task for ever; the block's fields
    go through ``connect_smtp`` instead, which bounds the whole attempt.
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


def check_block(name: str) -> None:
    """Fail early, before any work, if the named prefect-email block does not exist."""
    try:
        EmailServerCredentials.load(name)
    except ValueError as exc:
        raise ConfigurationError(
            f"no prefect-email 'Email Server Credentials' block named {name!r}: create it in "
            "the Prefect UI (Blocks) or leave the SMTP block empty to use BRIEFING_SMTP_* settings"
        ) from exc


def delivery_may_pass(_task: Task[..., None], _run: TaskRun, state: State) -> bool:
    """Retry a delivery only for trouble that may pass: a 4xx reply, a lost connection, a
    timeout; not a 5xx refusal, nor a missing server or block."""
    try:
        state.result()
    except DeliveryError as exc:
        return not exc.permanent
    except Exception:  # no server to deliver through, or a bug: no retry
        return False
    return False


# The number of retries and their backoff are settings, applied with ``with_options``.
@task(name="deliver", cache_policy=NO_CACHE, retry_condition_fn=delivery_may_pass)
def deliver_stage(plan: EditionPlan, data: bytes, run_id: str | None) -> Round:
    """Send the message to every recipient not yet served, each a copy of their own, over one
    connection; record every attempt. Raise (so the task is tried again, for those missed
    only) while a recipient's trouble may pass."""
    delivery = plan.delivery
    assert delivery is not None
    if delivery.smtp_block:
        connect = block_connection(delivery.smtp_block, delivery.timeout_seconds)
    elif delivery.server is not None:
        connect = partial(connect_smtp, delivery.server)
    else:
        raise ConfigurationError("no SMTP server to deliver through")
    number = task_run.run_count
    logger = get_run_logger()
    done = send_round(
        connect, plan.out_dir, plan.edition_date, delivery, data,
        attempt=number, now=partial(datetime.now, UTC), run_id=run_id,
    )  # fmt: skip
    logger.info(
        "attempt %d: sent to %d recipients via %s, %d had it already, %d missed",
        number, len(done.sent), delivery.via(), len(done.already), len(done.missed),
    )  # fmt: skip
    for error in list(done.missed.values())[:10]:
        logger.warning("attempt %d: %s", number, error)
    passing = [error for error in done.missed.values() if not error.permanent]
    if passing:
        raise DeliveryError(
            f"{len(passing)} recipients missed for now, first {passing[0]}", permanent=False
        )
    return done


def deliver_all(
    plan: EditionPlan, settings: Settings, data: bytes, run_id: str | None, result: EditionResult
) -> Missed | None:
    """Send to every recipient not yet served, retried for those missed while their trouble
    may pass; those still missed, and why."""
    assert plan.delivery is not None
    deliver_stage.with_options(
        retries=settings.smtp_retries, retry_delay_seconds=settings.retry_delays()
    )(plan, data, run_id, return_state=True)
    return describe_missed(plan.out_dir, plan.edition_date, plan.delivery, run_id, result.pdf_file)
