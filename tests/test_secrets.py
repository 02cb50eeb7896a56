"""Secrets never printed (#27): a database URL's password, the SMTP password and tokens are
hidden in errors, log records (Prefect's included), the run's state and the terminal."""

import logging
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from briefing.errors import BriefingError, ConfigurationError
from briefing.redact import install_log_redaction, redact, register_secrets
from briefing.settings import load_settings
from briefing.store.database import check_memory
from tests.conftest import free_port
from tests.runs import clean_env

PASSWORD = "hunter2-db-secret"
SMTP_PASSWORD = "smtp-pass-5ecret"


def down_database() -> str:
    """The URL of a PostgreSQL memory on a loopback port nothing listens on, with a password."""
    return f"postgresql+psycopg://briefer:{PASSWORD}@127.0.0.1:{free_port()}/briefing"


def test_a_urls_password_and_credential_parameters_are_hidden() -> None:
    """The password of any URL and the value of a token parameter become ***."""
    assert (
        "postgresql://user:***@db.example/briefing and https://x.example/feed?token=***&lang=en"
    ) == redact(
        "postgresql://user:pw@db.example/briefing and https://x.example/feed?token=abc&lang=en"
    )


def test_the_memorys_error_does_not_show_its_password() -> None:
    """A memory server that is down: the StoreError names the URL with its password hidden."""
    with pytest.raises(BriefingError) as raised:
        check_memory(down_database())
    assert (False, True) == (
        PASSWORD in str(raised.value),
        "briefer:***@127.0.0.1" in str(raised.value),
    )


def test_a_refused_setting_does_not_repeat_a_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused BRIEFING_PUBLIC_BASE_URL holding credentials is named without them."""
    monkeypatch.setenv("BRIEFING_PUBLIC_BASE_URL", f"ftp://me:{PASSWORD}@files.example/")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert (False, True) == (
        PASSWORD in str(raised.value),
        "BRIEFING_PUBLIC_BASE_URL" in str(raised.value),
    )


def test_every_log_record_hides_the_secrets_the_settings_hold(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Once the settings are read, a log record quoting the SMTP password, or a driver's
    exception quoting the database URL, is written with both hidden."""
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("BRIEFING_DATABASE_URL", down_database())
    register_secrets(load_settings().secrets())
    install_log_redaction()
    written = tmp_path / "log.txt"
    handler = logging.FileHandler(written)
    logger = logging.getLogger("briefing.test_secrets")
    logger.addHandler(handler)
    try:
        logger.warning("logged in with %s", SMTP_PASSWORD)
        try:
            raise RuntimeError(f"driver failed on {down_database()}")
        except RuntimeError:
            logger.exception("the memory failed")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = written.read_text()
    assert (False, False, True) == (
        SMTP_PASSWORD in text,
        PASSWORD in text,
        "driver failed on postgresql+psycopg://briefer:***@" in text,
    )


@pytest.mark.slow
def test_the_command_line_does_not_print_the_password(tmp_path: Path) -> None:
    """`briefing run` against a memory server that is down: its whole output names the
    memory without the password."""
    env = clean_env(
        BRIEFING_DATABASE_URL=down_database(),
        BRIEFING_SMTP_PASSWORD=SMTP_PASSWORD,
        BRIEFING_OUT_DIR=str(tmp_path / "out"),
    )
    done = subprocess.run(
        [str(Path(sys.executable).parent / "briefing"), "run", "--no-seeds"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert (2, False, False, True) == (
        done.returncode,
        PASSWORD in output,
        SMTP_PASSWORD in output,
        "briefer:***@127.0.0.1" in output,
    )


@pytest.mark.slow
def test_a_flow_run_that_fails_on_the_memory_shows_no_secret_anywhere(
    prefect_harness: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The flow itself (no command-line check first) against a memory server that is down:
    neither its output, its log records, the records Prefect's server keeps for the UI, its
    state's message nor its artifacts hold the password or the SMTP password."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )

    from briefing.parameters import EditionParameters, form_values
    from flows.weekly_briefing import weekly_briefing

    monkeypatch.setenv("BRIEFING_DATABASE_URL", down_database())
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", SMTP_PASSWORD)
    caplog.set_level(logging.DEBUG)
    state = weekly_briefing(
        **form_values(
            EditionParameters(
                edition_date=date(2023, 1, 20),
                output_dir=str(tmp_path / "out"),
                include_configured_feeds=False,
            )
        ),
        return_state=True,
    )
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    printed = capfd.readouterr()
    formatter = logging.Formatter("%(message)s")
    channels = {
        "stdout": printed.out,
        "stderr": printed.err,
        "records": "\n".join(formatter.format(record) for record in caplog.records),
        "server logs": "\n".join(log.message for log in logs),
        "state": str(state.message),
        "artifacts": "\n".join(str(artifact.data) for artifact in artifacts),
    }
    leaks = [name for name, text in channels.items() if PASSWORD in text or SMTP_PASSWORD in text]
    assert (True, [], True) == (
        state.is_failed(),
        leaks,
        "briefer:***@127.0.0.1" in channels["server logs"] + channels["state"],
    )


def test_a_feed_given_by_a_url_with_a_token_is_named_without_it() -> None:
    """``--feed https://host/feed?token=...``: the name every edition shows hides the token."""
    from briefing.sources.feeds import feed_for_url

    feed = feed_for_url("https://news.example/feed.xml?token=abc123secret&lang=en")
    assert ("https://news.example/feed.xml?token=***&lang=en", False) == (feed.name, feed.named)
