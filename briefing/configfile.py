"""Reading the configuration files a person writes (briefing.yaml, seeds/sources.yaml, the topic
profile) as UTF-8, saying where a file is not."""

from pathlib import Path

from briefing.errors import ConfigurationError


def load_utf8(path: Path) -> str:
    """The file's text; ConfigurationError naming the file, the byte and its line when it is
    not UTF-8. An OSError is left to the caller, which knows what the file is for."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigurationError(
            f"{path} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            f"(line {line}, column {column}) cannot be read; save the file as UTF-8 "
            "(in most editors: Save As, encoding UTF-8) and run again"
        ) from exc
