"""The language a paragraph is written in, by py3langid: a paragraph in a language the profile
does not read (``Topic.languages``) is not a statement of an edition in English.

The identifier loads its model once per process, and only when a profile names its languages:
from an unpacked copy in a private folder of the temporary directory (0.15 s), made by the first
process that needs it from the LZMA file py3langid ships (0.75 s, numpy aside).

Short paragraphs are not judged: below ``MIN_LETTERS`` letters a
name-heavy English line ("Kishida Fumio, Prime Minister of Japan, and ...") is too easily taken
for another language, and only a confident verdict (``MIN_CONFIDENCE``) leaves text out.
"""

import hashlib
import logging
import os
import stat
import tempfile
from array import array
from contextlib import suppress
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MIN_LETTERS = 60
MIN_CONFIDENCE = 0.9


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = Path(MODEL_DIR) / MODEL_FILE
    try:
        ptc, pc, classes, nextmove, row, output = _unpacked_model(model)
    except (OSError, ValueError, KeyError) as exc:  # no cache to be had: the model as shipped
        logger.debug("language model cache not used: %s", exc)
        return LanguageIdentifier.from_model_file(model, norm_probs=True)
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)


def _unpacked_model(model: Path) -> tuple[Any, ...]:
    """py3langid's model as its ``modelio.load_model`` reads it, from an uncompressed copy kept
    in a private folder of the temporary directory (made on first use; named after the model
    file's size and modification time). Unpacking the shipped LZMA file takes 0.55 s of the
    model's 0.75 s, and every process that judges a language pays it: the run and each worker."""
    import numpy as np

    folder = _private_folder()
    source = model.stat()
    key = hashlib.sha256(f"{model}:{source.st_size}:{source.st_mtime_ns}".encode()).hexdigest()
    unpacked = folder / f"py3langid-{key[:16]}.npz"
    if not unpacked.exists():
        import lzma
        import shutil

        # Streamed, as py3langid unpacks it: the 68 MB are never held at once.
        with (
            lzma.open(model) as packed,
            tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as written,
        ):
            shutil.copyfileobj(packed, written, 1 << 20)
        os.replace(written.name, unpacked)
    with np.load(unpacked, allow_pickle=False) as data:
        return (
            np.asarray(data["ptc"]),
            np.asarray(data["pc"]),
            data["classes"].tolist(),
            _unsigned(data["nextmove"]),
            _unsigned(data["nextmove_row"]),
            data["out_feat"].tolist(),
        )


def _unsigned(values: Any) -> Any:
    """A numpy array of unsigned integers as the stdlib array py3langid's DFA walks."""
    import numpy as np

    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


def _private_folder() -> Path:
    """``briefing-cache-<uid>`` in the temporary directory, made 0700 if missing; refused
    (OSError) unless it is this user's own directory that nobody else may write."""
    folder = Path(tempfile.gettempdir()) / f"briefing-cache-{os.getuid()}"
    with suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    found = folder.lstat()
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise OSError(f"{folder} is not this user's private folder")
    return folder


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
