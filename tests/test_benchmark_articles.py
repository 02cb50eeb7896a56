"""The article benchmark at a tiny scale: off reads teasers, cold fetches every page, warm 304s."""

import json
from pathlib import Path

import pytest

from benchmarks.articles import main


@pytest.mark.slow
def test_the_article_benchmark_fetches_cold_and_reuses_warm(tmp_path: Path) -> None:
    """One feed of six items: the cold run fetches each relevant item's page (200), the warm run
    asks again and every page answers 304, and turning articles off fetches none; each run with
    articles asks the site's robots.txt once."""
    output = tmp_path / "articles.json"
    assert 0 == main(["--feeds", "1", "--items", "6", "--output", str(output)])
    report = json.loads(output.read_text(encoding="utf-8"))
    runs = report["runs"]
    read = runs["off"]["items_read"]
    assert (
        {"fetched": 0, "reused": 0, "failed": 0},
        {"fetched": read, "reused": 0, "failed": 0},
        {"fetched": 0, "reused": read, "failed": 0},
        # and each run asks the page server's robots.txt once (it has none: 404, all allowed).
        {"200": read, "304": read, "404": 2},
    ) == (
        runs["off"]["articles"],
        runs["on, cold"]["articles"],
        runs["on, warm (304)"]["articles"],
        report["page_http"],
    )
