"""The plan of one edition: everything it is made of, decided once before any work."""

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from briefing.compose.assemble import period_start_for
from briefing.deliver.smtp import DeliveryPlan, plan_delivery
from briefing.errors import ConfigurationError
from briefing.publish.bucket import Bucket
from briefing.render.document import PageSize
from briefing.settings import Settings
from briefing.sources.articles import (
    ArticlePolicy,
)
from briefing.sources.feeds import (
    FeedConfig,
    check_feed_count,
    feed_for_url,
    load_feed_config,
)
from briefing.sources.fetch import FetchLimits, user_agent
from briefing.workers import available_cores


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
    database_url: str | None  # None: no memory (no recollection, reuse or record)
    list_limit: int | None  # None: no list of the PDF is capped but by the page budget
    citation_limit: int
    max_pages: int
    delivery: DeliveryPlan | None = None
    # Email asked for but not possible as configured (the Monday schedule's, when no recipient
    # or server is set): why, said in the run's warnings; the edition is made all the same.
    not_emailed: str | None = None
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
    strict: bool = True,
) -> EditionPlan:
    """The plan for one edition from the settings, the configured feeds and a run's choices.
    Email asked for but impossible as configured is a ConfigurationError, or, not ``strict``
    (the flow's), a plan that makes the edition and says why it is not emailed."""
    day = edition_date or today
    period_start = period_start_for(day, since)
    if period_start > day:
        raise ConfigurationError("since must not be after the edition date")
    known = {feed.url for feed in configured_feeds}
    extra = tuple(feed_for_url(url) for url in dict.fromkeys(extra_feed_urls) if url not in known)
    check_feed_count((*configured_feeds, *extra))
    delivery, not_emailed = None, None
    if send_email or dry_run:
        try:
            delivery = plan_delivery(settings, recipients, smtp_block, dry_run)
        except ConfigurationError as exc:
            if strict:
                raise
            not_emailed = str(exc)
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
        delivery=delivery,
        not_emailed=not_emailed,
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


_HANDED: dict[str, EditionPlan] = {}


def load_plan_once(settings: Settings, *, hand_over: bool = False, **choices: Any) -> EditionPlan:
    """``load_plan``, built once per run. The command line builds the plan to check it before
    Prefect starts, with ``hand_over``: the flow it then starts in this process, asking with the
    same settings and choices, is handed that very plan, once. Any other call builds anew (a
    process that runs the flow again, next week, plans again)."""
    # Strictness aside: a plan the command checked strictly serves a flow that asks leniently.
    key = settings.model_dump_json() + repr(
        sorted((k, v) for k, v in choices.items() if k != "strict")
    )
    if hand_over:
        _HANDED.clear()
        _HANDED[key] = load_plan(settings, **choices)
        return _HANDED[key]
    handed = _HANDED.pop(key, None)
    return handed if handed is not None else load_plan(settings, **choices)
