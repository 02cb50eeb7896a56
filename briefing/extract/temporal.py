"""Time expressions in a sentence, resolved against the source's publication date.

Explicit dates ("Jan. 13", "November 2022"), partial ones with their precision, weekdays and
relative expressions ("Friday", "last week", "last November", "next month"), Japanese fiscal years
(April to March) and decades; a target's qualifier ("by", "no later than", "as early as",
"slated for") is kept with it. Every result carries the verbatim words it was read from.
"""

import calendar
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import NamedTuple

from briefing.models import Precision, Qualifier, When
from briefing.terms import by_first_letter, fold

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {name: number for number, name in enumerate(calendar.day_name)}

# One branch per first letter (``by_first_letter``): the same matches, and re tries one
# branch at a word instead of every month's names.
_MONTH = by_first_letter("|".join(sorted(MONTHS, key=len, reverse=True)))
_FULL_MONTH = "|".join(name.capitalize() for name in MONTHS if len(name) > 3 or name == "may")
_WEEKDAY = by_first_letter("|".join(WEEKDAYS))
_SAME_DAY = r"today|tonight|yesterday|this\s+(?:morning|afternoon|evening)"
_YEAR = r"(?:19|20|21)\d\d"

# Words before an expression that make it a bound or a target; longest first.
_QUALIFIERS: list[tuple[str, Qualifier]] = [
    (r"no later than", "no-later-than"),
    (r"not later than", "no-later-than"),
    (r"as early as", "as-early-as"),
    (r"by the end of", "by"),
    (r"(?:is |are |was |were )?slated for", "slated-for"),
    (r"(?:is |are |was |were )?scheduled (?:for|in)", "slated-for"),
    (r"(?:is |are |was |were )?planned for", "slated-for"),
    (r"by", "by"),
    (r"around", "around"),
    (r"through", "through"),
    (r"until", "until"),
    (r"since", "since"),
    (r"during", "during"),
    (r"before", "before"),
    (r"after", "after"),
]
_QUALIFIER = re.compile(
    r"(?:^|(?<=\W))(?P<words>" + "|".join(f"(?:{words})" for words, _ in _QUALIFIERS) + r")\s+$",
    re.IGNORECASE,
)


class Found(NamedTuple):
    """A time expression and where it stands in the sentence."""

    start: int
    end: int
    when: When


Resolver = Callable[[re.Match[str], date | None], tuple[date, date, Precision, bool] | None]


def month_span(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def week_span(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week holding the day."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def fiscal_year_span(year: int) -> tuple[date, date]:
    """Japan's fiscal year N runs from 1 April N to 31 March N+1."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def nearest_year(month: int, day: int | None, reference: date) -> int:
    """The year that puts month/day nearest the reference date ("in November", said in January)."""
    candidates = [reference.year - 1, reference.year, reference.year + 1]
    return min(candidates, key=lambda year: abs((date(year, month, day or 15) - reference).days))


def _day(match: re.Match[str], reference: date | None) -> tuple[date, date, Precision, bool] | None:
    month = MONTHS[match["month"].lower()]
    day = int(match["day"])
    if match["year"]:
        year, relative = int(match["year"]), False
    elif reference is not None:
        year, relative = nearest_year(month, day, reference), True
    else:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day), date(year, month, day), "day", relative


def _month_year(match: re.Match[str], _: date | None) -> tuple[date, date, Precision, bool]:
    return (*month_span(int(match["year"]), MONTHS[match["month"].lower()]), "month", False)


def _bare_month(
    match: re.Match[str], reference: date | None
) -> tuple[date, date, Precision, bool] | None:
    if reference is None:
        return None
    month = MONTHS[match["month"].lower()]
    modifier = (match["modifier"] or match["year_modifier"] or "").lower()
    if match["year_modifier"]:
        year = reference.year + {"last": -1, "this": 0, "next": 1}[modifier]
    elif modifier == "last":
        year = reference.year if month < reference.month else reference.year - 1
    elif modifier == "next":
        year = reference.year if month > reference.month else reference.year + 1
    else:
        year = nearest_year(month, None, reference)
    return (*month_span(year, month), "month", True)


def _fiscal_year(match: re.Match[str], _: date | None) -> tuple[date, date, Precision, bool]:
    return (*fiscal_year_span(int(match["year"])), "fiscal-year", False)


def _decade(match: re.Match[str], _: date | None) -> tuple[date, date, Precision, bool]:
    first = int(match["decade"])
    return date(first, 1, 1), date(first + 9, 12, 31), "decade", False


def _year(match: re.Match[str], _: date | None) -> tuple[date, date, Precision, bool]:
    year = int(match["year"])
    return date(year, 1, 1), date(year, 12, 31), "year", False


def _relative_unit(
    match: re.Match[str], reference: date | None
) -> tuple[date, date, Precision, bool] | None:
    if reference is None:
        return None
    step = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}[
        match["modifier"].lower()
    ]
    unit = match["unit"].lower()
    if unit == "week":
        start, end = week_span(reference + timedelta(weeks=step))
        return start, end, "week", True
    if unit == "month":
        month_index = reference.year * 12 + reference.month - 1 + step
        return (*month_span(month_index // 12, month_index % 12 + 1), "month", True)
    year = reference.year + step
    return date(year, 1, 1), date(year, 12, 31), "year", True


def _earlier_this_week(
    match: re.Match[str], reference: date | None
) -> tuple[date, date, Precision, bool] | None:
    if reference is None:
        return None
    monday = week_span(reference)[0]
    return monday, max(monday, reference - timedelta(days=1)), "range", True


def _past_week(
    match: re.Match[str], reference: date | None
) -> tuple[date, date, Precision, bool] | None:
    if reference is None:
        return None
    return reference - timedelta(days=7), reference, "range", True


def _same_day(
    match: re.Match[str], reference: date | None
) -> tuple[date, date, Precision, bool] | None:
    if reference is None:
        return None
    day = reference - timedelta(days=1) if match[0].lower() == "yesterday" else reference
    return day, day, "day", True


def _weekday(
    match: re.Match[str], reference: date | None
) -> tuple[date, date, Precision, bool] | None:
    if reference is None:
        return None
    weekday = WEEKDAYS[match["weekday"].capitalize()]
    if (match["modifier"] or "").lower() == "next":
        ahead = (weekday - reference.weekday() - 1) % 7 + 1
        day = reference + timedelta(days=ahead)
    else:  # news reports the most recent such day, today included
        day = reference - timedelta(days=(reference.weekday() - weekday) % 7)
    return day, day, "day", True


# Tried in order; an expression overlapping one found earlier is skipped, so the more precise
# patterns come first.
_PATTERNS: list[tuple[re.Pattern[str], Resolver]] = [
    # "Sunday, Aug. 27", "on Monday (Oct. 7)": the date says which Sunday, so the weekday is
    # part of it and never resolved on its own (to the Sunday before publication).
    (
        re.compile(
            rf"\b(?:{_WEEKDAY}),?\s+\(?(?P<month>{_MONTH})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
            rf"(?:,?\s+(?P<year>{_YEAR})\b)?\)?(?!\s*(?:%|percent))",
            re.IGNORECASE,
        ),
        _day,
    ),
    (
        re.compile(
            rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
            rf"(?:,?\s+(?P<year>{_YEAR})\b)?(?!\s*(?:%|percent))",
            re.IGNORECASE,
        ),
        _day,
    ),
    (
        re.compile(
            rf"\b(?P<day>[0-3]?\d)\s+(?P<month>{_MONTH})\.?(?:,?\s+(?P<year>{_YEAR})\b)?",
            re.IGNORECASE,
        ),
        _day,
    ),
    (
        re.compile(rf"\b(?P<month>{_MONTH})\.?(?:\s+of)?\s+(?P<year>{_YEAR})\b", re.IGNORECASE),
        _month_year,
    ),
    (
        re.compile(rf"\b(?:fiscal(?:\s+year)?|FY)\s*(?P<year>{_YEAR})\b", re.IGNORECASE),
        _fiscal_year,
    ),
    (
        re.compile(
            r"\b(?:earlier\s+(?:in\s+)?(?:this|the)\s+week|earlier\s+this\s+week)\b",
            re.IGNORECASE,
        ),
        _earlier_this_week,
    ),
    (
        re.compile(r"\b(?:over\s+)?the\s+(?:past|last)\s+week\b", re.IGNORECASE),
        _past_week,
    ),
    (
        re.compile(
            rf"(?:\b(?P<modifier>[Ll]ast|[Nn]ext|[Tt]his)\s+)?\b(?P<month>{_FULL_MONTH})\b"
            r"(?:\s+of\s+(?P<year_modifier>last|this|next)\s+year\b)?"
        ),
        _bare_month,
    ),
    (
        re.compile(
            r"\b(?P<modifier>last|past|previous|this|next|coming)\s+(?P<unit>week|month|year)\b",
            re.IGNORECASE,
        ),
        _relative_unit,
    ),
    (
        re.compile(
            rf"\b{by_first_letter(_SAME_DAY)}\b",
            re.IGNORECASE,
        ),
        _same_day,
    ),
    (
        re.compile(
            rf"(?:\b(?P<modifier>last|next|on|this)\s+)?\b(?P<weekday>{_WEEKDAY})\b", re.IGNORECASE
        ),
        _weekday,
    ),
    (re.compile(r"\bthe\s+(?P<decade>(?:19|20)\d0)s\b"), _decade),
    (re.compile(rf"(?<![\w-])(?P<year>{_YEAR})(?![\w-])"), _year),
]


def _qualifier(sentence: str, start: int) -> tuple[int, Qualifier | None]:
    """The qualifier words just before an expression, and where they begin."""
    window_start = max(0, start - 40)
    match = _QUALIFIER.search(sentence[window_start:start])
    if match is None:
        return start, None
    words = " ".join(match["words"].lower().split())
    qualifier = next(value for pattern, value in _QUALIFIERS if re.fullmatch(pattern, words))
    return window_start + match.start("words"), qualifier


# What a sentence must hold for each of ``_PATTERNS`` (same order) to match in it: for every
# group, one of its words, looked for in the sentence as written (case-sensitive patterns, and
# digits) or in the folded sentence (case-insensitive words; ``fold``'s text holds every word
# IGNORECASE finds). Patterns whose words a sentence lacks are not searched: most sentences
# hold none of them, and thirteen searches cost 135 us a sentence.
_FOLDED, _AS_WRITTEN = True, False
_MONTH_WORDS = ((tuple(name[:3] for name in MONTHS), _FOLDED),)
_YEAR_DIGITS = (("19", "20", "21"), _AS_WRITTEN)
_NEEDED: list[tuple[tuple[tuple[str, ...], bool], ...]] = [
    (*_MONTH_WORDS, (("day",), _FOLDED)),  # every weekday ends in "day"
    _MONTH_WORDS,
    _MONTH_WORDS,
    (*_MONTH_WORDS, _YEAR_DIGITS),
    ((("fiscal", "fy"), _FOLDED), _YEAR_DIGITS),
    ((("earlier",), _FOLDED), (("week",), _FOLDED)),
    ((("week",), _FOLDED),),
    ((tuple(_FULL_MONTH.split("|")), _AS_WRITTEN),),
    ((("week", "month", "year"), _FOLDED),),
    ((("today", "tonight", "yesterday", "this"), _FOLDED),),
    ((("day",), _FOLDED),),
    ((("0s",), _AS_WRITTEN),),
    (_YEAR_DIGITS,),
]


def _matches(sentence: str) -> Iterator[tuple[re.Match[str], Resolver]]:
    texts = {_FOLDED: fold(sentence), _AS_WRITTEN: sentence}
    held: dict[tuple[str, ...], bool] = {}  # each group of words looked for once
    for (pattern, resolver), needed in zip(_PATTERNS, _NEEDED, strict=True):
        for words, in_folded in needed:
            if words not in held:
                held[words] = any(map(texts[in_folded].__contains__, words))
            if not held[words]:
                break
        else:
            for match in pattern.finditer(sentence):
                yield match, resolver


def _is_verb_may(sentence: str, match: re.Match[str]) -> bool:
    """'May' standing alone is far more often the verb than the month."""
    return match.groupdict().get("month") == "May" and not (
        match.groupdict().get("modifier") or match.groupdict().get("year_modifier")
    )


def find_times(sentence: str, reference: date | None) -> list[Found]:
    """Every time expression in the sentence, in reading order, each resolved where it can be.

    ``reference`` is the source's publication date: expressions that need it ("Friday", "last
    week", "Jan. 13" without a year) are skipped when it is unknown.
    """
    taken: list[tuple[int, int]] = []
    found: list[Found] = []
    for match, resolver in _matches(sentence):
        start, end = match.span()
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        if resolver is _bare_month and _is_verb_may(sentence, match):
            continue
        resolved = resolver(match, reference)
        if resolved is None:
            continue
        first, last, precision, relative = resolved
        text_start, qualifier = _qualifier(sentence, start)
        taken.append((start, end))
        found.append(
            Found(
                text_start,
                end,
                When(
                    text=sentence[text_start:end],
                    start=first,
                    end=last,
                    precision=precision,
                    qualifier=qualifier,
                    relative=relative,
                ),
            )
        )
    return sorted(found, key=lambda item: item.start)
