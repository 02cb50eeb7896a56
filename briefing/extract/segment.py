"""Paragraphs and sentences of a text, as character spans into that text."""

import re
from functools import cache
from typing import NamedTuple

import pysbd
from pysbd.lang.english import English


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


# Most paragraphs of news are plain: capitalised sentences that end in a full stop after an
# ordinary word, with no mark pysbd treats specially. pysbd costs 2.4 ms per 1,000 characters
# whatever the text; for a plain paragraph its answer is known without it (a full stop followed
# by a space and a capital), so ``_plain_sentence_spans`` gives that answer and anything else
# goes to pysbd. Every rule below keeps out something pysbd handles on its own: its
# abbreviation list, roman numerals and numbered or lettered list marks, single letters, "U.S."
# before one of its sentence starters, a quotation or bracket holding punctuation or opening a
# sentence (pysbd can make either a sentence of its own; not a quotation closed by a comma,
# below), "!", "?", "…", "--", straight double
# and opening single quotes, any white space but a space. Tests compare it with pysbd on every
# paragraph of the seeds, both news sets and the benchmark's feeds, and on generated paragraphs
# mixing all of these.
_PYSBD_ABBREVIATION = re.compile("|".join(English.Abbreviation.ABBREVIATIONS), re.IGNORECASE)
_PYSBD_STARTER = re.compile(
    r"\s(?:" + "|".join(English.AbbreviationReplacer.SENTENCE_STARTERS) + r")\s"
)
_PLAIN_CHARACTERS = re.compile(r"[A-Za-z0-9 ,;:%$&/\-–—’'“”()]*")
_UNITED_STATES = re.compile(r"(?<![A-Za-z.])U\.S\.")
_AFTER_UNITED_STATES = frozenset(" -,;:”)’'")
_QUOTATION = re.compile(r"“([^“”]*)”")
_BRACKETS = re.compile(r"\(([^()]*)\)")
_LIST_MARK = re.compile(r"[A-Za-z]|[ivxlcdm]+|\d{1,2}", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_ROMAN_NUMERAL = re.compile(r"[ivxlcdm]+", re.IGNORECASE)
# pysbd also cuts a paragraph around a bracket between two quotations ('” (JAXA) “') and after
# a mark and a quotation before a capital ('go-” Then'): such a paragraph is not plain.
_PYSBD_QUOTATION_CUTS = (
    re.compile(English.PARENS_BETWEEN_DOUBLE_QUOTES_REGEX),
    re.compile(English.QUOTATION_AT_END_OF_SENTENCE_REGEX),
)
# A sentence may also open with a quotation of capitalised words closed by a comma ("“It was
# flawless,” the flight director said."). Where a sentence starts, pysbd's boundary pattern
# makes a quotation a sentence of its own only when no comma closes it (its alternative
# “(?:[^”])*[^,]”(?=\s[A-Z]) comes before the ordinary sentence's); with the comma its answer
# is the same as for a sentence opening with a capital. Any other quotation opening a sentence
# still goes to pysbd.
_OPENING_QUOTATION = re.compile(r"“[A-Z][^“”]*,”")


def _plain_sentence_spans(body: str) -> list[Span] | None:
    """pysbd's spans of a plain paragraph (the comment above), or None when it is not plain."""
    if not body or "--" in body or "‘" in body:
        return None
    if not (body[0].isupper() or _OPENING_QUOTATION.match(body)):
        return None
    if re.search(r"(?:^|\s)'", body):  # a straight single quotation
        return None
    if any(cut.search(body) for cut in _PYSBD_QUOTATION_CUTS):
        return None
    masked = body
    for match in _UNITED_STATES.finditer(body):
        after = body[match.end() : match.end() + 1]
        if (
            not after
            or after not in _AFTER_UNITED_STATES
            or _PYSBD_STARTER.match(body, match.end())
        ):
            return None
        # Masked by as many characters, so spans into it are spans into the body.
        masked = masked[: match.start()] + "USxx" + masked[match.end() :]
    if masked.endswith(".”"):  # a closing quotation mark after the last full stop
        masked = masked[:-2] + "x”"
    if not _PLAIN_CHARACTERS.fullmatch(masked.replace(".", "")):
        return None
    for pair, marks in ((_QUOTATION, "“”"), (_BRACKETS, "()")):
        for match in pair.finditer(masked):
            inside = match.group(1)
            if any(mark in inside for mark in ".!?…"):
                return None
            if pair is _BRACKETS and _LIST_MARK.fullmatch(inside):
                return None
        if any(mark in pair.sub("", masked) for mark in marks):  # unpaired or nested
            return None
    spans = []
    start = 0
    stop = masked.find(".")
    while stop >= 0:
        word = masked[masked.rfind(" ", 0, stop) + 1 : stop]  # the word before the full stop
        if len(word) < 2 or not _WORD.fullmatch(word):
            return None
        last = word.rsplit("-", 1)[-1]
        if (
            _PYSBD_ABBREVIATION.fullmatch(last)
            or _ROMAN_NUMERAL.fullmatch(last)
            or (last.isdigit() and len(last) < 3)
        ):
            return None
        following = stop + 1
        if following == len(masked):
            break
        if masked[following] != " ":
            return None
        while following < len(masked) and masked[following] == " ":
            following += 1
        if following == len(masked) or not (
            masked[following].isupper() or _OPENING_QUOTATION.match(masked, following)
        ):
            return None
        if masked[following] == "I" and not masked[following + 1 : following + 2].isalpha():
            return None
        spans.append(Span(start, following))
        start = following
        stop = masked.find(".", following)
    spans.append(Span(start, len(body)))
    return spans


def _sentence_spans(body: str) -> list[Span]:
    plain = _plain_sentence_spans(body)
    return plain if plain is not None else _pysbd_spans(body)


def _pysbd_spans(body: str) -> list[Span]:
    segmenter = _segmenter()
    sentences = segmenter.processor(body).process()
    if not body or not all(sentences):  # pysbd's own way, for what the fast one does not cover
        return [Span(piece.start, piece.end) for piece in segmenter.segment(body)]
    return _locate(body, sentences)


# pysbd breaks news text at abbreviations it does not know or misjudges ("9:22 a.m. | JST on
# Feb. 17", "Amb. | Emanuel", "approx. | 6 tons") and misses some real ends ("at the U.N. The
# resolution passed"). Its spans are re-joined or cut again where the word after an abbreviation
# settles the matter (``_continues``); where it does not, pysbd's choice stands. A capitalised
# word after "U.S." is no sign of a new sentence: all 15 in the seeds are inside one ("U.S.
# Secretary of State", "Japan-U.S. Security Treaty", "the U.S. Space Force", "Ambassador to the
# U.S. TOMITA Koji"), so only a sentence opener after it ends one.
_CLOCK = r"[AaPp]\.[Mm]\."
_TITLES = (
    "Mr|Mrs|Ms|Messrs|Dr|Gen|Lt|Col|Maj|Capt|Cmdr|Adm|Brig|Sgt|Sen|Sens|Rep|Reps|Gov|Prof|Amb"
    "|Rev|St|Mt|vs|approx"
)
_BEFORE_NUMBERS = "No|Nos|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
_MAY_END = r"U\.S|U\.K|U\.N|E\.U|Inc|Corp|Co|Ltd|Jr|Sr|[A-Z]"
_ABBREVIATION = (
    rf"(?<![\w.])(?:(?P<clock>{_CLOCK})|(?P<title>(?:{_TITLES})\.)"
    rf"|(?P<numbered>(?:{_BEFORE_NUMBERS})\.)|(?P<may_end>(?:{_MAY_END})\.))"
)
_ABBREVIATION_AT_END = re.compile(_ABBREVIATION + r"\s*$")
_ABBREVIATION_INSIDE = re.compile(_ABBREVIATION + r"\s+")

# Words that open a sentence and cannot follow any of these abbreviations inside one: no name,
# unit or organisation reads "U.S. The", "Inc. It" or "10 p.m. After".
_OPENER = re.compile(
    r"[“\"‘']?(?:The|A|An|It|Its|He|She|They|We|I|In|On|At|But|And|Or|This|That|These|Those"
    r"|There|His|Her|Their|Our|After|Before|While|When|However|Meanwhile|If|As|Since|During"
    r"|Under|With|For|By|To|From|Some|Many|Most|Both|Each|Such|Yet|So|Also|Still|Now|Then"
    r"|Later|Earlier|Last|Next|According)[\s,]"
)
# What a clock time is followed by inside a sentence: a zone ("JST", "Japan time", "Eastern"),
# a day or a month.
_TIME_WORD = re.compile(
    r"(?:[ECMP][SD]?T|UTC|GMT|JST|KST|BST|CET|CEST|HST)\b"
    r"|[A-Z][a-z]+ (?:[Ss]tandard |[Dd]aylight )?[Tt]ime\b"
    r"|(?:Eastern|Central|Mountain|Pacific)\b"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d"
)
# What cannot start a sentence: after anything, punctuation that belongs to the one before
# ("R-Okla. | , passed") and a dash, which is a dateline's ("KENNEDY SPACE CENTER, Fla. | —
# NASA"); after an abbreviation, also a lowercase word, a number or a bracket.
_CANNOT_START = re.compile(r"[,;:)\]—–]|--|-\s")
_GOES_ON = re.compile(r"[a-z0-9,;:)\]$%(]")
_CAPITALISED = re.compile(r"[“\"‘']?[A-Z]")


def _continues(abbreviation: re.Match[str], following: str) -> bool | None:
    """Whether the sentence goes on past an abbreviation, given the text that follows it: True,
    False, or None when the next word does not tell (pysbd then decides).

    The policy: a sentence opener ("The", "It", "In", ...) always starts a new sentence; a
    lowercase word, a digit or punctuation never does. After a.m. or p.m., any other capitalised
    word starts one too, unless it is a time zone, "Japan time", a weekday or a month. A title
    (Dr., Gen., Amb.), "vs." and "approx." never end a sentence. After "No." or a month
    abbreviation, after U.S., U.K., U.N., E.U., Inc., Corp., Co., Ltd., Jr., Sr. and an initial,
    another capitalised word is pysbd's call."""
    if not following:
        return None
    if _OPENER.match(following):
        return False
    if _GOES_ON.match(following):
        return True
    if abbreviation["clock"]:
        return _TIME_WORD.match(following) is not None or _CAPITALISED.match(following) is None
    if abbreviation["title"]:
        return True
    return None


def _news_spans(body: str, pieces: list[Span]) -> list[Span]:
    """pysbd's spans of a body, joined where a span ends in an abbreviation the sentence goes on
    past, and cut where one inside a span ends it (``_continues``)."""
    joined: list[Span] = []
    for piece in pieces:
        if joined and _goes_on(body, joined[-1], piece):
            joined[-1] = Span(joined[-1].start, piece.end)
        else:
            joined.append(piece)
    return [part for span in joined for part in _cut(body, span)]


def _goes_on(body: str, span: Span, following: Span) -> bool:
    rest = body[following.start :].lstrip()
    if _CANNOT_START.match(rest) is not None:
        return True
    ending = _ABBREVIATION_AT_END.search(span.of(body))
    return ending is not None and _continues(ending, rest) is True


def _goes_on_at(body: str, position: int) -> bool:
    """Whether the sentence goes on past the abbreviation, if any, that ends just before a
    position (its white space included); the look-back is bounded, the body may be long."""
    ending = _ABBREVIATION_AT_END.search(body[max(0, position - 40) : position])
    return ending is not None and _continues(ending, body[position : position + 80]) is True


def _cut(body: str, span: Span) -> list[Span]:
    parts = []
    start = span.start
    for match in _ABBREVIATION_INSIDE.finditer(body, span.start, span.end):
        if match.end() < span.end and _continues(match, body[match.end() : span.end]) is False:
            parts.append(Span(start, match.end()))
            start = match.end()
    parts.append(Span(start, span.end))
    return parts


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
    ends at the last sentence end of its second half (not an abbreviation the sentence goes on
    past, ``_continues``), else the last white space, else at the limit. A body within the limit
    is one piece."""
    windows = []
    start = 0
    while len(body) - start > limit:
        end = start + limit
        for pattern in (_SENTENCE_END, _WHITE_SPACE):
            found = [match.end() for match in pattern.finditer(body, start + limit // 2, end)]
            if pattern is _SENTENCE_END:
                found = [position for position in found if not _goes_on_at(body, position)]
            if found:
                end = found[-1]
                break
        windows.append(Span(start, end))
        start = end
    windows.append(Span(start, len(body)))
    return windows


def split_sentences(text: str, paragraph: Span) -> list[Span]:
    """The sentences of one paragraph, as spans into the whole text, stripped of white space:
    pysbd's, mended at the abbreviations of news text (``_continues``: "9:22 a.m. JST" and
    "Amb. Emanuel" are not cut, "at the U.N. The resolution" is).

    A paragraph over ``MAX_PARAGRAPH_CHARS`` is split window by window (``split_windows``)."""
    body = paragraph.of(text)
    spans = []
    for window in split_windows(body):
        offset = paragraph.start + window.start
        piece_body = window.of(body)
        for piece in _news_spans(piece_body, _sentence_spans(piece_body)):
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
