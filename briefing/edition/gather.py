"""Gathering: the topic profile and seeds, the feeds fetched, their items selected and the
full articles behind teasers read."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.edition.plan import EditionPlan
from briefing.heap import gives_back_freed_memory, heap_held_still
from briefing.models import FetchOutcome, SourceDocument
from briefing.sources.articles import (
    ArticleCopy,
    ArticleFetch,
    ArticleRound,
    article_private_hosts,
    fetch_article,
    fetch_articles,
)
from briefing.sources.feeds import (
    FeedConfig,
    FeedCopy,
    FeedFetch,
    FeedItem,
    dedupe_items,
    fetch_feed,
)
from briefing.sources.fetch import build_client
from briefing.sources.robots import RobotsRules
from briefing.sources.seeds import load_seeds
from briefing.store.memory import (
    load_article_copies,
    load_feed_copies,
    memory_at,
)
from briefing.topic import Topic, load_topic
from briefing.workers import select_from_feeds

# --- load and fetch ------------------------------------------------------------------------


def load_sources(plan: EditionPlan) -> tuple[Topic, tuple[SourceDocument, ...]]:
    """The topic profile and the seed documents (none when the plan leaves them out)."""
    topic = load_topic(plan.topic_file)
    seeds = load_seeds(plan.seeds_dir) if plan.seeds_dir is not None else ()
    return topic, seeds


def load_previous_copies(plan: EditionPlan) -> dict[str, FeedCopy]:
    """The copy kept from each feed's last fetch; its validators make the next fetch conditional."""
    if plan.database_url is None:
        return {}
    with memory_at(plan.database_url) as memory:
        return load_feed_copies(memory, [feed.url for feed in plan.feeds])


def fetch_one_feed(plan: EditionPlan, feed: FeedConfig, previous: FeedCopy | None) -> FeedFetch:
    """Fetch one feed within the plan's limits; trouble is in the outcome, never raised."""
    with build_client(plan.limits, plan.user_agent) as client:
        return fetch_feed(
            client,
            feed,
            limits=plan.limits,
            allow_private_network=plan.allow_private_network,
            previous=previous,
        )


# --- select and extract --------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The feed items an edition reads, once each, and every feed's outcome."""

    items: tuple[FeedItem, ...]
    outcomes: tuple[FetchOutcome, ...]
    duplicates: int
    article_copies: tuple[ArticleCopy, ...] = ()  # fetched for this edition, to keep

    @property
    def documents(self) -> tuple[SourceDocument, ...]:
        """The items' documents, in order."""
        return tuple(item.document for item in self.items)


@gives_back_freed_memory
@heap_held_still()  # what exists before the stage is not garbage during it
def select_news(plan: EditionPlan, topic: Topic, fetches: Sequence[FeedFetch]) -> Selection:
    """Parse each fetched feed and keep the items about the partnership within the period (on
    the plan's ``worker_processes`` when the feeds are large)."""
    kept: list[FeedItem] = []
    outcomes = []
    for items, outcome in select_from_feeds(
        fetches, topic, plan.period_start, plan.edition_date, processes=plan.worker_processes
    ):
        kept.extend(items)
        outcomes.append(outcome)
    unique = dedupe_items(kept)
    return Selection(unique, tuple(outcomes), len(kept) - len(unique))


def load_article_round(plan: EditionPlan, items: Sequence[FeedItem]) -> ArticleRound:
    """The full articles of the items that want one, each page asked with the copy kept from
    the last time, so one seen before costs a 304; failures leave the teaser and are counted."""
    links = [item.canonical_link for item in items if item.canonical_link]
    kept = {}
    if plan.database_url is not None:
        with memory_at(plan.database_url) as memory:
            kept = load_article_copies(memory, links)
    # Article links reach private addresses only on a feed's own host or one named.
    private_hosts = article_private_hosts(
        plan.feeds, plan.allow_private_network, plan.private_hosts
    )
    with build_client(plan.limits, plan.user_agent) as client:

        def fetch_one(link: str, canonical: str, previous: ArticleCopy | None) -> ArticleFetch:
            return fetch_article(
                client,
                link,
                canonical,
                limits=plan.limits,
                allow_private_network=private_hosts,
                previous=previous,
            )

        feeds = {feed.url: feed for feed in plan.feeds}
        robots = RobotsRules.fetched_with(client, plan.limits, private_hosts)
        return fetch_articles(items, feeds, kept, fetch_one, plan.articles, robots=robots)


def count_articles(outcome: FetchOutcome, round_: ArticleRound) -> FetchOutcome:
    """A feed's outcome with what its items' articles came to."""
    counts = round_.counts.get(outcome.url)
    if not counts:
        return outcome
    failures = round_.failures.get(outcome.url, Counter[str]())
    update = {
        "articles_fetched": counts["fetched"],
        "articles_reused": counts["reused"],
        "articles_failed": counts["failed"],
        "article_failures": dict(sorted(failures.items())),
        "articles_over_cap": counts["over_cap"],
        "articles_late": counts["late"],
        "cut": outcome.cut + counts["cut"],
    }
    return FetchOutcome.model_validate({**outcome.model_dump(), **update})


def fetch_full_articles(plan: EditionPlan, selection: Selection) -> Selection:
    """The selection with the full article in place of each teaser whose page could be read;
    unchanged when the plan fetches no articles."""
    if not plan.fetch_articles or not selection.items:
        return selection
    round_ = load_article_round(plan, selection.items)
    outcomes = tuple(count_articles(outcome, round_) for outcome in selection.outcomes)
    return Selection(round_.items, outcomes, selection.duplicates, round_.copies)
