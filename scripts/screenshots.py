"""Screenshots for docs/, taken in headless chromium (Debian's, driven by Playwright):

    python scripts/screenshots.py edition HTML_FILE DOCS_DIR   the HTML edition at 390 and 1,280 px
    python scripts/screenshots.py form UI_URL DOCS_DIR         the Prefect UI's Custom run form

`make docs-images` runs both (the form against a server it starts with scripts/up.sh).
"""

import sys
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


def edition(html: Path, docs: Path) -> None:
    """The top of the edition, the week in brief, as a phone and a desktop window show it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for width, height in ((390, 844), (1280, 900)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(html.resolve().as_uri())
            page.evaluate("document.fonts.ready.then(() => true)")
            page.screenshot(path=docs / f"html-{width}.png")
        browser.close()


def form(ui: str, docs: Path) -> None:
    """The Custom run form of the weekly deployment, every field in one tall window."""
    deployment = httpx.get(f"{ui}/api/deployments/name/weekly-briefing/weekly").json()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        page.goto(f"{ui}/deployments/deployment/{deployment['id']}/run")
        page.locator(".schema-form-property__label").first.wait_for()
        page.screenshot(path=docs / "run-form.png")
        browser.close()


if __name__ == "__main__":
    what, source, folder = sys.argv[1:4]
    {
        "edition": lambda: edition(Path(source), Path(folder)),
        "form": lambda: form(source, Path(folder)),
    }[what]()
