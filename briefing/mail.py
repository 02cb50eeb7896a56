"""The edition's email, built without sending it: addresses, subject, bodies, the PDF attached.

Headers hold only fixed text, the edition date and validated addresses. Source text (statements,
outlets) goes into the bodies and nowhere else: Python 3.11.7 is affected by CVE-2024-6923, where
an encoded newline in a header value became a real header, so no header is ever built from it.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

from briefing.errors import ConfigurationError
from briefing.formatting import long_date
from briefing.render import build_environment
from briefing.summary import KeyPoint

EMAIL_TEMPLATE = "email.html"
SUBJECT_PREFIX = "U.S.-Japan space partnership briefing, edition of"

# A bare address, ASCII only, no display name, no quoted local part, no comments: what a
# stakeholder list needs, and nothing that could carry a line break or a second address.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")


def parse_address(value: str) -> str:
    """The address with surrounding spaces removed; ValueError unless it is a bare address."""
    address = value.strip()
    # "=?" is legal in a local part but opens an RFC 2047 encoded word: refused, see the docstring.
    if len(address) > 254 or "=?" in address or not _ADDRESS.fullmatch(address):
        raise ValueError(
            f"{value[:80]!r} is not an email address of the form name@example.org "
            "(a bare address: no display name, no spaces, ASCII only)"
        )
    return address


EmailAddress = Annotated[
    str,
    AfterValidator(parse_address),
    # The same rule as a JSON schema pattern, so Prefect refuses a bad address before a run starts.
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "pattern": rf"^(?!.*=\?){_ADDRESS.pattern}$",
        }
    ),
]
"""A validated bare email address, shown as an email field in the Prefect UI's form."""


def merge_recipients(*groups: Iterable[str]) -> tuple[str, ...]:
    """Every address once (compared without case), validated, in the order first given."""
    seen: dict[str, str] = {}
    for group in groups:
        for value in group:
            address = parse_address(value)
            seen.setdefault(address.lower(), address)
    return tuple(seen.values())


def build_subject(edition_date: date) -> str:
    """The subject: fixed text and the edition date, nothing else."""
    return f"{SUBJECT_PREFIX} {long_date(edition_date)}"


def attachment_name(edition_date: date) -> str:
    """The PDF's file name in the email: the same name it has in the output folder."""
    return f"briefing-{edition_date.isoformat()}.pdf"


def build_text_body(edition_date: date, points: Sequence[KeyPoint]) -> str:
    """The plain-text body: the key points with their citations, then where the PDF is."""
    lines = [
        f"U.S.-Japan space partnership briefing, edition of {long_date(edition_date)}",
        "",
        "Key points (each quoted verbatim from its source):",
        "",
    ]
    for point in points:
        lines += [f"* {point.theme}: {point.statement}", f"  {point.citation}", ""]
    if not points:
        lines += ["(No statements in this edition.)", ""]
    lines.append(
        f"The full briefing, with every statement cited, is attached as "
        f"{attachment_name(edition_date)}."
    )
    return "\n".join(lines) + "\n"


def build_html_body(edition_date: date, points: Sequence[KeyPoint], templates_dir: Path) -> str:
    """The HTML body from templates/email.html, autoescaped like every template."""
    template = build_environment(templates_dir).get_template(EMAIL_TEMPLATE)
    return template.render(
        edition_date=edition_date, points=points, attachment=attachment_name(edition_date)
    )


def build_message(
    *,
    edition_date: date,
    points: Sequence[KeyPoint],
    sender: str,
    recipients: Sequence[str],
    pdf: bytes,
    sent_at: datetime,
    templates_dir: Path,
) -> EmailMessage:
    """The whole message: fixed headers, plain-text and HTML bodies, the PDF as application/pdf.

    Every header is fixed text, the edition date, ``sent_at`` or a validated address.
    """
    if not recipients:
        raise ConfigurationError("an email needs at least one recipient")
    sender = parse_address(sender)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = build_subject(edition_date)
    message["From"] = sender
    message["To"] = ", ".join(parse_address(address) for address in recipients)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(build_text_body(edition_date, points), subtype="plain", charset="utf-8")
    message.add_alternative(
        build_html_body(edition_date, points, templates_dir), subtype="html", charset="utf-8"
    )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=attachment_name(edition_date)
    )
    return message
