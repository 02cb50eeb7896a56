"""What a statement claims, as far as merging needs it: its main predicate, its clock times.

Two reports are one statement only when they state the same claim: the same event or predicate
("launched" is not "docked", "reached orbit" or "is scheduled to dock"), the same clock times
and counts. Words in common are not enough: a launch sentence and a docking sentence of one
story share the spacecraft, the crew and the station.

The predicate is the first event word of the sentence outside a quote (news puts the main clause
first: "X launched a satellite that will approach..."); a reporting verb ("said", "confirmed")
is no predicate, the claim follows it. An event word after "will", "is scheduled to" or "plans to"
is a plan of that event, not the event ("the first countries to sign" signed).
"""

import re
from dataclasses import dataclass

# Each predicate with the words that state it (lower case, regular expressions on words).
_PREDICATES: dict[str, str] = {
    "orbit": r"reach(?:es|ed|ing)? (?:its planned |low[- ]earth |geostationary )?orbit"
    r"|(?:placed|put|placing|putting)\b[^.;]{0,60}? into (?:its planned |an? )?orbit",
    # Before "launch": a unit or a command is launched as it is activated.
    "activate": r"activat(?:es|ed)"
    r"|launch(?:es|ed)? (?:(?:a|an|its) )?(?:new )?(?:unit|command|component)",
    # "The launch of", "its first launch": a noun, not the predicate.
    "launch": r"launch(?:es|ed|ing)?(?! of)|lift(?:s|ed|ing)? off|blast(?:s|ed|ing)? off|propelled",
    "dock": r"dock(?:s|ed|ing)?|berth(?:s|ed|ing)?",
    "fail": r"crash(?:es|ed)?(?! through| into)|presumed lost|explod(?:es|ed)"
    r"|(?:broke|breaks|broken) apart|total loss|fail(?:s|ed)?|did not complete its landing",
    "land": r"land(?:s|ed)?|touch(?:es|ed)? down|soft[- ]landed|made a (?:soft |pinpoint )?landing",
    "sign": r"sign(?:s|ed)?|agree(?:s|d)?",
    "veto": r"veto(?:es|ed)?",
    "fine": r"fined?|settlement",
    "adopt": r"adopt(?:s|ed)?|approv(?:es|ed)|renamed|reorganized",
    "select": r"select(?:s|ed)?|named|picks?|picked|chose|chosen",
    "deploy": r"deploy(?:s|ed)?",
    "reenter": r"re-?enter(?:s|ed)?|fell back to earth",
    "commit": r"commits?|will not conduct|vows?",
    "condemn": r"condemn(?:s|ed)?|criticiz(?:es|ed)|accus(?:es|ed)",
    "provide": r"provides?",
    "relay": r"relay",
    "rendezvous": r"rendezvous|approach(?:es)?|inspect",
    "flyby": r"fl(?:ew|ies|y) over|swung around|closest approach|flyby",
}
# The letters a predicate's words can open with: re tries the predicates only at a word that
# opens with one of them (tested against the words above), not at every word (12 -> 7 us a
# statement).
_FIRST_LETTERS = "abcdefilmnprstvw"
_PREDICATE = re.compile(
    rf"\b(?=[{_FIRST_LETTERS}])(?:"
    + "|".join(f"(?P<{name}>{words})" for name, words in _PREDICATES.items())
    + r")\b"
)
# Words that make the event that follows them a plan: "will dock", "is scheduled to launch".
# A relative clause ("the rocket that launched...") or an apposition ("The rocket, launched late
# on November 21, flew...") is not the main clause: its predicate is passed over.
_SUBORDINATE = re.compile(r"\b(?:that|which|who)\s+$")
_APPOSITION = re.compile(r",\s+$")  # before a participle: "The rocket, launched on Tuesday,"
# So is an adverbial clause after the main one: "Officials cheered as the rocket reached
# orbit" (a subordinator before the word, no comma between them).
_ADVERBIAL = re.compile(r"\s(?:as|after|when|while|because|since|before|until)\s[^,]*$")
# After an article a predicate's word is a noun ("the cost of a launch"), except for the words
# that name a fine, a noun either way ("its first fine", "the settlement").
_ARTICLE = re.compile(r"\b(?:a|an|the|its|their|first|second|per|each)\s+$")
_NOUNS_TOO = frozenset({"fine"})
_PLAN = re.compile(
    r"\b(?:will|would|could|may|(?:plans?|planned|aims?|aimed|hopes?|scheduled|set|expected"
    r"|intends?|is|are|was|were|going|attempting|trying|seeks?|seeking) to)\s+(?:\w+\s+)?$"
)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
# A clock time: "9:22 a.m.", "10:37", "7:42 p.m. EDT". Time zones differ by whole hours (the
# ones these sources use), so two reports of one moment agree on its minutes.
_CLOCK = re.compile(r"\b(?:[01]?\d|2[0-3]):(?P<minutes>[0-5]\d)\b")
_NO_MINUTES: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ClaimShape:
    """A statement's main predicate (None: none found) and the minutes of its clock times."""

    predicate: str | None
    minutes: frozenset[str]


def claim_shape(statement: str) -> ClaimShape:
    """The main predicate and clock times of a statement."""
    text = _QUOTED.sub(" ", statement).lower()
    predicate = None
    for match in _PREDICATE.finditer(text):
        name = match.lastgroup
        before = text[max(0, match.start() - 8) : match.start()]
        if name is None or _SUBORDINATE.search(before):
            continue
        if _APPOSITION.search(before) and match[0].endswith(("ed", "en")):
            continue
        if _ADVERBIAL.search(text[: match.start()]):
            continue
        if name not in _NOUNS_TOO and _ARTICLE.search(before):
            continue
        predicate = f"plan:{name}" if _PLAN.search(text[: match.start()]) else name
        break
    # Most statements hold no clock time: a colon is looked for first, the times only then.
    minutes = (
        frozenset(match["minutes"] for match in _CLOCK.finditer(statement))
        if ":" in statement
        else _NO_MINUTES
    )
    return ClaimShape(predicate, minutes)


def claims_conflict(a: ClaimShape, b: ClaimShape) -> bool:
    """Whether two statements cannot state one claim: different main predicates, or clock
    times that disagree on their minutes."""
    if a.predicate is not None and b.predicate is not None and a.predicate != b.predicate:
        return True
    return bool(a.minutes and b.minutes and not a.minutes & b.minutes)


def same_event(a: ClaimShape, b: ClaimShape) -> bool:
    """Whether both statements state the same event as done (not as a plan)."""
    return (
        a.predicate is not None
        and a.predicate == b.predicate
        and not a.predicate.startswith("plan:")
    )
