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


def split_sentences(text: str, paragraph: Span) -> list[Span]:
    """The sentences of one paragraph, as spans into the whole text, stripped of white space."""
    body = paragraph.of(text)
    spans = []
    for piece in _segmenter().segment(body):
        span = _strip(text, Span(paragraph.start + piece.start, paragraph.start + piece.end))
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
