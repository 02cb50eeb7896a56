"""Text that feeds and servers write, made safe to show: no control or bidi characters, names on
one line, server-written reasons short.

Pure functions. They run where feed text becomes a document or a fetch outcome, so everything
downstream (quotes, PDF, HTML, JSON, email, logs) sees the same cleaned text.
"""

import re
from urllib.parse import quote

# C0 and C1 controls (tab, newline and the other line breaks included: callers split lines
# first where lines matter), and the bidi embeddings, overrides, isolates and marks that make
# "gnp\u202e.exe" read as "exe.png".
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Every line break str.splitlines knows, with the white space that a name may not hold either.
_WHITE = re.compile(r"[\s\u2028\u2029]+")
REASON_LIMIT = 200


def strip_unshown(value: str) -> str:
    """The text without control and bidi formatting characters (line breaks go too)."""
    return _UNSHOWN.sub("", value)


def one_line(value: str) -> str:
    """The text as one line: each run of white space or line breaks one space, controls gone."""
    return " ".join(strip_unshown(_WHITE.sub(" ", value)).split())


def short_text(value: str, limit: int = REASON_LIMIT) -> str:
    """One line of at most ``limit`` characters, cut with "…" when longer (server-written
    reason phrases and error messages, say)."""
    line = one_line(value)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def safe_link(link: str) -> str:
    """A link with its white space and line breaks removed (as browsers do) and any other
    control or bidi character percent-encoded, so that it shows as it goes."""
    joined = _WHITE.sub("", link)
    return _UNSHOWN.sub(lambda match: quote(match.group(), safe=""), joined)


# The most characters of one article or feed item an edition reads: a long report runs to about
# 40,000. Past it only the first part is read (and counted): a 19 MB page once gave 155,073 facts
# and no edition in 600 s.
MAX_DOCUMENT_CHARS = 60_000


def first_part(text: str, limit: int = MAX_DOCUMENT_CHARS) -> str:
    """The text, or when longer than ``limit`` its first part, cut after the last whole
    paragraph (else sentence, else word) that fits."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for mark in ("\n", ". ", " "):
        end = head.rfind(mark)
        if end > limit // 2:
            return head[: end + len(mark)].rstrip()
    return head
