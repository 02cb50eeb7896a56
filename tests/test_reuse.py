"""An edition made again from the same inputs reuses the stored files; other inputs do not."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from briefing.edition import build_plan, compose_edition, extract_edition, load_sources
from briefing.models import Briefing, FetchOutcome
from briefing.reuse import edition_inputs, load_stored_edition, stored_edition_stands
from briefing.settings import Settings
from briefing.store.files import write_edition
from briefing.store.memory import Recollection

EDITION_DATE = date(2023, 1, 20)
NOTHING_EARLIER = Recollection(previous_edition=None, fact_ids=frozenset())
FETCHED = FetchOutcome(
    feed="f", url="https://example.org/f.xml", status="fetched", http_status=200,
    bytes_received=5120, items=10, kept=4,
)  # fmt: skip


def inputs(**changes: object) -> str:
    """The fingerprint of a fixed set of inputs, with some of them changed."""
    given: dict[str, object] = {
        "choices": {"edition_date": EDITION_DATE, "page_size": "A4"},
        "extraction_keys": ["k1", "k2"],
        "outcomes": [FETCHED],
        "recollection": NOTHING_EARLIER,
        "versions": {"pysbd": "0.3.4"},
        "code": "c1",
    }
    given.update(changes)
    return edition_inputs(**given)  # type: ignore[arg-type]


def test_a_feed_answering_304_gives_the_same_inputs_as_fetching_it_again() -> None:
    """What is read from a feed is the same copy whether it came anew or as a 304."""
    unchanged = FETCHED.model_copy(
        update={"status": "unchanged", "http_status": 304, "bytes_received": 0}
    )
    assert inputs() == inputs(outcomes=[unchanged])


@pytest.mark.parametrize(
    "changes",
    [
        {"extraction_keys": ["k1", "k3"]},
        {"extraction_keys": ["k2", "k1"]},
        {"outcomes": [FETCHED.model_copy(update={"status": "failed", "reason": "timeout"})]},
        {"outcomes": [FETCHED.model_copy(update={"off_topic": 1})]},
        {"recollection": Recollection(EDITION_DATE, frozenset({"abc"}))},
        {"choices": {"edition_date": EDITION_DATE, "page_size": "letter"}},
        {"versions": {"pysbd": "0.3.5"}},
        {"code": "c2"},
    ],
)
def test_any_other_input_gives_another_fingerprint(changes: dict[str, object]) -> None:
    """A document, a feed's outcome, what earlier editions carried, a choice, a library or
    the code: each changes the fingerprint."""
    assert inputs() != inputs(**changes)


@pytest.fixture(scope="module")
def seed_edition() -> Briefing:
    """The seed edition, composed in-process."""
    plan = build_plan(Settings(), today=EDITION_DATE)
    topic, seeds = load_sources(plan)
    return compose_edition(plan, topic, seeds, extract_edition(topic, seeds).facts, versions={})


def stored(out: Path, briefing: Briefing, fingerprint: str) -> None:
    """Write the edition's files (a stand-in PDF: no rendering needed here) with the inputs."""
    write_edition(
        out, briefing, b"%PDF-1.7 test", b"<html></html>",
        run_id="run-1", written_at=datetime(2023, 1, 20, tzinfo=UTC), inputs=fingerprint,
    )  # fmt: skip


@pytest.mark.slow  # the seed edition: seconds
def test_the_stored_edition_of_the_same_inputs_is_reused_whole(
    tmp_path: Path, seed_edition: Briefing
) -> None:
    """Its briefing is read back equal, with the run that wrote it."""
    stored(tmp_path, seed_edition, "same")
    reused = load_stored_edition(tmp_path, EDITION_DATE, "same")
    assert reused is not None
    assert (seed_edition, "run-1") == (reused.briefing, reused.run_id)


@pytest.mark.slow
def test_other_inputs_or_a_changed_file_reuse_nothing(
    tmp_path: Path, seed_edition: Briefing
) -> None:
    """Another fingerprint, a file no longer as written, or no edition at all: None; and
    ``stored_edition_stands``, the check a run holding the edition makes again, says the same."""
    assert load_stored_edition(tmp_path, EDITION_DATE, "same") is None
    assert not stored_edition_stands(tmp_path, EDITION_DATE, "same")
    stored(tmp_path, seed_edition, "same")
    assert stored_edition_stands(tmp_path, EDITION_DATE, "same")
    assert load_stored_edition(tmp_path, EDITION_DATE, "other") is None
    assert not stored_edition_stands(tmp_path, EDITION_DATE, "other")
    (tmp_path / "briefing-2023-01-20.html").write_text("<html>changed</html>", encoding="utf-8")
    assert load_stored_edition(tmp_path, EDITION_DATE, "same") is None
    assert not stored_edition_stands(tmp_path, EDITION_DATE, "same")
