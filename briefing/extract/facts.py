"""Turn a source document into fact records: verbatim sentences, themed, dated and attributed."""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from briefing.extract.boilerplate import classify_paragraph, count_paragraphs
from briefing.extract.dates import find_dates
from briefing.extract.segment import Span, split_paragraphs, split_sentences
from briefing.models import Evidence, Fact, SourceDocument, Theme
from briefing.topic import Topic

MIN_STATEMENT_CHARS = 40
MIN_THEME_SCORE = 2
# When two themes weigh the same, the narrower one wins: debris is more specific than security,
# and both are more specific than civil space, which most sentences touch.
THEME_PRIORITY = (Theme.ORBITAL_DEBRIS, Theme.SECURITY, Theme.CIVIL_SPACE)

# A dateline ("WASHINGTON — "), a Q&A label ("A1: ") or a leading ellipsis is not the statement.
_LEAD_IN = re.compile(r"^(?:[A-Z]{3,}(?:[ ,]+[A-Z]{2,})*\s+[—–-]+\s+|[QA]\d+:\s+|…\s*)")


@dataclass
class Extraction:
    """The facts taken from a document, and a count of what was left out and why."""

    facts: list[Fact] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def fact_id(statement: str) -> str:
    """A stable identifier from the statement's words, the same wherever the sentence appears."""
    normal = " ".join(statement.lower().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def classify_theme(sentence: str, topic: Topic) -> Theme | None:
    """The theme whose vocabulary weighs most in the sentence, or None if none reaches the bar."""
    scores = {theme: topic.theme(theme).score(sentence) for theme in THEME_PRIORITY}
    best = max(THEME_PRIORITY, key=lambda theme: scores[theme])
    return best if scores[best] >= MIN_THEME_SCORE else None


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


def _trim_lead_in(text: str, span: Span) -> Span:
    match = _LEAD_IN.match(span.of(text))
    return Span(span.start + match.end(), span.end) if match else span


def extract_facts(document: SourceDocument, topic: Topic) -> Extraction:
    """Every relevant sentence of the document as a fact, in reading order."""
    text = document.text
    reference = document.published.value.earliest() if document.published else None
    paragraphs = split_paragraphs(text)
    seen = count_paragraphs([span.of(text) for span in paragraphs])
    result = Extraction()
    for paragraph in paragraphs:
        kind = classify_paragraph(paragraph.of(text), seen)
        if kind is not None:
            result.skipped[kind] += 1
            continue
        for sentence in split_sentences(text, paragraph):
            span = _trim_lead_in(text, sentence)
            statement = span.of(text)
            if statement.endswith("?") or len(statement) < MIN_STATEMENT_CHARS:
                result.skipped["question or fragment"] += 1
                continue
            if not topic.in_scope(statement):
                result.skipped["off topic"] += 1
                continue
            theme = classify_theme(statement, topic)
            if theme is None:
                result.skipped["no theme"] += 1
                continue
            dates = find_dates(statement, reference)
            result.facts.append(
                Fact(
                    id=fact_id(statement),
                    statement=statement,
                    theme=theme,
                    when=dates[0] if dates else None,
                    actors=topic.find_actors(statement),
                    evidence=(cite(document, span),),
                )
            )
    return result
