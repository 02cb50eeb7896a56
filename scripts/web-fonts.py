"""Cut the vendored Latin faces for the HTML edition into templates/fonts/web/ (run it after
changing a font in templates/fonts/ or ``LATIN``): ``.venv/bin/python scripts/web-fonts.py``."""

from briefing.render.webfonts import LATIN, WEB_FOLDER, cut_font, latin_faces, web_font
from briefing.settings import Settings

fonts = Settings().templates_dir / "fonts"
(fonts / WEB_FOLDER).mkdir(exist_ok=True)
for face in latin_faces(fonts):
    web_font(face).write_bytes(cut_font(face, LATIN))
    print(f"wrote {web_font(face)}")
