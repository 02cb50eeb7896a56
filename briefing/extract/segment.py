"""Paragraphs and sentences of a text, as character spans into that text."""

import re
from functools import cache
from typing import NamedTuple

import pysbd


class Span(NamedTuple):
    """Characters [start, end) of a text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        """The span's characters in the text."""
        return text[self.start : self.end]


_PARAGRAPH = re.compile(r"[^\n]+")


def split_paragraphs(text: str) -> list[Span]:
    """Each non-blank line is a paragraph: the sources break paragraphs at newlines."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        span = _strip(text, Span(match.start(), match.end()))
        if span.end > span.start:
            spans.append(span)
    return spans


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _locate(body: str, sentences: list[str]) -> list[Span]:
    """Where pysbd's sentences are in the text, as its ``char_span`` finds them (the first
    non-overlapping match of the sentence and its trailing white space that ends after the
    previous one), with str.find instead of a regular expression compiled per sentence."""
    spans = []
    prior_end = 0
    for sentence in sentences:
        position = 0
        while (start := body.find(sentence, position)) >= 0:
            end = start + len(sentence)
            while end < len(body) and body[end].isspace():
                end += 1
            if end > prior_end:
                spans.append(Span(start, end))
                prior_end = end
                break
            position = end
    return spans


def _sentence_spans(body: str) -> list[Span]:
    segmenter = _segmenter()
    sentences = segmenter.processor(body).process()
    if not body or not all(sentences):  # pysbd's own way, for what the fast one does not cover
        return [Span(piece.start, piece.end) for piece in segmenter.segment(body)]
    return _locate(body, sentences)


# pysbd's cost grows with the square of a paragraph's length when it finds no full stop (its
# abbreviation rules rescan the text): 0.01 s at 2,000 characters, 0.09 s at 10,000, 9.5 s at
# 100,000. A paragraph longer than this is split in windows of at most this many characters, so
# the cost grows linearly. The seeds' longest paragraph has 2,340.
MAX_PARAGRAPH_CHARS = 4000

# Where a window prefers to end: after a sentence's last mark and its closing quotes, else after
# any white space.
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*\s")
_WHITE_SPACE = re.compile(r"\s")


def split_windows(body: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[Span]:
    """Consecutive pieces of the body, none longer than ``limit``, that cover it whole; each
    ends at the last sentence end of its second half, else the last white space, else at the
    limit. A body within the limit is one piece."""
    windows = []
    start = 0
    while len(body) - start > limit:
        end = start + limit
        for pattern in (_SENTENCE_END, _WHITE_SPACE):
            found = [match.end() for match in pattern.finditer(body, start + limit // 2, end)]
            if found:
                end = found[-1]
                break
        windows.append(Span(start, end))
        start = end
    windows.append(Span(start, len(body)))
    return windows


def split_sentences(text: str, paragraph: Span) -> list[Span]:
    """The sentences of one paragraph, as spans into the whole text, stripped of white space.

    A paragraph over ``MAX_PARAGRAPH_CHARS`` is split window by window (``split_windows``)."""
    body = paragraph.of(text)
    spans = []
    for window in split_windows(body):
        offset = paragraph.start + window.start
        for piece in _sentence_spans(window.of(body)):
            span = _strip(text, Span(offset + piece.start, offset + piece.end))
            if span.end > span.start:
                spans.append(span)
    return spans


def _strip(text: str, span: Span) -> Span:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)
