"""A real browser for the tests: Playwright for Python driving Debian's chromium (no browser
download works on these machines). Tests that need it skip, saying why, where it is missing."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Phone and desktop widths the HTML edition is checked at.
WIDTHS = (390, 1280)

needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason=f"no chromium at {CHROMIUM}: install Debian's `chromium` package "
    "(scripts/system-deps.sh does where it can) to run the browser tests",
)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless chromium, closed on the way out."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()
