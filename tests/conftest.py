"""Shared fixtures: the project's own topic profile and seed documents."""

from pathlib import Path

import pytest
from hypothesis import settings

from briefing.models import SourceDocument
from briefing.settings import PROJECT_ROOT
from briefing.sources.seeds import load_seeds
from briefing.topic import Topic, load_topic

SEEDS_DIR = PROJECT_ROOT / "seeds"
TOPIC_FILE = PROJECT_ROOT / "topics" / "us-japan-space.yaml"
TEMPLATES_DIR = PROJECT_ROOT / "templates"


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
