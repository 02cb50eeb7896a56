"""Who is speaking, who is named, and what kind of statement a sentence is."""

import re
from datetime import date, timedelta
from functools import lru_cache

from briefing.models import FactKind, When
from briefing.terms import by_first_letter, fold
from briefing.topic import Topic

# A name: up to five capitalised words, initials and particles allowed ("Zhanna L. Malekos Smith").
# A company's suffix keeps the brand before it, capitalised or not ("ispace Inc. said").
_BRAND = r"(?:[a-z][\w'’-]*\s+(?=(?:Inc|Corp|Co|Ltd|LLC)\b))?"
_CAPITALISED_NAME = (
    r"(?:[A-Z][\w'’.-]*\.?|[A-Z]{2,})(?:\s+(?:[A-Z][\w'’.-]*\.?|[A-Z]{2,}|de|van|von)){0,4}"
)
_NAME = _BRAND + _CAPITALISED_NAME
# The brand matches only before one of these ("Corp" holds "Co"); in a sentence without them it
# is always empty, and the patterns are used without it (``_SPEAKER_PATTERNS_WITHOUT_BRAND``):
# trying it at every lowercase word doubled the cost of a search.
_COMPANY_SUFFIXES = ("Inc", "Co", "Ltd", "LLC")
_SPEECH = (
    r"(?:said|says|say|noted|notes|explained|explains|added|adds|told|stated|affirmed|"
    r"declared|announced|announces|wrote|writes|argued|argues|warned|warns|emphasized|"
    r"emphasizes|point(?:s|ed)? out|described|describes|reports|reported|hopes|hoped)"
)


def _speaker_patterns(name: str) -> list[re.Pattern[str]]:
    return [
        # "Blinken said", "Scott Pace, a space policy expert at ..., said"
        re.compile(rf"(?P<name>{name})(?:,[^,]{{3,120}},)?\s+{_SPEECH}\b"),
        # "said Scott Pace", "announced Japan's prime minister Fumio Kishida"
        re.compile(rf"\b{_SPEECH}\s+(?:[A-Za-z’'.-]+\s+){{0,4}}?(?P<name>{name})\s*[.,]?$"),
        re.compile(rf"\b(?:[Aa]ccording to|[Ee]xperts such as)\s+(?:the\s+)?(?P<name>{name})"),
    ]


_SPEAKER_PATTERNS = _speaker_patterns(_NAME)
_SPEAKER_PATTERNS_WITHOUT_BRAND = _speaker_patterns(_CAPITALISED_NAME)
_PRONOUN_SPEECH = re.compile(rf"\b(?:he|she|they)\s+{_SPEECH}\b", re.IGNORECASE)
_TITLES = re.compile(
    r"^(?:(?:U\.S\.|Japanese|Japan’s|Japan's|Deputy|Vice|Prime|Foreign|Defense|Chief|"
    r"President|Secretary|Minister|Administrator|Ambassador|Professor|Dr\.|Director|"
    r"Chair|Chairman|CEO|Commander|Gen\.|General|Adm\.|Lt\.|Col\.|Astronaut|Spokesperson|"
    r"Experts?|Officials?|of|State|NASA|JAXA|Senator)\s+)+"
)
_NOT_NAMES = {
    "The",
    "A",
    "An",
    "It",
    "This",
    "That",
    "These",
    "They",
    "He",
    "She",
    "We",
    "I",
    "In",
    "On",
    "But",
    "And",
    "Experts",
    "Officials",
}


_FUTURE_WORDS = (
    r"will|would|shall|plans?\s+to|planned|aims?\s+to|intends?\s+to|preparing\s+to|"
    r"is\s+(?:set|expected|scheduled|slated|meant|due|to\s+be|going)\s+to|"
    r"are\s+(?:set|expected|scheduled|slated|meant|due|to\s+be|going)\s+to|"
    r"was\s+(?:set|expected|scheduled|slated|meant|due|to\s+be|going)\s+to|"
    r"were\s+(?:set|expected|scheduled|slated|meant|due|to\s+be|going)\s+to|"
    r"is\s+to|are\s+to|upcoming|scheduled|slated|anticipated|next\s+(?:month|year|week)"
)
_HEDGE_WORDS = (
    r"could|may|might|likely|possible|possibly|potential|perhaps|undoubtedly|appears?|"
    r"seems?|regarded|believes?|important|significant|serious|dangerous|ambitious|challenge|"
    r"critical|indispensable|meaningful|symbolic|fundamentally|must|needs?\s+to|should|hopes?|"
    r"strongly|new\s+heights|new\s+era|vying|grave|overdue"
)
_EVENT_WORDS = (
    r"signed|launched|agreed|announced|joined|established|created|received|convened|met|"
    r"visited|affirmed|committed|released|attended|celebrated|formalized|finalized|confirmed|"
    r"disclosed|issued|invoked|renewed|shook|became|began|started|completed|"
    r"delivered|deployed|tested|conducted|welcomed|discussed|took\s+place|was\s+signed|"
    r"were\s+signed|cooperated|reported|interpreted|highlighted|aligned|prohibited|"
    r"emphasized|stated|explained|"
    # What news reports of a mission or a decision say happened.
    r"landed|touched\s+down|lifted\s+off|docked|undocked|splashed\s+down|arrived|reached|"
    r"crashed|failed|lost|placed|fined|vetoed|activated|listed|voted|unveiled|approved|"
    r"selected|awarded|canceled|cancelled|concluded|ended|named|appointed|passed|adopted|put|"
    r"broke\s+(?:apart|up)"
)
# A headline tells a past event in the present tense ("Japan launches H-2A rocket", "Russia
# vetoes ... resolution") and a plan with "to" ("Japan to launch ..."): newsroom style.
_HEADLINE_EVENT_WORDS = (
    r"launch(?:es)?|lands?|signs?|agrees?|vetoes|veto|activates?|issues?|"
    r"debuts?|fails?|reaches|reach|docks?|unveils?|approves?|selects?|awards?|fines?|joins?|completes?|"
    r"returns?|loses|lose|crashes|tests?|conducts?|deploys?|opens?|names?|lists?|wins?|"
    r"confirms?|announces?|releases?|delivers?|captures?|arrives?|ends?|cancels?|scraps?|"
    r"votes?|breaks?\s+(?:apart|up)"
)
_FUTURE = re.compile(rf"\b{by_first_letter(_FUTURE_WORDS)}\b", re.IGNORECASE)
_HEDGE = re.compile(rf"\b{by_first_letter(_HEDGE_WORDS)}\b", re.IGNORECASE)
_EVENT = re.compile(rf"\b{by_first_letter(_EVENT_WORDS)}\b", re.IGNORECASE)
_HEADLINE_EVENT = re.compile(
    rf"(?<!\bto )\b{by_first_letter(_HEADLINE_EVENT_WORDS)}\b", re.IGNORECASE
)
_HEADLINE_PLAN = re.compile(r"\bto\s+(?!be\b)[a-z]+", re.IGNORECASE)
# "its planned touchdown", "the scheduled launch": an adjective naming what was planned, not
# a statement of a plan ("the planned touchdown" of a lander that crashed).
_ATTRIBUTIVE_PLAN = re.compile(
    r"(?:\b(?:its|the|their|his|her|our|a|an)|['’]s)\s+(?:planned|scheduled)\s+(?=[a-z])",
    re.IGNORECASE,
)
_TARGET_QUALIFIERS = {"by", "no-later-than", "as-early-as", "slated-for"}
# Title words also open institutions' names ("State Department", "Defense Ministry"): when
# stripping them would leave only one of these nouns, the words were the name and stay.
_INSTITUTION_NOUNS = {"Department", "Ministry", "Agency", "Office"}


def _clean_name(raw: str) -> str | None:
    whole = raw.strip(" ,.")
    name = _TITLES.sub("", whole).strip(" ,.")
    if name in _INSTITUTION_NOUNS:
        name = whole
    name = re.sub(r"[’']s$", "", name)
    if not name or name in _NOT_NAMES or name.split()[0] in _NOT_NAMES:
        return None
    return name


# What a sentence must hold for a speaker pattern to match: a speech verb (the first two
# patterns and the pronoun's, which takes it in any case: looked for in the folded sentence,
# which holds it then) or the words of the third. A sentence without them is not searched.
_SPEECH_STEMS = (
    "sai",
    "say",
    "note",
    "explain",
    "add",
    "told",
    "stated",
    "affirmed",
    "declared",
    "announce",
    "wrote",
    "write",
    "argue",
    "warn",
    "emphasize",
    "point",
    "describe",
    "report",
    "hope",
)
_ACCORDING = ("ccording to", "xperts such as")
# And the words a person's phrase must end in ("Hiroko Yotsumoto, a space law expert").
_PERSON_NOUNS = (
    "professor",
    "expert",
    "scientist",
    "scholar",
    "author",
    "director",
    "associate",
    "fellow",
    "analyst",
    "official",
    "spokesperson",
    "minister",
    "secretary",
    "administrator",
)


@lru_cache(maxsize=256)
def _speaker_names(statement: str) -> tuple[tuple[str, ...], bool]:
    """Every name the speaker patterns match in the statement, pattern by pattern, and whether
    a pronoun speaks in it ("she noted"). Kept for the last statements: ``find_speaker`` and
    ``find_other_actors`` read the same sentence."""
    folded = fold(statement)
    speech = any(map(folded.__contains__, _SPEECH_STEMS))
    according = any(map(statement.__contains__, _ACCORDING))
    company = any(map(statement.__contains__, _COMPANY_SUFFIXES))
    patterns = _SPEAKER_PATTERNS if company else _SPEAKER_PATTERNS_WITHOUT_BRAND
    names = tuple(
        match["name"]
        for pattern, needed in zip(patterns, (speech, speech, according), strict=True)
        if needed
        for match in pattern.finditer(statement)
    )
    return names, speech and _PRONOUN_SPEECH.search(statement) is not None


def find_speaker(statement: str, topic: Topic, previous: str | None) -> str | None:
    """The person or body a quote or opinion is attributed to, as a gazetteer name if listed.

    A pronoun ("she noted") takes the previous speaker of the same document.
    """
    names, pronoun = _speaker_names(statement)
    for raw in names:
        name = _clean_name(raw)
        if name is None:
            continue
        listed = topic.find_actors(name)
        return listed[0] if listed else name
    if previous is not None and pronoun:
        return previous
    return None


def _person_phrase(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?P<name>{name}),\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,6}}?"
        rf"(?:{'|'.join(_PERSON_NOUNS)})\b"
    )


_PERSON_PHRASE = _person_phrase(_NAME)
_PERSON_PHRASE_WITHOUT_BRAND = _person_phrase(_CAPITALISED_NAME)


def find_other_actors(statement: str, topic: Topic) -> tuple[str, ...]:
    """Named people the gazetteer lacks ("Hiroko Yotsumoto, a space law expert"), verbatim."""
    found = []
    person = "," in statement and any(map(statement.__contains__, _PERSON_NOUNS))
    company = any(map(statement.__contains__, _COMPANY_SUFFIXES))
    phrase = _PERSON_PHRASE if company else _PERSON_PHRASE_WITHOUT_BRAND
    phrases = [match["name"] for match in phrase.finditer(statement)] if person else []
    for raw in (*phrases, *_speaker_names(statement)[0]):
        name = _clean_name(raw)
        if name is None or " " not in name or name.split()[-1] in _INSTITUTION_NOUNS:
            continue
        if not topic.find_actors(name) and name in statement:
            found.append(name)
    return tuple(dict.fromkeys(found))


_ONE_DAY = timedelta(days=1)
# Words opening a clause inside the sentence: a "will" after one of them is the clause's.
_SUBORDINATE = re.compile(r"\b(?:that|which|who|whom|whose|where)\b", re.IGNORECASE)


def _looks_ahead(statement: str) -> bool:
    """Whether the sentence's main clause speaks of the future: a future word that does not
    follow its past-tense verb in a clause of its own ("launched a spacecraft that will...")."""
    future = _FUTURE.search(statement)
    if future is None:
        return False
    event = _EVENT.search(statement)
    if event is None or event.start() > future.start():
        return True
    return _SUBORDINATE.search(statement, event.end(), future.start()) is None


def classify_kind(
    statement: str,
    when: When | None,
    published: date | None,
    speaker: str | None = None,
    *,
    headline: bool = False,
) -> FactKind:
    """Event (it happened), plan (a target or intention) or assessment (analysis, opinion).

    ``headline`` is a feed item's title, told in newsroom style: a present-tense verb for what
    happened, "to" for what is planned."""
    folded = fold(statement)
    attributive = "planned" in folded or "scheduled" in folded  # else nothing to take out
    plain = _ATTRIBUTIVE_PLAN.sub(" ", statement) if attributive else statement
    future = _FUTURE.search(plain) is not None
    happened = _EVENT.search(plain) is not None
    if headline:
        # "Crew-10 launches to the ISS", "workers vote to accept": the verb tells the event.
        told = _HEADLINE_EVENT.search(plain) is not None
        happened = happened or told
        future = future or (not told and _HEADLINE_PLAN.search(plain) is not None)
    if when is not None and published is not None:
        # Past, or reported the day it happened ("said on Monday it had fined"), or the next
        # day where the source is dated in another time zone ("landed at 0:20 a.m. on January
        # 20 (JST)" dated the 19th), unless the main clause looks ahead ("signed an agreement
        # Wednesday under which astronauts will get..." looks back).
        ahead = happened and _looks_ahead(plain)
        if happened and (when.end < published or (when.end <= published + _ONE_DAY and not ahead)):
            return FactKind.EVENT
        if when.start > published or (
            when.qualifier in _TARGET_QUALIFIERS and when.end >= published
        ):
            return FactKind.PLAN
    if future:
        opinion = speaker is not None or _HEDGE.search(statement) is not None
        return FactKind.ASSESSMENT if opinion and when is None else FactKind.PLAN
    if happened:
        return FactKind.EVENT
    return FactKind.ASSESSMENT
