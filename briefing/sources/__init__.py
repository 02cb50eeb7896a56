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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.sources.articles import (
        ArticleCopy,
        ArticleFetch,
        ArticlePolicy,
        ArticleRound,
        article_private_hosts,
        fetch_article,
        fetch_articles,
        wants_article,
        with_article,
    )
    from briefing.sources.feeds import (
        FeedConfig,
        FeedCopy,
        FeedFetch,
        FeedItem,
        check_feed_count,
        dedupe_items,
        failed_fetch,
        feed_for_url,
        fetch_feed,
        load_feed_config,
        parse_feed,
        select_items,
    )
    from briefing.sources.fetch import FetchLimits, Validators, build_client, fetch_url, user_agent
    from briefing.sources.pages import extract_main_text
    from briefing.sources.robots import RobotsRules
    from briefing.sources.seeds import load_seeds
    from briefing.sources.text import MAX_DOCUMENT_CHARS

# Each listed name and the module of this package that defines it.
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

__all__ = [
    "MAX_DOCUMENT_CHARS",
    "ArticleCopy",
    "ArticleFetch",
    "ArticlePolicy",
    "ArticleRound",
    "FeedConfig",
    "FeedCopy",
    "FeedFetch",
    "FeedItem",
    "FetchLimits",
    "RobotsRules",
    "Validators",
    "article_private_hosts",
    "build_client",
    "check_feed_count",
    "dedupe_items",
    "extract_main_text",
    "failed_fetch",
    "feed_for_url",
    "fetch_article",
    "fetch_articles",
    "fetch_feed",
    "fetch_url",
    "load_feed_config",
    "load_seeds",
    "parse_feed",
    "select_items",
    "user_agent",
    "wants_article",
    "with_article",
]


def __getattr__(name: str) -> Any:
    """A listed name, imported from its module at its first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found directly from now on
    return value
