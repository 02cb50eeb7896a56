"""Time expressions: explicit, partial, relative, fiscal and target dates, each exactly resolved."""

import re
from datetime import date

import pytest

from briefing.extract import temporal
from briefing.extract.temporal import _PATTERNS, MONTHS, WEEKDAYS, _matches, find_times
from briefing.terms import by_first_letter

MON_16_JAN_2023 = date(2023, 1, 16)
FRI_13_JAN_2023 = date(2023, 1, 13)


def resolved(sentence: str, reference: date | None) -> list[tuple[object, ...]]:
    """Each expression found, as (words, start, end, precision, qualifier, relative)."""
    return [
        (
            item.when.text,
            item.when.start,
            item.when.end,
            item.when.precision,
            item.when.qualifier,
            item.when.relative,
        )
        for item in find_times(sentence, reference)
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "They met on January 13, 2023 in Washington.",
            [("January 13, 2023", date(2023, 1, 13), date(2023, 1, 13), "day", None, False)],
        ),
        (
            "Photos taken 13 January 2023 at NASA HQ.",
            [("13 January 2023", date(2023, 1, 13), date(2023, 1, 13), "day", None, False)],
        ),
        (
            "In November 2022, the two sides signed an agreement.",
            [("November 2022", date(2022, 11, 1), date(2022, 11, 30), "month", None, False)],
        ),
        (
            "The station has hosted crews since the 1980s.",
            [("since the 1980s", date(1980, 1, 1), date(1989, 12, 31), "decade", "since", False)],
        ),
    ],
)
def test_explicit_and_partial_dates_keep_their_precision(
    sentence: str, expected: list[tuple[object, ...]]
) -> None:
    """A full date is a day, a month with a year is that month, a decade is ten years."""
    assert expected == resolved(sentence, FRI_13_JAN_2023)


def test_a_date_without_a_year_takes_the_nearest_year() -> None:
    """'Jan. 13' said on 16 January 2023 is 13 January 2023; 'November 16' is November 2022."""
    assert [
        ("Jan. 13", date(2023, 1, 13), date(2023, 1, 13), "day", None, True),
        ("November 16", date(2022, 11, 16), date(2022, 11, 16), "day", None, True),
    ] == resolved("Signed Jan. 13, weeks after the launch on November 16.", MON_16_JAN_2023)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Blinken said Friday.", [("Friday", date(2023, 1, 13), date(2023, 1, 13), "day")]),
        (
            "They signed it last week.",
            [("last week", date(2023, 1, 9), date(2023, 1, 15), "week")],
        ),
        (
            "Last November, the two sides signed.",
            [("Last November", date(2022, 11, 1), date(2022, 11, 30), "month")],
        ),
        (
            "They will travel to Japan next month.",
            [("next month", date(2023, 2, 1), date(2023, 2, 28), "month")],
        ),
        (
            "In January of last year, it was disclosed.",
            [("January of last year", date(2022, 1, 1), date(2022, 1, 31), "month")],
        ),
        (
            "Officials spoke this afternoon.",
            [("this afternoon", date(2023, 1, 16), date(2023, 1, 16), "day")],
        ),
        (
            "Talks went on over the past week.",
            [("over the past week", date(2023, 1, 9), date(2023, 1, 16), "range")],
        ),
        (
            "Earlier in the week, ministers convened.",
            [("Earlier in the week", date(2023, 1, 16), date(2023, 1, 16), "range")],
        ),
    ],
)
def test_relative_expressions_resolve_against_the_publication_date(
    sentence: str, expected: list[tuple[object, ...]]
) -> None:
    """Weekdays and relative expressions count from the source's date (Monday 16 January 2023)."""
    assert expected == [row[:4] for row in resolved(sentence, MON_16_JAN_2023)]
    assert all(row[5] for row in resolved(sentence, MON_16_JAN_2023))


def test_a_weekday_on_the_publication_day_is_that_day() -> None:
    """'Friday' in a story published on a Friday is that Friday, not the week before."""
    assert [("Friday", date(2023, 1, 13))] == [
        row[:2] for row in resolved("Blinken said Friday.", FRI_13_JAN_2023)
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Said on Friday 13 January: the Sunday before would be the 8th; the date says the 15th.
        ("The crew is to dock Sunday, Jan. 15, and stay six months.", "Sunday, Jan. 15"),
        ("Hera launched on Monday (Jan. 9), on its way to Didymos.", "Monday (Jan. 9)"),
    ],
)
def test_a_weekday_beside_a_date_is_that_date(sentence: str, expected: str) -> None:
    """A weekday followed by its date is one expression, resolved by the date."""
    day = date(2023, 1, int(expected.rstrip(")").split()[-1]))
    assert [(expected, day, day, "day", None, True)] == resolved(sentence, FRI_13_JAN_2023)


def test_relative_expressions_need_a_publication_date() -> None:
    """Without a publication date, 'last week' cannot be resolved and is not guessed."""
    assert [] == resolved("They signed it last week.", None)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "A soft landing during fiscal 2023 beginning in April.",
            ("during fiscal 2023", date(2023, 4, 1), date(2024, 3, 31), "fiscal-year", "during"),
        ),
        (
            "A search for water in FY2024 or later.",
            ("FY2024", date(2024, 4, 1), date(2025, 3, 31), "fiscal-year", None),
        ),
    ],
)
def test_japanese_fiscal_years_run_april_to_march(
    sentence: str, expected: tuple[object, ...]
) -> None:
    """Japan's fiscal year N is 1 April N to 31 March N+1."""
    assert expected == resolved(sentence, FRI_13_JAN_2023)[0][:5]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Operations conclude by 2030.", ("by 2030", "by")),
        (
            "A resupply mission scheduled for no later than 2030.",
            ("no later than 2030", "no-later-than"),
        ),
        ("Astronauts return to the moon as early as 2025.", ("as early as 2025", "as-early-as")),
        ("Artemis II is slated for May 2024.", ("is slated for May 2024", "slated-for")),
        ("Artemis III follows around 2025.", ("around 2025", "around")),
        ("Japan will stay on the ISS through 2030.", ("through 2030", "through")),
    ],
)
def test_targets_keep_their_qualifier(sentence: str, expected: tuple[str, str]) -> None:
    """A target's bounding words stay with it, verbatim, and name its qualifier."""
    (first,) = resolved(sentence, FRI_13_JAN_2023)
    assert expected == (first[0], first[4])


def test_may_the_verb_is_not_a_month() -> None:
    """'may' and a bare 'May' are not dates; 'May 2024' and 'Last May' are."""
    assert [] == resolved("The pact May help; it may not.", FRI_13_JAN_2023)
    assert [("Last May", date(2022, 5, 1), date(2022, 5, 31))] == [
        row[:3] for row in resolved("Last May, Biden committed.", FRI_13_JAN_2023)
    ]


def test_counts_are_not_years() -> None:
    """Numbers that are not years, such as '23 signatory states', give no date."""
    assert [] == resolved("There are 23 signatory states and 100 missions.", FRI_13_JAN_2023)


TRICKY_SENTENCES = [
    "On Tuesday, Aug. 27 2024 the 2020s ended, FY2025 began and fiscal 2026 looms.",
    "LAST WEEK, NEXT MONTH, TONIGHT and EARLIER THIS WEEK over the past week.",
    "Launch slated for 13 ſeptember 2031 or ſept. 3 (long s), on \u212aelvin day.",
    "It may slip to May or Next March of next year, said the 1990s veteran.",
    "Nothing dated here at all.",
    "SUNDAY ÖCT 5: the İNTERİM fiscal year of 2130.",
]


@pytest.mark.parametrize("sentence", TRICKY_SENTENCES)
def test_time_patterns_are_searched_whenever_they_can_match(sentence: str) -> None:
    """Leaving out the patterns whose words a sentence lacks loses no match: every pattern
    searched over the whole sentence finds the same expressions."""
    every = [
        (match.span(), resolver)
        for pattern, resolver in _PATTERNS
        for match in pattern.finditer(sentence)
    ]
    assert every == [(match.span(), resolver) for match, resolver in _matches(sentence)]


@pytest.mark.parametrize("sentence", TRICKY_SENTENCES)
def test_names_grouped_by_first_letter_match_as_the_plain_alternation(sentence: str) -> None:
    """The month, weekday and same-day words, one branch per first letter, find the same
    expressions with the same parts as the plain alternation of the words."""
    plain_words = [
        "|".join(sorted(MONTHS, key=len, reverse=True)),
        "|".join(WEEKDAYS),
        temporal._SAME_DAY,
    ]
    for pattern, _ in _PATTERNS:
        source = pattern.pattern
        for words in plain_words:
            source = source.replace(by_first_letter(words), f"(?:{words})")
        plain = re.compile(source, pattern.flags)
        expected = [(m.span(), m.groupdict()) for m in plain.finditer(sentence)]
        assert expected == [(m.span(), m.groupdict()) for m in pattern.finditer(sentence)]
