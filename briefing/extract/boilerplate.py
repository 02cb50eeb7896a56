"""Recognise the parts of an article that are not its reporting: captions, bios, comment policies.

Each rule is a small predicate over one paragraph; ``classify_paragraph`` names the first that
fires, so the extraction report can count what was left out and why.
"""

import re
from collections import Counter
from collections.abc import Callable

_PHOTO_CREDIT = re.compile(
    r"\|\s*[A-Z][A-Za-z./ -]*$"  # "... | NASA / VIA KYODO", "... | AFP-JIJI"
    r"|\bCredit:\s"
    r"|\bScreengrab\.?$"
    r"|\b(?:photo|image|picture)s? (?:via|by|courtesy of)\b"
    r"|^(?:Photo|Image|Caption|Pictured)s?:",
    re.IGNORECASE,
)
_AUTHOR_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]*\s){1,4}?[A-Z][\w.'’-]+(?:, [A-Z][A-Za-z.]{1,5})?,?\s"
    r"(?:writes|covers|reports|is an? (?:senior |staff |contributing |former )?"
    r"(?:associate|fellow|reporter|correspondent|writer|editor|journalist|director|professor))\b"
)
_DISCLAIMER = re.compile(
    r"views,? (?:positions,? )?(?:and )?(?:conclusions|opinions) expressed", re.IGNORECASE
)
_COMMENT_POLICY = re.compile(
    r"^(?:User |Reader )?Comments$"
    r"|\bcomments?\b.{0,80}\b(?:monitor|moderat|remove|post)"
    r"|\b(?:monitor|moderate|remove|post)s?\b.{0,40}\bcomments\b",
    re.IGNORECASE,
)
_EDITORIAL_NOTE = re.compile(r"^(?:Note|Editor[’']s note|Correction|Disclosure):", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\[\d+\])?$")

Rule = Callable[[str, Counter[str]], bool]

RULES: dict[str, Rule] = {
    "photo caption": lambda text, seen: _PHOTO_CREDIT.search(text) is not None,
    "repeated line": lambda text, seen: seen[text] > 1,
    "author bio": lambda text, seen: bool(_AUTHOR_BIO.match(text) or _DISCLAIMER.search(text)),
    "comment policy": lambda text, seen: _COMMENT_POLICY.search(text) is not None,
    "editorial note": lambda text, seen: _EDITORIAL_NOTE.match(text) is not None,
    "heading": lambda text, seen: _SENTENCE_END.search(text) is None,
}


def count_paragraphs(paragraphs: list[str]) -> Counter[str]:
    """How often each paragraph occurs in a document; a repeated one is a caption or a heading."""
    return Counter(paragraphs)


def classify_paragraph(text: str, seen: Counter[str]) -> str | None:
    """The kind of boilerplate a paragraph is, or None when it is the article's own text."""
    for name, rule in RULES.items():
        if rule(text, seen):
            return name
    return None
