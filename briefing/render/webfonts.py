"""The vendored fonts inside the HTML edition, so a browser sets it in the PDF's typefaces.

The HTML edition is one file read from the output folder, where the templates' ``fonts/`` is
not: each ``url(fonts/NAME.ttf)`` of the stylesheet becomes a ``data:`` URL of ``fonts/web/
NAME.woff``, that face cut down to the Latin letters, digits and punctuation of English and of
names in European languages (``LATIN``): 20-35 KB a face instead of 350-700. The cut faces are
vendored too, made by ``scripts/web-fonts.py`` (fontTools, which WeasyPrint
brings), because cutting takes about half a second a face; a test checks they match. The
Japanese face (6 MB) is cut to the edition's own Japanese characters, only when it has some.
"""

import base64
import functools
import io
import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

# Basic Latin, Latin-1, Latin Extended-A, and the General Punctuation block (quotes, dashes).
LATIN = "".join(
    chr(code) for block in ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070)) for code in range(*block)
)
WEB_FOLDER = "web"  # inside the templates' fonts/: the Latin faces, cut
# The Japanese font, only for the characters DejaVu lacks (from U+3000, CJK punctuation on).
_WIDE_ONLY = frozenset({"IPAexGothic.ttf"})
_FIRST_WIDE = 0x3000
# Any such character: the edition's HTML runs to megabytes, and a regex finds its few Japanese
# characters some thirty times faster than a Python loop over every character.
_WIDE = re.compile(f"[{chr(_FIRST_WIDE)}-{chr(0x10FFFF)}]")
_FONT_URL = re.compile(r"url\((fonts/[A-Za-z0-9._-]+\.ttf)\)")


def wide_characters(text: str) -> set[str]:
    """The characters of text that only the Japanese face has."""
    return set(_WIDE.findall(text))


def embed_fonts(stylesheet: str, templates_dir: Path, text: str) -> str:
    """The stylesheet with each vendored font a data: URL: the Latin faces as cut in
    ``fonts/web/``, the Japanese one cut to the Japanese characters of ``text`` (left out when
    it has none)."""
    wide = "".join(sorted(wide_characters(text)))

    def embedded(match: re.Match[str]) -> str:
        path = templates_dir / match.group(1)
        if path.name in _WIDE_ONLY:
            if not wide:  # no Japanese text: not worth reading a 6 MB font for
                return f'local("{path.stem}")'
            return _data_url(cut_font(path, wide))
        return _data_url(web_font(path).read_bytes())

    return _FONT_URL.sub(embedded, stylesheet)


def web_font(path: Path) -> Path:
    """Where the cut face of the font at path is vendored."""
    return path.parent / WEB_FOLDER / f"{path.stem}.woff"


def _data_url(font: bytes) -> str:
    return f"url(data:font/woff;base64,{base64.b64encode(font).decode('ascii')}) format('woff')"


@functools.lru_cache(maxsize=16)
def cut_font(path: Path, characters: str) -> bytes:
    """The font at path cut to these characters, as WOFF (zlib: Brotli's WOFF2 saves a fifth
    of the bytes but takes four times as long)."""
    # The same bytes from the same font: no modification time written into the cut face.
    font = TTFont(path, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: fontTools warns it cannot cut them
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def latin_faces(fonts_dir: Path) -> list[Path]:
    """The vendored faces the web edition embeds cut to Latin."""
    return sorted(path for path in fonts_dir.glob("*.ttf") if path.name not in _WIDE_ONLY)
