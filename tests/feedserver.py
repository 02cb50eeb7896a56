"""A real HTTP server on 127.0.0.1 serving the fixture feeds, each path with its own behaviour."""

import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from briefing.sources.fetch import DeadlineTransport, FetchLimits

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
RSS = "application/rss+xml; charset=utf-8"

# Low limits, so that the caps and the timeout are reached quickly.
LIMITS = FetchLimits(
    connect_timeout=2.0,
    read_timeout=0.5,
    deadline=10.0,
    max_raw_bytes=64 * 1024,
    max_decoded_bytes=1024 * 1024,
)
NEVER_ANSWERS_FOR = 5.0  # seconds, ten times LIMITS.read_timeout; then the handler gives up


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    content_type: str = RSS
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_length: bool = True
    silent_for: float = 0.0
    # Answer nothing until the event is set (the test has killed the client), then hang up.
    hold: threading.Event | None = None


def fixture(name: str) -> bytes:
    """The bytes of a fixture feed."""
    return (FIXTURES / name).read_bytes()


def fixture_routes() -> dict[str, Route]:
    """Every behaviour the feed tests need, by path."""
    rss = fixture("rss20.xml")
    padding = b"<!--" + b"x" * (LIMITS.max_raw_bytes * 2) + b"-->"
    routes = {
        "/rss20.xml": Route(rss),
        "/atom.xml": Route(fixture("atom.xml"), "application/atom+xml"),
        "/rdf.xml": Route(fixture("rdf.xml"), "application/rdf+xml"),
        "/malformed.xml": Route(fixture("malformed.xml")),
        "/empty.xml": Route(fixture("empty.xml")),
        "/shift_jis.xml": Route(fixture("shift_jis.xml"), "application/xml"),
        "/not-a-feed": Route(b"<html><body><p>Sign in</p></body></html>", "text/html"),
        "/too-big.xml": Route(rss.replace(b"</rss>", padding + b"</rss>"), content_length=False),
        "/too-big-declared.xml": Route(rss.replace(b"</rss>", padding + b"</rss>")),
        "/gzip.xml": Route(gzip.compress(rss), headers={"Content-Encoding": "gzip"}),
        # About 4 KiB on the wire, 8 MiB once inflated: eight times the decoded cap.
        "/gzip-bomb.xml": Route(
            gzip.compress(b" " * (8 * LIMITS.max_decoded_bytes)),
            headers={"Content-Encoding": "gzip"},
        ),
        "/to-metadata-service": Route(
            status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
        ),
        "/never-answers.xml": Route(silent_for=NEVER_ANSWERS_FOR),
        "/unavailable.xml": Route(b"busy", "text/plain", status=503),
        "/hop/0": Route(status=302, headers={"Location": "/rss20.xml"}),
    }
    for hop in range(1, 7):
        routes[f"/hop/{hop}"] = Route(status=302, headers={"Location": f"/hop/{hop - 1}"})
    return routes


class FeedServer:
    """The server's routes (changeable between requests) and every request it received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.routes = fixture_routes()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path: str) -> list[dict[str, str]]:
        """The headers of each request received for a path, in order."""
        with self._lock:
            return [headers for seen, headers in self.requests if seen == path]

    def record(self, path: str, headers: dict[str, str]) -> None:
        """Remember one request."""
        with self._lock:
            self.requests.append((path, headers))


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            server.record(self.path, headers)
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.silent_for:
                time.sleep(route.silent_for)
                return
            if route.hold is not None:
                route.hold.wait(timeout=120)
                return
            etag = f'"{hashlib.sha256(route.body).hexdigest()[:16]}"'
            if route.status == 200 and headers.get("if-none-match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.status == 200:
                self.send_header("ETag", etag)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.content_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    return Handler


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # not socketserver's 5: a run fetches its feeds 16 at a time


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve on a thread of its own until the block ends, then shut the server down and close
    it; its address, http://127.0.0.1:PORT."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def serve_feeds() -> Iterator[FeedServer]:
    """Run the feed server on 127.0.0.1 on a free port until the block ends."""
    state = FeedServer(0)
    httpd = _Listener(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    with running(httpd):
        yield state


class LoopbackOnlyTransport(DeadlineTransport):
    """The pipeline's transport (with the deadline), and a tripwire: a connection anywhere but
    127.0.0.1 fails the test."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request if it goes to 127.0.0.1; raise AssertionError otherwise."""
        if request.url.host != "127.0.0.1":
            raise AssertionError(f"a test tried to connect to {request.url.host}")
        return super().handle_request(request)


def loopback_client() -> httpx.Client:
    """A client like the pipeline's, that can only ever connect to 127.0.0.1."""
    return httpx.Client(
        transport=LoopbackOnlyTransport(),
        timeout=LIMITS.timeout(),
        follow_redirects=False,
        trust_env=False,
    )
