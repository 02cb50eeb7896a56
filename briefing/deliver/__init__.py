"""The edition by email: the message (``mail``, pure) and SMTP with its delivery log
(``smtp``, the I/O at the edge)."""

from briefing.deliver.mail import PdfNote, build_message
from briefing.deliver.smtp import (
    DELIVERY_LOG,
    DeliveryAttempt,
    DeliveryLog,
    DeliveryPlan,
    Missed,
    Round,
    SmtpDeadlineExceeded,
    connect_smtp,
    describe_missed,
    describe_unreadable,
    load_delivery_log,
    load_delivery_records,
    plan_delivery,
    send_round,
    write_dry_run,
)

__all__ = [
    "DELIVERY_LOG",
    "DeliveryAttempt",
    "DeliveryLog",
    "DeliveryPlan",
    "Missed",
    "PdfNote",
    "Round",
    "SmtpDeadlineExceeded",
    "build_message",
    "connect_smtp",
    "describe_missed",
    "describe_unreadable",
    "load_delivery_log",
    "load_delivery_records",
    "plan_delivery",
    "send_round",
    "write_dry_run",
]
