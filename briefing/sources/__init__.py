"""Where documents come from: the seed files on disk, the feeds on the web and the article
pages their teasers link to.

``load_`` and ``fetch_`` functions read the disk or the network; ``parse_``, ``select_`` and
``build_`` functions are pure. Every fetch goes through ``fetch_url``'s rules (schemes,
addresses, redirects, timeouts, size caps).
"""

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
