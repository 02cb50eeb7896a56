"""The editions over HTTP: the read-only server of an output folder on 127.0.0.1, and the
addresses a run's page links to."""

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from briefing.publish import edition_links, serve_editions
from briefing.publish.archive import write_archive
from briefing.settings import PROJECT_ROOT
from tests.feedserver import running

STEM = "briefing-2023-01-20"


@pytest.fixture
def editions(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A folder holding an edition, the memory, a hidden file and a link out of the folder,
    served on 127.0.0.1 until the test ends; its address and the folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"{STEM}.pdf").write_bytes(b"%PDF-1.7 edition")
    (folder / f"{STEM}.html").write_text("<p>edition</p>", encoding="utf-8")
    (folder / f"{STEM}.json").write_text("{}", encoding="utf-8")
    (folder / "briefing.db").write_bytes(b"SQLite format 3\x00 the memory")
    (folder / f".{STEM}.lock").write_bytes(b"")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web", encoding="utf-8")
    (folder / "briefing-2023-01-27.pdf").symlink_to(secret)
    server = serve_editions(folder, "127.0.0.1", 0)  # a free port
    with running(server) as address:
        yield address, folder


def test_an_editions_files_are_served_with_their_types(editions: tuple[str, Path]) -> None:
    """GET gives each file's bytes with its content type; HEAD the same headers and no body;
    the HTML edition comes with a policy that lets it load nothing from elsewhere."""
    base, folder = editions
    with httpx.Client(base_url=base) as client:
        got = {kind: client.get(f"/{STEM}.{kind}") for kind in ("pdf", "html", "json")}
        head = client.head(f"/{STEM}.pdf")
    assert {kind: (folder / f"{STEM}.{kind}").read_bytes() for kind in got} == {
        kind: response.content for kind, response in got.items()
    }
    assert {
        "pdf": "application/pdf",
        "html": "text/html; charset=utf-8",
        "json": "application/json",
    } == {kind: response.headers["content-type"] for kind, response in got.items()}
    assert "default-src 'none'" in got["html"].headers["content-security-policy"]
    assert (200, b"", str(len(b"%PDF-1.7 edition"))) == (
        head.status_code,
        head.content,
        head.headers["content-length"],
    )


@pytest.mark.parametrize(
    "path",
    [
        "/briefing.db",  # the memory sits in the default output folder
        f"/.{STEM}.lock",
        "/briefing-2023-01-27.pdf",  # an edition's name, but a link out of the folder
        f"/%2e%2e/{STEM}.pdf",
        f"/sub/{STEM}.pdf",
        "/briefing-2023-01-30.pdf",  # no such edition
    ],
)
def test_nothing_but_an_editions_own_files_is_served(editions: tuple[str, Path], path: str) -> None:
    """The memory, hidden files, links, other folders and missing editions are all 404."""
    base, _ = editions
    with httpx.Client(base_url=base) as client:
        response = client.get(path)
    assert (404, b"not found\n") == (response.status_code, response.content)


def test_the_server_is_read_only_and_lists_the_editions(editions: tuple[str, Path]) -> None:
    """A PUT, POST or DELETE is refused and changes nothing; / lists the edition files only."""
    base, folder = editions
    before = sorted(path.name for path in folder.iterdir())
    with httpx.Client(base_url=base) as client:
        refused = [
            client.request(method, f"/{STEM}.pdf", content=b"x").status_code
            for method in ("PUT", "POST", "DELETE")
        ]
        index = client.get("/").text
    assert [501, 501, 501] == refused
    assert before == sorted(path.name for path in folder.iterdir())
    assert [f"{STEM}.html", f"{STEM}.json", f"{STEM}.pdf"] == sorted(
        name for name in before if name.startswith(STEM) and f'href="{name}"' in index
    )
    assert "briefing.db" not in index and "2023-01-27" not in index


def test_links_are_http_under_the_base_url_only_for_the_served_folder(tmp_path: Path) -> None:
    """Files in the served folder link under the base URL; files written elsewhere (a run's
    own output folder) or with no base URL set link to themselves as file:// addresses."""
    served, other = tmp_path / "out", tmp_path / "elsewhere"
    names = [f"{STEM}.pdf", f"{STEM}.html", f"{STEM}.json"]
    base = "http://127.0.0.1:8400/editions/"
    in_served = edition_links(*(served / n for n in names), served_dir=served, base_url=base)
    elsewhere = edition_links(*(other / n for n in names), served_dir=served, base_url=base)
    unset = edition_links(*(served / n for n in names), served_dir=served, base_url=None)
    assert (*(base + n for n in names), True) == tuple(in_served)
    assert (*((other / n).resolve().as_uri() for n in names), False) == tuple(elsewhere)
    assert (*((served / n).resolve().as_uri() for n in names), False) == tuple(unset)


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A folder holding an edition and the archive the write stage makes of it (page, script,
    feed, search index), with a link, a hidden file, a named pipe, a file of another kind and a
    linked folder planted in the index; served on 127.0.0.1 for the module (read only)."""
    tmp_path = tmp_path_factory.mktemp("archived")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"{STEM}.html").write_text("<main><p>Yokota Air Base.</p></main>", "utf-8")
    (folder / "briefing.db").write_bytes(b"SQLite format 3\x00 the memory")
    write_archive(folder, PROJECT_ROOT / "templates")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "en_1.pf_filter").write_text("not for the web", encoding="utf-8")
    index = folder / "pagefind" / "2023q1"
    (index / "fragment" / "evil.pf_fragment").symlink_to(secret / "en_1.pf_filter")
    (index / "filter").symlink_to(secret, target_is_directory=True)
    (index / ".hidden.js").write_text("hidden", encoding="utf-8")
    (index / "notes.txt").write_text("notes", encoding="utf-8")
    (index / "a" / "b").mkdir(parents=True)
    (index / "a" / "b" / "c.js").write_text("deep", encoding="utf-8")
    os.mkfifo(index / "fragment" / "pipe.pf_fragment")
    server = serve_editions(folder, "127.0.0.1", 0)  # a free port
    with running(server) as address:
        yield address, folder


def test_the_archive_feed_and_search_index_are_served_with_their_types(
    archived: tuple[str, Path],
) -> None:
    """/ is the archive page, the one page allowed a script (its own and Pagefind's, from this
    server only); its script, the feed and the index come with their types; the HTML edition
    keeps its no-script policy."""
    base, folder = archived
    fragment = next((folder / "pagefind" / "2023q1" / "fragment").glob("en_*.pf_fragment"))
    paths = {
        "/": "index.html",
        "/index.html": "index.html",
        "/archive.js": "archive.js",
        "/editions.atom": "editions.atom",
        "/pagefind/2023q1/pagefind.js": "pagefind/2023q1/pagefind.js",
        "/pagefind/2023q1/pagefind-entry.json": "pagefind/2023q1/pagefind-entry.json",
        f"/pagefind/2023q1/fragment/{fragment.name}": f"pagefind/2023q1/fragment/{fragment.name}",
    }
    with httpx.Client(base_url=base) as client:
        got = {path: client.get(path) for path in paths}
        edition = client.get(f"/{STEM}.html")
        head = client.head("/")
    assert {path: (folder / name).read_bytes() for path, name in paths.items()} == {
        path: response.content for path, response in got.items()
    }
    assert [
        "text/html; charset=utf-8",
        "text/html; charset=utf-8",
        "text/javascript; charset=utf-8",
        "application/atom+xml",
        "text/javascript; charset=utf-8",
        "application/json",
        "application/octet-stream",
    ] == [response.headers["content-type"] for response in got.values()]
    assert (200, b"", got["/"].headers["content-length"]) == (
        head.status_code,
        head.content,
        head.headers["content-length"],
    )
    policy = got["/"].headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy and "default-src 'none'" in policy
    assert "script-src" not in edition.headers["content-security-policy"]
    assert "default-src 'none'" in edition.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/archive.json",  # the archive's kept summaries: for the next edition, not the web
        "/.archive.lock",
        "/briefing.db",
        "/pagefind",
        "/pagefind/",
        "/pagefind/2023q1/",
        "/pagefind/pagefind.js",  # a bundle is a quarter's
        "/pagefind/2023q5/pagefind.js",
        "/pagefind/2023q1/fragment/evil.pf_fragment",  # a link out of the folder
        "/pagefind/2023q1/filter/en_1.pf_filter",  # a linked folder
        "/pagefind/2023q1/fragment/pipe.pf_fragment",  # a named pipe: refused, not waited on
        "/pagefind/2023q1/.hidden.js",
        "/pagefind/2023q1/notes.txt",
        "/pagefind/2023q1/a/b/c.js",
        "/pagefind/2023q1/../../briefing.db",
        "/pagefind/2023q1/%2e%2e/%2e%2e/briefing.db",
        "/pagefind/2023/pagefind.js",
    ],
)
def test_nothing_but_the_archive_and_the_editions_is_served(
    archived: tuple[str, Path], path: str
) -> None:
    """Beside the archive's own files: its summaries, locks, the memory, links, linked folders,
    pipes, hidden files, other kinds and deeper folders in the index are all 404."""
    base, _ = archived
    with httpx.Client(base_url=base, timeout=10) as client:
        response = client.get(path)
    assert (404, b"not found\n") == (response.status_code, response.content)
