"""The stages chained without Prefect, for the evaluation and for tools that need no server."""

import json
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from briefing.compose import compose_briefing
from briefing.extract.facts import extract_facts
from briefing.models import Briefing
from briefing.settings import Settings
from briefing.sources.seeds import load_seeds
from briefing.topic import load_topic

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


def briefing_schema_json() -> str:
    """The JSON Schema of the JSON edition, as stable, indented text."""
    return json.dumps(Briefing.model_json_schema(), indent=2, sort_keys=True) + "\n"
