"""The run parameters, described once (``briefing.parameters``): the docs' table is theirs, and
each interface names a bad value in its own words."""

from pathlib import Path

import pytest

from briefing.errors import ConfigurationError
from briefing.parameters import EditionParameters, edition_parameters, parameters_table, read_dates

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"


def test_the_operations_page_shows_the_parameters_as_described() -> None:
    """docs/operations.md holds the table ``parameters_table`` makes, row for row: a parameter
    added, renamed or explained anew is a table to paste again."""
    assert parameters_table() in OPERATIONS.read_text(encoding="utf-8")


def test_every_parameter_has_a_title_help_and_flag() -> None:
    """Each parameter names its form title, its help and a command-line flag of its own."""
    flags = []
    for name, field in EditionParameters.model_fields.items():
        extra = field.json_schema_extra
        assert isinstance(extra, dict) and field.title and field.description, name
        flags.append(str(extra["flag"]))
    assert len(flags) == len(set(flags))


@pytest.mark.parametrize(
    ("in_form", "named"),
    [(True, "Edition date (edition_date): '2023-02-30' is not a date"), (False, "--date: ")],
)
def test_a_bad_date_is_named_as_the_interface_names_it(in_form: bool, named: str) -> None:
    """The form names the field by its title and name; the command line by its flag."""
    with pytest.raises(ConfigurationError, match="write it as YYYY-MM-DD") as caught:
        read_dates({"edition_date": "2023-02-30"}, in_form=in_form)
    assert str(caught.value).startswith(named)


def test_the_forms_values_are_checked_into_parameters() -> None:
    """Empty text is the default; a date is read; a bad block name is refused in words."""
    parameters = edition_parameters(edition_date="2023-01-20", output_dir="", smtp_block="")
    assert (str(parameters.edition_date), None, None) == (
        "2023-01-20", parameters.output_dir, parameters.smtp_block,
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match=r"^SMTP block \(smtp_block\): 'Bad Name'"):
        edition_parameters(smtp_block="Bad Name")
