"""Shared fixtures: the project's own topic profile and seed documents."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

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


# Bounded, repeatable property-based tests: the same examples on every run, and few enough
# that `make test` stays quick.
settings.register_profile("briefing", max_examples=150, deadline=None, derandomize=True)
settings.load_profile("briefing")


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    """The fixture feeds, served over real HTTP on 127.0.0.1 for the whole session."""
    with serve_feeds() as server:
        yield server
