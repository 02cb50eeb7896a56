"""The weekly-briefing flow: plan, load, fetch, select, extract, compose, render, write,
remember, report, then deliver.

Orchestration only: every task (``flows/stages.py``, ``delivery.py``, ``artifacts.py``) is one
stage function of ``briefing.edition``, the library the evaluation and the benchmarks call too.
Feeds are fetched in parallel, one task each, retried while their trouble may pass; a feed that
still fails is recorded in the edition's source health and the run goes on. The edition is
written to disk before any delivery, so a failed delivery never loses it.
(No ``from __future__ import annotations``: it breaks Prefect's parameter validation.)
"""

from datetime import date
from typing import Self

from prefect import flow
from prefect.runtime import flow_run
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from briefing import edition as stages
from briefing.addresses import EmailAddress
from briefing.edition import EditionResult
from briefing.render.document import PageSize
from briefing.settings import load_settings
from briefing.sources.feeds import feed_for_url
from flows.artifacts import deliveries_report_stage, report_stage
from flows.delivery import check_block_stage, deliver_all, message_stage, write_message_stage
from flows.stages import (
    articles_stage,
    compose_stage,
    extract_stage,
    fetch_all,
    load_stage,
    publish_stage,
    remember_stage,
    render_stage,
    reuse_stage,
    select_stage,
    write_stage,
)


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
    fetch_articles: bool = Field(
        default=True,
        title="Fetch full articles",
        description="For a relevant feed item that is only a teaser, fetch the article at its "
        "link and read its whole text, as each feed's full_text setting says. Turn off to read "
        "the feeds' own text only (BRIEFING_ARTICLE_CAP=0 turns it off for every edition).",
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


@flow(name="weekly-briefing")
def weekly_briefing(parameters: EditionParameters = EditionParameters()) -> EditionResult:
    """Make one edition of the briefing from the seed documents and the feeds, and email it
    if asked.

    Args:
        parameters: What the edition is made of: its date, paper size, output folder, feeds
            and period, and whether and to whom it is emailed. Every field has a default; a
            scheduled run uses them all.
    """
    settings = load_settings()
    # Checked before any work: a bad folder, recipient or server fails in seconds, not minutes.
    plan = stages.load_plan(settings, **parameters.model_dump())
    delivery = plan.delivery
    if delivery is not None and delivery.smtp_block and not delivery.dry_run:
        check_block_stage(delivery.smtp_block)

    topic, seeds = load_stage(plan)
    fetches = fetch_all(plan, settings)
    selection = articles_stage(plan, select_stage(plan, topic, fetches))
    documents = seeds + selection.documents
    extracted = extract_stage(plan, topic, documents)
    run_id = str(flow_run.id) if flow_run.id else None
    # Editions take turns on the memory from reading the earlier ones to recording this one, so
    # each is new against every edition recorded before it, even when runs overlap. Within the
    # turn, another run of the same edition writes its files, memory and .eml before or after
    # this one's, never between them. A write that fails raises here: nothing is remembered.
    with stages.take_memory_turn(plan):
        # The same inputs as the stored edition's (earlier editions included): its files are
        # that edition, and nothing is composed or rendered again.
        inputs, stored = reuse_stage(plan, extracted, selection)
        if stored is None:
            briefing = compose_stage(plan, topic, documents, extracted, selection)
            rendered = render_stage(plan, briefing)
        else:
            briefing = stored.briefing
        with stages.lock_edition(plan):
            if stored is not None and stages.load_reusable_edition(plan, inputs) is None:
                # Another run replaced the files meanwhile: this edition is made after all.
                stored = None
                briefing = compose_stage(plan, topic, documents, extracted, selection)
                rendered = render_stage(plan, briefing)
            if stored is None:
                result = write_stage(plan, briefing, rendered, run_id or "local", inputs)
            else:
                result = stages.reused_result(stored)
            remember_stage(plan, briefing, selection, fetches, extracted, run_id or "local")
            message = message_stage(plan, topic, briefing, result) if delivery else None
            if delivery is not None and message is not None and delivery.dry_run:
                write_message_stage(plan, message, run_id)
    # Several workers write to folders people cannot reach: the bucket is where they look then.
    links = publish_stage(plan, result) if plan.bucket else stages.links_to(plan, result)
    report_stage(briefing, links)
    if delivery is None or message is None:
        return result
    if not delivery.dry_run:
        deliver_all(plan, settings, message, run_id, result)
    deliveries_report_stage(plan.out_dir, run_id)
    return result


if __name__ == "__main__":
    weekly_briefing()
