"""Tests for briefing.terms: many terms looked for at once, as their own regexes find them."""

import re

import pytest

from briefing.terms import TermSet, compile_terms

TERMS = [
    "ISS",
    "H3",
    "JAXA",
    "launch*",
    "space station",
    "debris",
    "debris removal",
    "Space Force",
    "U.S. Space Force",
    "Kishida Fumio",
    "宇宙",
    "Gateway",
    "i",
    "Straße",
]
TEXTS = [
    "The ISS and the mission",  # "iss" inside "mission" is no match
    "JAXAとNASA、月面探査データの共有で合意",  # kana and kanji run on without spaces
    "JAXAは宇宙ステーションへ",
    "A NASAwide review; JAXAwide too",
    "H3+ ions, then the H3 rocket",
    "H3+ only",
    "launches, launched and relaunch",
    "The debris removal mission removes debris",
    "debris removal",
    "U.S. Space Force and Space Forces",
    "KISHIDA Fumio met Kishida Fumio",
    "İSS crew and the ſpace ſtation, \u212aishida",  # odd capitals IGNORECASE takes
    "ıss and the ISS",
    "ﬁrst launch of the space station",  # a ligature: casefold makes two letters of it
    "STRASSE and Straße and strasse",
    "“Gateway,” said the official; ‘ISS’ too",  # curly quotes stay in place when lowercased
    "i\u0307ss and I\u0307SS",  # an i with a combining dot
    "",
    "a i b",
]


@pytest.mark.parametrize("case_sensitive", [True, False])
@pytest.mark.parametrize("text", TEXTS)
def test_a_term_set_finds_what_each_terms_regex_finds(text: str, case_sensitive: bool) -> None:
    """Looking for every term at once finds exactly the terms whose own pattern
    (``compile_terms``) matches, case-sensitive or not, on tricky boundaries and capitals."""
    terms = TermSet([(term, [term]) for term in TERMS], case_sensitive=case_sensitive)
    expected = {
        term
        for term in TERMS
        if compile_terms([term], case_sensitive=case_sensitive).search(text) is not None
    }
    assert expected == terms.found(text)


GROUPS = [("Space Force", ["U.S. Space Force", "Space Force"]), ("rocket", ["H3", "launch*"])]


@pytest.mark.parametrize(
    ("groups", "case_sensitive"),
    [
        (GROUPS, True),
        # A term "*" (any word) has no text to look for first: it is tried in every text.
        ([("any", ["*"]), *GROUPS], True),
        ([("any", ["*"]), *GROUPS], False),
    ],
)
@pytest.mark.parametrize("text", TEXTS)
def test_a_group_of_terms_is_found_by_any_of_its_terms(
    text: str, groups: list[tuple[str, list[str]]], case_sensitive: bool
) -> None:
    """A group (an actor and its aliases) is found where its one pattern of all its terms
    matches."""
    terms = TermSet(groups, case_sensitive=case_sensitive)
    expected = {
        key
        for key, words in groups
        if compile_terms(words, case_sensitive=case_sensitive).search(text) is not None
    }
    assert expected == terms.found(text)


@pytest.mark.parametrize("case_sensitive", [True, False])
@pytest.mark.parametrize("text", TEXTS)
def test_a_terms_regex_finds_the_same_matches_in_either_form(
    text: str, case_sensitive: bool
) -> None:
    """A term's regex is compiled with plain word boundaries for a text with no kana or kanji
    and with the whole boundary for one with them: on a text without them, both forms find
    the same matches at the same places (on one with them, only the whole form is used)."""
    from briefing.terms import spaced

    for term in TERMS:
        terms = compile_terms([term], case_sensitive=case_sensitive)
        whole = re.compile(terms.pattern, 0 if case_sensitive else re.IGNORECASE)
        used = terms.form(spaced(text))
        found = [match.span() for match in used.finditer(text)]
        assert ([match.span() for match in whole.finditer(text)], term) == (found, term)
