"""The memory in a real database, each test on a new SQLite file and on a new database of a real
PostgreSQL server: documents once, fetches, copies, and what's new."""

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, event, func, select, text

from briefing import edition as stages
from briefing.compose.assemble import compose_briefing
from briefing.edition import build_plan
from briefing.edition import facts as facts_stage
from briefing.errors import StoreError
from briefing.extract.facts import extract_documents, extract_facts, extraction_key
from briefing.models import Briefing, Fact, SourceDocument
from briefing.progress import describe_documents, describe_extraction
from briefing.settings import Settings
from briefing.sources.feeds import FeedItem, dedupe_items, feed_for_url, fetch_feed, select_items
from briefing.store.files import edition_json
from briefing.store.memory import (
    EditionRecord,
    documents,
    edition_facts,
    editions,
    extractions,
    facts,
    feed_copies,
    fetches,
    load_extractions,
    load_feed_copies,
    load_recollection,
    open_memory,
    write_memory,
)
from briefing.topic import Topic
from tests.feedserver import LIMITS, FeedServer, Route, fixture, loopback_client

WEEK = timedelta(days=7)
TABLES = (documents, feed_copies, fetches, facts, editions, edition_facts)


@pytest.fixture
def memory(database_url: str) -> Iterator[Engine]:
    """A fresh memory: SQLite in a folder that open_memory creates, then PostgreSQL."""
    engine = open_memory(database_url)
    yield engine
    engine.dispose()


# A trigger that refuses every new edition as a full disk would, in each database's dialect.
REFUSE_EDITIONS = {
    "sqlite": [
        "CREATE TRIGGER refuse_editions BEFORE INSERT ON editions "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER refuse_editions BEFORE INSERT ON editions "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


def make_edition(
    memory: Engine, server: FeedServer, paths: list[str], edition_date: date, topic: Topic
) -> tuple[Briefing, tuple[FeedItem, ...]]:
    """One edition from feeds alone, through the library's stages, recorded in the memory."""
    feeds = [feed_for_url(server.url(path)) for path in paths]
    copies = load_feed_copies(memory, [feed.url for feed in feeds])
    with loopback_client() as client:
        fetched = [
            fetch_feed(
                client,
                feed,
                limits=LIMITS,
                allow_private_network=True,
                previous=copies.get(feed.url),
            )
            for feed in feeds
        ]
    selected = [select_items(f, topic, edition_date - WEEK, edition_date) for f in fetched]
    items = dedupe_items(item for kept, _ in selected for item in kept)
    docs = tuple(item.document for item in items)
    recollection = load_recollection(memory, edition_date)
    briefing = compose_briefing(
        topic,
        docs,
        [fact for doc in docs for fact in extract_facts(doc, topic).facts],
        edition_date,
        period_start=edition_date - WEEK,
        previous_edition=recollection.previous_edition,
        earlier_fact_ids=recollection.fact_ids,
        source_health=[outcome for _, outcome in selected],
        earlier_stories=recollection.stories,
    )
    write_memory(
        memory,
        EditionRecord(
            run_id=f"run-{edition_date}",
            written_at=datetime(2023, 1, 1, tzinfo=UTC),
            briefing=briefing,
            items=items,
            fetches=tuple(fetched),
        ),
    )
    return briefing, items


def row_counts(memory: Engine) -> dict[str, int]:
    """How many rows each table holds."""
    with memory.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in TABLES
        }


def test_the_same_item_through_two_feeds_is_stored_once(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """The rover story, in the RSS feed and relayed by the Atom feed, is one document row, even
    when a later edition reads it again. (The RSS feed's NASA-only engine test is not read: a
    U.S. item in civil space with no Japanese role.)"""
    make_edition(memory, feed_server, ["/rss20.xml", "/atom.xml"], date(2023, 1, 27), topic)
    make_edition(memory, feed_server, ["/atom.xml"], date(2023, 1, 28), topic)
    with memory.connect() as connection:
        stored = connection.execute(
            select(documents.c.canonical_link).order_by(documents.c.canonical_link)
        ).scalars()
        links = list(stored)
    expected = [
        "https://alliance-review.example.org/2023/debris",
        "https://orbit-wire.example.org/2023/01/24/lunar-rover",
        "https://orbit-wire.example.org/space-data",
    ]
    assert expected == links


def test_two_editions_a_week_apart_whats_new_is_exactly_the_new_items_facts(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """Week 2's feed repeats week 1's items and adds two: the second edition also carries the
    week 1 item dated on the first edition's day, yet its new facts are exactly the facts of the
    two new items; the first edition says it is the first."""
    feed_server.routes["/digest.xml"] = Route(fixture("week1.xml"))
    first, _ = make_edition(memory, feed_server, ["/digest.xml"], date(2023, 1, 20), topic)
    feed_server.routes["/digest.xml"] = Route(fixture("week2.xml"))
    second, items = make_edition(memory, feed_server, ["/digest.xml"], date(2023, 1, 27), topic)

    week1_links = {doc.url.value for doc in first.sources if doc.url}
    new_items = [item.document for item in items if item.document.url.value not in week1_links]
    expected_new = [fact.id for doc in new_items for fact in extract_facts(doc, topic).facts]
    assert 2 == len(new_items) and len(expected_new) >= 2
    expected = (None, date(2023, 1, 20), sorted(expected_new))
    assert expected == (
        first.previous_edition,
        second.previous_edition,
        sorted(second.new_fact_ids),
    )


def test_a_story_carried_the_week_before_is_developing_and_a_new_one_is_new(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """Week 2 reports week 1's stories again and two new ones: those are developing since the
    first edition, the two new stories are new, and the first edition's stories are all new."""
    feed_server.routes["/digest.xml"] = Route(fixture("week1.xml"))
    first, _ = make_edition(memory, feed_server, ["/digest.xml"], date(2023, 1, 20), topic)
    feed_server.routes["/digest.xml"] = Route(fixture("week2.xml"))
    second, _ = make_edition(memory, feed_server, ["/digest.xml"], date(2023, 1, 27), topic)

    def status(briefing: Briefing) -> dict[str, date | None]:
        return {briefing.fact(s.headline).statement: s.developing_since for s in briefing.stories}

    earlier = set(status(first))
    expected = {
        headline: date(2023, 1, 20) if headline in earlier else None for headline in status(second)
    }
    assert 2 == sum(1 for since in expected.values() if since is None)
    assert ({headline: None for headline in earlier}, expected) == (status(first), status(second))


def test_new_facts_are_those_no_earlier_edition_carried(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """Reading week 1's feed again a week later brings nothing new: its facts were carried."""
    feed_server.routes["/digest-again.xml"] = Route(fixture("week1.xml"))
    first, _ = make_edition(memory, feed_server, ["/digest-again.xml"], date(2023, 1, 20), topic)
    again, _ = make_edition(memory, feed_server, ["/digest-again.xml"], date(2023, 1, 21), topic)
    expected = (len(list(first.facts())), first.new_fact_ids, (), "unchanged")
    assert expected == (
        len(first.new_fact_ids),
        tuple(fact.id for fact in again.facts()),
        again.new_fact_ids,
        again.source_health[0].status,
    )


def test_an_unchanged_feed_costs_a_304_and_its_kept_copy_is_read(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """The second run sends the stored ETag, gets a 304, and still reads the feed's items from
    the copy the memory kept."""
    first, _ = make_edition(memory, feed_server, ["/rdf.xml"], date(2023, 1, 27), topic)
    second, _ = make_edition(memory, feed_server, ["/rdf.xml"], date(2023, 1, 28), topic)
    kept = load_feed_copies(memory, [feed_server.url("/rdf.xml")])[feed_server.url("/rdf.xml")]
    expected = ("unchanged", 304, first.sources, kept.validators.etag)
    assert expected == (
        second.source_health[0].status,
        second.source_health[0].http_status,
        second.sources,
        feed_server.received("/rdf.xml")[-1].get("if-none-match"),
    )


def test_every_fetch_is_recorded_with_its_outcome(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """A fetched, a failed and a refused feed each leave a row with status and reason."""
    paths = ["/empty.xml", "/unavailable.xml", "/to-metadata-service"]
    make_edition(memory, feed_server, paths, date(2023, 1, 27), topic)
    with memory.connect() as connection:
        rows = connection.execute(select(fetches.c.url, fetches.c.status, fetches.c.reason))
        recorded = [(url.rsplit("/", 1)[1], status, reason) for url, status, reason in rows]
    expected = [
        ("empty.xml", "fetched", None),
        ("unavailable.xml", "failed", "HTTP 503 Service Unavailable"),
        (
            "to-metadata-service",
            "failed",
            "refused 169.254.169.254: 169.254.169.254 is a link-local address",
        ),
    ]
    assert expected == recorded


def test_a_write_that_fails_half_way_leaves_the_memory_as_it_was(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """When the database refuses the edition row, after fetches, documents and facts were
    written in the same transaction, none of them stays."""
    make_edition(memory, feed_server, ["/rdf.xml"], date(2023, 1, 27), topic)
    before = row_counts(memory)
    with memory.begin() as connection:
        for statement in REFUSE_EDITIONS[memory.dialect.name]:
            connection.execute(text(statement))
    with pytest.raises(StoreError) as raised:
        make_edition(memory, feed_server, ["/rss20.xml", "/atom.xml"], date(2023, 2, 3), topic)
    assert "disk full" in str(raised.value)
    assert before == row_counts(memory)


def test_a_second_run_for_the_same_date_replaces_that_edition(
    memory: Engine, feed_server: FeedServer, topic: Topic
) -> None:
    """Running the same date twice leaves one edition, carrying the second run's facts."""
    make_edition(memory, feed_server, ["/rdf.xml"], date(2023, 1, 27), topic)
    briefing, _ = make_edition(memory, feed_server, ["/atom.xml"], date(2023, 1, 27), topic)
    with memory.connect() as connection:
        carried = set(connection.execute(select(edition_facts.c.fact_id)).scalars())
        count = connection.execute(select(func.count()).select_from(editions)).scalar_one()
    assert (1, {fact.id for fact in briefing.facts()}) == (count, carried)


def test_an_unusable_database_url_is_a_store_error() -> None:
    """A URL SQLAlchemy cannot use stops the run with the setting's name in the message."""
    with pytest.raises(StoreError) as raised:
        open_memory("not a database url")
    assert "BRIEFING_DATABASE_URL" in str(raised.value)


def test_a_document_another_run_stored_meanwhile_is_not_an_error(
    memory: Engine, feed_server: FeedServer, topic: Topic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the check "is this document known?" misses a row another run has just inserted (a
    server database lets two transactions race there), the insert gives way: the edition is
    recorded and the document stays one row (the batch's insert fails, then row by row the
    rows already stored give way)."""
    make_edition(memory, feed_server, ["/rss20.xml"], date(2023, 1, 27), topic)
    before = row_counts(memory)["documents"]
    monkeypatch.setattr("briefing.store.memory._known_values", lambda *_: set())
    make_edition(memory, feed_server, ["/rss20.xml"], date(2023, 1, 28), topic)
    counts = row_counts(memory)
    assert (before, 2) == (counts["documents"], counts["editions"])


def test_a_write_waits_for_another_connections_write_instead_of_failing(
    tmp_path: Path, feed_server: FeedServer, topic: Topic
) -> None:
    """While another process's connection holds the write lock, the memory is still readable
    and opening it is no error; its transactions take the lock at BEGIN (BEGIN IMMEDIATE), so
    two runs that read then write queue up rather than deadlock."""
    database = tmp_path / "briefing.db"
    memory = open_memory(f"sqlite:///{database}")
    statements: list[str] = []
    event.listen(memory, "before_cursor_execute", lambda *a: statements.append(a[2]))
    make_edition(memory, feed_server, ["/rdf.xml"], date(2023, 1, 27), topic)
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        reopened = open_memory(f"sqlite:///{database}")
        assert date(2023, 1, 27) == load_recollection(reopened, date(2023, 2, 3)).previous_edition
        reopened.dispose()
    finally:
        other.rollback()
        other.close()
    assert "BEGIN IMMEDIATE" in statements


def test_facts_kept_for_a_known_document_give_the_same_edition(
    memory: Engine, seeds: tuple[SourceDocument, ...], topic: Topic
) -> None:
    """Facts stored under a document's extraction key come back equal, so an edition built from
    them is byte-identical to one built by extracting again; other keys find nothing."""
    fresh = extract_documents(seeds, topic)
    briefing = compose_briefing(
        topic, seeds, [f for r in fresh for f in r.facts], date(2023, 1, 20)
    )
    write_memory(
        memory,
        EditionRecord(
            run_id="first",
            written_at=datetime(2023, 1, 1, tzinfo=UTC),
            briefing=briefing,
            items=(),
            fetches=(),
            extractions={r.key: r.facts for r in fresh},
        ),
    )
    asked: list[list[str]] = []

    def load_kept(keys: list[str]) -> dict[str, list[Fact]]:
        asked.append(keys)
        return load_extractions(memory, [*keys, "unknown"])

    again = extract_documents(seeds, topic, load_kept)
    rebuilt = compose_briefing(topic, seeds, [f for r in again for f in r.facts], date(2023, 1, 20))
    assert [[r.key for r in fresh]] == asked  # every key at once
    assert [None] * len(seeds) == [r.skipped for r in again]
    assert edition_json(briefing) == edition_json(rebuilt)


def test_kept_facts_are_only_named_until_the_edition_is_composed(
    memory: Engine,
    database_url: str,
    seeds: tuple[SourceDocument, ...],
    topic: Topic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run's extraction asks the memory which documents it keeps facts for and reads none of
    them (a rerun that reuses its edition never needs them); ``load_kept_into`` reads them, the
    very facts extraction gave; rows deleted in between are an error that says to run again."""
    fresh = extract_documents(seeds, topic)
    write_memory(
        memory,
        EditionRecord(
            run_id="first",
            written_at=datetime(2023, 1, 1, tzinfo=UTC),
            briefing=compose_briefing(
                topic, seeds, [f for r in fresh for f in r.facts], date(2023, 1, 20)
            ),
            items=(),
            fetches=(),
            extractions={r.key: r.facts for r in fresh},
        ),
    )
    plan = build_plan(Settings(database_url=database_url), today=date(2023, 1, 20))
    read: list[list[str]] = []
    load_kept_facts = facts_stage.load_kept_facts

    def spy(plan: stages.EditionPlan, keys: list[str]) -> dict[str, list[Fact]]:
        read.append(keys)
        return load_kept_facts(plan, keys)

    monkeypatch.setattr(facts_stage, "load_kept_facts", spy)
    named = stages.load_and_extract(plan, topic, seeds)
    assert ([], [], {}) == (read, named.facts, named.fresh)
    assert {r.key for r in fresh} == named.kept
    lines = describe_documents(named)
    assert [f"{seed.id}: facts kept from an earlier run" for seed in seeds] == lines
    assert describe_extraction(named).endswith(
        f"{len(seeds)} documents: 0 read again, giving 0 facts; the facts of {len(seeds)} kept "
        "from earlier runs"
    )
    whole = stages.load_kept_into(plan, named)
    assert [f for r in fresh for f in r.facts] == whole.facts and 1 == len(read)
    assert frozenset() == whole.kept and whole is stages.load_kept_into(plan, whole)
    with memory.begin() as connection:
        connection.execute(delete(extractions))
    with pytest.raises(StoreError, match="deleted meanwhile\\): run again"):
        stages.load_kept_into(plan, named)


def test_the_extraction_key_changes_with_the_text_and_the_topic(
    seeds: tuple[SourceDocument, ...], topic: Topic
) -> None:
    """A different text or topic profile is a different key: kept facts are never misapplied."""
    seed = seeds[0]
    edited = SourceDocument.model_validate(
        {**seed.model_dump(), "text": seed.text + " More.", "sha256": ""}
    )
    other_topic = topic.model_copy(update={"title": "Another title"})
    keys = {
        extraction_key(seed, topic),
        extraction_key(edited, topic),
        extraction_key(seed, other_topic),
    }
    assert 3 == len(keys)
