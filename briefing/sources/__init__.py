"""Where documents come from: the seed files on disk, the feeds on the web and the article
pages their teasers link to.

``load_`` and ``fetch_`` functions read the disk or the network; ``parse_``, ``select_`` and
``build_`` functions are pure. Every fetch goes through ``fetch_url``'s rules (schemes,
addresses, redirects, timeouts, size caps).

Nothing is imported until a name is used (``__getattr__``): a worker process parsing feeds
(``briefing.workers``) imports ``briefing.sources.feeds`` alone, not the article fetcher and
the HTTP client with it (0.1 s of every worker's start).
"""

from importlib import import_module
from typing import Any

# Each name the package offers (``__all__``) and the module of this package that defines it.
_HOMES = {
    "ArticleCopy": "articles",
    "ArticleFetch": "articles",
    "ArticlePolicy": "articles",
    "ArticleRound": "articles",
    "article_private_hosts": "articles",
    "fetch_article": "articles",
    "fetch_articles": "articles",
    "wants_article": "articles",
    "with_article": "articles",
    "FeedConfig": "feeds",
    "FeedCopy": "feeds",
    "FeedFetch": "feeds",
    "FeedItem": "feeds",
    "check_feed_count": "feeds",
    "dedupe_items": "feeds",
    "failed_fetch": "feeds",
    "feed_for_url": "feeds",
    "fetch_feed": "feeds",
    "load_feed_config": "feeds",
    "parse_feed": "feeds",
    "select_items": "feeds",
    "FetchLimits": "fetch",
    "Validators": "fetch",
    "build_client": "fetch",
    "fetch_url": "fetch",
    "user_agent": "fetch",
    "extract_main_text": "pages",
    "RobotsRules": "robots",
    "load_seeds": "seeds",
    "MAX_DOCUMENT_CHARS": "text",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """A listed name, imported from its module at its first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found directly from now on
    return value
