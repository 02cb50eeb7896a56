"""Score which reports an edition merges into one statement, against sentence pairs labelled
same claim or different claim (``evaluation/merge/pairs.yaml``).

A labelled sentence is found in an edition by its item (GUID) and its first words; a pair is
merged when one statement cites both sentences. Precision is over the pairs the edition merges,
recall over the pairs labelled the same claim; a pair with a sentence the edition does not carry
is counted apart (``missing``), in neither figure.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from briefing.evaluate import Score, load_labelled
from briefing.models import Briefing


class _Label(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PairSentence(_Label):
    """One sentence of a pair: its item's GUID and its first words, verbatim."""

    guid: str
    quote: str = Field(min_length=20)


class MergePair(_Label):
    """Two sentences of two items and whether they state the same claim."""

    set: str = Field(description="The news set the items belong to (its folder's name).")
    a: PairSentence
    b: PairSentence
    same: bool
    note: str | None = None


class MergePairs(_Label):
    """The labelled pairs."""

    pairs: list[MergePair] = Field(min_length=1)


class MergeReport(BaseModel):
    """Merge precision and recall, and the pairs behind each miss."""

    precision: Score = Field(description="Pairs merged that state the same claim.")
    recall: Score = Field(description="Pairs stating the same claim that are merged.")
    missing: int = Field(description="Pairs with a sentence the edition does not carry.")
    misses: list[str]


def load_merge_pairs(path: Path) -> MergePairs:
    """Read and validate the labelled pairs."""
    return load_labelled(path, MergePairs, "merge pairs")


def _statements_citing(
    briefing: Briefing, documents: Mapping[str, str], sentence: PairSentence
) -> set[str]:
    """The ids of the statements that cite the sentence (by its document and first words)."""
    document = documents.get(sentence.guid)
    return {
        fact.id
        for fact in briefing.facts()
        for evidence in fact.evidence
        if evidence.document_id == document and evidence.quote.startswith(sentence.quote)
    }


def score_merges(
    editions: Iterable[tuple[str, Briefing, Mapping[str, str]]], pairs: MergePairs
) -> MergeReport:
    """Score each set's edition (name, edition, each document's GUID) on its pairs."""
    precision, recall = Score(right=0, total=0), Score(right=0, total=0)
    missing, misses = 0, []
    by_set = {name: (briefing, guids) for name, briefing, guids in editions}
    for pair in pairs.pairs:
        if pair.set not in by_set:
            continue
        briefing, guids = by_set[pair.set]
        documents = {guid: document for document, guid in guids.items()}
        a = _statements_citing(briefing, documents, pair.a)
        b = _statements_citing(briefing, documents, pair.b)
        if not a or not b:
            missing += 1
            continue
        merged = bool(a & b)
        precision.total += merged
        precision.right += merged and pair.same
        recall.total += pair.same
        recall.right += merged and pair.same
        if merged != pair.same:
            kind = "merged, different claims" if merged else "not merged, same claim"
            first, second = pair.a, pair.b
            misses.append(f"{kind}: {first.guid} {first.quote!r} / {second.guid} {second.quote!r}")
    return MergeReport(precision=precision, recall=recall, missing=missing, misses=misses)


def merge_rows(report: MergeReport) -> Iterable[tuple[str, Score]]:
    """The report's figures, named for a table."""
    yield "merge precision (pairs merged that state one claim)", report.precision
    yield "merge recall (pairs of one claim merged)", report.recall
