"""Extraction on a Dask cluster (two local workers on 127.0.0.1) gives the in-process facts."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from distributed import LocalCluster

from briefing.evaluate_news import load_news_set, select_news_set
from briefing.extract.facts import extract_documents
from briefing.models import SourceDocument
from briefing.topic import Topic
from flows.dask_extract import ExtractOnDask

# Slow: a Dask scheduler and two worker processes start, and Prefect's test server.
pytestmark = pytest.mark.slow

NEWS_SET = Path(__file__).resolve().parent.parent / "evaluation" / "news"


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A scheduler and two single-threaded worker processes, all on 127.0.0.1."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local


def test_dask_mapped_extraction_gives_exactly_the_in_process_facts(
    prefect_harness: None,
    cluster: LocalCluster,
    seeds: tuple[SourceDocument, ...],
    topic: Topic,
) -> None:
    """The seeds and the news set's items, in five batches on two workers: the same facts,
    skips and order as extracted in this process."""
    news, _ = select_news_set(load_news_set(NEWS_SET), topic, date(1900, 1, 1), date(2200, 1, 1))
    documents = [*seeds, *news]
    on_dask = extract_documents(
        documents, topic, extract_many=ExtractOnDask(cluster.scheduler_address, batch=10)
    )
    in_process = extract_documents(documents, topic)
    assert in_process == on_dask
    assert sum(len(result.facts) for result in on_dask) > 100
