"""Tests for briefing.deliver.mail: addresses, the fixed subject, both bodies, the attached PDF."""

import re
from datetime import UTC, date, datetime
from email import message_from_bytes, policy

import pytest
from pydantic import TypeAdapter

from briefing.addresses import EmailAddress, merge_recipients, parse_address
from briefing.deliver.mail import (
    UNDISCLOSED,
    PdfNote,
    addressed,
    build_message,
    build_subject,
)
from briefing.models import SourceType
from briefing.render.summary import KeyPoint, key_points
from briefing.topic import load_topic
from tests.conftest import TOPIC_FILE
from tests.test_render import TEMPLATES, TEXT_WIRE, briefing, document

SENT_AT = datetime(2023, 1, 20, 7, 0, tzinfo=UTC)
PDF = b"%PDF-1.7 not really a PDF, but bytes to carry\n"
TITLE = load_topic(TOPIC_FILE).email_title()

# Text a hostile or broken source could hold, aimed at headers: raw line breaks, an RFC 2047
# encoded newline (CVE-2024-6923), a second address and an overlong word.
HOSTILE = (
    "Officials agreed.\r\nBcc: leak@attacker.example\r\n",
    "=?utf-8?q?agreed=0ABcc:_leak@attacker.example?= and more",
    "Subject: forged\nTo: everyone@attacker.example",
    "x" * 2000,
)


GOOD = ["analyst@example.org", " desk.editor+briefing@mail.example.co.jp ", "A_B@Example.ORG"]
BAD = [
    "",
    "analyst",
    "analyst@localhost",
    "Jane Analyst <analyst@example.org>",
    "analyst@example.org, other@example.org",
    "analyst@example.org\r\nBcc: leak@attacker.example",
    "=?utf-8?q?x=0A?=@example.org",
    "anälyst@example.org",
    '"quoted local"@example.org',
    "a..b@example.org",
    "analyst@-example.org",
]


@pytest.mark.parametrize("value", GOOD)
def test_bare_addresses_are_accepted(value: str) -> None:
    """A bare ASCII address is accepted, with surrounding spaces removed."""
    assert value.strip() == parse_address(value)


@pytest.mark.parametrize("value", BAD)
def test_anything_but_a_bare_address_is_refused(value: str) -> None:
    """Display names, lists, line breaks, encoded words and non-ASCII are refused."""
    with pytest.raises(ValueError, match="is not an email address"):
        parse_address(value)


def test_the_run_forms_pattern_agrees_with_the_validator() -> None:
    """The JSON schema pattern Prefect enforces accepts exactly the addresses the model accepts."""
    pattern = TypeAdapter(EmailAddress).json_schema()["pattern"]
    samples = [value.strip() for value in GOOD] + BAD
    assert [True] * 3 + [False] * len(BAD) == [bool(re.search(pattern, v)) for v in samples]


def test_recipients_are_merged_once_each_in_order() -> None:
    """Configured and extra recipients merge in order; a repeat in other case is dropped."""
    merged = merge_recipients(["desk@example.org", "b@example.org"], ["B@EXAMPLE.org", "c@x.jp"])
    assert ("desk@example.org", "b@example.org", "c@x.jp") == merged


def test_subject_is_fixed_text_and_the_date() -> None:
    """The subject is the fixed title and the edition date in words."""
    expected = "U.S.-Japan space partnership briefing, edition of 20 January 2023"
    assert expected == build_subject(TITLE, date(2023, 1, 20))


def message_bytes(points: tuple[KeyPoint, ...]) -> bytes:
    """The serialized message for fixed addresses and date, with the given key points."""
    message = build_message(
        title=TITLE,
        edition_date=date(2023, 1, 20),
        points=points,
        sender="briefing@example.org",
        pdf=PDF,
        sent_at=SENT_AT,
        templates_dir=TEMPLATES,
    )
    return addressed(message.as_bytes(), "desk@example.org")


def test_message_has_both_bodies_and_the_pdf_as_application_pdf() -> None:
    """Plain text and HTML carry every key point with its citation; the PDF is attached intact."""
    points = key_points(briefing())
    message = message_from_bytes(message_bytes(points), policy=policy.default)
    plain = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[attr-defined]
    (attachment,) = message.iter_attachments()  # type: ignore[attr-defined]

    assert 3 == len(points)
    assert [True] * 6 == [p.statement in plain and p.citation in plain for p in points] + [
        p.statement.replace("'", "&#39;") in html for p in points
    ]
    assert ("application/pdf", "briefing-2023-01-20.pdf", PDF) == (
        attachment.get_content_type(),
        attachment.get_filename(),
        attachment.get_content(),
    )


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_header_can_be_built_from_source_text(hostile: str) -> None:
    """Hostile text in a statement, theme and citation changes no header: it stays in the bodies.

    The headers are exactly the fixed subject, the date and the configured addresses.
    """
    point = KeyPoint(theme=hostile, statement=hostile, citation=f"[1] {hostile}")
    message = message_from_bytes(message_bytes((point,)), policy=policy.default)
    headers = {name: str(value) for name, value in message.items()}

    expected = {
        "Subject": "U.S.-Japan space partnership briefing, edition of 20 January 2023",
        "From": "briefing@example.org",
        "To": "desk@example.org",
        "Date": "Fri, 20 Jan 2023 07:00:00 +0000",
        "MIME-Version": "1.0",
    }
    assert expected == {name: value for name, value in headers.items() if name in expected}
    assert {*expected, "Message-ID", "Content-Type"} == set(headers)
    assert [] == [name for name, _ in message.items() if name.lower() in {"bcc", "cc"}]


def test_an_unvalidated_address_cannot_reach_a_header() -> None:
    """A copy is addressed to a re-checked address only: one with a line break is refused."""
    with pytest.raises(ValueError, match="is not an email address"):
        addressed(b"Subject: x\r\n\r\n", "desk@example.org\r\nBcc: leak@attacker.example")


def test_the_message_names_no_recipient_and_each_copy_names_one() -> None:
    """The message built once has no To header; each recipient's copy has theirs alone, and
    the dry run's is addressed to undisclosed recipients."""
    plain = build_message(
        title=TITLE, edition_date=date(2023, 1, 20), points=(), sender="briefing@example.org",
        pdf=PDF, sent_at=SENT_AT, templates_dir=TEMPLATES,
    )  # fmt: skip
    assert plain["To"] is None
    for to in ("analyst@example.net", UNDISCLOSED):
        copy = message_from_bytes(addressed(plain.as_bytes(), to), policy=policy.default)
        assert ([to], PDF) == (
            copy.get_all("To"),
            next(copy.iter_attachments()).get_content(),  # type: ignore[attr-defined]
        )


def test_html_body_escapes_markup_from_sources() -> None:
    """A statement with HTML tags appears escaped in the HTML body, never as markup."""
    statement = "Officials called it <b>bold</b> progress."
    wire = document("wire", f"{TEXT_WIRE} {statement}", source_type=SourceType.WIRE)
    points = key_points(briefing(statement_civil=statement, wire=wire))
    message = message_from_bytes(message_bytes(points), policy=policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[attr-defined]
    assert (1, 0) == (html.count("&lt;b&gt;bold&lt;/b&gt;"), html.count("<b>bold</b>"))


def test_the_email_says_what_the_pdf_is_and_links_the_html_edition() -> None:
    """The bodies say the PDF is the week in brief, how much of the edition it prints, and
    link the HTML edition that holds it all; a top story's headline is listed as one."""
    points = (
        KeyPoint(
            theme="Civil space", statement="Japan joins Gateway.", citation="[1] X", headline=True
        ),
        KeyPoint(theme="Security", statement="Allies agree.", citation="[2] Y"),
    )
    note = PdfNote(statements=114, printed=40, html_link="https://editions.example.org/b.html")
    message = build_message(
        title=TITLE, edition_date=date(2023, 1, 20), points=points, sender="briefing@example.org",
        pdf=PDF, sent_at=SENT_AT, templates_dir=TEMPLATES, note=note,
    )  # fmt: skip
    plain = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert (
        "The attached PDF, briefing-2023-01-20.pdf, is the week in brief: it prints 40 of the "
        "edition's 114 statements, the most important first. The HTML edition holds all 114, "
        "each cited to its source: https://editions.example.org/b.html"
    ) in " ".join(plain.split())
    assert plain.index("Top stories") < plain.index("Japan joins") < plain.index("Key points")
    assert '<a href="https://editions.example.org/b.html">HTML edition</a>' in html
    assert "every statement cited" not in plain + html
