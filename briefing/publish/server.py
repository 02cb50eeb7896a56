"""A read-only HTTP server of the editions in an output folder, for people on this machine.

Hardened by allowing little: GET and HEAD only; only the names an edition's files have
(``briefing-YYYY-MM-DD.pdf|html|json``, and ``briefing-YYYY-MM-DD.pN.html``, the further pages
of an HTML edition too large for one), opened without following links; no folder listing,
no hidden file, no memory database, nothing outside the folder. A page of the editions present
is the answer to ``/``. The HTML edition is served under a Content-Security-Policy that lets it
load nothing from elsewhere.

Besides the editions: the archive the write stage makes (``briefing.publish.served`` says which
names): its page at ``/`` (the only page allowed a script, its own and Pagefind's), the feed of
editions and the search index. Without an archive page, ``/`` lists the edition files.
"""

import html
import os
import re
import shutil
import stat
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefing.publish.served import ArchiveAnswer, open_archive_file
from briefing.render.pages import PAGE_NAME

EDITION_FILE = re.compile(
    r"briefing-\d{4}-\d{2}-\d{2}(?:\.p[1-9][0-9]{0,3}(?=\.html$))?\.(pdf|html|json)"
)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
IDLE_SECONDS = 10.0
# The HTML edition carries its stylesheet, fonts and figures inline, and needs nothing else.
HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'"
)


def _handler(folder: Path) -> type[BaseHTTPRequestHandler]:
    class EditionHandler(BaseHTTPRequestHandler):
        server_version = "briefing-editions"
        sys_version = ""
        # Seconds a connection may wait for the client's next bytes: an idle one is closed
        # (each holds a thread of the server).
        timeout = IDLE_SECONDS

        def do_HEAD(self) -> None:  # the standard library calls handlers by these names
            """Answer with the headers a GET would have."""
            self._answer(body=False)

        def do_GET(self) -> None:  # the standard library calls handlers by these names
            """Send one edition file, or the list of editions for ``/``."""
            self._answer(body=True)

        def _answer(self, *, body: bool) -> None:
            path = self.path.split("?", 1)[0]
            archived = open_archive_file(folder, path)  # the archive, feed and search index
            if archived is not None:
                self._send_archived(archived, body)
                return
            if path == "/":
                self._send(HTTPStatus.OK, CONTENT_TYPES["html"], self._index(), body)
                return
            name = path[1:]
            match = EDITION_FILE.fullmatch(name)
            if match is None:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n", body)
                return
            try:
                # O_NONBLOCK: opening a FIFO for reading would wait for a writer, for ever.
                flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
                handle = os.open(folder / name, flags)
            except OSError:  # missing, a link, unreadable: all the same to the client
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n", body)
                return
            status = os.fstat(handle)
            if not stat.S_ISREG(status.st_mode):  # a FIFO, a folder, a device
                os.close(handle)
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n", body)
                return
            os.set_blocking(handle, True)
            with os.fdopen(handle, "rb") as stream:
                size = status.st_size
                self.send_response(HTTPStatus.OK)
                self._headers(CONTENT_TYPES[match.group(1)], size)
                if body:
                    shutil.copyfileobj(stream, self.wfile)

        def _index(self) -> bytes:
            names = sorted(
                (
                    p.name
                    for p in folder.iterdir()
                    if EDITION_FILE.fullmatch(p.name)
                    and not PAGE_NAME.fullmatch(p.name)  # reached from its front page
                    and p.is_file()
                    and not p.is_symlink()
                ),
                reverse=True,
            )
            items = "".join(
                f'<li><a href="{html.escape(name)}">{html.escape(name)}</a></li>' for name in names
            )
            page = f"<!doctype html><title>Editions</title><h1>Editions</h1><ul>{items}</ul>\n"
            return page.encode("utf-8")

        def _send_archived(self, archived: ArchiveAnswer, body: bool) -> None:
            if archived.handle is None:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n", body)
                return
            with os.fdopen(archived.handle, "rb") as stream:
                self.send_response(HTTPStatus.OK)
                size = os.fstat(stream.fileno()).st_size
                self._headers(archived.content_type, size, archived.policy)
                if body:
                    shutil.copyfileobj(stream, self.wfile)

        def _send(self, status: HTTPStatus, kind: str, data: bytes, body: bool) -> None:
            self.send_response(status)
            self._headers(kind, len(data))
            if body:
                self.wfile.write(data)

        def _headers(self, kind: str, size: int, policy: str | None = None) -> None:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(size))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-cache")
            if kind.startswith("text/html"):
                self.send_header("Content-Security-Policy", policy or HTML_POLICY)
            self.end_headers()

    return EditionHandler


def serve_editions(
    folder: Path, host: str, port: int, idle_seconds: float = IDLE_SECONDS
) -> ThreadingHTTPServer:
    """A server of the folder's editions on host:port, bound but not yet serving: call its
    ``serve_forever`` (and ``shutdown`` from another thread to stop it). A connection that
    sends nothing for ``idle_seconds`` is closed."""
    handler = _handler(folder.resolve())
    handler.timeout = idle_seconds
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
