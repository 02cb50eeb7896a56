"""The memory across editions: documents, fetches, feed copies, facts and what each edition carried.

A SQL database reached through a SQLAlchemy URL (``BRIEFING_DATABASE_URL``): SQLite by default,
PostgreSQL by changing the URL (``briefing.store.database`` opens it). ``load_`` functions read;
``write_memory`` writes everything one edition adds in a single transaction, so a run killed half
way leaves the memory as it was.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Insert,
    Integer,
    LargeBinary,
    MetaData,
    RowMapping,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from briefing.compose.stories import REMEMBERED_DAYS, EarlierStory, story_statements
from briefing.errors import StoreError
from briefing.models import Briefing, Fact
from briefing.sources.articles import ArticleCopy
from briefing.sources.feeds import FeedCopy, FeedFetch, FeedItem
from briefing.sources.fetch import Validators
from briefing.store.checks import bad_row, kept_facts
from briefing.store.database import (
    RawJSON,
    check_memory,
    memory_at,
    memory_turn,
    open_memory,
    upgrade_memory,
    writing,
)

__all__ = [
    "EditionRecord",
    "Recollection",
    "check_memory",
    "load_extractions",
    "load_feed_copies",
    "load_recollection",
    "memory_at",
    "memory_turn",
    "metadata",
    "open_memory",
    "upgrade_memory",
    "write_memory",
]

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", String(64), primary_key=True),
    # Each key alone identifies an article: the same item reached through two feeds is one row.
    Column("canonical_link", Text, unique=True),
    Column("guid", Text, unique=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("feed_url", Text, comment="The feed it first came from; null for a seed."),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("document", JSON, nullable=False),
)

feed_copies = Table(
    "feed_copies",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_type", Text),
    Column("body", LargeBinary, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

article_copies = Table(
    "article_copies",
    metadata,
    Column("canonical_link", Text, primary_key=True),
    Column("url", Text, nullable=False, comment="Where it was fetched from, redirects followed."),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("text", Text, nullable=False, comment="The page's main text, without the headline."),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

fetches = Table(
    "fetches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("edition_date", Date, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("feed", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("outcome", JSON, nullable=False),
)

facts = Table(
    "facts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("statement", Text, nullable=False),
    Column("theme", String(32), nullable=False),
    Column("fact", JSON, nullable=False),
)

extractions = Table(
    "extractions",
    metadata,
    Column("key", String(64), primary_key=True, comment="briefing.extract.facts.extraction_key"),
    Column("facts", JSON, nullable=False),
)

editions = Table(
    "editions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("edition_date", Date, nullable=False, unique=True),
    Column("run_id", String(64), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Column("period_start", Date),
)

edition_facts = Table(
    "edition_facts",
    metadata,
    Column("edition_id", ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True),
    Column("fact_id", ForeignKey("facts.id"), primary_key=True),
)

edition_stories = Table(
    "edition_stories",
    metadata,
    Column("edition_id", ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", String(64), primary_key=True),
    Column(
        "statements",
        JSON,
        nullable=False,
        comment="The story's first statements, verbatim: what recognises it next time.",
    ),
)


@dataclass(frozen=True)
class Recollection:
    """What the editions dated before a given date carried."""

    previous_edition: date | None
    fact_ids: frozenset[str]
    stories: tuple[EarlierStory, ...] = ()


@dataclass(frozen=True)
class EditionRecord:
    """Everything one run adds to the memory."""

    run_id: str
    written_at: datetime
    briefing: Briefing
    items: tuple[FeedItem, ...]
    fetches: tuple[FeedFetch, ...]
    extractions: Mapping[str, Sequence[Fact]] = field(default_factory=dict)
    articles: tuple[ArticleCopy, ...] = ()  # full articles fetched now, one copy per link


def _load_rows(
    engine: Engine, table: Table, key: str, wanted: list[str], what: str
) -> list[RowMapping]:
    """The rows of a table of kept copies whose key column holds one of the wanted values."""
    if not wanted:
        return []
    query = select(table).where(table.c[key].in_(wanted))
    try:
        with engine.connect() as connection:
            return list(connection.execute(query).mappings().all())
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read {what} from the memory: {exc}") from exc


def _unreadable_copy(
    table: Table, key: str, label: str, value: str, exc: ValidationError, fetched: str
) -> StoreError:
    """The error for a kept copy that no longer validates, with the SQL that removes it."""
    quoted = value.replace("'", "''")
    remedy = (
        f"delete that row (DELETE FROM {table.name} WHERE {key} = '{quoted}') and the "
        f"{fetched} is fetched in full next time"
    )
    return bad_row(table.name, f"{label} {value}", str(exc).splitlines()[0], remedy)


def load_feed_copies(engine: Engine, urls: Iterable[str]) -> dict[str, FeedCopy]:
    """The last fetched copy of each of the feeds, by URL, for those that have one."""
    copies = {}
    for row in _load_rows(engine, feed_copies, "url", list(urls), "feed copies"):
        try:
            copies[row["url"]] = FeedCopy(
                url=row["url"],
                body=row["body"],
                content_type=row["content_type"],
                validators=Validators(etag=row["etag"], last_modified=row["last_modified"]),
            )
        except ValidationError as exc:
            raise _unreadable_copy(feed_copies, "url", "url", row["url"], exc, "feed") from exc
    return copies


def load_article_copies(engine: Engine, links: Iterable[str]) -> dict[str, ArticleCopy]:
    """The copy kept of each article, by canonical link, for those that have one."""
    wanted = list(dict.fromkeys(links))
    copies = {}
    for row in _load_rows(engine, article_copies, "canonical_link", wanted, "article copies"):
        link = row["canonical_link"]
        try:
            copies[link] = ArticleCopy(
                canonical_link=link,
                url=row["url"],
                text=row["text"],
                validators=Validators(etag=row["etag"], last_modified=row["last_modified"]),
            )
        except ValidationError as exc:
            raise _unreadable_copy(
                article_copies, "canonical_link", "link", link, exc, "article"
            ) from exc
    return copies


def _write_articles(connection: Connection, record: EditionRecord) -> None:
    for copy in record.articles:
        link = copy.canonical_link
        connection.execute(delete(article_copies).where(article_copies.c.canonical_link == link))
        connection.execute(
            insert(article_copies).values(
                canonical_link=link,
                url=copy.url,
                etag=copy.validators.etag,
                last_modified=copy.validators.last_modified,
                text=copy.text,
                fetched_at=record.written_at,
            )
        )


def load_recollection(engine: Engine, edition_date: date) -> Recollection:
    """The latest edition before the date, every fact the editions before it carried, and the
    stories of those of the last ``REMEMBERED_DAYS``."""
    earlier = editions.c.edition_date < edition_date
    recent = editions.c.edition_date >= edition_date - timedelta(days=REMEMBERED_DAYS)
    try:
        with engine.connect() as connection:
            previous = connection.execute(
                select(editions.c.edition_date)
                .where(earlier)
                .order_by(editions.c.edition_date.desc())
            ).first()
            fact_ids = connection.execute(
                select(edition_facts.c.fact_id)
                .join(editions, editions.c.id == edition_facts.c.edition_id)
                .where(earlier)
                .distinct()
            ).scalars()
            stories = connection.execute(
                select(
                    editions.c.edition_date,
                    edition_stories.c.story_id,
                    edition_stories.c.statements,
                )
                .join(editions, editions.c.id == edition_stories.c.edition_id)
                .where(earlier, recent)
                .order_by(editions.c.edition_date, edition_stories.c.story_id)
            ).all()
            return Recollection(
                previous[0] if previous else None,
                frozenset(fact_ids),
                tuple(
                    EarlierStory(day, _statements(story_id, statements))
                    for day, story_id, statements in stories
                ),
            )
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read earlier editions from the memory: {exc}") from exc


def _statements(story_id: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_row(
            "edition_stories",
            f"story_id {story_id}",
            "its statements are not a list of text",
            f"delete that row (DELETE FROM edition_stories WHERE story_id = '{story_id}'): the "
            "story is then only not recognised as developing",
        )
    return tuple(value)


def load_extractions(engine: Engine, keys: Iterable[str]) -> dict[str, list[Fact]]:
    """The facts kept for each extraction key that has them (``extraction_key``)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, list[Fact]] = {}
    try:
        with engine.connect() as connection:
            for start in range(0, len(wanted), 500):  # SQLite caps bound parameters
                # The JSON as text, decoded below, so that a damaged row can be named.
                raw = type_coerce(extractions.c.facts, Text).label("facts")
                query = select(extractions.c.key, raw).where(
                    extractions.c.key.in_(wanted[start : start + 500])
                )
                for key, value in connection.execute(query):
                    found[key] = kept_facts(key, value)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read kept facts from the memory: {exc}") from exc
    return found


def load_known_extractions(engine: Engine, keys: Iterable[str]) -> set[str]:
    """Those of the extraction keys the memory keeps facts for, their facts not read."""
    try:
        with engine.connect() as connection:
            return _known_values(connection, extractions.c.key, keys)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read kept facts from the memory: {exc}") from exc


def _write_extractions(connection: Connection, record: EditionRecord) -> None:
    keys = list(record.extractions)
    known = _known_values(connection, extractions.c.key, keys)
    # A batch at a time, each batch's rows made only for it: at 20,000 items the rows of all,
    # 170,000 facts as dicts, were 120 MB at once.
    for batch in _chunks([key for key in keys if key not in known]):
        rows = [
            {
                "key": key,
                "facts": RawJSON(_FACT_LIST.dump_json(list(record.extractions[key])).decode()),
            }
            for key in batch
        ]
        connection.execute(insert(extractions), rows)


# A list, not a Sequence: pydantic writes a list in Rust, a Sequence through a Python function
# (a third slower: 1,421 documents' facts at 2,000 items); the same JSON.
_FACT_LIST = TypeAdapter(list[Fact])

# Rows go to the database in batches of this many: one statement per batch, not one per row
# (2,000 documents and 30,000 facts took seconds one INSERT at a time).
BATCH = 500


def _chunks(values: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _insert_new(connection: Connection, statement: Insert) -> None:
    """Insert a row unless another transaction has just inserted the same one.

    Not needed on SQLite, where write transactions take turns, but a server database lets two
    runs both find a document unknown and both insert it: the second insert then only fails its
    savepoint, and the row the other run stored is the one kept.
    """
    try:
        with connection.begin_nested():
            connection.execute(statement)
    except IntegrityError:
        pass


def _insert_new_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows the memory did not have, a batch per statement; a batch another transaction
    has just inserted a row of is inserted again row by row (``_insert_new``), keeping that row."""
    for batch in _chunks(rows):
        try:
            with connection.begin_nested():
                connection.execute(insert(table), list(batch))
        except IntegrityError:
            for row in batch:
                _insert_new(connection, insert(table).values(**row))


def _known_values(connection: Connection, column: Column[Any], values: Iterable[Any]) -> set[Any]:
    """Those of the values a column already holds, asked a batch at a time."""
    wanted = sorted({value for value in values if value is not None})
    known: set[Any] = set()
    for batch in _chunks(wanted):
        known |= set(connection.execute(select(column).where(column.in_(batch))).scalars())
    return known


def _write_documents(
    connection: Connection, record: EditionRecord, items: Mapping[str, FeedItem]
) -> None:
    """Every source the memory does not know by id, content, canonical link or GUID: one
    identified by any of them is the same article (and so is a second one in this edition)."""
    sources = record.briefing.sources
    keyed = [
        (
            document,
            item,
            {
                "id": document.id,
                "content_hash": document.sha256,
                "canonical_link": item.canonical_link if item else None,
                "guid": item.guid if item else None,
            },
        )
        for document in sources
        for item in [items.get(document.id)]
    ]
    seen = {
        name: _known_values(connection, documents.c[name], (keys[name] for _, _, keys in keyed))
        for name in ("id", "content_hash", "canonical_link", "guid")
    }
    rows = []  # inserted a batch at a time, as they are made: the texts of all are megabytes
    for document, item, keys in keyed:
        if any(value and value in seen[name] for name, value in keys.items()):
            continue
        for name, value in keys.items():
            if value:
                seen[name].add(value)
        rows.append(
            {
                **keys,
                "feed_url": item.feed_url if item else None,
                "first_seen": record.written_at,
                "document": RawJSON(document.model_dump_json()),
            }
        )
        if len(rows) == BATCH:
            _insert_new_rows(connection, documents, rows)
            rows = []
    _insert_new_rows(connection, documents, rows)


def _write_fetches(connection: Connection, record: EditionRecord) -> None:
    """A row per fetch, and each fresh copy in place of the feed's kept one."""
    rows = [
        {
            "run_id": record.run_id,
            "edition_date": record.briefing.edition_date,
            "fetched_at": record.written_at,
            "feed": fetch.outcome.feed,
            "url": fetch.outcome.url,
            "status": fetch.outcome.status,
            "reason": fetch.outcome.reason,
            "outcome": fetch.outcome.model_dump(mode="json"),
        }
        for fetch in record.fetches
    ]
    if rows:
        connection.execute(insert(fetches), rows)
    copies = {
        fetch.copy.url: fetch.copy
        for fetch in record.fetches
        if fetch.fresh and fetch.copy is not None
    }
    for batch in _chunks(sorted(copies)):
        connection.execute(delete(feed_copies).where(feed_copies.c.url.in_(batch)))
        connection.execute(
            insert(feed_copies),
            [
                {
                    "url": url,
                    "etag": copies[url].validators.etag,
                    "last_modified": copies[url].validators.last_modified,
                    "content_type": copies[url].content_type,
                    "body": copies[url].body,
                    "fetched_at": record.written_at,
                }
                for url in batch
            ],
        )


def _write_edition(connection: Connection, record: EditionRecord) -> None:
    briefing = record.briefing
    # Only this edition's ids are asked for: the memory holds every edition's facts.
    known = _known_values(connection, facts.c.id, (fact.id for fact in briefing.facts()))
    rows = []  # inserted a batch at a time, as made: at 20,000 items the JSON of all is 55 MB
    for fact in briefing.facts():
        if fact.id not in known:
            rows.append(
                {
                    "id": fact.id,
                    "statement": fact.statement,
                    "theme": fact.theme,
                    "fact": RawJSON(fact.model_dump_json()),
                }
            )
            known.add(fact.id)
            if len(rows) == BATCH:
                _insert_new_rows(connection, facts, rows)
                rows = []
    _insert_new_rows(connection, facts, rows)
    # A second run for the same date replaces that edition's record.
    same_date = select(editions.c.id).where(editions.c.edition_date == briefing.edition_date)
    connection.execute(delete(edition_facts).where(edition_facts.c.edition_id.in_(same_date)))
    connection.execute(delete(edition_stories).where(edition_stories.c.edition_id.in_(same_date)))
    connection.execute(delete(editions).where(editions.c.edition_date == briefing.edition_date))
    edition_id = connection.execute(
        insert(editions)
        .values(
            edition_date=briefing.edition_date,
            run_id=record.run_id,
            written_at=record.written_at,
            period_start=briefing.period_start,
        )
        .returning(editions.c.id)
    ).scalar_one()
    fact_ids = list(dict.fromkeys(fact.id for fact in briefing.facts()))
    if fact_ids:
        connection.execute(
            insert(edition_facts), [{"edition_id": edition_id, "fact_id": i} for i in fact_ids]
        )
    if briefing.stories:
        connection.execute(
            insert(edition_stories),
            [
                {
                    "edition_id": edition_id,
                    "story_id": story.id,
                    "statements": list(story_statements(story, briefing)),
                }
                for story in briefing.stories
            ],
        )


def write_memory(engine: Engine, record: EditionRecord) -> None:
    """Record an edition, its documents, facts and fetches, all in one transaction."""
    items = {item.document.id: item for item in record.items}
    try:
        with writing(engine) as connection:
            _write_fetches(connection, record)
            _write_articles(connection, record)
            _write_documents(connection, record, items)
            _write_edition(connection, record)
            _write_extractions(connection, record)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot record the edition in the memory: {exc}") from exc
