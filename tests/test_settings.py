"""Every numeric setting is finite and bounded; a refused one is named by its variable."""

import pytest

from briefing.errors import ConfigurationError
from briefing.settings import load_settings


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("BRIEFING_READ_TIMEOUT", "inf", "Input should be a finite number"),
        ("BRIEFING_FETCH_DEADLINE", "inf", "Input should be a finite number"),
        ("BRIEFING_CONNECT_TIMEOUT", "nan", "Input should be a finite number"),
        ("BRIEFING_FETCH_DEADLINE", "86400", "Input should be less than or equal to 3600"),
        (
            "BRIEFING_MAX_DECODED_BYTES",
            "1e12",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "BRIEFING_MAX_FEED_BYTES",
            "1099511627776",
            "Input should be less than or equal to 1073741824",
        ),
        ("BRIEFING_FETCH_RETRIES", "1000", "Input should be less than or equal to 10"),
        ("BRIEFING_SMTP_RETRY_DELAY_SECONDS", "1e400", "Input should be a finite number"),
        ("BRIEFING_PDF_LIST_LIMIT", "99999999", "Input should be less than or equal to 10000"),
        (
            "BRIEFING_PDF_MAX_PAGES",
            "inf",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        ("BRIEFING_PDF_MAX_PAGES", "0", "Input should be greater than or equal to 1"),
        ("BRIEFING_PDF_MAX_PAGES", "20000", "Input should be less than or equal to 10000"),
    ],
)
def test_an_endless_or_huge_number_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    """inf, nan and values past the bounds are a ConfigurationError naming the variable and the
    value (BRIEFING_READ_TIMEOUT=inf once crashed httpx with OverflowError)."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert (
        f"refused setting: {variable} (it is {value!r}): {problem}; change or unset the variable"
        == str(caught.value)
    )


def test_the_bounds_are_reached_but_not_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """An hour of read timeout and ten retries are still allowed."""
    monkeypatch.setenv("BRIEFING_READ_TIMEOUT", "3600")
    monkeypatch.setenv("BRIEFING_FETCH_RETRIES", "10")
    settings = load_settings()
    assert (3600.0, 10) == (settings.read_timeout, settings.fetch_retries)


def test_the_pdf_settings_default_to_the_print_limits_and_a_16_page_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unset, every list of the PDF has its own print limit, a statement shows three citations
    and the PDF at most 16 pages; set, the values given."""
    defaults = load_settings()
    monkeypatch.setenv("BRIEFING_PDF_LIST_LIMIT", "30")
    monkeypatch.setenv("BRIEFING_PDF_MAX_PAGES", "40")
    given = load_settings()
    expected = ((None, 3, 16), (30, 40))
    assert expected == (
        (defaults.pdf_list_limit, defaults.pdf_citation_limit, defaults.pdf_max_pages),
        (given.pdf_list_limit, given.pdf_max_pages),
    )
