"""Work spread over this machine's cores: feeds parsed and documents extracted by worker
processes (``python -m briefing.workers``), each reading a batch of work a line on its standard
input and answering each with a line of JSON.

Parsing (feedparser) and extraction are pure Python and hold the interpreter's lock, so threads
cannot share them out; a process per core can. The workers import only the code they run (one
is ready in about 0.5 s), not the program that started them: ``multiprocessing`` starts a child
by importing its parent's main module again, in a Prefect flow run ``prefect.engine`` (1.4 s).
The answers come back in order, exactly what the same functions give in-process (tested): the
records themselves as pydantic writes and reads them (the facts as the Dask path sends them too,
``encode_extractions``).
"""

import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TypeVar

from pydantic import BaseModel, TypeAdapter

from briefing.errors import WorkerError
from briefing.extract.facts import Extraction, extract_each
from briefing.models import Fact, FetchOutcome, SourceDocument
from briefing.sources.feeds import FeedFetch, FeedItem, select_items
from briefing.topic import Topic

# Documents per batch: a batch's work (about 8 ms a feed item) well above its round trip.
BATCH = 25
# Below this many documents the work stays in this process: a worker's start (about 0.5 s) costs
# what extracting 60 feed items does, so two workers gain from about 140; the seeds alone (5
# documents) take 0.2 s.
MIN_DOCUMENTS = 200
# Feeds per batch, and the feed bytes below which they are parsed in this process: a worker is
# ready after about 0.5 s (its imports, the topic's patterns), feedparser and the selection take
# 0.45 s a MB here, so two workers gain from about 2.5 MB (0.2 s at 3.6 MB, 7 s at 36 MB).
FEED_BATCH = 2
MIN_FEED_BYTES = 3_000_000
# How long a worker may take to exit once told there is no more work.
EXIT_SECONDS = 10
# How long a worker may take over one batch: 25 documents of at most 60,000 characters each
# (briefing.sources.text.MAX_DOCUMENT_CHARS) take about 6 s, an ordinary batch 0.2 s.
BATCH_SECONDS = 60.0
PIPE_CHUNK = 65536


class _Record(BaseModel):
    facts: list[Fact]
    skipped: dict[str, int]


class _FeedWork(BaseModel):
    fetches: list[FeedFetch]  # each with its copy, the body in base64 (``FeedCopy``)
    period_start: date
    edition_date: date


class _Work(BaseModel):
    """One line a worker reads: documents to extract, or feeds to parse and select from."""

    documents: list[SourceDocument] | None = None
    feeds: _FeedWork | None = None


T = TypeVar("T")
A = TypeVar("A")
Selected = tuple[tuple[FeedItem, ...], FetchOutcome]  # what ``select_items`` gives

_RECORDS = TypeAdapter(list[_Record])
_SELECTED = TypeAdapter(list[Selected])


def encode_extractions(extractions: Sequence[Extraction]) -> bytes:
    """A batch's extractions as one line of JSON (no newline inside)."""
    return _RECORDS.dump_json(
        [_Record(facts=e.facts, skipped=dict(e.skipped)) for e in extractions]
    )


def decode_extractions(line: str | bytes) -> list[Extraction]:
    """The extractions ``encode_extractions`` wrote, each fact validated again."""
    return [
        Extraction(facts=record.facts, skipped=Counter(record.skipped))
        for record in _RECORDS.validate_json(line)
    ]


def encode_documents(documents: Sequence[SourceDocument]) -> bytes:
    """A batch of documents to extract, as one line of JSON, as a worker reads it."""
    return _Work(documents=list(documents)).model_dump_json().encode()


def encode_feeds(fetches: Sequence[FeedFetch], period_start: date, edition_date: date) -> bytes:
    """A batch of fetched feeds (each with its copy) to select from, as a worker reads it."""
    work = _FeedWork(fetches=list(fetches), period_start=period_start, edition_date=edition_date)
    return _Work(feeds=work).model_dump_json().encode()


def _answer(work: _Work, topic: Topic) -> bytes:
    """A worker's answer to one line of work."""
    if work.documents is not None:
        return encode_extractions(extract_each(work.documents, topic))
    assert work.feeds is not None, "a line of work holds documents or feeds"
    feeds = work.feeds
    return _SELECTED.dump_json(
        [select_items(f, topic, feeds.period_start, feeds.edition_date) for f in feeds.fetches]
    )


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0))


def _on_workers(
    topic: Topic,
    processes: int,
    batches: Sequence[Sequence[T]],
    encode: Callable[[Sequence[T]], bytes],
    decode: Callable[[bytes], list[A]],
    name: Callable[[T], str],
    seconds: float = BATCH_SECONDS,
) -> list[A]:
    """The batches' answers, in order, from up to ``processes`` workers, each taking the next
    batch when it is done with one; the first failure stops them all and is raised.

    A worker that does not answer a batch within ``seconds`` (stopped, say) or that died is
    killed and replaced, and the batch is tried again on the new worker one piece at a time,
    each within ``seconds``; a piece that fails that too ends the run with a WorkerError naming
    it (``name``)."""
    answers: list[list[A]] = [[] for _ in batches]
    pending = iter(range(len(batches)))
    taking = threading.Lock()
    failed = threading.Event()

    def next_batch() -> int | None:
        with taking:
            return None if failed.is_set() else next(pending, None)

    def answered(worker: "_Worker", batch: Sequence[T]) -> list[A]:
        answer = decode(worker.ask(encode(batch), seconds))
        if len(answer) != len(batch):
            raise WorkerError(
                f"a worker answered {len(answer)} of the {len(batch)} pieces of work it was given"
            )
        return answer

    pool = _POOL if _POOL is not None and _POOL.topic is topic else None

    def drive() -> None:
        worker = pool.take() if pool is not None else _Worker.start(topic)
        done = False
        try:
            while (index := next_batch()) is not None:
                batch = batches[index]
                try:
                    answers[index] = answered(worker, batch)
                    continue
                except _NoAnswer as first:
                    worker.kill()
                    worker = _Worker.start(topic)
                    trouble = first.reason
                retried: list[A] = []
                for piece in batch:
                    try:
                        retried.extend(answered(worker, [piece]))
                    except _NoAnswer as second:
                        worker.kill()
                        raise WorkerError(
                            f"a worker process ({sys.executable} -m briefing.workers) failed on "
                            f"{name(piece)} twice: {trouble}, then, replaced, {second.reason}. "
                            "Set BRIEFING_WORKER_PROCESSES=1 to parse and extract in the run's "
                            "own process."
                        ) from None
                answers[index] = retried
            done = True
        except BaseException:
            failed.set()  # the other workers stop after their batch in hand
            raise
        finally:
            if done and pool is not None:
                pool.give_back(worker)  # ready for the edition's next work
            else:
                worker.stop()

    workers = min(processes, len(batches))
    with ThreadPoolExecutor(workers, thread_name_prefix="worker") as threads:
        for future in [threads.submit(drive) for _ in range(workers)]:
            future.result()
    return [one for answer in answers for one in answer]


class WorkerPool:
    """Worker processes kept for one edition, so that parsing and then extraction start them
    once, not once each (a start costs imports, the profile's patterns and, for extraction,
    the language identifier's model: 0.5-1.5 s). Those idle at the end are stopped."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> "_Worker":
        """An idle worker, or a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker.start(self.topic)

    def give_back(self, worker: "_Worker") -> None:
        """A worker done with its work, kept for the next (stopped once the pool is closed)."""
        with self._lock:
            if not self._closed and worker.process.poll() is None:
                self._idle.append(worker)
                return
        worker.stop()

    def close(self) -> None:
        """Stop every idle worker; a worker given back later is stopped then."""
        with self._lock:
            self._closed, idle, self._idle = True, self._idle, []
        for worker in idle:
            worker.stop()


_POOL: WorkerPool | None = None  # the edition's, while one is made in this process


@contextmanager
def worker_pool(topic: Topic) -> Iterator[WorkerPool]:
    """Within the block, parsing and extraction for this profile share their workers."""
    global _POOL
    pool, previous = WorkerPool(topic), _POOL
    _POOL = pool
    try:
        yield pool
    finally:
        _POOL = previous
        pool.close()


def _batches(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


class ExtractInProcesses:
    """An ``extract_many`` (``briefing.extract.facts``) on ``processes`` worker processes; fewer
    than two processes, or fewer than ``minimum`` documents, and it extracts in this process."""

    def __init__(
        self,
        processes: int,
        batch: int = BATCH,
        minimum: int = MIN_DOCUMENTS,
        seconds: float = BATCH_SECONDS,
    ) -> None:
        self.processes = processes
        self.batch = batch
        self.minimum = minimum
        self.seconds = seconds  # the most one batch may take on a worker

    def __call__(self, documents: Sequence[SourceDocument], topic: Topic) -> list[Extraction]:
        """The documents' extractions, in order."""
        if self.processes < 2 or len(documents) < max(self.minimum, 2):
            return extract_each(documents, topic)
        return _on_workers(
            topic,
            self.processes,
            _batches(documents, self.batch),
            encode_documents,
            decode_extractions,
            lambda document: f"the document {document.id} ({document.location[:200]})",
            self.seconds,
        )


def select_from_feeds(
    fetches: Sequence[FeedFetch],
    topic: Topic,
    period_start: date,
    edition_date: date,
    *,
    processes: int,
    batch: int = FEED_BATCH,
    minimum_bytes: int = MIN_FEED_BYTES,
) -> list[Selected]:
    """``select_items`` of every fetch, in order: the feeds with a body parsed on ``processes``
    workers when they hold ``minimum_bytes`` or more, else (or with one process) here."""
    with_body = [fetched for fetched in fetches if fetched.copy is not None]
    size = sum(len(fetched.copy.body) for fetched in fetches if fetched.copy is not None)
    if processes < 2 or len(with_body) < 2 or size < minimum_bytes:
        return [select_items(fetched, topic, period_start, edition_date) for fetched in fetches]
    parsed = iter(
        _on_workers(
            topic,
            processes,
            _batches(with_body, batch),
            lambda feeds: encode_feeds(feeds, period_start, edition_date),
            _SELECTED.validate_json,
            lambda fetched: f"the feed {fetched.feed.url[:200]}",
        )
    )
    return [
        next(parsed) if fetched.copy is not None else ((), fetched.outcome) for fetched in fetches
    ]


def _worker_environment() -> dict[str, str]:
    """This process's environment, with this package's folder first on the import path (a
    program run from elsewhere may have found it through its own path)."""
    package_root = str(Path(__file__).resolve().parents[1])
    environment = dict(os.environ)
    paths = [package_root, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


class _NoAnswer(Exception):
    """A worker gave no answer: it died, or did not answer in time; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Worker:
    """One worker process and the file its standard error goes to; every write to it and read
    from it ends by a deadline, so a stopped worker cannot hold the run."""

    process: "subprocess.Popen[bytes]"
    stderr: IO[bytes]

    @classmethod
    def start(cls, topic: Topic) -> "_Worker":
        """A worker process, told the topic."""
        # Its standard error goes to a file, not a pipe: a full pipe nobody reads would block it.
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop(), with the worker
        process = subprocess.Popen(
            [sys.executable, "-m", "briefing.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=_worker_environment(),
        )
        assert process.stdin is not None and process.stdout is not None
        os.set_blocking(process.stdin.fileno(), False)
        os.set_blocking(process.stdout.fileno(), False)
        worker = cls(process, stderr)
        with suppress(_NoAnswer):  # a worker dead at once says so at its first batch
            worker._write(topic.model_dump_json().encode() + b"\n", time.monotonic() + EXIT_SECONDS)
        return worker

    def ask(self, line: bytes, seconds: float) -> bytes:
        """The worker's answer to one line of work, within ``seconds``; _NoAnswer otherwise."""
        deadline = time.monotonic() + seconds
        self._write(line + b"\n", deadline)
        return self._read_line(deadline, seconds)

    def _write(self, data: bytes, deadline: float) -> None:
        assert self.process.stdin is not None
        handle = self.process.stdin.fileno()
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _NoAnswer("it took no work for longer than the deadline (stopped?)")
            _, ready, _ = select.select([], [handle], [], min(left, 1.0))
            if not ready:
                continue
            try:
                view = view[os.write(handle, view[:PIPE_CHUNK]) :]
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                raise self._died() from None

    def _read_line(self, deadline: float, seconds: float) -> bytes:
        assert self.process.stdout is not None
        handle = self.process.stdout.fileno()
        chunks: list[bytes] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _NoAnswer(f"it did not answer within {seconds:g} s (stopped or stuck?)")
            ready, _, _ = select.select([handle], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(handle, PIPE_CHUNK)
            except BlockingIOError:
                continue
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            if chunk.endswith(b"\n"):  # one line per request: nothing comes after it
                return b"".join(chunks)

    def _died(self) -> _NoAnswer:
        try:
            code: int | None = self.process.wait(EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        self.stderr.seek(0)
        words = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        last = words[-1] if words else "nothing on its standard error"
        return _NoAnswer(f"it exited with code {code}: {last}")

    def kill(self) -> None:
        """End the worker at once, stopped or not."""
        self.process.kill()
        self.stop()

    def stop(self) -> None:
        """Tell the worker there is no more work; killed if it has not exited within
        EXIT_SECONDS."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()  # no more work: the worker exits
        except OSError:
            pass
        try:
            self.process.wait(EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.stderr):
            if stream is not None:
                stream.close()


def serve(lines: Iterator[bytes], out: IO[bytes]) -> None:
    """A worker's loop: the topic's JSON, then a batch of work per line, each answered."""
    topic = Topic.model_validate_json(next(lines))
    topic.compile_patterns()  # now, while the run sends the first work
    for line in lines:
        out.write(_answer(_Work.model_validate_json(line), topic) + b"\n")
        out.flush()


if __name__ == "__main__":
    serve(iter(sys.stdin.buffer), sys.stdout.buffer)
