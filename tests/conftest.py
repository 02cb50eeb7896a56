"""Shared fixtures: WeasyPrint's log checked in every test, the project's topic profile and seeds,
a Prefect harness, SMTP servers."""

import logging
import re
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from hypothesis import settings

from briefing.models import SourceDocument
from briefing.settings import PROJECT_ROOT
from briefing.sources.seeds import load_seeds
from briefing.topic import Topic, load_topic
from tests.feedserver import FeedServer, serve_feeds
from tests.postgres import PostgresServer, run_postgres, why_unavailable

SEEDS_DIR = PROJECT_ROOT / "seeds"
TOPIC_FILE = PROJECT_ROOT / "topics" / "us-japan-space.yaml"
TEMPLATES_DIR = PROJECT_ROOT / "templates"


class WeasyPrintLog(logging.Handler):
    """WeasyPrint's warnings and errors since the last check.

    WeasyPrint does not raise on a missing font, a missing image or a URL the fetcher refuses: it
    logs a warning or an error on the ``weasyprint`` logger and renders without it.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)

    def complaints(self) -> list[str]:
        """Every warning or error logged since the last check, as "LEVEL logger: message"."""
        return weasyprint_complaints(self.records)

    def take(self) -> list[str]:
        """The complaints so far, forgotten by the check: for a test that expects them."""
        taken = self.complaints()
        self.records.clear()
        return taken


def weasyprint_complaints(records: Iterable[logging.LogRecord]) -> list[str]:
    """WeasyPrint's warnings and errors among the records, as "LEVEL logger: message"."""
    return [
        f"{record.levelname} {record.name}: {record.getMessage()}"
        for record in records
        if record.levelno >= logging.WARNING
        and (record.name == "weasyprint" or record.name.startswith("weasyprint."))
    ]


def fail_on_weasyprint_complaints(records: Iterable[logging.LogRecord]) -> None:
    """Fail the running test, listing them, if WeasyPrint logged a warning or an error."""
    complaints = weasyprint_complaints(records)
    if complaints:
        pytest.fail(
            "WeasyPrint logged a warning or error (what it names is missing from the PDF):\n"
            + "\n".join(complaints),
            pytrace=False,
        )


# A Prefect console line: "12:00:00.000 | WARNING | weasyprint - Failed to load image ..."
_WEASYPRINT_LINE = re.compile(r"\|\s*(?:WARNING|ERROR|CRITICAL)\s*\|\s*weasyprint(?:\.\S+)?\s+-\s")


def weasyprint_lines(output: str) -> list[str]:
    """The lines of a Prefect process's console output where WeasyPrint warned or failed."""
    return [line for line in output.splitlines() if _WEASYPRINT_LINE.search(line)]


@pytest.fixture(scope="session", autouse=True)
def weasyprint_session_log() -> Iterator[WeasyPrintLog]:
    """Listen to WeasyPrint from the start of the session, before any module-scoped fixture
    renders; anything logged after the last test's check fails the session's end."""
    logger = logging.getLogger("weasyprint")
    handler, level = WeasyPrintLog(), logger.level
    logger.addHandler(handler)
    # Warnings must reach the handler whatever level the root logger is given (Prefect sets one).
    logger.setLevel(logging.WARNING)
    try:
        yield handler
        fail_on_weasyprint_complaints(handler.records)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture(autouse=True)
def weasyprint_log(weasyprint_session_log: WeasyPrintLog) -> Iterator[WeasyPrintLog]:
    """Fail any test during which WeasyPrint logged a warning or an error, the rendering done by
    the module-scoped fixtures it was the first to use included (see STYLE.md: a render test
    fails on any WeasyPrint warning). A test that expects complaints takes them."""
    yield weasyprint_session_log
    records = list(weasyprint_session_log.records)
    weasyprint_session_log.records.clear()
    fail_on_weasyprint_complaints(records)


@pytest.fixture(scope="session", autouse=True)
def memory_outside_the_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the memory database at a temporary folder, so no test writes into the project."""
    database = tmp_path_factory.mktemp("memory") / "briefing.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{database}")
        yield


NO_FEEDS = Path(__file__).resolve().parent / "fixtures" / "no-feeds.yaml"


@pytest.fixture(scope="session", autouse=True)
def no_configured_feeds() -> Iterator[None]:
    """Read no configured feeds: the shipped briefing.yaml lists real outlets, which no test
    may try to reach (a test that wants feeds names its own file, or --feed on 127.0.0.1)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFING_CONFIG_FILE", str(NO_FEEDS))
        yield


@pytest.fixture(scope="session", autouse=True)
def no_articles_unless_asked() -> Iterator[None]:
    """Fetch no article pages unless a test asks (``Settings(article_cap=...)``): the fixture
    feeds link to made-up hosts, which no test may try to reach, as the news evaluation's do."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFING_ARTICLE_CAP", "0")
        # No spacing of the requests to one host: every test page is on 127.0.0.1.
        patch.setenv("BRIEFING_ARTICLE_HOST_DELAY", "0")
        yield


@pytest.fixture(scope="session")
def topic() -> Topic:
    """The project's topic profile."""
    return load_topic(TOPIC_FILE)


@pytest.fixture(scope="session")
def seeds() -> tuple[SourceDocument, ...]:
    """The five seed documents with their metadata."""
    return load_seeds(SEEDS_DIR)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seeds folder."""
    target = tmp_path / "seeds"
    target.mkdir()
    for path in SEEDS_DIR.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One throwaway Prefect server and database for every in-process flow run of the session."""
    # Imported here: it imports Prefect's whole server, seconds that tests without it never need.
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """What a test SMTP server on 127.0.0.1 was asked to deliver, and what it received."""

    port: int
    refuse: bool = False
    recipients_asked: list[str] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)  # each message's connection (its address)

    async def handle_RCPT(  # aiosmtpd calls hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        """Count every recipient asked for; accept it, or refuse it as a full mailbox would."""
        self.recipients_asked.append(address)
        if self.refuse:
            return "550 5.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # aiosmtpd calls hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        """Keep the message, and the connection it came over."""
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        """Every received message, parsed."""
        return [
            message_from_bytes(bytes(envelope.original_content or b""), policy=policy.default)
            for envelope in self.envelopes
        ]


@contextmanager
def serve_smtp(mailbox: Mailbox) -> Iterator[Mailbox]:
    """Run the mailbox as an SMTP server on 127.0.0.1 until the block ends, even on failure."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that accepts every message."""
    with serve_smtp(Mailbox(port=free_port())) as mailbox:
        yield mailbox


@pytest.fixture
def refusing_smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 that refuses every recipient with a 550."""
    with serve_smtp(Mailbox(port=free_port(), refuse=True)) as mailbox:
        yield mailbox


# Bounded, repeatable property-based tests: the same examples on every run, and few enough
# that `make test` stays quick.
settings.register_profile("briefing", max_examples=150, deadline=None, derandomize=True)
settings.load_profile("briefing")


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    """The fixture feeds, served over real HTTP on 127.0.0.1 for the whole session."""
    with serve_feeds() as server:
        yield server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the session's own on 127.0.0.1, or a skip saying why there is none."""
    reason = why_unavailable()
    if reason is not None:
        pytest.skip(f"no PostgreSQL for the memory's tests: {reason}")
    with run_postgres(free_port()) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty memory database: a SQLite file in a folder not made yet, then a
    new database on the session's PostgreSQL; each memory test runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new-folder' / 'briefing.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)
