"""Extraction on worker processes of this machine gives exactly the in-process facts."""

import io
import os
import sys
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from briefing.edition import build_plan
from briefing.evaluate_news import load_news_set, select_news_set
from briefing.extract.facts import extract_documents, extract_each
from briefing.extract.processes import (
    ExtractInProcesses,
    ExtractionError,
    available_cores,
    decode_extractions,
    encode_documents,
    encode_extractions,
    serve,
)
from briefing.models import SourceDocument
from briefing.settings import Settings
from briefing.topic import Topic

NEWS_SET = Path(__file__).resolve().parent.parent / "evaluation" / "news"


@pytest.fixture(scope="module")
def documents(seeds: tuple[SourceDocument, ...], topic: Topic) -> list[SourceDocument]:
    """The seeds and the news set's items: long articles and short feed items."""
    news, _ = select_news_set(load_news_set(NEWS_SET), topic, date(1900, 1, 1), date(2200, 1, 1))
    return [*seeds, *news]


def _broken_python(tmp_path: Path) -> str:
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho 'ImportError: no module named pysbd' >&2\nexit 3\n")
    script.chmod(0o755)
    return str(script)


def test_two_worker_processes_give_exactly_the_in_process_facts(
    documents: list[SourceDocument], topic: Topic
) -> None:
    """In batches of 4 on two workers: the same facts, skips and order as in this process."""
    on_workers = extract_documents(
        documents, topic, extract_many=ExtractInProcesses(2, batch=4, minimum=1)
    )
    in_process = extract_documents(documents, topic)
    assert on_workers == in_process
    assert sum(len(result.facts) for result in on_workers) > 100
    assert len({result.document_id for result in on_workers}) == len(documents)


def test_the_wire_keeps_every_fact_and_skip(documents: list[SourceDocument], topic: Topic) -> None:
    extractions = extract_each(documents[:3], topic)
    line = encode_extractions(extractions)
    assert b"\n" not in line
    assert decode_extractions(line) == extractions


def test_a_worker_answers_each_batch_on_a_line(
    documents: list[SourceDocument], topic: Topic
) -> None:
    """The worker's loop itself, in this process: the topic first, then one batch a line."""
    batches = [documents[:2], documents[2:3]]
    lines = [topic.model_dump_json().encode() + b"\n"]
    lines += [encode_documents(batch) + b"\n" for batch in batches]
    out = io.BytesIO()
    serve(iter(lines), out)
    answers = out.getvalue().splitlines()
    assert [decode_extractions(answer) for answer in answers] == [
        extract_each(batch, topic) for batch in batches
    ]


def test_a_failing_worker_is_reported_with_its_last_words(
    documents: list[SourceDocument],
    topic: Topic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", _broken_python(tmp_path))
    with pytest.raises(ExtractionError) as raised:
        ExtractInProcesses(2, batch=4, minimum=1)(documents, topic)
    message = str(raised.value)
    assert "exited with code 3: ImportError: no module named pysbd" in message
    assert "BRIEFING_EXTRACT_PROCESSES=1" in message


def test_few_documents_or_one_process_stay_in_this_process(
    seeds: tuple[SourceDocument, ...],
    topic: Topic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No worker is started (one would fail here) for the seeds alone, or with one process."""
    monkeypatch.setattr(sys, "executable", _broken_python(tmp_path))
    expected = extract_each(seeds, topic)
    assert ExtractInProcesses(2)(seeds, topic) == expected  # 5 documents, under the minimum
    assert ExtractInProcesses(1, minimum=1)(seeds, topic) == expected


def test_the_plan_uses_every_core_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    today = date(2023, 1, 20)
    assert build_plan(Settings(), today=today).extract_processes == available_cores()
    assert available_cores() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("BRIEFING_EXTRACT_PROCESSES", "1")
    assert build_plan(Settings(), today=today).extract_processes == 1
    monkeypatch.setenv("BRIEFING_EXTRACT_PROCESSES", "0")
    with pytest.raises(ValidationError, match="extract_processes"):
        Settings()
