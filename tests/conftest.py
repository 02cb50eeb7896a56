"""Shared fixtures: the project's topic profile and seeds, a Prefect harness, SMTP servers."""

import socket
from collections.abc import Iterator
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
from prefect.testing.utilities import prefect_test_harness

from briefing.models import SourceDocument
from briefing.settings import PROJECT_ROOT
from briefing.sources.seeds import load_seeds
from briefing.topic import Topic, load_topic
from tests.feedserver import FeedServer, serve_feeds

SEEDS_DIR = PROJECT_ROOT / "seeds"
TOPIC_FILE = PROJECT_ROOT / "topics" / "us-japan-space.yaml"
TEMPLATES_DIR = PROJECT_ROOT / "templates"


@pytest.fixture(scope="session", autouse=True)
def memory_outside_the_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the memory database at a temporary folder, so no test writes into the project."""
    database = tmp_path_factory.mktemp("memory") / "briefing.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{database}")
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
        """Keep the message."""
        self.envelopes.append(envelope)
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
