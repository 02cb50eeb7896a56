"""Turn a source document into fact records: verbatim sentences, themed, dated and attributed."""

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

from briefing.extract.attribution import classify_kind, find_other_actors, find_speaker
from briefing.extract.boilerplate import (
    COMMENT_THREAD,
    classify_paragraph,
    classify_sentence,
    count_paragraphs,
)
from briefing.extract.language import foreign_language
from briefing.extract.segment import (
    MAX_PARAGRAPH_CHARS,
    Span,
    split_paragraphs,
    split_sentences,
)
from briefing.extract.temporal import Found, find_times
from briefing.models import Evidence, Fact, FactKind, FetchOutcome, SourceDocument, When
from briefing.topic import Topic

MIN_STATEMENT_CHARS = 40
# The most facts one document gives, and of them the most events (the timeline's) and plans
# (the milestones'): a seed gives at most 40, a long article about 60; a 2 MB page gave 14,751
# statements and 8,194 milestones, and compose did not finish. Past these the rest of the
# document is counted as left out, never read into facts.
MAX_FACTS_PER_DOCUMENT = 120
MAX_KIND_PER_DOCUMENT = {FactKind.EVENT: 40, FactKind.PLAN: 40}
PAST_THE_CAP = "past the most facts one document gives"
# A headline is shorter than a sentence: "SLIM lands on the Moon" says what happened.
MIN_HEADLINE_CHARS = 16
_WORDS = re.compile(r"\w+")

# A Q&A label ("A1: ") or a leading ellipsis is not the statement; nor is a dateline (below).
_LEAD_IN = re.compile(r"[QA]\d+:\s+|…\s*")

# A dateline: a place of capitalised words ("KENNEDY SPACE CENTER", "Tokyo"), its state or
# country after commas (", Fla.", ", South Korea"), a day (", March 15", ", Dec. 16, 2022"), the
# agency in brackets ("(Kyodo)", "(Jiji Press)"), then a dash: two hyphens, an em or an en dash,
# spaced or not ("(Jiji Press)--Japanese"), or a spaced hyphen. Repeats are bounded: a sentence
# may be long.
_PLACE_WORD = r"[A-Z][\w.'’-]*"
_PLACE = rf"{_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,5}}(?:,\s{_PLACE_WORD}(?:\s{_PLACE_WORD})?){{0,2}}"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)
_DAY = rf",?\s{_MONTH}\s\d{{1,2}}(?:,\s\d{{4}})?"
_AGENCY = rf"\s?\({_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,3}}\)"
_DATELINE = re.compile(
    rf"(?P<place>{_PLACE})(?P<day>{_DAY})?(?P<agency>{_AGENCY})?"
    r"(?:\s*(?P<dash>--|[—–])|\s-(?=\s))\s*"
)
MAX_DATELINE_PLACE_WORDS = 6
# What the sentence proper opens with when nothing but its place says the prefix is a dateline.
_CAPITAL_START = re.compile(r"[“\"‘'(]?[A-Z0-9]")


@dataclass
class Extraction:
    """The facts taken from a document, and a count of what was left out and why."""

    facts: list[Fact] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


# Libraries whose upgrade can change the facts drawn from the same text: the sentence splitter,
# the language identifier and what finds the profile's terms in it.
# What shapes the text itself (nh3, feedparser) needs no place here: the text is in the key.
EXTRACTION_LIBRARIES = ("pysbd", "py3langid", "pyahocorasick")


@cache
def load_extractor_version() -> str:
    """A fingerprint of what facts come from besides the document and the topic: this package's
    code, the models, the topic rules, the installed ``EXTRACTION_LIBRARIES`` and Python's
    Unicode tables. Facts kept from an earlier run are reused only when it is unchanged."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    shared = [root.parent / "models.py", root.parent / "topic.py", root.parent / "terms.py"]
    for path in [*sorted(root.glob("*.py")), *shared]:
        digest.update(path.read_bytes())
    for name in EXTRACTION_LIBRARIES:
        digest.update(f"{name}=={metadata.version(name)}\n".encode())
    # str.lower, str.isspace and re's \s and \w follow the Unicode version of the interpreter.
    digest.update(f"unicodedata=={unicodedata.unidata_version}\n".encode())
    return digest.hexdigest()[:16]


def extraction_keys(documents: Iterable[SourceDocument], topic: Topic) -> list[str]:
    """What each document's facts depend on: its text, id and date, the topic, and the code and
    libraries (``load_extractor_version``)."""
    common = hashlib.sha256(load_extractor_version().encode())
    common.update(topic.model_dump_json().encode("utf-8"))  # once, not once per document
    keys = []
    for document in documents:
        digest = common.copy()
        digest.update(document.model_dump_json().encode("utf-8"))
        keys.append(digest.hexdigest())
    return keys


def extraction_key(document: SourceDocument, topic: Topic) -> str:
    """The extraction key of one document (``extraction_keys``)."""
    return extraction_keys([document], topic)[0]


def fact_id(statement: str) -> str:
    """A stable identifier from the statement's words, the same wherever the sentence appears."""
    normal = " ".join(statement.lower().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def classify_theme(sentence: str, topic: Topic) -> tuple[str, str | None] | None:
    """The theme whose vocabulary weighs most in the sentence, and a second theme that also
    weighs enough; None when no theme reaches the profile's bar. Ties go to the more specific."""
    scores = topic.theme_scores(sentence)
    ranked = sorted(topic.tie_break, key=lambda theme: -scores[theme])
    best, runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else None)
    if scores[best] < topic.min_theme_score:
        return None
    if runner_up is not None and scores[runner_up] >= topic.secondary_min_score:
        return best, runner_up
    return best, None


_RELATIVE_CLAUSE = re.compile(r",\s+(?:which|who|whom|where)\b[^,—]*$")


def is_subordinate(statement: str, start: int) -> bool:
    """Whether a position sits in a relative clause (", which ...") or a dash aside ("— ... —")."""
    before = statement[:start]
    return before.count("—") % 2 == 1 or _RELATIVE_CLAUSE.search(before) is not None


def principal_time(statement: str, found: list[Found]) -> When | None:
    """The time the statement is about: the first one outside relative clauses and asides."""
    return next((item.when for item in found if not is_subordinate(statement, item.start)), None)


def cite(document: SourceDocument, span: Span) -> Evidence:
    """Evidence for a span of a document, checked against the document's text."""
    return Evidence.model_validate(
        {
            "document_id": document.id,
            "start": span.start,
            "end": span.end,
            "quote": span.of(document.text),
        },
        context={"documents": {document.id: document.text}},
    )


def dateline_length(sentence: str) -> int:
    """How many characters at the start of the sentence are a dateline and the space after it
    ("TOKYO (Kyodo) -- ", "Tokyo, Dec. 16 (Jiji Press)--"); 0 when it opens with none.

    An agency in brackets or a day makes a dateline of the place before the dash. Without them
    the place must be in capitals ("WASHINGTON") or name its state or country ("Tanegashima,
    Japan"), the sentence proper must open with a capital, and the dash must not open an aside
    that a second dash closes: "Japan — a long-time partner — signed" keeps its first word."""
    match = _DATELINE.match(sentence)
    if (
        match is None
        or match.end() == len(sentence)  # nothing after it: no dateline, a fragment
        or len(match["place"].split()) > MAX_DATELINE_PLACE_WORDS
    ):
        return 0
    if match["agency"] or match["day"]:
        return match.end()
    place, rest = match["place"], sentence[match.end() :]
    city = place.split(",")[0]
    capitals = city.isupper() and sum(character.isalpha() for character in city) >= 3
    # Another dash of the same kind closes an aside; one between digits is a range of years.
    dash = re.escape(match["dash"]) if match["dash"] else r"\s-\s"
    closing = len(re.findall(rf"(?<!\d){dash}(?!\d)", rest))
    if (capitals or "," in place) and _CAPITAL_START.match(rest) and closing % 2 == 0:
        return match.end()
    return 0


def _trim_lead_in(text: str, span: Span) -> Span:
    sentence = span.of(text)
    start = dateline_length(sentence)
    match = _LEAD_IN.match(sentence, start)
    if match:
        start = match.end()
    return Span(span.start + start, span.end)


def _is_headline(document: SourceDocument, paragraph: Span) -> bool:
    title = document.title.value if document.title is not None else None
    return (
        document.form == "feed-item"
        and paragraph.start == 0
        and paragraph.of(document.text) == title
    )


def _statement_spans(
    document: SourceDocument, result: "Extraction", languages: tuple[str, ...]
) -> Iterable[tuple[Span, bool]]:
    """Each candidate statement of the document, with whether it is a feed item's headline;
    boilerplate paragraphs and paragraphs in a language not in ``languages`` are counted in
    ``result`` and left out."""
    text = document.text
    paragraphs = split_paragraphs(text)
    seen = count_paragraphs([span.of(text) for span in paragraphs])
    thread = False  # past the start of the page's comment thread
    for paragraph in paragraphs:
        if thread:
            result.skipped["reader comment"] += 1
            continue
        if _is_headline(document, paragraph):
            # A feed item's title is its best one-line statement, verbatim like any other.
            yield paragraph, True
            continue
        kind = classify_paragraph(paragraph.of(text), seen)
        if kind is None and foreign_language(paragraph.of(text), languages) is not None:
            kind = "in another language"
        thread = kind in COMMENT_THREAD
        if kind is not None:
            result.skipped[kind] += 1
            continue
        if paragraph.end - paragraph.start > MAX_PARAGRAPH_CHARS:
            result.skipped["over-long paragraph cut into windows"] += 1
        for sentence in split_sentences(text, paragraph):
            yield _trim_lead_in(text, sentence), False


def extract_facts(document: SourceDocument, topic: Topic) -> Extraction:
    """Every relevant sentence of the document as a fact, in reading order.

    An article's sentence is relevant when it touches the topic's scope and a theme; a feed
    item was judged whole when it was read, so each of its sentences (and its headline) is kept
    unless it is boilerplate or a fragment, under the item's theme when it has none of its own.
    A full article fetched behind an item keeps its headline so, but its other sentences follow
    the article rule (each must touch the scope and a theme of its own): a page has dozens of
    sentences, and the item's verdict, given on its teaser, does not vouch for every one.
    """
    text = document.text
    reference = document.published.value.earliest() if document.published else None
    item = document.form == "feed-item"
    judged_whole = item and not document.full_article
    item_themes = classify_theme(text, topic) if item else None
    result = Extraction()
    speaker: str | None = None
    headline_words: list[str] = []
    kinds: Counter[FactKind] = Counter()
    for span, headline in _statement_spans(document, result, topic.languages):
        if len(result.facts) >= MAX_FACTS_PER_DOCUMENT:
            result.skipped[PAST_THE_CAP] += 1
            continue
        statement = span.of(text)
        # Before the speaker: boilerplate must not change who is speaking.
        boilerplate = classify_sentence(statement)
        if boilerplate is not None:
            result.skipped[boilerplate] += 1
            continue
        words = _WORDS.findall(statement.lower())
        if headline:
            headline_words = words
        elif words == headline_words:
            result.skipped["repeats the headline"] += 1
            continue
        # Who speaks in it; asked again with the speaker this leaves, the same answer (a name
        # the patterns match, else the pronoun's previous speaker, else None).
        said_by = find_speaker(statement, topic, speaker)
        speaker = said_by or speaker
        shortest = MIN_HEADLINE_CHARS if headline else MIN_STATEMENT_CHARS
        if statement.endswith("?") or len(statement) < shortest:
            result.skipped["question or fragment"] += 1
            continue
        if not (judged_whole or headline) and not topic.in_scope(statement):
            result.skipped["off topic"] += 1
            continue
        themes = classify_theme(statement, topic)
        if item_themes is not None and (judged_whole or headline):
            secondary = themes[0] if themes and themes[0] != item_themes[0] else None
            themes = (item_themes[0], secondary or item_themes[1])
        if themes is None:
            result.skipped["no theme"] += 1
            continue
        when = principal_time(statement, find_times(statement, reference))
        kind = classify_kind(statement, when, reference, said_by, headline=headline)
        if kinds[kind] >= MAX_KIND_PER_DOCUMENT.get(kind, MAX_FACTS_PER_DOCUMENT):
            result.skipped[f"{PAST_THE_CAP} ({kind.value}s)"] += 1
            continue
        kinds[kind] += 1
        result.facts.append(
            Fact(
                id=fact_id(statement),
                statement=statement,
                theme=themes[0],
                secondary_theme=themes[1],
                kind=kind,
                speaker=said_by,
                when=when,
                actors=topic.find_actors(statement),
                other_actors=find_other_actors(statement, topic),
                evidence=(cite(document, span),),
            )
        )
    return result


def reached_fact_cap(facts: Sequence[Fact]) -> bool:
    """Whether one document's facts reach a cap of ``MAX_FACTS_PER_DOCUMENT`` or
    ``MAX_KIND_PER_DOCUMENT`` (read from the facts, so facts kept from an earlier run tell too)."""
    kinds = Counter(fact.kind for fact in facts)
    return len(facts) >= MAX_FACTS_PER_DOCUMENT or any(
        kinds[kind] >= most for kind, most in MAX_KIND_PER_DOCUMENT.items()
    )


def count_fact_caps(
    outcomes: Sequence[FetchOutcome],
    feed_of: Mapping[str, str],
    results: Sequence["DocumentFacts"],
) -> tuple[FetchOutcome, ...]:
    """The feeds' outcomes with how many of their documents (``feed_of``: document id to feed
    URL) reached a cap of facts, for Source health."""
    counts = Counter(
        feed_of[result.document_id]
        for result in results
        if result.document_id in feed_of and reached_fact_cap(result.facts)
    )
    return tuple(
        FetchOutcome.model_validate({**outcome.model_dump(), "at_fact_cap": counts[outcome.url]})
        if counts[outcome.url]
        else outcome
        for outcome in outcomes
    )


@dataclass(frozen=True)
class DocumentFacts:
    """One document's facts, extracted now or kept from an earlier run (``skipped`` is None)."""

    document_id: str
    key: str
    facts: list[Fact]
    skipped: Counter[str] | None


ExtractMany = Callable[[Sequence[SourceDocument], Topic], Sequence[Extraction]]


def extract_each(documents: Sequence[SourceDocument], topic: Topic) -> list[Extraction]:
    """``extract_facts`` of each document, in order, in this process."""
    return [extract_facts(document, topic) for document in documents]


def extract_documents(
    documents: Sequence[SourceDocument],
    topic: Topic,
    load_kept: Callable[[list[str]], Mapping[str, list[Fact]]] | None = None,
    extract_many: ExtractMany = extract_each,
) -> list[DocumentFacts]:
    """Every document's facts, reusing those kept under its extraction key when there are any.

    ``load_kept`` is given every key at once and returns the facts kept for those it knows
    (``briefing.store.memory.load_extractions``, say). ``extract_many`` extracts the others, in
    order: in this process by default, on a Dask cluster in ``flows/dask_extract.py``.
    """
    keys = extraction_keys(documents, topic)
    kept = load_kept(keys) if load_kept is not None else {}
    missing = [document for document, key in zip(documents, keys, strict=True) if key not in kept]
    extractions = iter(extract_many(missing, topic))
    result = []
    for document, key in zip(documents, keys, strict=True):
        if key in kept:
            result.append(DocumentFacts(document.id, key, kept[key], None))
            continue
        extraction = next(extractions)
        result.append(DocumentFacts(document.id, key, extraction.facts, extraction.skipped))
    return result
