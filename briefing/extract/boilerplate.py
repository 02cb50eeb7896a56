"""Recognise the parts of an article that are not its reporting: captions, bios, comment policies,
and the furniture feeds add to an item (footers, calls to action, share links, cut-off teasers).

Each rule is a small predicate; ``classify_paragraph`` names the first that fires for a paragraph
and ``classify_sentence`` for one sentence of a paragraph kept (feed furniture often follows the
teaser in the same line), so the extraction report can count what was left out and why.

The feed patterns come from real feeds: WordPress's "The post <headline> appeared first on
<site>." (Yoast SEO's ``rssafter`` default, as SpaceNews prints it), its excerpt's " [&hellip;]"
and "Continue reading →" (twentyeleven), Jetpack's "Share this:" and "Like this:", The
Conversation's republishing line, and Getty, AFP and Kyodo photo credits.
"""

import re
from collections import Counter
from collections.abc import Callable

from briefing.terms import fold

_PHOTO_CREDIT = re.compile(
    r"\|\s*[A-Z][A-Za-z./ -]*$"  # "... | NASA / VIA KYODO", "... | AFP-JIJI"
    r"|\bCredits?:\s"  # "Credit: NASA/Joel Kowsky", "Image credit: JAXA"
    r"|\bScreengrab\.?$"
    r"|\b(?:photo|image|picture)s? (?:via|courtesy of)\b"  # "White House photo via Twitter"
    r"|\bvia Getty Images\b"
    r"|^\(?(?:Photo|Image|Picture|Video|Caption|Pictured|Photograph|File photo)s?"
    r"(?: credit)?\s*[:|]"  # "(Photo: Kyodo)", "Image: JAXA"
    r"|^\(?(?:photo|image|picture)s? (?:by|courtesy)\b"  # "Photo by Bill Ingalls/NASA"
    # Credits alone, or after the caption: "Getty Images", "(Kyodo)", "NASA/Joel Kowsky".
    r"|(?-i:(?:^\(?|[.!?]\s+)(?:[A-Z][\w.&'’-]*(?:\s+|\s*/\s*)|via\s+)*"
    r"(?:Getty Images|AFP|AP Photo|Reuters|Kyodo|Jiji Press|Jiji|EPA|Bloomberg|Xinhua)\)?$)"
    r"|(?-i:(?:^|[.!?]\s+)[A-Z][\w.&'’-]*(?: [A-Z][\w.&'’-]*)*\s?/\s?[A-Z][\w.&'’ -]*$)",
    re.IGNORECASE,
)
# What a text must hold for ``_PHOTO_CREDIT`` to match in it, one of its alternatives' words:
# as written (its case-sensitive credits, "|", "/") or in the folded text (the rest ignore
# case). Most sentences hold none and are not searched (24 us a sentence).
_PHOTO_CREDIT_WRITTEN: tuple[str, ...] = (
    "|",
    "/",
    "Getty Images",
    "AFP",
    "AP Photo",
    "Reuters",
    "Kyodo",
    "Jiji",
)
_PHOTO_CREDIT_WRITTEN += ("EPA", "Bloomberg", "Xinhua")
_PHOTO_CREDIT_FOLDED: tuple[str, ...] = (
    "credit",
    "screengrab",
    "photo",
    "image",
    "picture",
    "getty",
    "video",
)
_PHOTO_CREDIT_FOLDED += ("caption",)


def _photo_credit(text: str) -> bool:
    folded = fold(text)
    return (
        any(map(text.__contains__, _PHOTO_CREDIT_WRITTEN))
        or any(map(folded.__contains__, _PHOTO_CREDIT_FOLDED))
    ) and _PHOTO_CREDIT.search(text) is not None


_AUTHOR_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]*\s){1,4}?[A-Z][\w.'’-]+(?:, [A-Z][A-Za-z.]{1,5})?,?\s"
    r"(?:writes|covers|reports|is an? (?:senior |staff |contributing |former )?"
    r"(?:associate|fellow|reporter|correspondent|writer|editor|journalist|director|professor))\b"
)
_DISCLAIMER = re.compile(
    r"views,? (?:positions,? )?(?:and )?(?:conclusions|opinions) expressed", re.IGNORECASE
)
_COMMENT_POLICY = re.compile(
    r"^(?:User |Reader )?Comments$"
    r"|\bcomments?\b.{0,80}\b(?:monitor|moderat|remove|post)"
    r"|\b(?:monitor|moderate|remove|post)s?\b.{0,40}\bcomments\b",
    re.IGNORECASE,
)
# A reader's comment the page did not mark as one: a commenter's signature opens it ("JohnDoe
# wrote:", "Ken T. says:", "spacefan42 replied on March 3:"), or it is the comment thread's own
# heading or furniture. From there to the end of the text, the page is its comment thread.
_READER_COMMENT = re.compile(
    r"^[@\w.’'-]{2,40}(?: [\w.’'-]{1,20}){0,2} (?:wrote|writes|says|said|commented|replied)"
    r"(?: (?:on|at) [^:]{1,40})?:"
    r"|^(?:\d+ )?(?:Reader |User )?Comments?(?: \(\d+\))?$"
    r"|^(?:Leave a (?:Reply|Comment)|Join the (?:discussion|conversation)|Add a comment|"
    r"Log in to (?:comment|reply)|Reply|Report abuse)\b",
    re.IGNORECASE,
)
_EDITORIAL_NOTE = re.compile(r"^(?:Note|Editor[’']s note|Correction|Disclosure):", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\[\d+\])?$")
_LAST_SENTENCE = re.compile(r".*[.!?…][\"'”’)\]]*\s+(?=\S)", re.DOTALL)

# The site a footer names: capitalised or quoted, short, and the end of the text.
_SITE = r"\s+[\"“\[]?[A-Z0-9](?:(?![.!?]\s).){0,80}$"
_FEED_FOOTER = re.compile(
    rf"(?:The|This) post\b.*?\b(?:appeared first|first appeared) on{_SITE}"
    r"|This (?:article|story|post) (?:is republished from|was (?:originally|first) "
    r"(?:published|posted) (?:on|in|at|by))\s"
    rf"|(?:appeared first|first appeared) on{_SITE}"  # the footer's tail, after a "?" headline
)
# A footer after a teaser the feed cut short, in one sentence: "The spacecraft […] The post ...".
_FEED_FOOTER_AFTER_TEASER = re.compile(
    rf"(?:\s|\])(?:The|This) post\b.*?\b(?:appeared first|first appeared) on{_SITE}"
)
_CALL_TO_ACTION = re.compile(
    r"(?:Read (?:more|on|next|the (?:full|whole|original|rest|entire))|Continue reading"
    r"|Keep reading|Full story|Click here|Subscribe\b|Sign up (?:for|to|now|here)"
    r"|Follow us\b|Download (?:the|our) (?:free )?app|Watch(?: the| our)? (?:video|live|replay"
    r"|full|now)|Watch:|Listen(?: to (?:the|this|our)\b| now\b|\s*:|$)|Don[’']t miss\b)",
    re.IGNORECASE,
)
_CALL_TO_ACTION_AFTER_TEASER = re.compile(
    r"(?:…|\.{3}|\])\s*(?:Continue reading|Keep reading|Read more|Read the full (?:story|article))"
    r"\b.*$"
)
_SHARE_OR_RELATED = re.compile(
    r"(?:Share (?:this|on|via|article|story)\b|Share:|Shares?$|Tweet(?: this)?$|Email this\b"
    r"|Print this\b|Like this:|Like Loading|Related(?:\s*:|\s+(?:posts?|articles?|stories"
    r"|news|links|coverage|content|reading|topics)\b)|(?:You|We think you) (?:may|might) "
    r"(?:also )?(?:like|enjoy|be interested)|See also:|Also read:|More (?:from|on) .{1,60}:)",
    re.IGNORECASE,
)
# A bracketed ellipsis is where a feed cut its excerpt ("... the Tianwen-2 spacecraft […]"), as is
# NewsAPI's "[+6332 chars]"; a writer's own ellipsis is not bracketed.
_TRUNCATED = re.compile(r"(?:\[\s*(?:…|\.{3})\s*\]|\[\+\d+ chars\])$")

Rule = Callable[[str, Counter[str]], bool]


def _is_heading(text: str) -> bool:
    """No sentence end at the end, and not a teaser whose last sentence is feed furniture
    ("... on lunar rovers. Read more")."""
    if _SENTENCE_END.search(text):
        return False
    last = _LAST_SENTENCE.match(text)
    return last is None or classify_sentence(text[last.end() :]) is None


# The kinds of paragraph from which the rest of the text is the page's comment thread.
COMMENT_THREAD = frozenset({"reader comment"})

RULES: dict[str, Rule] = {
    "reader comment": lambda text, seen: _READER_COMMENT.search(text) is not None,
    "photo caption": lambda text, seen: _photo_credit(text),
    # A paragraph that opens with feed furniture is all furniture; one where it follows the
    # teaser is left to ``classify_sentence``.
    "feed footer": lambda text, seen: _FEED_FOOTER.match(text) is not None,
    "call to action": lambda text, seen: _CALL_TO_ACTION.match(text) is not None,
    "share or related links": lambda text, seen: _SHARE_OR_RELATED.match(text) is not None,
    "truncated excerpt": lambda text, seen: _TRUNCATED.match(text) is not None,
    "repeated line": lambda text, seen: seen[text] > 1,
    "author bio": lambda text, seen: bool(
        _AUTHOR_BIO.match(text) or ("views" in fold(text) and _DISCLAIMER.search(text))
    ),
    # Every alternative of the policy holds "comment" (ignoring case).
    "comment policy": lambda text, seen: (
        "comment" in fold(text) and _COMMENT_POLICY.search(text) is not None
    ),
    "editorial note": lambda text, seen: _EDITORIAL_NOTE.match(text) is not None,
    "heading": lambda text, seen: _is_heading(text),
}

SENTENCE_RULES: dict[str, Callable[[str], bool]] = {
    "feed footer": lambda text: bool(
        _FEED_FOOTER.match(text) or _FEED_FOOTER_AFTER_TEASER.search(text)
    ),
    "photo caption": _photo_credit,
    "call to action": lambda text: bool(
        _CALL_TO_ACTION.match(text) or _CALL_TO_ACTION_AFTER_TEASER.search(text)
    ),
    "share or related links": lambda text: _SHARE_OR_RELATED.match(text) is not None,
    "truncated excerpt": lambda text: _TRUNCATED.search(text) is not None,
}


def count_paragraphs(paragraphs: list[str]) -> Counter[str]:
    """How often each paragraph occurs in a document; a repeated one is a caption or a heading."""
    return Counter(paragraphs)


def classify_paragraph(text: str, seen: Counter[str]) -> str | None:
    """The kind of boilerplate a paragraph is, or None when it is the article's own text."""
    for name, rule in RULES.items():
        if rule(text, seen):
            return name
    return None


def classify_sentence(text: str) -> str | None:
    """The kind of feed boilerplate one sentence of a kept paragraph is ("feed footer", "photo
    caption", "call to action", "share or related links", "truncated excerpt"), or None."""
    for name, rule in SENTENCE_RULES.items():
        if rule(text):
            return name
    return None
