"""`briefing serve` answers only regular files and closes idle connections (#27)."""

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.publish import serve_editions
from tests.feedserver import running

IDLE = 0.5  # seconds, for the test's server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A server of a folder holding a FIFO and a folder named like editions; its port."""
    folder = tmp_path / "out"
    folder.mkdir()
    os.mkfifo(folder / "briefing-2026-12-01.pdf")
    (folder / "briefing-2026-12-02.pdf").mkdir()
    (folder / "briefing-2026-12-03.json").write_text("{}", encoding="utf-8")
    httpd = serve_editions(folder, "127.0.0.1", 0, idle_seconds=IDLE)
    with running(httpd):
        yield httpd.server_address[1], folder


def status_line(port: int, path: str) -> str:
    """The first line of the server's answer to a GET of the path (5 s at most)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        try:
            return connection.recv(200).split(b"\r\n", 1)[0].decode() or "closed"
        except TimeoutError:
            return "no answer in 5 s"


def test_a_fifo_or_a_folder_named_like_an_edition_is_not_found(
    server: tuple[int, Path],
) -> None:
    """A FIFO (which blocked a thread for good) and a folder (a traceback) answer 404, and a
    regular file is still served."""
    port, _ = server
    assert (
        "HTTP/1.0 404 Not Found",
        "HTTP/1.0 404 Not Found",
        "HTTP/1.0 200 OK",
    ) == (
        status_line(port, "/briefing-2026-12-01.pdf"),
        status_line(port, "/briefing-2026-12-02.pdf"),
        status_line(port, "/briefing-2026-12-03.json"),
    )


def test_an_idle_connection_is_closed_after_the_timeout(server: tuple[int, Path]) -> None:
    """Connections that send nothing are closed by the server once the idle time has passed."""
    port, _ = server
    connections = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(5)]
    closed = 0
    deadline = time.monotonic() + 10  # bounded: twenty times the idle time
    try:
        for connection in connections:
            connection.settimeout(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(TimeoutError):
                closed += connection.recv(1) == b""
    finally:
        for connection in connections:
            connection.close()
    assert 5 == closed
