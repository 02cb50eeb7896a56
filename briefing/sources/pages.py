"""An article page's main text: trafilatura over the bytes the safe fetcher got, never a URL.

Pure: bytes in, plain text out. trafilatura is handed the page's bytes (it finds the encoding
from the BOM, the ``<meta charset>`` or the bytes themselves) and no URL, so it never fetches
anything itself; comments, tables, images and links are left out, and its precision mode is
on, which drops more doubtful blocks (share bars, related posts) at the cost of a few body
sentences. Lines are then cleaned like a feed item's text (``strip_unshown``, white space), so
every statement downstream is still a verbatim span of what the outlet published.
"""

import re

from briefing.sources.text import strip_unshown

HTML_TYPES = ("text/html", "application/xhtml+xml")
# A page whose main text is shorter than this is not taken for an article: a paywall stub, a
# cookie wall, a "page not found" that answered 200.
MIN_ARTICLE_WORDS = 60
# The most of a page handed to trafilatura: its time grows faster than the page (a 2 MB page
# took 1.2 s, a 19 MB one 50 s and 636 MiB), and a news page's body comes in its first 2 MB.
MAX_PAGE_BYTES = 2 * 1024 * 1024
_WORD = re.compile(r"\w+")
# Kana and CJK ideographs: Japanese and Chinese write no spaces, so a run of them is no word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# Blocks news sites put inside the article's container that trafilatura keeps as text: newsletter
# boxes, "also read" links, footnotes, the author's bio, the disclaimer. Matched in any case
# anywhere in the class ("Newsletter_inline__u2" of a CSS module too). Chosen on the article
# fixtures (tests/fixtures/articles), so its figures there are tuned; docs/operations.md (Full
# articles) gives both.
_CLASSES = (
    "newsletter", "also-read", "footnote", "signup", "subscribe", "related", "ad-slot",
    "author-bio", "disclaimer",
)  # fmt: skip
_LOWER = "translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
PRUNE_XPATH = [f"//*[contains({_LOWER}, '{name}')]" for name in _CLASSES] + [
    "//*[contains(concat(' ', @class, ' '), ' bio ')]"
]


def is_html(content_type: str | None, body: bytes) -> bool:
    """Whether a response is an HTML page: by its type, or, with none given, by its first bytes."""
    if content_type:
        return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def count_words(text: str) -> int:
    """About how many words a text has: runs of letters and digits, and a word for every two
    kana or ideographs (a Japanese word is about two characters long)."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk // 2


def clean_lines(text: str) -> str:
    """Lines stripped, inner white space single, blank lines and unshown characters gone."""
    lines = (" ".join(strip_unshown(line).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def first_bytes_of_page(body: bytes, limit: int = MAX_PAGE_BYTES) -> bytes:
    """The page, or its first ``limit`` bytes cut before the last tag that starts in them."""
    if len(body) <= limit:
        return body
    end = body.rfind(b"<", 0, limit)
    return body[: end if end > 0 else limit]


def extract_main_text(body: bytes, *, prune: bool = True) -> str:
    """The page's main text, one paragraph a line; "" when trafilatura finds none. Only the
    page's first MAX_PAGE_BYTES are read. ``prune`` first drops the blocks ``PRUNE_XPATH``
    names (off only to measure what it changes)."""
    import trafilatura  # about 0.5 s to import: only editions that fetch articles pay it

    text = trafilatura.extract(
        first_bytes_of_page(body),
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=True,
        output_format="txt",
        with_metadata=False,
        prune_xpath=PRUNE_XPATH if prune else None,
    )
    return clean_lines(text or "")


def article_text(headline: str, main_text: str) -> str:
    """A document's text from a page: the headline first, then the main text, without the
    headline again when the page's text opens with it."""
    lines = main_text.splitlines()
    if lines and headline and " ".join(lines[0].split()) == " ".join(headline.split()):
        lines = lines[1:]
    return "\n".join([headline, *lines] if headline else lines)
