"""``python -m benchmarks.articles``: the cost of fetching full articles (#13), on and off.

Synthetic teaser feeds (the items of ``benchmarks.synth``, each cut to its first sentence and
"[…]") link to loopback pages holding the whole item inside a news site's furniture (navigation,
share bar, related posts, comments). The stages up to extraction run three times against one
memory: articles off, articles on with every page fetched (cold), and on again with every page
answering 304 (warm). All pages are on one host, 127.0.0.1, so the per-host limit
(BRIEFING_ARTICLE_HOST_LIMIT, 2 by default) is what bounds the cold run.
"""

import argparse
import html
import json
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.runner import FETCH_WORKERS, bench_choices, environment
from benchmarks.server import serving
from benchmarks.synth import EDITION_DATE, SyntheticFeed, SyntheticItem, build_items, render_rss
from briefing import edition as stages
from briefing.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "articles.json"
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{title}"}}</script>
<script>window.dataLayer=[];</script></head><body>
<div class="cookie-notice">We use cookies to give you the best experience on our site.</div>
<header><a href="/">Synthetic Space Wire</a><nav><a href="/launch">Launch</a>
<a href="/policy">Policy</a><a href="/defense">Defense</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By {author}</p>
<div class="share"><a href="#">Share on X</a> <a href="#">Email this article</a></div>
<div class="entry-content">{body}</div></article>
<section class="related"><h2>Related</h2><ul><li><a href="/r1">NASA and JAXA plan more
lunar cargo flights</a></li><li><a href="/r2">Space Force opens a Pacific cell</a></li></ul>
</section><section id="comments"><p>Great article, the Gateway will change everything.</p>
</section></main><footer>&copy; 2026 Synthetic Space Wire</footer></body></html>"""


def _teaser(item: SyntheticItem, link: str) -> SyntheticItem:
    first = item.description_html.split("</p>", 1)[0].removeprefix("<p>")
    return replace(item, description_html=f"<p>{first} [&#8230;]</p>", link=link)


def build(feeds: int, items: int, seed: int = 7) -> tuple[list[SyntheticFeed], list[list[Any]]]:
    """The pages, and per feed its items (each with its page's path) to render once the page
    server's address is known."""
    pages, per_feed = [], []
    for index in range(feeds):
        entries = []
        for number, item in enumerate(build_items(items, seed, index, feeds * items)):
            path = f"/a/{index:03d}-{number:05d}.html"
            title = html.escape(item.title)
            body = PAGE.format(
                title=title, author=html.escape(item.author), body=item.description_html
            )
            pages.append(
                SyntheticFeed(path, "html", "text/html; charset=utf-8", body.encode(), 1, 0)
            )
            entries.append((item, path))
        per_feed.append(entries)
    return pages, per_feed


def run_once(urls: list[str], out: Path, fetch_articles: bool) -> dict[str, Any]:
    """Fetch, select, fetch articles (or not) and extract one edition: each stage's seconds."""
    plan = stages.load_plan(
        Settings(),
        today=EDITION_DATE,
        # The main benchmark's choices leave articles out; here they are the point.
        **{**bench_choices(urls, out, include_seeds=False), "fetch_articles": fetch_articles},
    )
    topic, _ = stages.load_sources(plan)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    copies = stages.load_previous_copies(plan)
    with ThreadPoolExecutor(FETCH_WORKERS) as pool:  # as runner.run_edition does
        fetches = list(
            pool.map(lambda f: stages.fetch_one_feed(plan, f, copies.get(f.url)), plan.feeds)
        )
    seconds["fetch feeds"] = time.perf_counter() - start
    start = time.perf_counter()
    selection = stages.select_news(plan, topic, fetches)
    seconds["select"] = time.perf_counter() - start
    start = time.perf_counter()
    selection = stages.fetch_full_articles(plan, selection)
    seconds["articles"] = time.perf_counter() - start
    start = time.perf_counter()
    extracted = stages.extract_edition(topic, selection.documents)
    seconds["extract"] = time.perf_counter() - start
    briefing = stages.compose_edition(
        plan, topic, selection.documents, extracted.facts, selection.outcomes, versions={}
    )
    stages.write_to_memory(
        plan, briefing, selection, fetches, extracted, run_id="bench", written_at=datetime.now(UTC)
    )
    counts: Counter[str] = Counter()
    for outcome in selection.outcomes:
        counts["fetched"] += outcome.articles_fetched
        counts["reused"] += outcome.articles_reused
        counts["failed"] += outcome.articles_failed
    return {
        "seconds": {name: round(value, 3) for name, value in seconds.items()},
        "items_read": len(selection.items),
        "articles": {name: counts[name] for name in ("fetched", "reused", "failed")},
        "facts": len(extracted.facts),
    }


def main(argv: list[str] | None = None) -> int:
    """Serve the pages and teaser feeds, run off / on cold / on warm, print and write JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.articles", description=__doc__)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    pages, per_feed = build(args.feeds, args.items)
    with (
        tempfile.TemporaryDirectory(prefix="briefing-bench-articles-") as work,
        serving(pages) as page_server,
    ):
        feeds = [
            SyntheticFeed(
                f"/feeds/{index:03d}.rss",
                "rss",
                "application/rss+xml",
                render_rss(
                    f"Synthetic Teasers {index:03d}",
                    [_teaser(item, page_server.url(path)) for item, path in entries],
                ),
                len(entries),
                0,
            )
            for index, entries in enumerate(per_feed)
        ]
        values = {
            "BRIEFING_DATABASE_URL": f"sqlite:///{work}/memory.db",
            "BRIEFING_ALLOW_PRIVATE_NETWORK": "true",
            "BRIEFING_ARTICLE_CAP": "10000",
            # The pages are on another loopback port than the feeds: named, as #27 asks.
            "BRIEFING_PRIVATE_HOSTS": f"127.0.0.1:{page_server.server_address[1]}",
            # Every synthetic site is this one loopback server: the politeness delay between two
            # requests to one host (1 s by default) would be all the cold run measured.
            "BRIEFING_ARTICLE_HOST_DELAY": "0",
        }
        with serving(feeds) as feed_server, environment(values):
            urls = [feed_server.url(feed.path) for feed in feeds]
            runs = {
                "off": run_once(urls, Path(work) / "out", fetch_articles=False),
                "on, cold": run_once(urls, Path(work) / "out", fetch_articles=True),
                "on, warm (304)": run_once(urls, Path(work) / "out", fetch_articles=True),
            }
            http = dict(page_server.statuses)
    report = {
        "feeds": args.feeds,
        "items": args.feeds * args.items,
        "runs": runs,
        "page_http": http,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{args.feeds} teaser feeds x {args.items} items, pages on 127.0.0.1")
    print(
        f"{'run':16} {'fetch feeds':>11} {'select':>7} {'articles':>9} {'extract':>8}  "
        f"{'read':>5} {'fetched':>7} {'reused':>6} {'facts':>6}"
    )
    for name, run in runs.items():
        s, a = run["seconds"], run["articles"]
        print(
            f"{name:16} {s['fetch feeds']:>11.3f} {s['select']:>7.3f} {s['articles']:>9.3f} "
            f"{s['extract']:>8.3f}  {run['items_read']:>5} {a.get('fetched', 0):>7} "
            f"{a.get('reused', 0):>6} {run['facts']:>6}"
        )
    print(f"page server statuses: {http}; written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
