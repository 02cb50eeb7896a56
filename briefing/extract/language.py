"""The language a paragraph is written in, by py3langid: a paragraph in a language the profile
does not read (``Topic.languages``) is not a statement of an edition in English.

The identifier loads its model once per process (about a second, numpy with it) and only when
a profile names its languages. Short paragraphs are not judged: below ``MIN_LETTERS`` letters a
name-heavy English line ("Kishida Fumio, Prime Minister of Japan, and ...") is too easily taken
for another language, and only a confident verdict (``MIN_CONFIDENCE``) leaves text out.
"""

from functools import cache, lru_cache
from itertools import islice
from typing import Any

MIN_LETTERS = 60
MIN_CONFIDENCE = 0.9


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_identifier() -> None:
    """Load the identifier's model now rather than at the first paragraph it judges (``briefing
    run`` does it while its temporary Prefect server starts)."""
    _identifier()


def foreign_language(text: str, languages: tuple[str, ...]) -> str | None:
    """The language of the text when it is confidently one not in ``languages`` (ISO 639-1
    codes), else None."""
    # Counting stops at the MIN_LETTERS-th letter: enough to know the text is judged.
    if (
        not languages
        or next(islice(filter(str.isalpha, text), MIN_LETTERS - 1, None), None) is None
    ):
        return None
    return _verdict(text, languages)


@lru_cache(maxsize=1024)
def _verdict(text: str, languages: tuple[str, ...]) -> str | None:
    # The same paragraph in several documents (a syndicated item, an outlet's standing line)
    # is judged once.
    language, confidence = _identifier().classify(text)
    if language in languages or confidence < MIN_CONFIDENCE:
        return None
    return str(language)
