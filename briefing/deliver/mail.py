"""The edition's email, built without sending it: addresses, subject, bodies, the PDF attached.

Headers hold only fixed text, the topic profile's title, the edition date and validated addresses.
The title is the operator's, and the profile refuses one that is not a single printable line
(``briefing.models.OneLine``). Source text (statements, outlets) goes into the bodies and nowhere
else: Python 3.11.7 is affected by CVE-2024-6923, where an encoded newline in a header value
became a real header, so no header is ever built from it.
"""

from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from briefing.addresses import parse_address
from briefing.render.document import build_environment
from briefing.render.formatting import long_date
from briefing.render.summary import KeyPoint

EMAIL_TEMPLATE = "email.html"


def build_subject(title: str, edition_date: date) -> str:
    """The subject: the topic's title, fixed text and the edition date, nothing else."""
    return f"{title}, edition of {long_date(edition_date)}"


def attachment_name(edition_date: date) -> str:
    """The PDF's file name in the email: the same name it has in the output folder."""
    return f"briefing-{edition_date.isoformat()}.pdf"


class PdfNote(BaseModel):
    """What the attached PDF is beside the edition's other files: the statements it prints of
    how many, and where the HTML edition, which holds them all, opens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    statements: int
    printed: int | None = None  # None: not known (an edition reused from an earlier run)
    html_link: str


def describe_pdf(edition_date: date, note: PdfNote | None) -> str:
    """The sentence that says what the attachment is, and where the rest of the edition is."""
    name = attachment_name(edition_date)
    if note is None:
        return f"The briefing is attached as {name}."
    printed = (
        f"it prints {note.printed} of the edition's {note.statements} statements, the most "
        "important first"
        if note.printed is not None and note.printed < note.statements
        else f"it prints the edition's {note.statements} statements"
    )
    return (
        f"The attached PDF, {name}, is the week in brief: {printed}. The HTML edition holds "
        f"all {note.statements}, each cited to its source: {note.html_link}"
    )


def _groups(points: Sequence[KeyPoint]) -> list[tuple[str, str, list[KeyPoint]]]:
    """The top stories' headlines, then the key points, each group (its heading, what its
    quotes are, its points) only if it has any."""
    groups = [
        ("Top stories", "each headline quoted from its outlet", [p for p in points if p.headline]),
        (
            "Key points",
            "each quoted verbatim from its source",
            [p for p in points if not p.headline],
        ),
    ]
    return [group for group in groups if group[2]]


def build_text_body(
    title: str, edition_date: date, points: Sequence[KeyPoint], note: PdfNote | None = None
) -> str:
    """The plain-text body: the top stories' headlines and the key points with their
    citations, then what the attached PDF is and where the HTML edition is."""
    lines = [f"{title}, edition of {long_date(edition_date)}", ""]
    for heading, quoted, group in _groups(points):
        lines += [f"{heading} ({quoted}):", ""]
        for point in group:
            lines += [f"* {point.theme}: {point.statement}", f"  {point.citation}", ""]
    if not points:
        lines += ["(No statements in this edition.)", ""]
    lines.append(describe_pdf(edition_date, note))
    return "\n".join(lines) + "\n"


def build_html_body(
    title: str,
    edition_date: date,
    points: Sequence[KeyPoint],
    templates_dir: Path,
    note: PdfNote | None = None,
) -> str:
    """The HTML body from templates/email.html, autoescaped like every template."""
    template = build_environment(templates_dir).get_template(EMAIL_TEMPLATE)
    return template.render(
        title=title,
        edition_date=edition_date,
        groups=_groups(points),
        points=points,
        attachment=attachment_name(edition_date),
        about_pdf=describe_pdf(edition_date, note),
        note=note,
    )


def build_message(
    *,
    title: str,
    edition_date: date,
    points: Sequence[KeyPoint],
    sender: str,
    pdf: bytes,
    sent_at: datetime,
    templates_dir: Path,
    note: PdfNote | None = None,
) -> EmailMessage:
    """The whole message but its To header: fixed headers, plain-text and HTML bodies, the PDF
    as application/pdf. Each recipient's copy is ``addressed`` to that recipient alone.

    Every header is fixed text, the topic's ``title``, the edition date, ``sent_at`` or a
    validated address.
    """
    sender = parse_address(sender)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = build_subject(title, edition_date)
    message["From"] = sender
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(
        build_text_body(title, edition_date, points, note), subtype="plain", charset="utf-8"
    )
    message.add_alternative(
        build_html_body(title, edition_date, points, templates_dir, note),
        subtype="html",
        charset="utf-8",
    )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=attachment_name(edition_date)
    )
    return message


# Each recipient's copy names that recipient alone: never the list (10,000 recipients made a
# 191 KB header that every one of them could read).
UNDISCLOSED = "undisclosed-recipients:;"  # RFC 5322's empty group, for the dry run's .eml


def addressed(data: bytes, recipient: str) -> bytes:
    """The message's bytes (``build_message``, no To header) as sent to one recipient: a To
    header naming that validated address alone, then the message."""
    to = UNDISCLOSED if recipient == UNDISCLOSED else parse_address(recipient)
    return f"To: {to}\r\n".encode("ascii") + data
