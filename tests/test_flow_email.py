"""The weekly-briefing flow emails its edition through a real SMTP server on 127.0.0.1."""

import json
import socket
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from markupsafe import escape
from prefect_email import EmailServerCredentials
from pydantic import SecretStr
from typer.testing import CliRunner

from briefing.deliver.smtp import SmtpDeadlineExceeded, load_delivery_records
from briefing.edition import EditionResult
from briefing.models import Briefing
from briefing.parameters import EditionParameters, form_values
from briefing.render.summary import key_points
from briefing.settings import SmtpServer
from commands.cli import app
from flows.delivery import block_connection, block_server
from flows.weekly_briefing import weekly_briefing
from tests.conftest import Mailbox, free_port, serve_smtp

EDITION_DATE = date(2023, 1, 20)
SUBJECT = "U.S.-Japan space partnership briefing, edition of 20 January 2023"
PREFECT_YAML = Path(__file__).resolve().parents[1] / "deploy" / "prefect.yaml"
CONFIGURED = "desk@example.org"
EXTRA = "analyst@example.net"


def use_smtp(monkeypatch: pytest.MonkeyPatch, port: int, retries: int) -> None:
    """Point the BRIEFING_SMTP_* settings at a plain SMTP server on 127.0.0.1, retrying at once."""
    for name, value in {
        "BRIEFING_SMTP_HOST": "127.0.0.1",
        "BRIEFING_SMTP_PORT": str(port),
        "BRIEFING_SMTP_SECURITY": "none",
        "BRIEFING_SMTP_FROM": "briefing@example.org",
        "BRIEFING_SMTP_TIMEOUT_SECONDS": "10",
        "BRIEFING_SMTP_RETRIES": str(retries),
        "BRIEFING_SMTP_RETRY_DELAY_SECONDS": "0",
        "BRIEFING_EMAIL_RECIPIENTS": CONFIGURED,
    }.items():
        monkeypatch.setenv(name, value)


def parts(message: EmailMessage) -> tuple[str, str, EmailMessage]:
    """The plain-text body, the HTML body and the one attachment of a message."""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    (attachment,) = list(message.iter_attachments())
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content(), attachment


@pytest.fixture(scope="module")
def emailed(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EditionResult, Mailbox]]:
    """One edition made and emailed to a configured and an extra recipient."""
    with serve_smtp(Mailbox(port=free_port())) as mailbox, pytest.MonkeyPatch.context() as patch:
        use_smtp(patch, mailbox.port, retries=0)
        result = weekly_briefing(
            **form_values(
                EditionParameters(
                    edition_date=EDITION_DATE,
                    output_dir=str(tmp_path_factory.mktemp("emailed")),
                    send_email=True,
                    recipients=[EXTRA],
                )
            )
        )
        yield result, mailbox


@pytest.mark.slow
def test_the_edition_reaches_every_recipient_with_the_pdf_on_disk(
    emailed: tuple[EditionResult, Mailbox],
) -> None:
    """Each recipient gets one message addressed to them alone: fixed subject, both bodies, the
    PDF's exact bytes."""
    result, mailbox = emailed
    briefing = Briefing.model_validate_json(result.json_file.read_text(encoding="utf-8"))
    points = key_points(briefing)

    assert sorted([[CONFIGURED], [EXTRA]]) == sorted(e.rcpt_tos for e in mailbox.envelopes)
    for envelope, message in zip(mailbox.envelopes, mailbox.messages(), strict=True):
        plain, html, attachment = parts(message)
        assert (SUBJECT, envelope.rcpt_tos, "briefing@example.org") == (
            message["Subject"],
            message.get_all("To"),
            message["From"],
        )
        assert len(briefing.key_points) == len(points) >= 5
        assert all(point.statement in plain and point.citation in plain for point in points)
        # Escaped as the templates escape (an apostrophe too: a key point may hold "moon's").
        assert all(str(escape(point.statement)) in html for point in points)
        assert ("application/pdf", "briefing-2023-01-20.pdf") == (
            attachment.get_content_type(),
            attachment.get_filename(),
        )
        assert result.pdf_file.read_bytes() == attachment.get_content()
        # What the PDF is, and where the whole edition opens (file:// here: no public base URL).
        said = " ".join(plain.split())
        assert "is the week in brief: it prints" in said and result.printed is not None
        assert f"each cited to its source: {result.html_file.as_uri()}" in said


@pytest.mark.slow
def test_the_attachment_file_name_is_quoted(emailed: tuple[EditionResult, Mailbox]) -> None:
    """The raw message names the PDF in a quoted filename parameter."""
    _, mailbox = emailed
    raw = bytes(mailbox.envelopes[0].original_content or b"")
    assert b'Content-Disposition: attachment; filename="briefing-2023-01-20.pdf"' in raw


@pytest.mark.slow
def test_each_delivery_is_recorded_once_per_recipient(
    emailed: tuple[EditionResult, Mailbox],
) -> None:
    """The delivery log beside the edition has one successful first attempt per recipient."""
    result, _ = emailed
    records = load_delivery_records(result.pdf_file.parent)
    assert sorted([(CONFIGURED, 1, "sent"), (EXTRA, 1, "sent")]) == sorted(
        (record.recipient, record.attempt, record.outcome) for record in records
    )


@pytest.mark.slow
@pytest.mark.parametrize("server", ["refuses", "is down"])
def test_a_failed_delivery_is_recorded_retried_unless_refused_and_fails_the_run(
    server: str,
    prefect_harness: None,
    refusing_smtp_server: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A server that is down is tried again as often as the settings say; one that refuses the
    recipient with a 550 is asked once, as the refusal is final. Either way every attempt is
    recorded and the run fails, PDF kept."""
    port = refusing_smtp_server.port if server == "refuses" else free_port()
    use_smtp(monkeypatch, port, retries=2)
    state = weekly_briefing(
        **form_values(
            EditionParameters(edition_date=EDITION_DATE, output_dir=str(tmp_path), send_email=True)
        ),
        return_state=True,
    )
    records = load_delivery_records(tmp_path)

    assert state.is_failed()
    failure = str(state.result(raise_on_failure=False))
    assert "the edition is kept in" in failure
    assert ("a refusal: not retried" in failure) == (server == "refuses"), failure
    assert (tmp_path / "briefing-2023-01-20.pdf").read_bytes().startswith(b"%PDF-")
    attempts = 1 if server == "refuses" else 3
    assert [(CONFIGURED, n, "failed") for n in range(1, attempts + 1)] == [
        (record.recipient, record.attempt, record.outcome) for record in records
    ]
    expected_detail = "550 5.2.2 Mailbox full" if server == "refuses" else "ConnectionRefusedError"
    assert all(expected_detail in record.detail for record in records), records
    expected_asked = [CONFIGURED] if server == "refuses" else []
    assert expected_asked == refusing_smtp_server.recipients_asked


@pytest.mark.slow
def test_dry_run_writes_the_message_instead_of_sending_it(
    prefect_harness: None,
    smtp_server: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """`briefing run --email --dry-run --to` writes the .eml with the PDF and sends nothing."""
    use_smtp(monkeypatch, smtp_server.port, retries=0)
    result = CliRunner().invoke(
        app,
        [
            *("run", "--date", "2023-01-20", "--out", str(tmp_path)),
            *("--email", "--dry-run", "--to", EXTRA, "--page-size", "letter"),
        ],
    )
    assert 0 == result.exit_code, result.output
    message = message_from_bytes(
        (tmp_path / "briefing-2023-01-20.eml").read_bytes(), policy=policy.default
    )
    assert isinstance(message, EmailMessage)
    _, _, attachment = parts(message)

    assert [] == smtp_server.envelopes
    assert (SUBJECT, "undisclosed-recipients:;") == (message["Subject"], message["To"])
    assert (tmp_path / "briefing-2023-01-20.pdf").read_bytes() == attachment.get_content()
    lines = (tmp_path / "deliveries.jsonl").read_text(encoding="utf-8").splitlines()
    assert [CONFIGURED, EXTRA] == [json.loads(line)["recipient"] for line in lines]
    assert {"written"} == {json.loads(line)["outcome"] for line in lines}


@pytest.mark.slow
def test_a_prefect_email_block_names_the_smtp_server(
    prefect_harness: None,
    smtp_server: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """With smtp_block, mail goes through the block's server, not the BRIEFING_SMTP_* one."""
    EmailServerCredentials(
        smtp_server="127.0.0.1", smtp_port=smtp_server.port, smtp_type="INSECURE"
    ).save("test-relay", overwrite=True)
    use_smtp(monkeypatch, free_port(), retries=0)  # the settings' server is down
    weekly_briefing(
        **form_values(
            EditionParameters(
                edition_date=EDITION_DATE,
                output_dir=str(tmp_path),
                send_email=True,
                smtp_block="test-relay",
            )
        )
    )
    records = load_delivery_records(tmp_path)
    assert [[CONFIGURED]] == [envelope.rcpt_tos for envelope in smtp_server.envelopes]
    assert [("sent", "prefect-email block 'test-relay'")] == [(r.outcome, r.via) for r in records]


@pytest.mark.slow
def test_a_missing_block_fails_the_run_before_any_work(
    prefect_harness: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A block name that does not exist fails the run at once, naming it; nothing is written."""
    use_smtp(monkeypatch, free_port(), retries=0)
    state = weekly_briefing(
        **form_values(
            EditionParameters(
                edition_date=EDITION_DATE,
                output_dir=str(tmp_path),
                send_email=True,
                smtp_block="no-such-relay",
            )
        ),
        return_state=True,
    )
    assert state.is_failed()
    assert "no prefect-email 'Email Server Credentials' block named 'no-such-relay'" in str(
        state.message
    )
    assert [] == list(tmp_path.iterdir())


def test_a_block_becomes_a_server_reached_with_our_timeout() -> None:
    """A prefect-email block's host, port, security and login are kept; the timeout is ours."""
    credentials = EmailServerCredentials(
        smtp_server="smtp.example.org",
        smtp_type="SSL",
        username="desk",
        password="secret",
        verify=False,
    )
    server = block_server(credentials, timeout_seconds=7)
    assert (
        SmtpServer(
            host="smtp.example.org",
            port=465,
            security="ssl",
            username="desk",
            password=SecretStr("secret"),
            timeout_seconds=7,
            verify_certificates=False,
        )
        == server
    )
    anonymous = block_server(
        EmailServerCredentials(smtp_server="127.0.0.1", smtp_port=2525, smtp_type="STARTTLS"), 3
    )
    assert ("starttls", 2525, None, None, True) == (
        anonymous.security,
        anonymous.port,
        anonymous.username,
        anonymous.password,
        anonymous.verify_certificates,
    )


@pytest.mark.slow
def test_a_block_server_that_never_answers_times_out(prefect_harness: None) -> None:
    """A server that accepts the connection but never greets fails the send instead of hanging."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody speaks
        EmailServerCredentials(
            smtp_server="127.0.0.1", smtp_port=silent.getsockname()[1], smtp_type="INSECURE"
        ).save("silent-relay", overwrite=True)
        with pytest.raises(SmtpDeadlineExceeded, match=r"deadline of 0\.5 s exceeded"):
            block_connection("silent-relay", timeout_seconds=0.5)()


def monday_parameters() -> dict[str, object]:
    """The parameters the weekly deployment's Monday schedule runs the flow with."""
    deployments = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["deployments"]
    (weekly,) = [d for d in deployments if d["name"] == "weekly"]
    assert ["0 7 * * 1"] == [schedule["cron"] for schedule in weekly["schedules"]]
    return dict(weekly["parameters"])


MONDAY_LIST = ("desk@example.org", "analyst@example.net", "chief@example.com")


@pytest.mark.slow
def test_the_monday_schedule_emails_each_configured_recipient_alone(
    prefect_harness: None, smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The deployment's own schedule parameters, with recipients and a server configured as
    deploy/README.md says: one message per recipient, addressed to them alone, the PDF on
    disk attached, and a healthy run's plain Completed state."""
    use_smtp(monkeypatch, smtp_server.port, retries=0)
    monkeypatch.setenv("BRIEFING_EMAIL_RECIPIENTS", ",".join(MONDAY_LIST))
    monkeypatch.setenv("BRIEFING_OUT_DIR", str(tmp_path))
    state = weekly_briefing(**monday_parameters(), return_state=True)  # type: ignore[call-overload]
    result = state.result()
    assert ("Completed", []) == (state.name, result.warnings)
    assert sorted([r] for r in MONDAY_LIST) == sorted(e.rcpt_tos for e in smtp_server.envelopes)
    for envelope, message in zip(smtp_server.envelopes, smtp_server.messages(), strict=True):
        _, _, attachment = parts(message)
        assert envelope.rcpt_tos == message.get_all("To")
        assert result.pdf_file.read_bytes() == attachment.get_content()


@pytest.mark.slow
def test_the_monday_schedule_without_mail_settings_says_so_and_still_writes(
    prefect_harness: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No recipient configured: the edition is written, and the run ends "Completed with
    warnings", its message saying what to set."""
    monkeypatch.delenv("BRIEFING_EMAIL_RECIPIENTS", raising=False)
    monkeypatch.setenv("BRIEFING_OUT_DIR", str(tmp_path))
    state = weekly_briefing(**monday_parameters(), return_state=True)  # type: ignore[call-overload]
    assert ("Completed with warnings", True) == (state.name, state.is_completed())
    assert "Not emailed" in str(state.message) and "BRIEFING_EMAIL_RECIPIENTS" in str(state.message)
    assert state.result().pdf_file.exists()
