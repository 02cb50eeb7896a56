"""Score a briefing against a hand-labelled set: themes, dates, kinds, key events, relevance.

The labels (``evaluation/labels.yaml``) name each candidate sentence of the seeds by its document
and the first words of its text, with the theme, kind, speaker and date a careful reader gives it.
A briefing's statements are matched to them by those words, so the score follows the pipeline's
output, not its internals.
"""

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.errors import ConfigurationError
from briefing.models import Briefing, Fact, FactKind, Precision, Qualifier


class _Label(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LabelDate(_Label):
    """The interval a sentence's time means, as labelled."""

    start: date
    end: date
    precision: Precision
    qualifier: Qualifier | None = None


class SentenceLabel(_Label):
    """What a careful reader says of one candidate sentence."""

    document: str
    quote: str = Field(min_length=20, description="The sentence's first words, verbatim.")
    theme: str = Field(description="A theme id, or off-topic.")
    secondary: str | None = None
    kind: FactKind
    speaker: str | None = None
    date: LabelDate | None = None


class KeyEvent(_Label):
    """Something a briefing on the seeds must carry."""

    name: str
    date: LabelDate | None = None
    kind: FactKind
    documents: list[str]
    phrases: list[str] = Field(min_length=1)


class Labels(_Label):
    """The whole labelled set."""

    sentences: list[SentenceLabel]
    key_events: list[KeyEvent]
    disagreements: list[dict[str, Any]] = []


class Score(BaseModel):
    """How many of a kind were right, of how many."""

    right: int
    total: int

    @property
    def ratio(self) -> float:
        """The share that was right; 1.0 when there was nothing to get right."""
        return self.right / self.total if self.total else 1.0


class Report(BaseModel):
    """The evaluation's figures, and what went wrong, for a reader to check."""

    statements: int = Field(description="Statements in the briefing that the labels cover.")
    theme: Score
    date: Score
    kind: Score
    speaker: Score
    key_events: Score
    off_topic_carried: Score = Field(description="Labelled off-topic statements carried.")
    on_topic_dropped: Score = Field(description="Labelled on-topic sentences in no statement.")
    disagreements_found: int
    labelled_disagreements: Score = Field(
        description="Labelled disagreements whose phrases a Sources differ note quotes."
    )
    missing_key_events: list[str]
    theme_errors: list[str]
    date_errors: list[str]


L = TypeVar("L", bound=BaseModel)


def load_labelled(path: Path, model: type[L], what: str) -> L:
    """Read and validate a YAML file of labels as ``model``; ConfigurationError naming the
    file as ``what`` when it cannot be read or is not such labels."""
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"{what} {path} are invalid:\n{exc}") from exc


def load_labels(path: Path) -> Labels:
    """Read and validate a labels file."""
    return load_labelled(path, Labels, "labels")


def _label_for(document: str, quote: str, labels: Iterable[SentenceLabel]) -> SentenceLabel | None:
    # Lead-ins (a dateline, "A1: ") are trimmed from statements, so either may start the other.
    for label in labels:
        if label.document == document and (
            quote.startswith(label.quote) or label.quote.startswith(quote[:60])
        ):
            return label
    return None


def _date_right(fact: Fact, label: LabelDate | None) -> bool:
    if fact.when is None or label is None:
        return fact.when is None and label is None
    return (fact.when.start, fact.when.end) == (label.start, label.end)


def evaluate(briefing: Briefing, labels: Labels) -> Report:
    """Compare each statement of the briefing (the wording that leads it) with its label."""
    theme = Score(right=0, total=0)
    dated = Score(right=0, total=0)
    kind = Score(right=0, total=0)
    speaker = Score(right=0, total=0)
    off_topic = Score(right=0, total=0)
    theme_errors: list[str] = []
    date_errors: list[str] = []
    covered = 0
    for fact in briefing.facts():
        lead = next(e for e in fact.evidence if e.quote == fact.statement)
        label = _label_for(lead.document_id, fact.statement, labels.sentences)
        if label is None:
            continue
        covered += 1
        if label.theme == "off-topic":
            off_topic.right += 1
            theme_errors.append(f"off-topic carried: {fact.statement[:90]}")
            continue
        theme.total += 1
        if fact.theme == label.theme:
            theme.right += 1
        else:
            theme_errors.append(f"{fact.theme} (label {label.theme}): {fact.statement[:90]}")
        if fact.when is not None or label.date is not None:
            dated.total += 1
            if _date_right(fact, label.date):
                dated.right += 1
            else:
                given = f"{fact.when.start}..{fact.when.end}" if fact.when else "none"
                wanted = f"{label.date.start}..{label.date.end}" if label.date else "none"
                date_errors.append(f"{given} (label {wanted}): {fact.statement[:90]}")
        kind.total += 1
        kind.right += fact.kind == label.kind
        speaker.total += 1
        speaker.right += fact.speaker == label.speaker
    off_topic.total = sum(1 for label in labels.sentences if label.theme == "off-topic")

    quotes = [(e.document_id, e.quote) for fact in briefing.facts() for e in fact.evidence]
    on_topic = [label for label in labels.sentences if label.theme != "off-topic"]
    dropped = [
        label
        for label in on_topic
        if not any(
            doc == label.document and (q.startswith(label.quote) or label.quote.startswith(q[:60]))
            for doc, q in quotes
        )
    ]
    texts = [quote for _, quote in quotes]
    missing = [
        event.name
        for event in labels.key_events
        if not any(phrase in text for phrase in event.phrases for text in texts)
    ]
    noted = [
        " ".join(claim.evidence.quote for claim in disagreement.claims)
        for disagreement in briefing.disagreements
    ]
    caught = sum(
        1
        for item in labels.disagreements
        if any(
            sum(statement["phrase"] in text for statement in item.get("statements", [])) >= 2
            for text in noted
        )
    )
    return Report(
        statements=covered,
        theme=theme,
        date=dated,
        kind=kind,
        speaker=speaker,
        key_events=Score(right=len(labels.key_events) - len(missing), total=len(labels.key_events)),
        off_topic_carried=off_topic,
        on_topic_dropped=Score(right=len(dropped), total=len(on_topic)),
        disagreements_found=len(briefing.disagreements),
        labelled_disagreements=Score(right=caught, total=len(labels.disagreements)),
        missing_key_events=missing,
        theme_errors=theme_errors,
        date_errors=date_errors,
    )
