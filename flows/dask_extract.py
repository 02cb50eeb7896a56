"""Extraction on a Dask cluster: one Prefect task per batch of documents, run by the workers of
the scheduler ``BRIEFING_DASK_ADDRESS`` names (``prefect-dask``'s ``DaskTaskRunner``).

Documents, the topic and the facts travel as JSON, as to the worker processes of
``briefing.workers``: the models' generic classes (``Attested[str]``) cannot be
pickled, and JSON is what the memory keeps too. The facts come back in the documents'
order, exactly those ``extract_facts`` gives in-process; the facts the memory kept are not sent.
"""

from collections.abc import Sequence

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect_dask.task_runners import DaskTaskRunner

from briefing.extract.facts import Extraction, extract_each
from briefing.models import SourceDocument
from briefing.topic import Topic
from briefing.workers import decode_extractions, encode_extractions

# Documents per task: enough that a task's work (about 50 ms a document) outweighs its cost.
BATCH = 50


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(topic: str, documents: list[str]) -> bytes:
    """The extractions of a batch of documents (JSON in, JSON out), in order."""
    profile = Topic.model_validate_json(topic)
    parsed = [SourceDocument.model_validate_json(document) for document in documents]
    return encode_extractions(extract_each(parsed, profile))


class ExtractOnDask:
    """An ``extract_many`` (``briefing.extract.facts``): the documents in batches on the Dask
    cluster whose scheduler is at ``address``."""

    def __init__(self, address: str, batch: int = BATCH) -> None:
        self.address = address
        self.batch = batch

    def __call__(self, documents: Sequence[SourceDocument], topic: Topic) -> list[Extraction]:
        """The documents' extractions, in order, each batch a task on the cluster."""
        if not documents:
            return []
        topic_json = topic.model_dump_json()
        batches = [
            [document.model_dump_json() for document in documents[start : start + self.batch]]
            for start in range(0, len(documents), self.batch)
        ]
        with DaskTaskRunner(address=self.address) as runner:
            futures = [
                runner.submit(extract_batch, {"topic": topic_json, "documents": batch})
                for batch in batches
            ]
            return [
                extraction
                for future in futures
                for extraction in decode_extractions(future.result())
            ]
