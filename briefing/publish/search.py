"""Search across editions with no server of its own: Pagefind's static index of the HTML editions,
made by its binary (``pagefind-bin``, run here, offline) into the output folder's
``pagefind/2025q2/``, one bundle a quarter, which the archive page's script merges and queries
in the browser. Re-indexing every edition after each one grew with the archive (ten editions of
2,000 items: 16 s and 480 MiB in Pagefind); a quarter's bundle bounds that to its 13 or 14.

Only each edition's ``<main>`` is indexed, without its contents list, sources and method: a hit
is a story or a statement, and Pagefind links it to the nearest heading with an id before it (a
story's headline, a theme's title) in that edition. Each statement is indexed where the edition
says it (its story, its theme, the week in brief, Coming up), not again where the timeline and
milestones repeat it, and without the line under it (its date, sources and citations): at
20,000 items Pagefind's process took 420 MiB with them, 204 without.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from briefing.errors import BriefingError, DependencyError

SEARCH_FOLDER = "pagefind"
# What a reader searches is what the editions say, once, not their apparatus.
NOT_INDEXED = (
    "nav",
    ".to-contents",
    "#sources",
    "#source-health",
    "#method",
    ".cited-at",
    ".story-facts",
    ".story-sources",
    ".citation",
    ".attribution",  # a statement's date, sources and citations
    "#timeline",  # its statements, each found in its story or theme
    "#milestones",  # the same
)
QUARTER_MONTHS = {1: "0[1-3]", 2: "0[4-6]", 3: "0[7-9]", 4: "1[0-2]"}  # as file-name globs
EDITION_HTML = re.compile(r"briefing-\d{4}-\d{2}-\d{2}\.html")
# Pagefind's ready-made search interfaces: the archive page has its own (templates/archive.js).
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
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


def bundle_of(edition_html: str) -> str:
    """The search bundle an edition's HTML file is indexed in: its quarter, as ``2025q2``."""
    return f"{edition_html[9:13]}q{(int(edition_html[14:16]) + 2) // 3}"


def edition_bundles(folder: Path) -> list[str]:
    """The bundles of the folder's HTML editions, newest first: one for each quarter."""
    names = (path.name for path in folder.iterdir())
    return sorted({bundle_of(name) for name in names if EDITION_HTML.fullmatch(name)}, reverse=True)


def write_search_index(folder: Path, bundles: Iterable[str]) -> list[str]:
    """Index the folder's HTML editions of each given quarter into ``folder/pagefind/2025q2``
    (each replaced whole), and remove the bundles of quarters with no HTML edition; the
    bundles made. A bundle a quarter: an edition re-indexes its own quarter's (up to 14), and
    the archive page merges the bundles in the browser. BriefingError with Pagefind's own words
    when it fails: that quarter's previous bundle stays. One caller at a time per folder
    (``write_archive`` holds the folder's archive lock)."""
    present = edition_bundles(folder)
    root = folder / SEARCH_FOLDER
    for left in [*folder.glob(".pagefind.*.staging"), *root.glob(".*.old")]:
        shutil.rmtree(left, ignore_errors=True)  # left by a killed run (callers take turns)
    if root.is_dir() and not root.is_symlink():
        for made in root.iterdir():
            if made.name not in present:
                _remove(made)  # a quarter with no edition any more, or an index of before
    elif root.exists() or root.is_symlink():
        root.unlink()
    done = []
    for bundle in sorted(set(bundles) & set(present), reverse=True):
        _index_bundle(folder, bundle)
        done.append(bundle)
    return done


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _index_bundle(folder: Path, bundle: str) -> None:
    year, quarter = bundle.split("q")
    months = QUARTER_MONTHS[int(quarter)]
    staging = Path(tempfile.mkdtemp(prefix=".pagefind.", suffix=".staging", dir=folder))
    command = [
        str(_pagefind()),
        "--site",
        str(folder),
        "--glob",
        # An edition's front page and its further pages (``briefing-DATE.p2.html``, ...).
        f"briefing-{year}-{months}-[0-9][0-9]*.html",
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
            raise BriefingError(
                f"Pagefind could not index the editions of {bundle} in {folder}: {words}"
            )
        for name in UNUSED:
            (staging / name).unlink(missing_ok=True)
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the index from a web server
        (folder / SEARCH_FOLDER).mkdir(exist_ok=True)
        _replace_folder(folder / SEARCH_FOLDER / bundle, staging)
    except subprocess.TimeoutExpired as exc:
        raise BriefingError(f"Pagefind took over {TIMEOUT_S} s indexing {folder}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
