"""The weekly-briefing flow: load, fetch, extract, compose, render, write, remember, report,
then deliver.

Orchestration only: every stage is a plain function of the ``briefing`` library. Feeds are fetched
in parallel, one task each, retried when their trouble may pass; a feed that still fails is
recorded in the edition's source health and the run goes on. The edition is written to disk
before any delivery, so a failed delivery never loses it.
(No ``from __future__ import annotations`` here: it breaks Prefect's parameter validation.)
"""

from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task, unmapped
from prefect.runtime import flow_run
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from briefing.addresses import EmailAddress
from briefing.deliver.smtp import DELIVERY_LOG, plan_delivery
from briefing.edition import compose_remembered
from briefing.errors import DeliveryError, FetchError
from briefing.extract.facts import extract_documents
from briefing.models import Briefing, Fact, FetchOutcome, SourceDocument
from briefing.render.document import PageSize, render_html, render_pdf
from briefing.settings import Settings
from briefing.sources.feeds import (
    FeedConfig,
    FeedCopy,
    FeedFetch,
    FeedItem,
    dedupe_items,
    failed_fetch,
    feed_for_url,
    fetch_feed,
    load_feed_config,
    select_items,
)
from briefing.sources.fetch import FetchLimits, build_client
from briefing.sources.seeds import load_seeds
from briefing.store.files import edition_json, edition_lock, edition_stem, write_edition
from briefing.store.memory import (
    EditionRecord,
    load_extractions,
    load_feed_copies,
    memory_at,
)
from briefing.store.memory import write_memory as write_memory_record
from briefing.topic import Topic, load_topic
from flows.artifacts import deliveries_report_stage, report_stage
from flows.delivery import check_block_stage, deliver_stage, message_stage, write_message_stage

STAGES = 7
DEFAULT_PERIOD = timedelta(days=7)


class EditionParameters(BaseModel):
    """What an edition is made of; the Prefect UI shows these fields as the run form."""

    # Frozen, so one instance can safely be the flow's default (the UI form starts from it).
    model_config = ConfigDict(extra="forbid", frozen=True)

    edition_date: date | None = Field(
        default=None,
        title="Edition date",
        description="Date printed on the edition and used in its file names. "
        "Leave empty for today in the configured time zone (BRIEFING_TIMEZONE).",
    )
    page_size: PageSize = Field(
        default="A4",
        title="Page size",
        description="Paper size of the PDF: A4, or letter (U.S. paper).",
    )
    output_dir: str | None = Field(
        default=None,
        title="Output folder",
        description="Folder the PDF, HTML and JSON are written to. "
        "Leave empty for the BRIEFING_OUT_DIR setting (default: out).",
    )
    since: date | None = Field(
        default=None,
        description="First day of the period feed items are taken from. "
        "Leave empty for seven days before the edition date.",
    )
    include_configured_feeds: bool = Field(
        default=True,
        description="Read the feeds listed in the configuration file (BRIEFING_CONFIG_FILE).",
    )
    extra_feed_urls: list[str] = Field(
        default_factory=list,
        description="More feed URLs (http or https) to read for this edition only.",
    )
    include_seeds: bool = Field(
        default=True, description="Include the seed documents, the briefing's background."
    )
    allow_private_network: bool = Field(
        default=False,
        description="Let feeds come from loopback and private addresses (local feed servers). "
        "Also on when BRIEFING_ALLOW_PRIVATE_NETWORK is set.",
    )

    send_email: bool = Field(
        default=False,
        title="Send email",
        description="Email the PDF, with the key points, to the configured recipients "
        "(BRIEFING_EMAIL_RECIPIENTS) and the recipients below.",
    )
    recipients: list[EmailAddress] = Field(
        default_factory=list,
        title="Recipients",
        description="More addresses to email this edition to, added to the configured ones. "
        "Bare addresses only, such as analyst@example.org.",
    )
    smtp_block: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        title="SMTP block",
        description="Name of a prefect-email 'Email Server Credentials' block to send through. "
        "Leave empty to use the BRIEFING_SMTP_* settings.",
    )
    dry_run: bool = Field(
        default=False,
        title="Dry run",
        description="Build the email but do not send it: write it as briefing-DATE.eml "
        "in the output folder instead (implies preparing the email).",
    )

    @field_validator("extra_feed_urls")
    @classmethod
    def _web_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            feed_for_url(url)  # raises ValidationError, naming the URL, unless it is http(s)
        return urls

    @model_validator(mode="after")
    def _period_ends_at_the_edition(self) -> Self:
        if self.since and self.edition_date and self.since > self.edition_date:
            raise ValueError("since must not be after the edition date")
        return self


class EditionResult(BaseModel):
    """What a run produced."""

    edition_date: date
    pdf_file: Path
    json_file: Path
    html_file: Path
    sources: int
    facts: int
    new_facts: int
    feeds_failed: int


@task(name="load")
def load_stage(
    seeds_dir: Path | None, topic_file: Path, config_file: Path | None, extra_urls: list[str]
) -> tuple[Topic, tuple[SourceDocument, ...], tuple[FeedConfig, ...]]:
    """Read the topic profile, the seed documents and the list of feeds."""
    topic = load_topic(topic_file)
    seeds = load_seeds(seeds_dir) if seeds_dir is not None else ()
    configured = load_feed_config(config_file) if config_file is not None else ()
    known = {feed.url for feed in configured}
    extra = tuple(feed_for_url(url) for url in dict.fromkeys(extra_urls) if url not in known)
    feeds = configured + extra
    get_run_logger().info(
        "[1/%d] load: %d seed documents, %d feeds", STAGES, len(seeds), len(feeds)
    )
    return topic, seeds, feeds


@task(name="recall")
def recall_feed_copies(database_url: str, urls: list[str]) -> dict[str, FeedCopy]:
    """The copy kept from each feed's last fetch, whose validators make the next one conditional."""
    with memory_at(database_url) as memory:
        return load_feed_copies(memory, urls)


@task(name="fetch-feed", task_run_name="fetch {feed.name}")
def fetch_feed_task(
    feed: FeedConfig, previous: FeedCopy | None, limits: FetchLimits, allow_private_network: bool
) -> FeedFetch:
    """Fetch one feed; raise only when its trouble may pass, so that the task is retried."""
    with build_client(limits) as client:
        fetched = fetch_feed(
            client,
            feed,
            limits=limits,
            allow_private_network=allow_private_network,
            previous=previous,
        )
    outcome = fetched.outcome
    if fetched.transient and outcome.reason is not None:
        raise FetchError(outcome.reason, transient=True, http_status=outcome.http_status)
    get_run_logger().info("%s: %s", feed.name, outcome.reason or outcome.status)
    return fetched


@task(name="select")
def select_stage(
    fetches: list[FeedFetch], topic: Topic, period_start: date, edition_date: date
) -> tuple[tuple[FeedItem, ...], tuple[FetchOutcome, ...]]:
    """Parse each fetched feed and keep the items about the partnership within the period."""
    logger = get_run_logger()
    items: list[FeedItem] = []
    outcomes = []
    for fetched in fetches:
        kept, outcome = select_items(fetched, topic, period_start, edition_date)
        items.extend(kept)
        outcomes.append(outcome)
        if outcome.status == "failed":
            logger.warning("feed %s failed: %s", outcome.feed, outcome.reason)
        else:
            logger.info(
                "feed %s %s: %d entries, %d read, %d off topic, %d outside the period%s",
                outcome.feed,
                outcome.status,
                outcome.items,
                outcome.kept,
                outcome.off_topic,
                outcome.out_of_period,
                f"; read despite: {outcome.bozo}" if outcome.bozo else "",
            )
    unique = dedupe_items(items)
    logger.info(
        "[2/%d] fetch: %d feeds, %d items read, %d duplicate items left out",
        STAGES,
        len(fetches),
        len(unique),
        len(items) - len(unique),
    )
    return unique, tuple(outcomes)


@task(name="extract")
def extract_stage(
    documents: tuple[SourceDocument, ...], topic: Topic, database_url: str
) -> tuple[list[Fact], dict[str, list[Fact]]]:
    """Turn every document into fact records, reusing those the memory kept for a document
    it has seen with the same text, topic and extraction code; also return the new ones."""
    logger = get_run_logger()
    with memory_at(database_url) as memory:
        results = extract_documents(documents, topic, partial(load_extractions, memory))
    facts: list[Fact] = []
    fresh: dict[str, list[Fact]] = {}
    for result in results:
        facts.extend(result.facts)
        if result.skipped is None:
            logger.info(
                "%s: %d facts, kept from an earlier run", result.document_id, len(result.facts)
            )
            continue
        fresh[result.key] = result.facts
        left_out = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items()))
        logger.info(
            "%s: %d facts; left out: %s", result.document_id, len(result.facts), left_out or "none"
        )
    logger.info(
        "[3/%d] extract: %d facts from %d documents (%d read again, %d kept from earlier runs)",
        STAGES,
        len(facts),
        len(documents),
        len(fresh),
        len(documents) - len(fresh),
    )
    return facts, fresh


@task(name="compose")
def compose_stage(
    topic: Topic,
    documents: tuple[SourceDocument, ...],
    facts: list[Fact],
    edition_date: date,
    period_start: date,
    database_url: str,
    source_health: tuple[FetchOutcome, ...],
) -> Briefing:
    """Assemble the facts into the edition's sections and mark those no earlier edition carried."""
    briefing = compose_remembered(
        topic, documents, facts, edition_date, period_start, database_url, source_health
    )
    counts = ", ".join(f"{section.title}: {len(section.facts)}" for section in briefing.sections)
    previous = briefing.previous_edition
    get_run_logger().info(
        "[4/%d] compose: %s; %d key points, %d timeline events, %d milestones, "
        "%d disagreements; new: %s",
        STAGES,
        counts,
        len(briefing.key_points),
        len(briefing.timeline),
        len(briefing.milestones),
        len(briefing.disagreements),
        f"{len(briefing.new_fact_ids)} since {previous}" if previous else "all (first edition)",
    )
    return briefing


@task(name="render")
def render_stage(
    briefing: Briefing,
    templates_dir: Path,
    page_size: PageSize,
    list_limit: int,
    citation_limit: int,
) -> tuple[bytes, str]:
    """Render the edition to a PDF (the JSON edition attached) and a standalone HTML page,
    each list cut at the limits (the JSON edition holds everything)."""

    def html_of(standalone: bool) -> str:
        return render_html(
            briefing,
            templates_dir,
            page_size=page_size,
            standalone=standalone,
            list_limit=list_limit,
            citation_limit=citation_limit,
        )

    pdf = render_pdf(
        html_of(False),
        templates_dir,
        attachments=[
            (f"{edition_stem(briefing)}.json", edition_json(briefing), "The JSON edition")
        ],
        created=briefing.edition_date,
    )
    html = html_of(True)
    get_run_logger().info("[5/%d] render: %d KiB of PDF", STAGES, len(pdf) // 1024)
    return pdf, html


@task(name="write")
def write_stage(out_dir: Path, briefing: Briefing, pdf: bytes, html: str) -> EditionResult:
    """Write the PDF, the HTML page and the JSON edition."""
    files = write_edition(out_dir, briefing, pdf, html)
    get_run_logger().info("[6/%d] write: %s, %s and %s", STAGES, files.pdf, files.html, files.json)
    return EditionResult(
        edition_date=briefing.edition_date,
        pdf_file=files.pdf,
        json_file=files.json,
        html_file=files.html,
        sources=len(briefing.sources),
        facts=sum(1 for _ in briefing.facts()),
        new_facts=len(briefing.new_fact_ids),
        feeds_failed=sum(1 for outcome in briefing.source_health if outcome.status == "failed"),
    )


@task(name="remember")
def remember_stage(
    database_url: str,
    briefing: Briefing,
    items: tuple[FeedItem, ...],
    fetches: list[FeedFetch],
    run_id: str,
    extractions: dict[str, list[Fact]],
) -> None:
    """Record the edition, its documents, facts and fetches in the memory, in one transaction."""
    record = EditionRecord(
        run_id=run_id,
        written_at=datetime.now(UTC),
        briefing=briefing,
        items=items,
        fetches=tuple(fetches),
        extractions=extractions,
    )
    with memory_at(database_url) as memory:
        write_memory_record(memory, record)
    get_run_logger().info("[7/%d] remember: edition recorded in the memory", STAGES)


@flow(name="weekly-briefing")
def weekly_briefing(parameters: EditionParameters = EditionParameters()) -> EditionResult:
    """Make one edition of the briefing from the seed documents and the feeds, and email it
    if asked.

    Args:
        parameters: What the edition is made of: its date, paper size, output folder, feeds
            and period, and whether and to whom it is emailed. Every field has a default; a
            scheduled run uses them all.
    """
    settings = Settings()
    edition_date = parameters.edition_date or datetime.now(ZoneInfo(settings.timezone)).date()
    period_start = parameters.since or edition_date - DEFAULT_PERIOD
    out_dir = Path(parameters.output_dir) if parameters.output_dir else settings.out_dir
    emailing = parameters.send_email or parameters.dry_run
    # Checked before any work, so a missing recipient or server fails in seconds, not minutes.
    plan = (
        plan_delivery(settings, parameters.recipients, parameters.smtp_block, parameters.dry_run)
        if emailing
        else None
    )
    if plan is not None and plan.smtp_block and not plan.dry_run:
        check_block_stage(plan.smtp_block)

    limits = FetchLimits(
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        deadline=settings.fetch_deadline,
        max_raw_bytes=settings.max_feed_bytes,
        max_decoded_bytes=settings.max_decoded_bytes,
    )
    allow_private = parameters.allow_private_network or settings.allow_private_network

    topic, seeds, feeds = load_stage(
        settings.seeds_dir if parameters.include_seeds else None,
        settings.topic_file,
        settings.config_file if parameters.include_configured_feeds else None,
        parameters.extra_feed_urls,
    )
    copies = recall_feed_copies(settings.database_url, [feed.url for feed in feeds])
    fetch = fetch_feed_task.with_options(
        retries=settings.fetch_retries, retry_delay_seconds=settings.fetch_retry_delay
    )
    futures = fetch.map(
        list(feeds),
        [copies.get(feed.url) for feed in feeds],
        unmapped(limits),
        unmapped(allow_private),
    )
    fetches = []
    for feed, future in zip(feeds, futures, strict=True):
        fetched = future.result(raise_on_failure=False)
        if isinstance(fetched, FetchError):  # still failing after its retries: recorded
            fetched = failed_fetch(feed, fetched.reason, fetched.http_status)
        elif isinstance(fetched, BaseException):  # a bug, not a feed's trouble
            raise fetched
        fetches.append(fetched)
    items, outcomes = select_stage(fetches, topic, period_start, edition_date)
    documents = seeds + tuple(item.document for item in items)
    facts, extractions = extract_stage(documents, topic, settings.database_url)
    briefing = compose_stage(
        topic, documents, facts, edition_date, period_start, settings.database_url, outcomes
    )
    pdf, html = render_stage(
        briefing,
        settings.templates_dir,
        parameters.page_size,
        settings.pdf_list_limit,
        settings.pdf_citation_limit,
    )
    # Another run of the same edition writes its files and memory before or after this one's,
    # never between them.
    with edition_lock(out_dir, edition_date):
        result = write_stage(out_dir, briefing, pdf, html)
        remember_stage(
            settings.database_url,
            briefing,
            items,
            fetches,
            str(flow_run.id or "local"),
            extractions,
        )
    report_stage(briefing, result.pdf_file, out_dir)
    if plan is None:
        return result

    run_id = str(flow_run.id) if flow_run.id else None
    message = message_stage(briefing, plan, result.pdf_file, settings.templates_dir)
    if plan.dry_run:
        write_message_stage(out_dir, edition_date, message, plan, run_id)
        deliveries_report_stage(out_dir, run_id)
        return result

    attempts = deliver_stage.with_options(
        retries=settings.smtp_retries, retry_delay_seconds=settings.retry_delays()
    ).map(
        recipient=plan.recipients,
        data=unmapped(message),
        plan=unmapped(plan),
        edition_date=unmapped(edition_date),
        out_dir=unmapped(out_dir),
        run_id=unmapped(run_id),
    )
    attempts.wait()
    deliveries_report_stage(out_dir, run_id)
    failed = [
        recipient
        for recipient, attempt in zip(plan.recipients, attempts, strict=True)
        if not attempt.state.is_completed()
    ]
    if failed:
        raise DeliveryError(
            f"could not email the edition to {', '.join(failed)} via {plan.via()} after "
            f"{settings.smtp_retries + 1} attempts each; the edition is kept in {result.pdf_file} "
            f"and every attempt is recorded in {out_dir / DELIVERY_LOG}"
        )
    return result


if __name__ == "__main__":
    weekly_briefing()
