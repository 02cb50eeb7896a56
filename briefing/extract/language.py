"""The language a paragraph is written in, by py3langid: a paragraph in a language the profile
does not read (``Topic.languages``) is not a statement of an edition in English.

The identifier loads its model once per process, and only when a profile names its languages:
from an unpacked copy in a private folder of the temporary directory, mapped into memory (a few
milliseconds), made by the first process that needs it from the LZMA file py3langid ships (about
1 s, numpy aside).

Short paragraphs are not judged: below ``MIN_LETTERS`` letters a
name-heavy English line ("Kishida Fumio, Prime Minister of Japan, and ...") is too easily taken
for another language, and only a confident verdict (``MIN_CONFIDENCE``) leaves text out.
"""

import hashlib
import logging
import os
import stat
import tempfile
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


_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")
_FORMAT = 2  # of the unpacked copy: an array a file, the feature table as float32


def _unpacked_model(model: Path) -> tuple[Any, ...]:
    """py3langid's model as its ``modelio.load_model`` reads it, from an unpacked copy kept in a
    private folder of the temporary directory (made on first use; named after the model file's
    size and modification time and the copy's ``_FORMAT``), an array a file, mapped into memory
    rather than read.

    Unpacking the shipped LZMA file takes 0.55 s of the model's 0.75 s, and every process that
    judges a language would pay it: the run and each worker. Mapped, the copy costs nothing to
    open, a paragraph reads only the rows of the features it holds, and the processes share one
    copy of the 96 MB in the page cache."""
    import numpy as np

    folder = _private_folder()
    source = model.stat()
    made = f"{model}:{source.st_size}:{source.st_mtime_ns}:{_FORMAT}"
    key = hashlib.sha256(made.encode()).hexdigest()
    unpacked = folder / f"py3langid-{key[:16]}"
    if not unpacked.is_dir():
        _unpack(model, folder, unpacked)

    def mapped(name: str) -> Any:
        return np.asarray(np.load(unpacked / f"{name}.npy", mmap_mode="r", allow_pickle=False))

    ptc, pc, classes, nextmove, row, out = map(mapped, _ARRAYS)
    # The DFA's tables as py3langid walks them, indexed one int at a time: a memoryview of the
    # mapped array reads as fast as the stdlib array the shipped loading builds.
    return ptc, pc, classes.tolist(), _unsigned(nextmove), _unsigned(row), out.tolist()


def _unpack(model: Path, folder: Path, unpacked: Path) -> None:
    """Write the shipped model's arrays, a file each, into the folder ``unpacked`` (made whole
    under another name, then renamed: a process never maps a half-written copy)."""
    import lzma
    import shutil

    import numpy as np

    part = Path(tempfile.mkdtemp(dir=folder, suffix=".part"))
    try:
        # Unpacked to a file streamed, as py3langid unpacks it, then written an array at a time:
        # the 68 MB are never held at once.
        with (
            lzma.open(model) as packed,
            tempfile.TemporaryFile(dir=folder) as archive,
        ):
            shutil.copyfileobj(packed, archive, 1 << 20)
            archive.seek(0)
            with np.load(archive, allow_pickle=False) as data:
                for name in _ARRAYS:
                    array = data[name]
                    if name == "ptc":
                        # The rows a paragraph's features pick are cast to float32 for their
                        # product at every paragraph (45 us of its 60); cast once here, the
                        # same values (float16 widens exactly), and the same sums.
                        array = array.astype(np.float32)
                    np.save(part / f"{name}.npy", array, allow_pickle=False)
        try:
            os.rename(part, unpacked)
        except OSError:
            if not unpacked.is_dir():  # not another process's copy, made meanwhile
                raise
        for earlier in folder.glob("py3langid-*.npz"):  # the earlier form, one file read whole
            with suppress(FileNotFoundError):
                earlier.unlink()
    finally:
        shutil.rmtree(part, ignore_errors=True)


def _unsigned(values: Any) -> Any:
    """A numpy array of unsigned integers as a flat buffer py3langid's DFA indexes (a view of
    the array, not a copy)."""
    import numpy as np

    if values.dtype.kind != "u":
        raise ValueError(f"the language model's DFA table is {values.dtype}, not unsigned")
    contiguous: Any = np.ascontiguousarray(values)  # numpy's arrays are buffers; not its stubs
    kind: Any = {2: "H", 4: "I", 8: "L"}[values.dtype.itemsize]
    return memoryview(contiguous).cast("B").cast(kind)


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
