"""Whether a statement stands alone: read by itself (a key point, the first statement under a
story's headline), does it say what it is about?

A statement that opens with a reference to something outside it ("That program is meant to
...", "It was ...", "The agency said ...") does not, unless its own opening names what it refers
to: a name right after the reference ("The Japanese agency", "That program, Artemis,"), or a
phrase naming it ("The launch of the H3 rocket ..."). Names are told by their capital letter.
"""

import re

# Words that refer back to something by themselves.
_PRONOUNS = frozenset(
    [
        "it",
        "its",
        "they",
        "their",
        "them",
        "he",
        "his",
        "she",
        "her",
        "this",
        "that",
        "these",
        "those",
        "such",
        "both",
        "latter",
        "former",
    ]
)
# Words that open a noun phrase which refers back unless the phrase names its referent.
_DETERMINERS = frozenset(["the", "this", "that", "these", "those", "such"])
# Words after which a phrase names what the opening refers to ("The launch of the H3 rocket").
_QUALIFIERS = frozenset(["of", "for", "between"])  # not "on", "in": they follow verbs too
# Words skipped before an appositive's name ("The lander, named Resilience,").
_ARTICLES = frozenset(["the", "a", "an", "named", "called", "also", "known", "as"])
# Openings that join a sentence to the one before: the reference after them counts as first.
_CONNECTIVE = re.compile(
    r"(?:in addition|additionally|also|and|but|however|meanwhile|moreover|furthermore|still|"
    r"instead|separately|at the same time|as a result|in turn|so)\b,?\s+",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[\w’'.-]+|[^\w\s]")
_LEADING = "“”\"‘’'([ "


def _is_name(token: str) -> bool:
    return token[:1].isupper() or (token[:1].isdigit() and any(c.isupper() for c in token))


def opens_with_outside_reference(statement: str) -> bool:
    """Whether the statement opens with a reference whose antecedent is outside it."""
    opening = statement.lstrip(_LEADING)
    tokens = _TOKEN.findall(opening[_end_of_connective(opening) :])
    if not tokens:
        return False
    first = tokens[0].lower()
    if first not in _PRONOUNS and first not in _DETERMINERS:
        return False
    # The words of the opening noun phrase: up to three lowercase words after the reference.
    phrase_end = 1
    while phrase_end < min(len(tokens), 4) and tokens[phrase_end][:1].islower():
        phrase_end += 1
    if (first in _PRONOUNS and first not in _DETERMINERS) or phrase_end == 1:
        # A pronoun on its own ("It was", "They said", "This is"): named only by an appositive.
        return not _named_after(tokens, 1)
    # A name directly inside the phrase ("The Japanese agency", "The first Japanese astronaut");
    # a name further on may already be the predicate's ("The lander launched Jan. 15").
    return not any(_named_after(tokens, at, directly=at <= 2) for at in range(1, phrase_end + 1))


def _end_of_connective(text: str) -> int:
    match = _CONNECTIVE.match(text)
    return match.end() if match else 0


def _named_after(tokens: list[str], at: int, *, directly: bool = True) -> bool:
    """Whether a name follows position ``at``: directly (when ``directly``), after a comma or
    parenthesis, or in a qualifying phrase ("of the H3 rocket")."""
    rest = tokens[at : at + 6]
    if not rest:
        return False
    if _is_name(rest[0]):
        return directly
    if rest[0] in {",", "(", "—", "–"}:
        following = [token for token in rest[1:] if token.lower() not in _ARTICLES]
        return bool(following) and _is_name(following[0])
    if rest[0].lower() in _QUALIFIERS:
        following = [token for token in rest[1:] if token.lower() not in _ARTICLES]
        return bool(following) and _is_name(following[0])
    return False
