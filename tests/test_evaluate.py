"""The evaluation: the seed edition meets the quality bar, and the scoring itself is right."""

from datetime import date

import pytest

from briefing.edition import load_seed_briefing
from briefing.evaluate import Labels, evaluate, load_labels
from briefing.models import Briefing
from briefing.settings import PROJECT_ROOT

LABELS = PROJECT_ROOT / "evaluation" / "labels.yaml"


@pytest.fixture(scope="module")
def labels() -> Labels:
    """The hand-labelled set for the seeds."""
    return load_labels(LABELS)


@pytest.fixture(scope="module")
def seed_briefing() -> Briefing:
    """The seed edition as the pipeline composes it."""
    return load_seed_briefing(date(2023, 1, 20))


def test_every_label_names_a_real_sentence(labels: Labels) -> None:
    """Each labelled quote is the start of text in its seed file, so no label is dead."""
    texts = {
        path.stem: path.read_text(encoding="utf-8")
        for path in (PROJECT_ROOT / "seeds").glob("*.txt")
    }
    assert [] == [
        label.quote for label in labels.sentences if label.quote not in texts[label.document]
    ]


# Today's exact figures from `briefing evaluate` (right, wrong), so that any regression fails: one
# fewer right or one more wrong. Raise them when the pipeline gets better; never lower them.
FLOORS = {
    "theme": (111, 2),
    "date": (36, 1),
    "kind": (83, 30),
    "speaker": (94, 19),
}


def test_seed_edition_meets_the_quality_bar(seed_briefing: Briefing, labels: Labels) -> None:
    """Theme, date, kind and speaker are each right at least as often, and wrong no more often,
    than today, and every key event of the labelled set is carried."""
    report = evaluate(seed_briefing, labels)
    scores = {name: getattr(report, name) for name in FLOORS}
    below = {
        name: f"{score.right} right, {score.total - score.right} wrong"
        for name, score in scores.items()
        if score.right < FLOORS[name][0] or score.total - score.right > FLOORS[name][1]
    }
    assert ({}, []) == (below, report.missing_key_events), (report.theme_errors, report.date_errors)


def test_seed_edition_notes_the_artemis_accords_disagreement(seed_briefing: Briefing) -> None:
    """The seeds differ on how many original signatories Japan was among; the edition says so."""
    values = [
        {claim.value for claim in disagreement.claims}
        for disagreement in seed_briefing.disagreements
    ]
    assert {"eight countries", "seven original partner countries"} in values


def test_a_wrong_theme_lowers_the_score(seed_briefing: Briefing, labels: Labels) -> None:
    """Relabelling one carried statement's theme makes exactly one more theme error."""
    before = evaluate(seed_briefing, labels)
    fact = next(seed_briefing.facts())
    lead = next(e for e in fact.evidence if e.quote == fact.statement)
    changed = [
        label.model_copy(
            update={"theme": "security" if label.theme != "security" else "civil-space"}
        )
        if label.document == lead.document_id and fact.statement.startswith(label.quote)
        else label
        for label in labels.sentences
    ]
    after = evaluate(seed_briefing, labels.model_copy(update={"sentences": changed}))
    assert before.theme.right - 1 == after.theme.right
