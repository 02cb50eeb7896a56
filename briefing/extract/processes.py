"""Extraction on this machine's other cores: the documents in batches, handed to worker
processes (``python -m briefing.extract.processes``) that each read batches on their standard
input and answer each with its extractions, one JSON line per batch.

Extraction is pure Python and holds the interpreter's lock, so threads cannot share it out; a
process per core can. The workers import only the extraction code (0.25 s), not the program
that started them: ``multiprocessing`` starts a child by importing its parent's main module
again, which in a Prefect flow run is ``prefect.engine`` (1.4 s each). The facts come back in
the documents' order, exactly those ``extract_facts`` gives in-process (tested), and travel as
the JSON the Dask path sends too (``encode_extractions``).
"""

import os
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import BaseModel, TypeAdapter

from briefing.errors import BriefingError
from briefing.extract.facts import Extraction, extract_each
from briefing.models import Fact, SourceDocument
from briefing.topic import Topic

# Documents per batch: a batch's work (about 8 ms a feed item) well above its round trip.
BATCH = 25
# Below this many documents the work stays in this process: a worker's start costs about as much
# as extracting 30 feed items, and the seeds alone (5 documents) take 0.2 s.
MIN_DOCUMENTS = 200
# How long a worker may take to exit once told there is no more work.
EXIT_SECONDS = 10


class ExtractionError(BriefingError):
    """A worker process extracting documents failed; the message carries its last words."""


class _Record(BaseModel):
    facts: list[Fact]
    skipped: dict[str, int]


_RECORDS = TypeAdapter(list[_Record])
_DOCUMENTS = TypeAdapter(list[SourceDocument])


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
    """A batch of documents as one line of JSON, as a worker reads it."""
    return _DOCUMENTS.dump_json(list(documents))


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0))


class ExtractInProcesses:
    """An ``extract_many`` (``briefing.extract.facts``) on ``processes`` worker processes; fewer
    than two processes, or fewer than ``minimum`` documents, and it extracts in this process."""

    def __init__(self, processes: int, batch: int = BATCH, minimum: int = MIN_DOCUMENTS) -> None:
        self.processes = processes
        self.batch = batch
        self.minimum = minimum

    def __call__(self, documents: Sequence[SourceDocument], topic: Topic) -> list[Extraction]:
        """The documents' extractions, in order."""
        if self.processes < 2 or len(documents) < max(self.minimum, 2):
            return extract_each(documents, topic)
        batches = [
            documents[start : start + self.batch] for start in range(0, len(documents), self.batch)
        ]
        answers: list[list[Extraction]] = [[] for _ in batches]
        pending = iter(range(len(batches)))
        taking = threading.Lock()
        failed = threading.Event()

        def next_batch() -> int | None:
            with taking:
                return None if failed.is_set() else next(pending, None)

        def drive() -> None:
            try:
                with _started(topic) as worker:
                    while (index := next_batch()) is not None:
                        answers[index] = worker.extract(batches[index])
            except BaseException:
                failed.set()  # the other workers stop after their batch in hand
                raise

        workers = min(self.processes, len(batches))
        with ThreadPoolExecutor(workers, thread_name_prefix="extract-worker") as pool:
            for future in [pool.submit(drive) for _ in range(workers)]:
                future.result()
        return [extraction for answer in answers for extraction in answer]


def _worker_environment() -> dict[str, str]:
    """This process's environment, with this package's folder first on the import path (a
    program run from elsewhere may have found it through its own path)."""
    package_root = str(Path(__file__).resolve().parents[2])
    environment = dict(os.environ)
    paths = [package_root, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


@contextmanager
def _started(topic: Topic) -> Iterator["_Worker"]:
    """A worker process, told the topic; at the block's end told there is no more work, and
    killed if it has not exited within EXIT_SECONDS."""
    # Its standard error goes to a file, not a pipe: a full pipe nobody reads would block it.
    with (
        tempfile.TemporaryFile() as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "briefing.extract.processes"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=_worker_environment(),
        ) as process,
    ):
        try:
            worker = _Worker(process, stderr)
            worker.send(topic.model_dump_json().encode())
            yield worker
        finally:
            try:
                if process.stdin is not None:
                    process.stdin.close()  # no more work: the worker exits
                process.wait(EXIT_SECONDS)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()


@dataclass
class _Worker:
    """One worker process and the file its standard error goes to."""

    process: "subprocess.Popen[bytes]"
    stderr: IO[bytes]

    def send(self, line: bytes) -> None:
        """One line to the worker."""
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(line + b"\n")
            stdin.flush()
        except BrokenPipeError:
            raise self._failure() from None

    def extract(self, documents: Sequence[SourceDocument]) -> list[Extraction]:
        """The batch's extractions, in order."""
        self.send(encode_documents(documents))
        stdout = self.process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line.endswith(b"\n"):
            raise self._failure()
        extractions = decode_extractions(line)
        if len(extractions) != len(documents):
            raise ExtractionError(
                f"an extraction worker answered {len(extractions)} documents for {len(documents)}"
            )
        return extractions

    def _failure(self) -> ExtractionError:
        code = self.process.wait(EXIT_SECONDS)
        self.stderr.seek(0)
        words = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        last = words[-1] if words else "nothing on its standard error"
        return ExtractionError(
            f"an extraction worker process ({sys.executable} -m briefing.extract.processes) "
            f"exited with code {code}: {last}. Set BRIEFING_EXTRACT_PROCESSES=1 to extract in "
            "the run's own process."
        )


def serve(lines: Iterator[bytes], out: IO[bytes]) -> None:
    """A worker's loop: the topic's JSON, then a batch of documents per line, each answered."""
    topic = Topic.model_validate_json(next(lines))
    for line in lines:
        out.write(encode_extractions(extract_each(_DOCUMENTS.validate_json(line), topic)) + b"\n")
        out.flush()


if __name__ == "__main__":
    serve(iter(sys.stdin.buffer), sys.stdout.buffer)
