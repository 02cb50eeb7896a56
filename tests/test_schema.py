"""The published JSON Schema of the JSON edition is current, and editions conform to it."""

import json
from datetime import date

from briefing.edition import briefing_schema_json, load_seed_briefing
from briefing.settings import PROJECT_ROOT

SCHEMA = PROJECT_ROOT / "schema" / "briefing.schema.json"


def test_the_committed_schema_matches_the_model() -> None:
    """schema/briefing.schema.json is what the model generates (run `briefing schema` to update)."""
    assert briefing_schema_json() == SCHEMA.read_text(encoding="utf-8")


def test_the_schema_requires_what_a_reader_relies_on() -> None:
    """A fact requires its statement, theme and evidence; evidence requires its span and quote."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    fact, evidence = schema["$defs"]["Fact"], schema["$defs"]["Evidence"]
    assert {"statement", "theme", "evidence"} <= set(fact["required"])
    assert {"document_id", "start", "end", "quote"} <= set(evidence["required"])


def test_a_seed_edition_round_trips_through_json() -> None:
    """The JSON edition of the seeds loads back into an equal briefing."""
    briefing = load_seed_briefing(date(2023, 1, 20))
    assert briefing == type(briefing).model_validate_json(briefing.model_dump_json())
