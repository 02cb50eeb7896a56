"""The fonts the HTML edition embeds: the vendored faces cut to Latin, as fresh cuts make them."""

import pytest

from briefing.render.webfonts import LATIN, cut_font, embed_fonts, latin_faces, web_font
from briefing.settings import PROJECT_ROOT

FONTS = PROJECT_ROOT / "templates" / "fonts"


@pytest.mark.slow  # cutting four faces: about two seconds
def test_the_vendored_web_faces_are_the_fonts_cut_to_latin() -> None:
    """Each fonts/web/*.woff is its face cut to LATIN now (rerun scripts/web-fonts.py if not)."""
    faces = latin_faces(FONTS)
    stale = [face.name for face in faces if web_font(face).read_bytes() != cut_font(face, LATIN)]
    assert (4, []) == (len(faces), stale)


def test_the_stylesheet_embeds_every_face_and_no_file_address() -> None:
    """After embedding, no url() of the stylesheet names a file: each Latin face is a data:
    URL, and the Japanese face, for a text without Japanese, is the machine's own if any."""
    stylesheet = (PROJECT_ROOT / "templates" / "briefing.css").read_text(encoding="utf-8")
    embedded = embed_fonts(stylesheet, PROJECT_ROOT / "templates", "Plain English text.")
    assert (0, 4, 1) == (
        embedded.count("url(fonts/"),
        embedded.count("url(data:font/woff;base64,"),
        embedded.count('local("IPAexGothic")'),
    )


@pytest.mark.slow  # reading the 6 MB Japanese face: about a second
def test_japanese_text_brings_the_japanese_face_cut_to_it() -> None:
    """A text with Japanese characters embeds the Japanese face too, cut to those characters."""
    stylesheet = "@font-face { src: url(fonts/IPAexGothic.ttf); }"
    embedded = embed_fonts(stylesheet, PROJECT_ROOT / "templates", "JAXA 宇宙航空研究開発機構")
    assert embedded.startswith("@font-face { src: url(data:font/woff;base64,")
    assert len(embedded) < 60_000
