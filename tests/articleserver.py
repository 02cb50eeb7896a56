"""The article fixtures on the loopback feed server: a teaser feed and the pages it links to."""

from datetime import date
from pathlib import Path

import yaml

from briefing.edition import EditionPlan, build_plan
from briefing.settings import Settings
from tests.feedserver import FeedServer, Route

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
PAGES = ARTICLES / "pages"
TEASERS = "/articles/teasers.xml"
HTML = "text/html; charset=utf-8"


def labels() -> dict[str, dict[str, list[str]]]:
    """The hand labels of every page: its body sentences and the other text around them."""
    loaded: dict[str, dict[str, list[str]]] = yaml.safe_load(
        (ARTICLES / "labels.yaml").read_text(encoding="utf-8")
    )
    return loaded


def add_article_routes(server: FeedServer) -> None:
    """Serve the teaser feed (its links on this server) and every page, plus the pages that go
    wrong: a redirect to the cloud metadata address, a PDF, and a link with nothing behind it."""
    base = server.url("")
    feed = (ARTICLES / "teasers.xml").read_bytes().replace(b"{base}", base.encode())
    server.routes[TEASERS] = Route(feed)
    for page in sorted(PAGES.glob("*.html")):
        # The Japanese page names its charset only in its <meta>, as many sites do.
        content_type = "text/html" if page.name.startswith("ja-") else HTML
        server.routes[f"/articles/{page.name}"] = Route(page.read_bytes(), content_type)
    server.routes["/articles/gateway-habitat.html?utm_source=rss"] = server.routes[
        "/articles/gateway-habitat.html"
    ]
    server.routes["/articles/moved.html"] = Route(
        status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    server.routes["/articles/kibo-results.pdf"] = Route(b"%PDF-1.7\n%\xe2\xe3\n", "application/pdf")


def teaser_plan(folder: Path, feed_url: str, **values: object) -> EditionPlan:
    """The plan of an edition of one loopback teaser feed, no seeds, its articles fetched (up
    to 60), no retries, its output and memory in ``folder``; ``values`` are more settings."""
    settings = Settings(
        out_dir=folder / "out",
        database_url=f"sqlite:///{folder}/memory.db",
        fetch_retries=0,
        article_cap=60,
        **values,  # type: ignore[arg-type]
    )
    return build_plan(
        settings,
        today=date(2026, 12, 1),
        include_seeds=False,
        extra_feed_urls=[feed_url],
        allow_private_network=True,
    )
