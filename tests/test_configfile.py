"""A configuration file that is not UTF-8 is refused naming the file, the byte and what to do."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import ConfigurationError
from briefing.sources.feeds import load_feed_config
from briefing.sources.seeds import load_seeds
from briefing.topic import load_topic

# Latin-1 "é" (0xe9) on line 3, column 14: what an editor saving as Windows-1252 writes.
LATIN1 = b"# written on Windows\nfeeds:\n  - name: Caf\xe9 Space\n    url: https://a.example/rss\n"


def expected(path: Path) -> str:
    """The message for LATIN1 saved at path."""
    return (
        f"{path} is not UTF-8 text: byte 0xe9 at offset 41 (line 3, column 14) cannot be read; "
        "save the file as UTF-8 (in most editors: Save As, encoding UTF-8) and run again"
    )


@pytest.mark.parametrize(
    ("name", "load", "read"),
    [
        ("briefing.yaml", load_feed_config, lambda path: path),
        ("sources.yaml", load_seeds, lambda path: path.parent),
        ("topic.yaml", load_topic, lambda path: path),
    ],
)
def test_a_file_that_is_not_utf8_is_a_configuration_error_naming_it(
    tmp_path: Path, name: str, load: Callable[[Path], Any], read: Callable[[Path], Path]
) -> None:
    """briefing.yaml, seeds/sources.yaml and the topic profile in Latin-1 each raise a
    ConfigurationError naming the file, the byte's offset, line and column, and what to do
    (it once was a UnicodeDecodeError naming no file)."""
    path = tmp_path / name
    path.write_bytes(LATIN1)
    with pytest.raises(ConfigurationError) as caught:
        load(read(path))
    assert expected(path) == str(caught.value)
