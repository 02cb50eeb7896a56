"""One edition, stage by stage: plan, load, fetch, select, extract, compose, render, write,
remember, deliver.

Each stage is a plain function over plain data. The Prefect flow (``flows/weekly_briefing.py``)
wraps each in a thin task; the evaluation and the benchmarks call the very same functions, so
no stage is written twice. A function whose name starts with ``load_``, ``fetch_``, ``write_``
or ``send_`` reads or writes the disk, the network or the memory database; the others are pure.
Time is an argument: the caller decides "today" and "now" once.
"""

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from briefing.compose.assemble import compose_briefing, period_start_for
from briefing.deliver.mail import build_message
from briefing.deliver.smtp import DeliveryPlan, plan_delivery
from briefing.errors import ConfigurationError, StoreError
from briefing.extract.facts import DocumentFacts, ExtractMany, extract_documents, extract_each
from briefing.heap import gives_back_freed_memory
from briefing.models import Briefing, Fact, FetchOutcome, SourceDocument
from briefing.publish.bucket import Bucket, send_to_bucket
from briefing.publish.links import EditionLinks, edition_links
from briefing.render.budget import Printed, render_bounded_pdf
from briefing.render.document import PageSize, render_standalone_html
from briefing.render.shown import Cut
from briefing.render.summary import key_points
from briefing.reuse import StoredEdition, edition_inputs, load_code_version, load_stored_edition
from briefing.settings import Settings, load_settings
from briefing.sources.articles import (
    ArticleCopy,
    ArticleFetch,
    ArticlePolicy,
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
    check_feed_count,
    dedupe_items,
    feed_for_url,
    fetch_feed,
    load_feed_config,
)
from briefing.sources.fetch import FetchLimits, build_client, user_agent
from briefing.sources.robots import RobotsRules
from briefing.sources.seeds import load_seeds
from briefing.store.files import (
    EditionFiles,
    edition_json,
    edition_stem,
    lock_edition_folder,
    write_edition,
)
from briefing.store.memory import (
    EditionRecord,
    Recollection,
    load_article_copies,
    load_extractions,
    load_feed_copies,
    load_known_extractions,
    load_recollection,
    memory_at,
    memory_turn,
    write_memory,
)
from briefing.topic import Topic, load_topic
from briefing.workers import ExtractInProcesses, available_cores, select_from_feeds

VERSIONED = ("us-japan-space-briefing", "prefect", "weasyprint", "pydantic", "jinja2", "pysbd")
NO_RECOLLECTION = Recollection(previous_edition=None, fact_ids=frozenset())


@dataclass(frozen=True)
class EditionPlan:
    """Everything an edition is made of, decided once before any work."""

    edition_date: date
    period_start: date
    out_dir: Path
    page_size: PageSize
    topic_file: Path
    seeds_dir: Path | None  # None: the seeds are left out
    templates_dir: Path
    feeds: tuple[FeedConfig, ...]
    limits: FetchLimits
    allow_private_network: bool
    database_url: str
    list_limit: int | None  # None: no list of the PDF is capped but by the page budget
    citation_limit: int
    max_pages: int
    delivery: DeliveryPlan | None = None
    fetch_articles: bool = False  # fetch the full article behind relevant teaser items
    articles: ArticlePolicy = field(default_factory=ArticlePolicy)
    user_agent: str = "us-japan-space-briefing/0.1 (weekly feed reader)"
    # Where people open editions: BRIEFING_PUBLIC_BASE_URL serves BRIEFING_OUT_DIR.
    public_base_url: str | None = None
    served_dir: Path | None = None
    bucket: Bucket | None = None  # set: each edition is also put in this S3-compatible bucket
    dask_address: str | None = None  # None: extraction runs on this machine
    worker_processes: int = 1  # processes parsing and extracting on this machine; 1: this one
    private_hosts: tuple[str, ...] = ()  # hosts article links may reach at private addresses


def build_plan(
    settings: Settings,
    *,
    today: date,
    configured_feeds: Sequence[FeedConfig] = (),
    edition_date: date | None = None,
    since: date | None = None,
    output_dir: str | Path | None = None,
    page_size: PageSize = "A4",
    include_seeds: bool = True,
    extra_feed_urls: Sequence[str] = (),
    allow_private_network: bool = False,
    send_email: bool = False,
    recipients: Sequence[str] = (),
    smtp_block: str | None = None,
    dry_run: bool = False,
    fetch_articles: bool = True,
) -> EditionPlan:
    """The plan for one edition from the settings, the configured feeds and a run's choices."""
    day = edition_date or today
    period_start = period_start_for(day, since)
    if period_start > day:
        raise ConfigurationError("since must not be after the edition date")
    known = {feed.url for feed in configured_feeds}
    extra = tuple(feed_for_url(url) for url in dict.fromkeys(extra_feed_urls) if url not in known)
    check_feed_count((*configured_feeds, *extra))
    emailing = send_email or dry_run
    return EditionPlan(
        edition_date=day,
        period_start=period_start,
        out_dir=Path(output_dir) if output_dir else settings.out_dir,
        page_size=page_size,
        topic_file=settings.topic_file,
        seeds_dir=settings.seeds_dir if include_seeds else None,
        templates_dir=settings.templates_dir,
        feeds=(*configured_feeds, *extra),
        limits=FetchLimits(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            deadline=settings.fetch_deadline,
            max_raw_bytes=settings.max_feed_bytes,
            max_decoded_bytes=settings.max_decoded_bytes,
        ),
        allow_private_network=allow_private_network or settings.allow_private_network,
        database_url=settings.database_url,
        list_limit=settings.pdf_list_limit,
        citation_limit=settings.pdf_citation_limit,
        max_pages=settings.pdf_max_pages,
        delivery=plan_delivery(settings, recipients, smtp_block, dry_run) if emailing else None,
        fetch_articles=fetch_articles and settings.article_cap > 0,
        articles=ArticlePolicy(
            cap=settings.article_cap,
            per_host=settings.article_host_limit,
            retries=settings.fetch_retries,
            retry_delay=settings.article_retry_delay,
            stage_seconds=settings.article_stage_seconds,
            host_seconds=settings.article_host_seconds,
            host_delay=settings.article_host_delay,
        ),
        user_agent=user_agent(settings.contact),
        public_base_url=settings.public_base_url,
        served_dir=settings.out_dir,
        bucket=_bucket(settings),
        dask_address=settings.dask_address,
        private_hosts=settings.private_hosts,
        # More processes than cores only slows the work (32 at once were 6x slower).
        worker_processes=min(settings.worker_processes or available_cores(), available_cores()),
    )


def _bucket(settings: Settings) -> Bucket | None:
    if settings.publish_bucket is None:
        return None
    if settings.s3_endpoint_url is None:
        raise ConfigurationError(
            "BRIEFING_PUBLISH_BUCKET is set but BRIEFING_S3_ENDPOINT_URL is not: set it to the "
            "S3 service's address (e.g. https://s3.us-east-1.amazonaws.com)"
        )
    secret = settings.s3_secret_key
    return Bucket(
        endpoint_url=settings.s3_endpoint_url,
        name=settings.publish_bucket,
        region=settings.s3_region,
        access_key=settings.s3_access_key,
        secret_key=secret.get_secret_value() if secret else None,
    )


def load_plan(
    settings: Settings,
    *,
    today: date | None = None,
    include_configured_feeds: bool = True,
    **choices: Any,
) -> EditionPlan:
    """``build_plan`` with the feeds of the configuration file, the output folder made and
    checked: bad choices fail in seconds, before any work. Without ``today``, today in
    BRIEFING_TIMEZONE."""
    configured = load_feed_config(settings.config_file) if include_configured_feeds else ()
    if today is None:  # the clock, read here once for the run
        today = datetime.now(ZoneInfo(settings.timezone)).date()
    plan = build_plan(settings, today=today, configured_feeds=configured, **choices)
    _check_writable(plan.out_dir)
    return plan


def _check_writable(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigurationError(
            f"the output folder {out_dir} is a file, not a folder; "
            "choose another folder with --out or BRIEFING_OUT_DIR"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot make the output folder {out_dir}: {exc.strerror}; "
            "choose another folder with --out or BRIEFING_OUT_DIR"
        ) from exc
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ConfigurationError(
            f"cannot write to the output folder {out_dir}: permission denied; "
            "choose another folder with --out or BRIEFING_OUT_DIR"
        )


# --- load and fetch ------------------------------------------------------------------------


def load_sources(plan: EditionPlan) -> tuple[Topic, tuple[SourceDocument, ...]]:
    """The topic profile and the seed documents (none when the plan leaves them out)."""
    topic = load_topic(plan.topic_file)
    seeds = load_seeds(plan.seeds_dir) if plan.seeds_dir is not None else ()
    return topic, seeds


def load_previous_copies(plan: EditionPlan) -> dict[str, FeedCopy]:
    """The copy kept from each feed's last fetch; its validators make the next fetch conditional."""
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
    with memory_at(plan.database_url) as memory:
        kept = load_article_copies(memory, links)
    # Article links reach private addresses only on a feed's own host or one named (#27).
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


@dataclass(frozen=True)
class Extracted:
    """Every document's facts; ``fresh`` holds those extracted now, by extraction key.

    ``kept`` names the keys whose facts the memory keeps but that are not read yet: their
    results hold no facts, and ``facts`` only the others', until ``load_kept_into`` reads them,
    when the edition is composed. A rerun that reuses its stored edition never reads them (at
    20,000 items, 170,000 facts: 6 s and 200 MB).
    """

    results: tuple[DocumentFacts, ...]
    facts: list[Fact] = field(default_factory=list)
    fresh: dict[str, list[Fact]] = field(default_factory=dict)
    kept: frozenset[str] = frozenset()


KeptFacts = Callable[[list[str]], Mapping[str, list[Fact]]]


def extract_edition(
    topic: Topic,
    documents: Sequence[SourceDocument],
    load_kept: KeptFacts | None = None,
    extract_many: ExtractMany = extract_each,
) -> Extracted:
    """Turn every document into fact records, reusing those ``load_kept`` has for a document
    seen before with the same text, topic and extraction code (none without it); the others
    through ``extract_many`` (in this process by default)."""
    results = tuple(extract_documents(documents, topic, load_kept, extract_many))
    return Extracted(
        results=results,
        facts=[fact for result in results for fact in result.facts],
        fresh={r.key: r.facts for r in results if r.skipped is not None},
    )


def load_kept_facts(plan: EditionPlan, keys: list[str]) -> dict[str, list[Fact]]:
    """The facts the memory kept for each extraction key it knows."""
    with memory_at(plan.database_url) as memory:
        return load_extractions(memory, keys)


@gives_back_freed_memory
def load_and_extract(
    plan: EditionPlan,
    topic: Topic,
    documents: Sequence[SourceDocument],
    extract_many: ExtractMany | None = None,
) -> Extracted:
    """``extract_edition`` of the documents whose facts the plan's memory does not keep; those
    it keeps are named in ``Extracted.kept``, to be read by ``load_kept_into``. The others are
    extracted by ``extract_many``, or else on the plan's ``worker_processes``."""
    known: set[str] = set()

    def known_keys(keys: list[str]) -> dict[str, list[Fact]]:
        with memory_at(plan.database_url) as memory:
            known.update(load_known_extractions(memory, keys))
        return {key: [] for key in known}  # their facts, read later

    if extract_many is None:
        extract_many = ExtractInProcesses(plan.worker_processes)
    return replace(
        extract_edition(topic, documents, known_keys, extract_many), kept=frozenset(known)
    )


@gives_back_freed_memory
def load_kept_into(plan: EditionPlan, extracted: Extracted) -> Extracted:
    """The extraction with the facts the memory keeps read in, in document order."""
    if not extracted.kept:
        return extracted
    kept = load_kept_facts(plan, sorted(extracted.kept))
    if missing := extracted.kept - kept.keys():
        raise StoreError(
            f"the memory no longer keeps the facts of {len(missing)} documents it kept when "
            "this run began (its extractions rows were deleted meanwhile): run again"
        )
    results = tuple(
        replace(result, facts=kept[result.key]) if result.key in extracted.kept else result
        for result in extracted.results
    )
    return Extracted(
        results=results,
        facts=[fact for result in results for fact in result.facts],
        fresh=extracted.fresh,
    )


# --- the same inputs, the same edition ------------------------------------------------------


def edition_fingerprint(
    plan: EditionPlan,
    extracted: Extracted,
    outcomes: Sequence[FetchOutcome],
    recollection: Recollection,
    versions: Mapping[str, str] | None = None,
) -> str:
    """The fingerprint of what this edition is made of (``briefing.reuse.edition_inputs``)."""
    choices = {
        "edition_date": plan.edition_date,
        "period_start": plan.period_start,
        "page_size": plan.page_size,
        "list_limit": plan.list_limit,
        "citation_limit": plan.citation_limit,
        "max_pages": plan.max_pages,
    }
    return edition_inputs(
        choices=choices,
        extraction_keys=[result.key for result in extracted.results],
        outcomes=outcomes,
        recollection=recollection,
        versions=load_versions() if versions is None else versions,
        code=load_code_version(plan.templates_dir),
    )


@gives_back_freed_memory
def load_reusable_edition(plan: EditionPlan, inputs: str) -> StoredEdition | None:
    """The edition in the plan's output folder when it was made from these very inputs."""
    return load_stored_edition(plan.out_dir, plan.edition_date, inputs)


# --- compose and render --------------------------------------------------------------------


def load_versions() -> dict[str, str]:
    """Installed versions of the pipeline and its main libraries, for the method note."""
    found = {}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def load_recollection_of(plan: EditionPlan) -> Recollection:
    """What the editions dated before this one carried, from the memory."""
    with memory_at(plan.database_url) as memory:
        return load_recollection(memory, plan.edition_date)


@gives_back_freed_memory
def compose_edition(
    plan: EditionPlan,
    topic: Topic,
    documents: Sequence[SourceDocument],
    facts: Sequence[Fact],
    outcomes: Sequence[FetchOutcome] = (),
    recollection: Recollection = NO_RECOLLECTION,
    versions: Mapping[str, str] | None = None,
) -> Briefing:
    """The edition: facts merged and sectioned; those no earlier edition carried marked new."""
    return compose_briefing(
        topic,
        documents,
        facts,
        plan.edition_date,
        period_start=plan.period_start,
        previous_edition=recollection.previous_edition,
        earlier_fact_ids=recollection.fact_ids,
        earlier_stories=recollection.stories,
        source_health=outcomes,
        versions=load_versions() if versions is None else versions,
    )


@dataclass(frozen=True)
class Rendered:
    """The edition as a PDF (the JSON edition attached) and as a standalone HTML page."""

    pdf: bytes
    # The HTML edition, UTF-8, in pieces (``render_standalone_html``): at 20,000 items 100 MB,
    # half what it takes as text.
    html: tuple[bytes, ...]
    print_html: str  # what the PDF was rendered from
    pages: int  # the PDF's
    json: bytes  # the JSON edition, as attached to the PDF and written beside it
    cut: Cut  # what the PDF shows of the edition


def print_edition(plan: EditionPlan, briefing: Briefing, json: bytes | None = None) -> Printed:
    """The PDF as the plan prints it: filled up to its page budget in order of importance, on
    its paper, with its citations a statement; ``json``, the JSON edition, is attached."""
    attachments = (
        [] if json is None else [(f"{edition_stem(briefing)}.json", json, "The JSON edition")]
    )
    return render_bounded_pdf(
        briefing,
        plan.templates_dir,
        max_pages=plan.max_pages,
        citations=plan.citation_limit,
        list_limit=plan.list_limit,
        page_size=plan.page_size,
        attachments=attachments,
        created=briefing.edition_date,
    )


@gives_back_freed_memory
def render_edition(plan: EditionPlan, briefing: Briefing) -> Rendered:
    """Render the PDF within the plan's page budget, filled in order of importance, and the
    HTML page, which shows every entry."""
    # Encoded once, for the attachment and the file: 13.6 MB at 2,000 items, 130 at 20,000.
    data = edition_json(briefing)
    printed = print_edition(plan, briefing, json=data)
    html = render_standalone_html(briefing, plan.templates_dir, page_size=plan.page_size)
    return Rendered(
        pdf=printed.pdf,
        html=html,
        print_html=printed.html,
        pages=printed.pages,
        json=data,
        cut=printed.cut,
    )


# --- write and remember --------------------------------------------------------------------


class EditionResult(BaseModel):
    """What a run produced: where its files are and what they hold."""

    edition_date: date
    pdf_file: Path
    json_file: Path
    html_file: Path
    sources: int
    facts: int
    new_facts: int
    feeds_failed: int
    reused_from_run: str | None = None  # the run whose files an edition of the same inputs reused


@contextmanager
def take_memory_turn(plan: EditionPlan) -> Iterator[None]:
    """Hold the memory's turn from reading the earlier editions to recording this one: editions
    composed at the same time come out one after another, each seeing those recorded before it
    (``briefing.store.memory_turn``; take it before the edition's lock)."""
    with memory_turn(plan.database_url):
        yield


@contextmanager
def lock_edition(plan: EditionPlan) -> Iterator[None]:
    """Hold the edition's lock in its output folder: runs of the same edition write their files,
    memory and dry-run email one after the other, never interleaved."""
    with lock_edition_folder(plan.out_dir, plan.edition_date):
        yield


@gives_back_freed_memory
def write_files(
    plan: EditionPlan,
    briefing: Briefing,
    rendered: Rendered,
    *,
    run_id: str,
    written_at: datetime,
    inputs: str | None = None,
) -> EditionResult:
    """Replace the PDF, the HTML page and the JSON edition as a whole, their manifest naming the
    run; say where and what they hold. Raises BriefingError, the previous edition left whole,
    when they cannot be written: record the edition in the memory only once this returned."""
    files: EditionFiles = write_edition(
        plan.out_dir,
        briefing,
        rendered.pdf,
        rendered.html,
        run_id=run_id,
        written_at=written_at,
        inputs=inputs,
        json=rendered.json,
    )
    return _result(briefing, files)


def _result(
    briefing: Briefing, files: EditionFiles, reused_from: str | None = None
) -> EditionResult:
    return EditionResult(
        edition_date=briefing.edition_date,
        pdf_file=files.pdf,
        json_file=files.json,
        html_file=files.html,
        sources=len(briefing.sources),
        facts=sum(1 for _ in briefing.facts()),
        new_facts=len(briefing.new_fact_ids),
        feeds_failed=sum(1 for outcome in briefing.source_health if outcome.status == "failed"),
        reused_from_run=reused_from,
    )


def reused_result(stored: StoredEdition) -> EditionResult:
    """What a run that reused a stored edition's files produced: those files."""
    return _result(stored.briefing, stored.files, reused_from=stored.run_id)


@gives_back_freed_memory
def write_to_memory(
    plan: EditionPlan,
    briefing: Briefing,
    selection: Selection,
    fetches: Sequence[FeedFetch],
    extracted: Extracted,
    *,
    run_id: str,
    written_at: datetime,
) -> None:
    """Record the edition, its documents, facts and fetches in the memory, in one transaction."""
    record = EditionRecord(
        run_id=run_id,
        written_at=written_at,
        briefing=briefing,
        items=selection.items,
        fetches=tuple(fetches),
        extractions=extracted.fresh,
        articles=selection.article_copies,
    )
    with memory_at(plan.database_url) as memory:
        write_memory(memory, record)


def links_to(plan: EditionPlan, result: EditionResult) -> EditionLinks:
    """Where people open the edition's files: http addresses under the public base URL when
    they were written to the folder served there, else file:// addresses."""
    return edition_links(
        result.pdf_file,
        result.html_file,
        result.json_file,
        served_dir=plan.served_dir or plan.out_dir,
        base_url=plan.public_base_url,
    )


def send_to_publish_bucket(plan: EditionPlan, result: EditionResult) -> EditionLinks:
    """Put the edition's files in the plan's bucket (the PDF last); where people open them."""
    assert plan.bucket is not None, "the plan names no bucket"
    files = (result.pdf_file, result.html_file, result.json_file)
    return send_to_bucket(plan.bucket, files, plan.public_base_url)


# --- deliver -------------------------------------------------------------------------------


def load_message(
    delivery: DeliveryPlan,
    topic: Topic,
    briefing: Briefing,
    result: EditionResult,
    templates_dir: Path,
    sent_at: datetime,
) -> bytes:
    """The email's bytes, with the PDF attached exactly as it was written to disk."""
    message = build_message(
        title=topic.email_title(),
        edition_date=briefing.edition_date,
        points=key_points(briefing),
        sender=delivery.sender,
        recipients=delivery.recipients,
        pdf=result.pdf_file.read_bytes(),
        sent_at=sent_at,
        templates_dir=templates_dir,
    )
    return message.as_bytes()


# --- the whole edition without Prefect -----------------------------------------------------


def load_seed_briefing(edition_date: date, settings: Settings | None = None) -> Briefing:
    """The seed edition for a date as a first edition, built in-process with the flow's own
    stages but no feeds and no memory: what the evaluation scores."""
    plan = build_plan(settings or load_settings(), today=edition_date)
    topic, seeds = load_sources(plan)
    extracted = extract_edition(topic, seeds)
    return compose_edition(plan, topic, seeds, extracted.facts)


def briefing_schema_json() -> str:
    """The JSON Schema of the JSON edition, as stable, indented text."""
    return json.dumps(Briefing.model_json_schema(), indent=2, sort_keys=True) + "\n"
