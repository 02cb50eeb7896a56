"""The stages chained without Prefect, for the evaluation and for tools that need no server."""

import json
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from briefing.compose.assemble import compose_briefing
from briefing.extract.facts import extract_facts
from briefing.models import Briefing, Fact, FetchOutcome, SourceDocument
from briefing.settings import Settings
from briefing.sources.seeds import load_seeds
from briefing.store.memory import load_recollection, memory_at
from briefing.topic import Topic, load_topic

VERSIONED = ("us-japan-space-briefing", "prefect", "weasyprint", "pydantic", "jinja2", "pysbd")


def collect_versions() -> dict[str, str]:
    """Installed versions of the pipeline and its main libraries, for the method note."""
    found = {}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def build_seed_briefing(edition_date: date, settings: Settings | None = None) -> Briefing:
    """The seed edition for a date, built in-process: load, extract, compose."""
    settings = settings or Settings()
    topic = load_topic(settings.topic_file)
    documents = load_seeds(settings.seeds_dir)
    facts = [fact for document in documents for fact in extract_facts(document, topic).facts]
    return compose_briefing(topic, documents, facts, edition_date, versions=collect_versions())


def compose_remembered(
    topic: Topic,
    documents: tuple[SourceDocument, ...],
    facts: list[Fact],
    edition_date: date,
    period_start: date,
    database_url: str,
    source_health: tuple[FetchOutcome, ...],
) -> Briefing:
    """Compose an edition against the memory: facts no earlier edition carried are marked new.

    The flow's compose task and the benchmark both call this, so both run the same work.
    """
    with memory_at(database_url) as memory:
        recollection = load_recollection(memory, edition_date)
    return compose_briefing(
        topic,
        documents,
        facts,
        edition_date,
        period_start=period_start,
        previous_edition=recollection.previous_edition,
        earlier_fact_ids=recollection.fact_ids,
        source_health=source_health,
        versions=collect_versions(),
    )


def briefing_schema_json() -> str:
    """The JSON Schema of the JSON edition, as stable, indented text."""
    return json.dumps(Briefing.model_json_schema(), indent=2, sort_keys=True) + "\n"
