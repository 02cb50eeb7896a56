"""Search across editions with no server of its own: Pagefind's static index of the HTML editions,
made by its binary (``pagefind-bin``, run here, offline) into the output folder's ``pagefind/``,
which the archive page's script queries in the browser.

Only each edition's ``<main>`` is indexed, without its contents list, sources and method: a hit
is a story or a statement, and Pagefind links it to the nearest heading with an id before it (a
story's headline, a theme's title) in that edition.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from briefing.errors import BriefingError, DependencyError

SEARCH_FOLDER = "pagefind"
# What a reader searches is what the editions say, not their apparatus.
NOT_INDEXED = ("nav", ".to-contents", "#sources", "#source-health", "#method", ".cited-at")
EDITION_GLOB = "briefing-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].html"
EDITION_HTML = re.compile(r"briefing-\d{4}-\d{2}-\d{2}\.html")
TIMEOUT_S = 300  # Pagefind indexes three editions in 0.03 s; a stuck binary is not waited on


def _pagefind() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise DependencyError("pagefind-bin is not installed: run `make setup`") from exc
    try:
        return Path(get_executable())
    except FileNotFoundError as exc:
        raise DependencyError(f"pagefind-bin ships no binary here: {exc}") from exc


def write_search_index(folder: Path) -> Path:
    """Index the folder's HTML editions into ``folder/pagefind`` (replaced whole); its path.
    BriefingError with Pagefind's own words when it fails: the previous index stays. With no
    HTML edition in the folder there is nothing to find, and no index. One caller at a time per
    folder (``write_archive`` holds the folder's archive lock)."""
    if not any(EDITION_HTML.fullmatch(path.name) for path in folder.iterdir()):
        shutil.rmtree(folder / SEARCH_FOLDER, ignore_errors=True)
        return folder / SEARCH_FOLDER
    for left in [*folder.glob(".pagefind.*.staging"), *folder.glob(f".{SEARCH_FOLDER}.*.old")]:
        shutil.rmtree(left, ignore_errors=True)  # left by a killed run (callers take turns)
    staging = Path(tempfile.mkdtemp(prefix=".pagefind.", suffix=".staging", dir=folder))
    command = [
        str(_pagefind()),
        "--site",
        str(folder),
        "--glob",
        EDITION_GLOB,
        "--output-path",
        str(staging),
        "--root-selector",
        "main",
        *(argument for selector in NOT_INDEXED for argument in ("--exclude-selectors", selector)),
        "--force-language",
        "en",
        "--quiet",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, cwd=folder
        )
        if done.returncode != 0:
            words = (done.stderr or done.stdout).strip()[-500:]
            raise BriefingError(f"Pagefind could not index the editions in {folder}: {words}")
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the index from a web server
        _replace_folder(folder / SEARCH_FOLDER, staging)
    except subprocess.TimeoutExpired as exc:
        raise BriefingError(f"Pagefind took over {TIMEOUT_S} s indexing {folder}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / SEARCH_FOLDER


def _replace_folder(target: Path, new: Path) -> None:
    """Put ``new`` in place of ``target``: a folder cannot be renamed over a full one, so the
    old one steps aside first (a search in that instant finds no index, and can be run again)."""
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    if target.is_dir() and not target.is_symlink():
        os.replace(target, old)
    elif target.exists() or target.is_symlink():
        target.unlink()
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
