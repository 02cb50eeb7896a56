"""The run form: the flow's parameters as Prefect's UI shows them, and the flow's first step,
which turns the form's values into checked ``EditionParameters`` or refuses them in words."""

import inspect
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from prefect.utilities.callables import parameter_schema

from briefing.errors import ConfigurationError
from briefing.parameters import EditionParameters, edition_parameters, form_values
from flows.weekly_briefing import weekly_briefing


def form_schema() -> dict[str, Any]:
    """The JSON schema Prefect builds the Custom run form from, as `prefect deploy` makes it."""
    schema: dict[str, Any] = parameter_schema(weekly_briefing).model_dump()
    return schema


def test_the_form_has_one_field_per_edition_parameter() -> None:
    """Each field of EditionParameters is a parameter of the flow, in the same order, so a new
    field cannot be left off the form (nor the form hold a field the model lacks)."""
    signature = inspect.signature(weekly_briefing.fn)
    assert list(EditionParameters.model_fields) == list(signature.parameters)


def test_every_field_is_titled_in_words_and_described() -> None:
    """No field is titled by its parameter name (Prefect's default), none lacks a description."""
    fields = form_schema()["properties"]
    untitled = [name for name, spec in fields.items() if spec["title"] in (name, None)]
    titles = [spec["title"] for spec in fields.values()]
    undescribed = [name for name, spec in fields.items() if not spec.get("description")]
    assert ([], [], len(titles)) == (untitled, undescribed, len(set(titles)))
    assert all(" " in title or title.istitle() for title in titles)


def test_no_field_is_optional_in_the_schema() -> None:
    """No field is `X | None` (the form would show `Property is type "None"` under it) or
    nested (one "parameters (Optional)" box), and every field has a default."""
    schema = form_schema()
    fields = schema["properties"]
    shapes = {name: spec.get("type") for name, spec in fields.items()}
    assert {"string", "boolean", "array"} == set(shapes.values()), shapes
    assert ({}, []) == (schema.get("definitions", {}), schema.get("required", []))
    assert [] == [name for name, spec in fields.items() if "default" not in spec]


def test_the_form_values_of_parameters_make_them_again() -> None:
    """form_values and edition_parameters are inverse: what the CLI builds, the flow rebuilds."""
    parameters = EditionParameters(
        edition_date=date(2023, 1, 20),
        since=date(2023, 1, 10),
        page_size="letter",
        recipients=["analyst@example.org"],
        send_email=True,
        smtp_block="briefing-smtp",
    )
    assert parameters == edition_parameters(**form_values(parameters))
    assert EditionParameters() == edition_parameters(**form_values(EditionParameters()))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"edition_date": "2023-02-30"},
            "Edition date (edition_date): '2023-02-30' is not a date; write it as YYYY-MM-DD, "
            "such as 2023-01-20, or leave it empty",
        ),
        (
            {"since": "20 January"},
            "Period start (since): '20 January' is not a date; write it as YYYY-MM-DD, "
            "such as 2023-01-20, or leave it empty",
        ),
        (
            {"recipients": ["Jane <jane@example.org>"]},
            "Recipients (recipients): 'Jane <jane@example.org>' is not an email address of the "
            "form name@example.org (a bare address: no display name, no spaces, ASCII only)",
        ),
        (
            {"smtp_block": "My Block"},
            "SMTP block (smtp_block): 'My Block' is not a block name: use lower-case letters, "
            "digits and hyphens, starting with a letter or digit, such as briefing-smtp",
        ),
        (
            {"edition_date": "2023-01-20", "since": "2023-01-21"},
            "The parameters: Period start (since) must not be after the edition date",
        ),
    ],
)
def test_a_bad_value_is_refused_in_words_naming_its_field(
    values: dict[str, Any], message: str
) -> None:
    """The flow's first step answers a bad value with its field's title and what it needs."""
    with pytest.raises(ConfigurationError) as raised:
        edition_parameters(**{**form_values(EditionParameters()), **values})
    assert message == str(raised.value)


def test_the_flow_refuses_an_impossible_date_at_its_first_step(tmp_path: Path) -> None:
    """The flow's body, called with the form's values, fails on 30 February before any work,
    as a Failed state whose message names the field (no exception, so no traceback): nothing is
    made in the output folder it was given."""
    out_dir = tmp_path / "out"
    state = weekly_briefing.fn(edition_date="2023-02-30", output_dir=str(out_dir))
    assert (False, True, True) == (
        out_dir.exists(),
        state.is_failed(),
        str(state.message).startswith("Edition date (edition_date): '2023-02-30' is not a date"),
    )


def test_advice_names_the_forms_fields_not_the_commands_flags(tmp_path: Path) -> None:
    """An output folder that is a file: the failure tells the form's user to choose another
    Output folder, not to pass --out."""
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    state = weekly_briefing.fn(**{**form_values(EditionParameters()), "output_dir": str(taken)})
    message = str(state.message)
    assert (True, True, False) == (
        state.is_failed(),
        'the "Output folder" field (output_dir)' in message,
        "--out" in message,
    )


@pytest.mark.parametrize(
    ("values", "valid"),
    [
        ({"edition_date": "2023-01-20", "since": "", "smtp_block": "briefing-smtp"}, True),
        ({"edition_date": "20/01/2023"}, False),
        ({"since": "last week"}, False),
        ({"smtp_block": "Briefing SMTP"}, False),
        ({"extra_feed_urls": ["https://news.example.org/rss.xml"]}, True),
        ({"extra_feed_urls": ["file:///etc/passwd"]}, False),
        ({"page_size": "A3"}, False),
    ],
)
def test_the_form_refuses_a_malformed_value_before_a_run_is_made(
    values: dict[str, Any], valid: bool
) -> None:
    """The schema Prefect's UI and server check a run's values against holds each field's
    pattern or choices: a malformed date, block name, feed URL, address or paper size is
    refused when the run is asked for. The flow checks the rest in words at its first step:
    a recipient too (a pattern's refusal would show the form's user the raw pattern)."""
    schema = form_schema()
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(values))
    assert valid == (not errors), [error.message for error in errors]
