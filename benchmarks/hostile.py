"""``python -m benchmarks.hostile CASE``: the hostile cases of issue #27, each measured on
loopback servers this script starts and stops itself; one line of JSON a case.

Cases: ``huge-page`` (one teaser whose page holds N bytes of relevant text: seconds to a
composed edition, facts), ``stuck-worker`` (extraction of 800 documents on two workers, one
stopped with SIGSTOP: seconds until the run ends, and how), ``private-link`` (a loopback feed
allowed, its item linking to a page on another loopback port: is the page's token published),
``dribble`` (six pages on one host each sending a byte a second: seconds the article stage
took), ``robots`` (a site whose robots.txt says ``Disallow: /``: its pages fetched), ``serve``
(a FIFO named like an edition, and 50 idle connections: requests answered, connections still
open after the idle timeout), ``note`` (the source note of an item read from ``--feed URL``).

Every loop is bounded and every server stops at the end; nothing leaves 127.0.0.1.
"""

import gzip
import json
import os
import resource
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from briefing import edition as stages
from briefing.settings import Settings

TODAY = date(2026, 12, 1)
Route = Callable[[BaseHTTPRequestHandler], None]


@contextmanager
def loopback(routes: dict[str, Route]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering each path by its route; its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            route(self)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def static(body: bytes, kind: str, encoding: str | None = None) -> Route:
    """A route answering 200 with the body (already encoded as ``encoding`` says)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", kind)
        if encoding:
            handler.send_header("Content-Encoding", encoding)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def teaser_feed(base: str, links: list[str]) -> bytes:
    """An RSS feed of teasers about the partnership, one per link."""
    items = "".join(
        f"<item><title>JAXA and NASA widen Gateway cooperation {n}</title><link>{link}</link>"
        f"<guid>hostile-{n}</guid><pubDate>Fri, 27 Nov 2026 08:00:00 +0000</pubDate>"
        "<description>Japan and the United States agreed on lunar Gateway work [&#8230;]"
        "</description></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>'
        f"<link>{base}/</link><description>x</description>{items}</channel></rss>"
    ).encode()


def article_page(size: int, extra: str = "") -> bytes:
    """An HTML article of about ``size`` bytes of distinct sentences about the partnership."""
    paragraphs = []
    total, n = 0, 0
    while total < size:
        sentence = (
            f"<p>JAXA and NASA agreed on Tuesday that Japan will supply {n} tonnes of cargo "
            f"to the Gateway lunar station by {2027 + n % 9}, officials said in Tokyo.</p>"
        )
        paragraphs.append(sentence)
        total += len(sentence)
        n += 1
    body = "".join(paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>Gateway</title></head><body><article>"
        f"<h1>JAXA and NASA widen Gateway cooperation</h1>{extra}{body}</article></body></html>"
    ).encode()


def settings_in(folder: Path, **values: Any) -> Settings:
    """Settings of an edition whose memory and output are in the folder."""
    return Settings(
        out_dir=folder / "out",
        database_url=f"sqlite:///{folder}/memory.db",
        fetch_retries=0,
        article_cap=60,
        **values,
    )


def edition_of(plan: stages.EditionPlan) -> tuple[Any, Any, dict[str, float]]:
    """The stages from fetch to compose; the briefing, the selection and seconds by stage."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    topic, seeds = stages.load_sources(plan)
    fetches = [stages.fetch_one_feed(plan, feed, None) for feed in plan.feeds]
    selection = stages.select_news(plan, topic, fetches)
    mark = time.perf_counter()
    selection = stages.fetch_full_articles(plan, selection)
    seconds["articles"] = round(time.perf_counter() - mark, 2)
    documents = seeds + selection.documents
    mark = time.perf_counter()
    extracted = stages.extract_edition(topic, documents)
    seconds["extract"] = round(time.perf_counter() - mark, 2)
    mark = time.perf_counter()
    briefing = stages.compose_edition(
        plan, topic, documents, extracted.facts, selection.outcomes, versions={}
    )
    seconds["compose"] = round(time.perf_counter() - mark, 2)
    seconds["total"] = round(time.perf_counter() - start, 2)
    return briefing, selection, seconds


def plan_of(folder: Path, feed: str, **choices: Any) -> stages.EditionPlan:
    settings = settings_in(folder, **choices.pop("settings", {}))
    return stages.build_plan(
        settings, today=TODAY, include_seeds=False, extra_feed_urls=[feed], **choices
    )


def huge_page(size: int) -> dict[str, Any]:
    """One teaser whose page is ``size`` bytes, sent gzipped (a 19 MB page is 1.4 MB so)."""
    page = article_page(size)
    wire = gzip.compress(page)
    routes: dict[str, Route] = {"/page.html": static(wire, "text/html; charset=utf-8", "gzip")}
    with loopback(routes) as base, tempfile.TemporaryDirectory() as folder:
        routes["/feed.xml"] = static(teaser_feed(base, [f"{base}/page.html"]), "application/xml")
        plan = plan_of(Path(folder), f"{base}/feed.xml", allow_private_network=True)
        briefing, selection, seconds = edition_of(plan)
        facts = list(briefing.facts())
        return {
            "case": "huge-page",
            "page_bytes": len(page),
            "gzipped_bytes": len(wire),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "seconds": seconds,
            "facts": len(facts),
            "document_chars": max(len(d.text) for d in selection.documents),
        }


def private_link() -> dict[str, Any]:
    secret = "token=hunter2"
    other: dict[str, Route] = {
        "/admin.html": static(
            article_page(3000, f"<p>The admin {secret} of JAXA.</p>"), "text/html"
        )
    }
    routes: dict[str, Route] = {}
    with (
        loopback(other) as private,
        loopback(routes) as base,
        tempfile.TemporaryDirectory() as folder,
    ):
        routes["/feed.xml"] = static(
            teaser_feed(base, [f"{private}/admin.html"]), "application/xml"
        )
        plan = plan_of(Path(folder), f"{base}/feed.xml", allow_private_network=True)
        briefing, selection, _ = edition_of(plan)
        published = secret in json.dumps(briefing.model_dump(mode="json"))
        reasons = {o.feed: o.article_failures for o in selection.outcomes}
        return {"case": "private-link", "token_published": published, "failures": reasons}


def dribble(pages: int, deadline: float) -> dict[str, Any]:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(int(deadline * 4)):  # bounded: past the fetch deadline
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(1)

    routes: dict[str, Route] = {f"/slow/{n}.html": slow for n in range(pages)}
    with loopback(routes) as base, tempfile.TemporaryDirectory() as folder:
        links = [f"{base}/slow/{n}.html" for n in range(pages)]
        routes["/feed.xml"] = static(teaser_feed(base, links), "application/xml")
        plan = plan_of(
            Path(folder),
            f"{base}/feed.xml",
            allow_private_network=True,
            settings={"fetch_deadline": deadline},
        )
        _, selection, seconds = edition_of(plan)
        return {
            "case": "dribble",
            "pages": pages,
            "fetch_deadline": deadline,
            "article_seconds": seconds["articles"],
            "failures": {o.feed: o.article_failures for o in selection.outcomes},
        }


def robots() -> dict[str, Any]:
    fetched: list[str] = []
    page = article_page(3000)

    def counted(handler: BaseHTTPRequestHandler) -> None:
        fetched.append(handler.path)
        static(page, "text/html")(handler)

    routes: dict[str, Route] = {
        "/robots.txt": static(b"User-agent: *\nDisallow: /\n", "text/plain"),
        "/a.html": counted,
        "/b.html": counted,
    }
    with loopback(routes) as base, tempfile.TemporaryDirectory() as folder:
        links = [f"{base}/a.html", f"{base}/b.html"]
        routes["/feed.xml"] = static(teaser_feed(base, links), "application/xml")
        plan = plan_of(Path(folder), f"{base}/feed.xml", allow_private_network=True)
        _, selection, _ = edition_of(plan)
        return {
            "case": "robots",
            "pages_fetched_despite_disallow": len(fetched),
            "failures": {o.feed: o.article_failures for o in selection.outcomes},
        }


def stuck_worker(limit: float) -> dict[str, Any]:
    from briefing.evaluate_news import load_news_set, select_news_set
    from briefing.workers import ExtractInProcesses

    topic, seeds = stages.load_sources(plan_of(Path(tempfile.gettempdir()), "http://x/"))
    news_set = Path(__file__).resolve().parent.parent / "evaluation" / "news"
    news, _ = select_news_set(load_news_set(news_set), topic, date(1900, 1, 1), date(2200, 1, 1))
    pool = [*seeds, *news]
    documents = [pool[n % len(pool)] for n in range(800)]
    stopped: list[int] = []

    def workers() -> list[int]:
        """This process's worker processes, from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if parent == os.getpid() and b"briefing.workers" in command:
                found.append(int(entry.name))
        return found

    def stop_one() -> None:
        for _ in range(200):  # bounded: 20 s
            children = workers()
            if children:
                time.sleep(0.5)  # let it take its first batch
                os.kill(children[0], signal.SIGSTOP)
                stopped.append(children[0])
                return
            time.sleep(0.1)

    def kill_stopped() -> None:  # the measurement's own bound
        time.sleep(limit)
        for pid in stopped:
            os.kill(pid, signal.SIGKILL)

    threading.Thread(target=stop_one, daemon=True).start()
    threading.Thread(target=kill_stopped, daemon=True).start()
    start = time.perf_counter()
    try:
        extractions = ExtractInProcesses(2)(documents, topic)
        ended = f"completed, {sum(len(e.facts) for e in extractions)} facts"
    except Exception as exc:
        ended = f"failed: {type(exc).__name__}: {str(exc)[:200]}"
    return {
        "case": "stuck-worker",
        "seconds": round(time.perf_counter() - start, 2),
        "limit": limit,
        "ended": ended,
    }


def serve() -> dict[str, Any]:
    from briefing.publish.server import serve_editions

    with tempfile.TemporaryDirectory() as folder:
        os.mkfifo(Path(folder) / "briefing-2026-12-01.pdf")
        (Path(folder) / "briefing-2026-12-02.pdf").mkdir()
        server = serve_editions(Path(folder), "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.server_address[1]
        answers = {}
        for name in ("briefing-2026-12-01.pdf", "briefing-2026-12-02.pdf"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(f"GET /{name} HTTP/1.0\r\n\r\n".encode())
                try:
                    answers[name] = conn.recv(100).split(b"\r\n", 1)[0].decode() or "closed"
                except TimeoutError:
                    answers[name] = "no answer in 5 s"
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(50)]
        time.sleep(float(os.environ.get("IDLE_WAIT", "12")))
        still_open = 0
        for conn in idle:
            conn.setblocking(False)
            try:
                still_open += conn.recv(1) != b""
            except BlockingIOError:
                still_open += 1
            except OSError:
                pass
            conn.close()
        server.shutdown()
        server.server_close()
        return {"case": "serve", "answers": answers, "idle_still_open": still_open}


def note() -> dict[str, Any]:
    page = article_page(3000)
    routes: dict[str, Route] = {"/page.html": static(page, "text/html")}
    with loopback(routes) as base, tempfile.TemporaryDirectory() as folder:
        routes["/feed.xml"] = static(teaser_feed(base, [f"{base}/page.html"]), "application/xml")
        plan = plan_of(Path(folder), f"{base}/feed.xml", allow_private_network=True)
        _, selection, _ = edition_of(plan)
        return {"case": "note", "notes": sorted({d.note for d in selection.documents})}


def main() -> None:
    case = sys.argv[1]
    results = {
        "huge-page": lambda: huge_page(int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000),
        "private-link": private_link,
        "dribble": lambda: dribble(6, float(sys.argv[2]) if len(sys.argv) > 2 else 5.0),
        "robots": robots,
        "stuck-worker": lambda: stuck_worker(float(sys.argv[2]) if len(sys.argv) > 2 else 60),
        "serve": serve,
        "note": note,
    }[case]()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
