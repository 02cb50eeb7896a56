"""Explicit calendar dates in a sentence, resolved against the source's publication date."""

import re
from datetime import date

from briefing.models import PartialDate

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

_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULL_NAMES = "|".join(name for name in MONTHS if len(name) > 4 or name in {"may", "june", "july"})
_YEAR = r"(?:19|20|21)\d\d"
# Alternatives in order of precision; group names end in the alternative's number.
_DATE = re.compile(
    "|".join(
        [
            rf"\b(?P<m1>{_NAMES})\.?\s+(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>{_YEAR})\b)?",
            rf"\b(?P<d2>[0-3]?\d)\s+(?P<m2>{_NAMES})\.?(?:,?\s+(?P<y2>{_YEAR})\b)?",
            rf"\b(?P<m3>{_NAMES})\.?(?:\s+of)?\s+(?P<y3>{_YEAR})\b",
            rf"\b(?P<m4>{_FULL_NAMES})\b(?:\s+of\s+(?P<r4>last|this|next)\s+year\b)?",
            rf"(?<![\w-])(?P<y5>{_YEAR})(?![\w-])",
        ]
    ),
    re.IGNORECASE,
)


def nearest_year(month: int, day: int | None, reference: date) -> int:
    """The year that puts month/day nearest the reference date ("in November", said in January)."""
    candidates = [reference.year - 1, reference.year, reference.year + 1]
    return min(candidates, key=lambda year: abs((date(year, month, day or 15) - reference).days))


def find_dates(sentence: str, reference: date | None) -> list[PartialDate]:
    """Every explicit date in the sentence, in order. A date without a year takes the year that
    puts it nearest the reference (the source's publication date); without one it is skipped."""
    found = []
    for match in _DATE.finditer(sentence):
        parts = {key[0]: value for key, value in match.groupdict().items() if value}
        month_name, day_text, year_text = parts.get("m"), parts.get("d"), parts.get("y")
        bare_month = month_name if day_text is None and year_text is None else None
        if bare_month and (bare_month[0].islower() or bare_month == "May"):
            continue  # "may" is a verb; a lower-case month name is not a date
        month = MONTHS[month_name.lower()] if month_name else None
        day = int(day_text) if day_text else None
        if year_text is not None:
            year = int(year_text)
        elif month is not None and reference is not None and "r" in parts:
            year = reference.year + {"last": -1, "this": 0, "next": 1}[parts["r"].lower()]
        elif month is not None and reference is not None:
            year = nearest_year(month, day, reference)
        else:
            continue
        try:
            found.append(PartialDate(year=year, month=month, day=day))
        except ValueError:
            continue  # "February 30" is not a date
    return found
