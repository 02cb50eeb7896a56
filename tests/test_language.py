"""The language identifier's model, read from an unpacked copy kept in a private folder."""

import mmap
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from briefing.extract import language

TEXTS = [
    "The H3 rocket lifted off from the Tanegashima Space Center on Saturday morning.",
    "La fusée H3 a décollé samedi matin du centre spatial de Tanegashima, au sud du Japon.",
    "H3ロケットは土曜日の朝、種子島宇宙センターから打ち上げられた。",
    "Die H3-Rakete hob am Samstagmorgen vom Raumfahrtzentrum Tanegashima ab.",
    "El cohete H3 despegó el sábado por la mañana desde el centro espacial de Tanegashima.",
    "NASA and JAXA signed the framework agreement in Washington.",
]


def test_the_unpacked_model_judges_as_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identifier built from the unpacked copy (made on first use, read after) gives the
    same language and confidence as py3langid's own loading of the shipped file."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    stock = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    first = language._identifier.__wrapped__()
    copies = sorted(path.name for path in (tmp_path / f"briefing-cache-{os.getuid()}").iterdir())
    again = language._identifier.__wrapped__()
    expected = [stock.classify(text) for text in TEXTS]
    assert (1, expected, expected) == (
        len(copies),
        [first.classify(text) for text in TEXTS],
        [again.classify(text) for text in TEXTS],
    )


def test_a_cache_folder_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of that name that other users may write is refused (the shipped model is read
    instead), and nothing is written in it."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    folder = tmp_path / f"briefing-cache-{os.getuid()}"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(OSError, match="not this user's private folder"):
        language._unpacked_model(Path(MODEL_DIR) / MODEL_FILE)
    assert [] == list(folder.iterdir())


def test_the_unpacked_model_is_mapped_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy's arrays are mapped from their files (the processes share them in the page
    cache), the DFA's table too: no process reads its own copy of the 68 MB."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    ptc, _, _, nextmove, _, _ = language._unpacked_model(Path(MODEL_DIR) / MODEL_FILE)

    def mapped(array: object) -> bool:
        while array is not None and not isinstance(array, (np.memmap, mmap.mmap)):
            base = getattr(array, "base", None)
            array = base if base is not None else getattr(array, "obj", None)
        return array is not None

    assert (True, True) == (mapped(ptc), mapped(nextmove))


def test_a_copy_made_meanwhile_by_another_process_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes unpacking at once: the second's rename finds the first's copy, keeps it,
    and leaves no half-made folder behind."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    model = Path(MODEL_DIR) / MODEL_FILE
    folder = language._private_folder()
    made = folder / "made-meanwhile"
    language._unpack(model, folder, made)
    before = {path.name: path.stat().st_mtime_ns for path in made.iterdir()}
    language._unpack(model, folder, made)
    assert ([made.name], before) == (
        [path.name for path in folder.iterdir()],
        {path.name: path.stat().st_mtime_ns for path in made.iterdir()},
    )
