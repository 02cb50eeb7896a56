"""Which of the archive's files the editions server answers, and how: the archive page (at ``/``),
its script, the feed of editions and Pagefind's search index, each opened without following a
link and only when it is a regular file. The server asks here before its own edition names."""

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from briefing.publish.search import SEARCH_FOLDER

ARCHIVE_PAGE = "index.html"  # the folder's own page: a static host shows it at the root too
ARCHIVE_SCRIPT = "archive.js"  # the search box's script: the only script any page runs
FEED_FILE = "editions.atom"

# The archive page runs its own script and Pagefind's (a WebAssembly module and a worker), and
# fetches the index; all from this server. Every other page keeps the no-script policy.
ARCHIVE_POLICY = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; "
    "worker-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
ARCHIVE_NAMES = {
    "/": ARCHIVE_PAGE,
    f"/{ARCHIVE_PAGE}": ARCHIVE_PAGE,
    f"/{ARCHIVE_SCRIPT}": ARCHIVE_SCRIPT,
    f"/{FEED_FILE}": FEED_FILE,
}
# The names Pagefind 1.5 writes in a quarter's bundle: its scripts, entry, metadata, WebAssembly,
# and the index, fragment and filter chunks one folder down. No dot first, no folder deeper.
SEARCH_FILE = re.compile(
    rf"/{SEARCH_FOLDER}/(\d{{4}}q[1-4])/(?:(index|fragment|filter)/)?"
    r"([a-z0-9][a-z0-9_.-]*\.(js|css|json|pagefind|pf_meta|pf_index|pf_fragment|pf_filter))"
)
TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "atom": "application/atom+xml",
}


@dataclass(frozen=True)
class ArchiveAnswer:
    """An archive file to send (an open descriptor, its type and policy), or None when missing."""

    handle: int | None
    content_type: str
    policy: str | None


def open_archive_file(folder: Path, path: str) -> ArchiveAnswer | None:
    """The archive file a request path names, opened; None when the path names none of them
    (or is ``/`` with no archive page written yet: the server lists the editions then)."""
    name = ARCHIVE_NAMES.get(path)
    if name is not None:
        suffix = name.rsplit(".", 1)[1]
        policy = ARCHIVE_POLICY if name == ARCHIVE_PAGE else None
        handle = _open_regular(folder, [name])
        if handle is None and path == "/":
            return None
        return ArchiveAnswer(handle, TYPES[suffix], policy)
    match = SEARCH_FILE.fullmatch(path)
    if match is None:
        return None
    bundle, chunks, name, suffix = match.groups()
    parts = [SEARCH_FOLDER, bundle, *([chunks] if chunks else []), name]
    kind = TYPES.get(suffix, "application/octet-stream")
    return ArchiveAnswer(_open_regular(folder, parts), kind, None)


def _open_regular(folder: Path, parts: list[str]) -> int | None:
    """The file at folder/parts, opened read-only with no link followed at any step; None when
    it is missing, a link, not a regular file or unreadable."""
    # O_NONBLOCK: opening a named pipe must not wait for a writer (it is then refused below).
    nofollow = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    opened: list[int] = []
    try:
        directory = os.open(folder, nofollow | os.O_DIRECTORY)
        opened.append(directory)
        for part in parts[:-1]:
            directory = os.open(part, nofollow | os.O_DIRECTORY, dir_fd=directory)
            opened.append(directory)
        handle = os.open(parts[-1], nofollow, dir_fd=directory)
    except OSError:
        return None
    finally:
        for descriptor in opened:
            os.close(descriptor)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        return None
    return handle


def archive_objects(folder: Path) -> list[tuple[Path, str, str]]:
    """The archive's files in the folder as a bucket holds them: each path, its key (the path
    the server answers it at) and its content type; the search index first, the page last (it
    links the others). Empty when the folder has no archive page."""
    if not (folder / ARCHIVE_PAGE).is_file():
        return []
    index = sorted(p for p in (folder / SEARCH_FOLDER).rglob("*") if p.is_file())
    named = [*index, folder / ARCHIVE_SCRIPT, folder / FEED_FILE, folder / ARCHIVE_PAGE]
    objects = []
    for path in named:
        key = path.relative_to(folder).as_posix()
        answer = SEARCH_FILE.fullmatch(f"/{key}")
        if answer is not None:
            kind = TYPES.get(answer.group(4), "application/octet-stream")
        elif f"/{key}" in ARCHIVE_NAMES:
            kind = TYPES[key.rsplit(".", 1)[1]]
        else:
            continue  # nothing the server would not answer goes to the bucket either
        if path.is_file() and not path.is_symlink():
            objects.append((path, key, kind))
    return objects
