"""A loopback HTTP server for the synthetic feeds, answering If-None-Match with 304."""

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks.synth import SyntheticFeed

LIFETIME = 30 * 60  # seconds: the server stops by itself even if its owner forgets to


class FeedServer(ThreadingHTTPServer):
    """Serves each feed's bytes at its path with a strong ETag; counts the statuses it sent."""

    daemon_threads = True
    # socketserver listens with a backlog of 5: the run fetches 16 feeds at once, and a connection
    # beyond the backlog waits for the kernel's SYN retry, one second, which the fetch stage then
    # measured as its own (1.0 s of threaded fetching against 0.03 s one feed after another).
    request_queue_size = 128

    def __init__(self, feeds: Sequence[SyntheticFeed]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = {
            feed.path: (feed, f'"{hashlib.sha256(feed.body).hexdigest()[:32]}"') for feed in feeds
        }
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def count(self, status: int) -> None:
        """Record one response's status."""
        with self.lock:
            self.statuses[status] += 1


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path)
        if route is None:
            self._answer(404, b"not found", "text/plain", {})
            return
        feed, etag = route
        if self.headers.get("If-None-Match") == etag:
            self._answer(304, b"", None, {"ETag": etag})
            return
        self._answer(200, feed.body, feed.content_type, {"ETag": etag})

    def _answer(
        self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]
    ) -> None:
        self.server.count(status)
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the benchmark reports counts, not request lines."""


@contextmanager
def serving(feeds: Sequence[SyntheticFeed]) -> Iterator[FeedServer]:
    """A running server for the feeds on 127.0.0.1, shut down after the block (or LIFETIME)."""
    server = FeedServer(feeds)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    timer = threading.Timer(LIFETIME, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield server
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join()
