"""Worker processes of this machine parse feeds and extract documents exactly as in-process."""

import io
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from benchmarks.synth import EDITION_DATE, PERIOD, build_feeds
from briefing.edition import build_plan
from briefing.evaluate_news import load_news_set, select_news_set
from briefing.extract.facts import extract_documents, extract_each
from briefing.models import FetchOutcome, SourceDocument
from briefing.settings import Settings
from briefing.sources.feeds import FeedConfig, FeedCopy, FeedFetch, select_items
from briefing.sources.fetch import Validators
from briefing.topic import Topic
from briefing.workers import (
    ExtractInProcesses,
    WorkerError,
    available_cores,
    decode_extractions,
    encode_documents,
    encode_extractions,
    select_from_feeds,
    serve,
    worker_pool,
)

NEWS_SET = Path(__file__).resolve().parent.parent / "evaluation" / "news"


@pytest.fixture(scope="module")
def documents(seeds: tuple[SourceDocument, ...], topic: Topic) -> list[SourceDocument]:
    """The seeds and the news set's items: long articles and short feed items."""
    news, _ = select_news_set(load_news_set(NEWS_SET), topic, date(1900, 1, 1), date(2200, 1, 1))
    return [*seeds, *news]


def _fetches() -> list[FeedFetch]:
    """Four synthetic feeds (RSS and Atom), one in ISO-8859-1, one that is not a feed and one
    that failed to fetch: every kind of answer ``select_items`` gives."""
    fetches = []

    def fetched(name: str, body: bytes | None, content_type: str = "application/rss+xml") -> None:
        url = f"http://127.0.0.1:9/{name}.xml"
        feed = FeedConfig(name=name, url=url)
        outcome = (
            FetchOutcome(feed=name, url=url, status="fetched", http_status=200)
            if body is not None
            else FetchOutcome(feed=name, url=url, status="failed", reason="connection refused")
        )
        copy = (
            None
            if body is None
            else FeedCopy(
                url=url, body=body, content_type=content_type, validators=Validators(etag='"x"')
            )
        )
        fetches.append(FeedFetch(feed=feed, outcome=outcome, copy=copy))

    for index, synthetic in enumerate(build_feeds(4, 30)):
        fetched(f"synthetic-{index}", synthetic.body, synthetic.content_type)
    latin = build_feeds(1, 5, seed=3)[0].body.decode("utf-8")
    latin = latin.replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace("Japan", "Japón")
    fetched("latin-1", latin.encode("iso-8859-1", "xmlcharrefreplace"), "text/xml")
    fetched("not-a-feed", b"<html><body>Moved</body></html>", "text/html")
    fetched("unreachable", None)
    return fetches


@pytest.mark.slow
def test_feeds_parsed_on_two_workers_give_exactly_the_in_process_items(topic: Topic) -> None:
    fetches = _fetches()
    start, end = EDITION_DATE - timedelta(days=PERIOD), EDITION_DATE
    on_workers = select_from_feeds(fetches, topic, start, end, processes=2, minimum_bytes=0)
    in_process = select_from_feeds(fetches, topic, start, end, processes=1)
    assert on_workers == in_process
    assert [outcome.status for _, outcome in on_workers] == [*["fetched"] * 5, "failed", "failed"]
    assert sum(len(items) for items, _ in on_workers) > 20
    assert any("Japón" in item.document.text for item in on_workers[4][0])  # decoded


def test_feeds_over_the_threshold_go_to_the_workers(
    topic: Topic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a worker that cannot start, feeds over the threshold fail loudly: they are sent."""
    monkeypatch.setattr(sys, "executable", _broken_python(tmp_path))
    start, end = EDITION_DATE - timedelta(days=PERIOD), EDITION_DATE
    with pytest.raises(WorkerError, match="exited with code 3"):
        select_from_feeds(_fetches(), topic, start, end, processes=2, minimum_bytes=0)


def test_small_feeds_are_parsed_in_this_process(
    topic: Topic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", _broken_python(tmp_path))
    fetches = _fetches()  # 0.2 MB, under the 3 MB a worker is started for
    start, end = EDITION_DATE - timedelta(days=PERIOD), EDITION_DATE
    assert select_from_feeds(fetches, topic, start, end, processes=2) == [
        select_items(fetched, topic, start, end) for fetched in fetches
    ]


def _broken_python(tmp_path: Path) -> str:
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho 'ImportError: no module named pysbd' >&2\nexit 3\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.slow
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
    with pytest.raises(WorkerError) as raised:
        ExtractInProcesses(2, batch=4, minimum=1)(documents, topic)
    message = str(raised.value)
    assert "exited with code 3: ImportError: no module named pysbd" in message
    assert "BRIEFING_WORKER_PROCESSES=1" in message


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
    assert build_plan(Settings(), today=today).worker_processes == available_cores()
    monkeypatch.setenv("BRIEFING_WORKER_PROCESSES", "1")
    assert build_plan(Settings(), today=today).worker_processes == 1
    monkeypatch.setenv("BRIEFING_WORKER_PROCESSES", "0")
    with pytest.raises(ValidationError, match="worker_processes"):
        Settings()


@pytest.mark.slow
def test_an_editions_parsing_and_extraction_start_their_workers_once(
    documents: list[SourceDocument], topic: Topic
) -> None:
    """Within an edition's pool the workers that parsed the feeds extract the documents (the
    same two processes, the items and facts the run's own process gives); closing the pool
    stops them."""
    start, end = EDITION_DATE - timedelta(days=PERIOD), EDITION_DATE
    fetches = _fetches()
    with worker_pool(topic) as pool:
        parsed = select_from_feeds(fetches, topic, start, end, processes=2, minimum_bytes=0)
        parsing = sorted(worker.process.pid for worker in pool._idle)
        extracted = ExtractInProcesses(2, batch=10, minimum=2)(documents, topic)
        extracting = sorted(worker.process.pid for worker in pool._idle)
        workers = list(pool._idle)
    assert (2, parsing) == (len(parsing), extracting)
    assert parsed == select_from_feeds(fetches, topic, start, end, processes=1)
    assert [e.facts for e in extracted] == [e.facts for e in extract_each(documents, topic)]
    assert [0, 0] == [worker.process.poll() for worker in workers]  # stopped, not killed


def test_a_worker_does_not_import_the_http_client() -> None:
    """A worker parses feeds and extracts documents; it never fetches, so it does not import
    httpx (with its command line's rich, click and pygments: 0.1 s of every worker's start)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, briefing.workers; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    ).stdout
    assert [] == [name for name in ("httpx", "httpcore", "rich", "click") if f"'{name}'" in loaded]
