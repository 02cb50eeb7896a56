"""The weekly-briefing flow: plan, load, fetch, select, extract, compose, render, write,
remember, report, then deliver.

Orchestration only: every task (``flows/stages.py``, ``delivery.py``, ``artifacts.py``) is one
stage function of ``briefing.edition``, the library the evaluation and the benchmarks call too.
Feeds are fetched in parallel, one task each, retried while their trouble may pass; a feed that
still fails is recorded in the edition's source health and the run goes on. The edition is
written to disk before any delivery, so a failed delivery never loses it.
(No ``from __future__ import annotations``: it breaks Prefect's parameter validation.)
"""

import re
from datetime import date
from typing import Any, Self, TypeVar, cast

from prefect import flow
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from briefing import edition as stages
from briefing.addresses import EmailAddress
from briefing.edition import EditionResult
from briefing.errors import ConfigurationError
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
    """What an edition is made of, checked: the run form's values (``form_values``) become one
    of these at the flow's first step, and the command line builds one directly."""

    # Frozen, so one instance can safely be shared as a default.
    model_config = ConfigDict(extra="forbid", frozen=True)

    edition_date: date | None = Field(
        default=None,
        title="Edition date",
        description="Date printed on the edition and used in its file names, as YYYY-MM-DD "
        "(such as 2023-01-20). Leave empty for today in the configured time zone "
        "(BRIEFING_TIMEZONE).",
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
        title="Period start",
        description="First day of the period feed items are taken from, as YYYY-MM-DD. "
        "Leave empty for seven days before the edition date.",
    )
    include_configured_feeds: bool = Field(
        default=True,
        title="Read the configured feeds",
        description="Read the feeds listed in the configuration file (BRIEFING_CONFIG_FILE).",
    )
    extra_feed_urls: list[str] = Field(
        default_factory=list,
        title="More feeds",
        description="More feed URLs (http or https) to read for this edition only.",
    )
    include_seeds: bool = Field(
        default=True,
        title="Include the seed documents",
        description="Include the seed documents, the briefing's background.",
    )
    allow_private_network: bool = Field(
        default=False,
        title="Allow feeds on private networks",
        description="Let feeds come from loopback and private addresses (local feed servers). "
        "Also on when BRIEFING_ALLOW_PRIVATE_NETWORK is set. Their article links reach a "
        "private address only on the feed's own host (others: BRIEFING_PRIVATE_HOSTS).",
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
        "(BRIEFING_EMAIL_RECIPIENTS) and the recipients below. Needs the From address "
        "(BRIEFING_SMTP_FROM) and a mail server: the SMTP block below, or BRIEFING_SMTP_HOST.",
    )
    recipients: list[EmailAddress] = Field(
        default_factory=list,
        title="Recipients",
        description="More addresses to email this edition to, added to the configured ones. "
        "Bare addresses only, such as analyst@example.org (no name, no angle brackets).",
    )
    smtp_block: str | None = Field(
        default=None,
        title="SMTP block",
        description="Name of a prefect-email 'Email Server Credentials' block to send through: "
        "lower-case letters, digits and hyphens, such as briefing-smtp. "
        "Leave empty to use the BRIEFING_SMTP_* settings.",
    )
    dry_run: bool = Field(
        default=False,
        title="Dry run",
        description="Build the email but do not send it: write it as briefing-DATE.eml "
        "in the output folder instead (implies preparing the email). Needs the From address "
        "(BRIEFING_SMTP_FROM), but no mail server.",
    )

    @field_validator("extra_feed_urls")
    @classmethod
    def _web_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            feed_for_url(url)  # raises ValidationError, naming the URL, unless it is http(s)
        return urls

    @field_validator("smtp_block")
    @classmethod
    def _block_name(cls, name: str | None) -> str | None:
        # Prefect's own rule for block names, said in words (a pattern's error is the regex).
        if name is not None and not _BLOCK_NAME.fullmatch(name):
            raise ValueError(
                f"{name[:80]!r} is not a block name: use lower-case letters, digits and "
                "hyphens, starting with a letter or digit, such as briefing-smtp"
            )
        return name

    @model_validator(mode="after")
    def _period_ends_at_the_edition(self) -> Self:
        if self.since and self.edition_date and self.since > self.edition_date:
            raise ValueError("Period start (since) must not be after the edition date")
        return self


_BLOCK_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def form_field(name: str, default: Any) -> Any:
    """A flow parameter as the run form shows it: the title and description of the
    ``EditionParameters`` field of that name (Prefect would title it by its name)."""
    spec = EditionParameters.model_fields[name]
    return Field(
        default=default, description=spec.description, json_schema_extra={"title": spec.title}
    )


# The run form's fields: text for what may be left empty (a `X | None` field shows as `Property
# is type "None"`), dates as text too (the date picker drops an impossible date without a word,
# so the run would make today's edition), addresses checked by the flow (the form would answer a
# bad one with the raw pattern). ``edition_parameters`` turns them into ``EditionParameters``.
EMPTY_AS_NONE = ("edition_date", "output_dir", "since", "smtp_block")


def form_values(parameters: EditionParameters) -> dict[str, Any]:
    """The run form's values (the flow's keyword arguments) for these parameters."""
    values = parameters.model_dump(mode="json")
    return {
        name: "" if name in EMPTY_AS_NONE and value is None else value
        for name, value in values.items()
    }


def edition_parameters(**values: Any) -> EditionParameters:
    """The run form's values checked; ConfigurationError naming each bad field by its title
    and name, and saying in words what it needs."""
    for name in EMPTY_AS_NONE:
        if values.get(name) == "":
            values[name] = None
    for name in ("edition_date", "since"):
        if isinstance(values.get(name), str):
            values[name] = _form_date(name, values[name])
    try:
        return EditionParameters(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = error["loc"]
            field = EditionParameters.model_fields.get(str(location[0])) if location else None
            where = f"{field.title} ({location[0]})" if field is not None else "The parameters"
            problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        raise ConfigurationError("; ".join(problems)) from exc


def _form_date(name: str, text: str) -> date:
    title = EditionParameters.model_fields[name].title
    written = text.strip()
    try:
        if not _ISO_DATE.fullmatch(written):
            raise ValueError("not YYYY-MM-DD")
        return date.fromisoformat(written)
    except ValueError:
        raise ConfigurationError(
            f"{title} ({name}): {text[:40]!r} is not a date; write it as YYYY-MM-DD, "
            "such as 2023-01-20, or leave it empty"
        ) from None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


T = TypeVar("T")


def unwalked(value: T) -> T:
    """The value as a task argument that Prefect passes on without walking it (``quote``): the
    task receives the value itself. Typed as the value, which is what the task gets."""
    return cast(T, quote(value))


@flow(name="weekly-briefing")
def weekly_briefing(
    edition_date: str = form_field("edition_date", ""),
    page_size: PageSize = form_field("page_size", "A4"),
    output_dir: str = form_field("output_dir", ""),
    since: str = form_field("since", ""),
    include_configured_feeds: bool = form_field("include_configured_feeds", True),
    extra_feed_urls: list[str] = form_field("extra_feed_urls", ()),
    include_seeds: bool = form_field("include_seeds", True),
    allow_private_network: bool = form_field("allow_private_network", False),
    fetch_articles: bool = form_field("fetch_articles", True),
    send_email: bool = form_field("send_email", False),
    recipients: list[str] = form_field("recipients", ()),
    smtp_block: str = form_field("smtp_block", ""),
    dry_run: bool = form_field("dry_run", False),
) -> EditionResult:
    """Make one edition of the briefing from the seed documents and the feeds, and email it
    if asked. Every parameter has a default (``EditionParameters`` says what each means); a
    scheduled run uses them all.
    """
    # First, before any work: a bad date, folder, recipient or server fails in seconds. As the
    # first statement, locals() is exactly the parameters: a new field of EditionParameters is
    # one more parameter above (tests/test_run_form.py checks the two agree), nothing more.
    parameters = edition_parameters(**locals())
    settings = load_settings()
    plan = stages.load_plan(settings, **parameters.model_dump())
    delivery = plan.delivery
    if delivery is not None and delivery.smtp_block and not delivery.dry_run:
        check_block_stage(delivery.smtp_block)

    topic, seeds = load_stage(plan)
    fetches = fetch_all(plan, settings)
    # unwalked(): Prefect walks every argument of a task, to its last field, looking for futures
    # and upstream results; over the feeds' bodies, the documents and the facts of 2,000 items
    # that walk took 63 of a run's 165 s. The values are passed as they are, only not walked
    # (the run graph in the UI shows fewer arrows between tasks).
    selection = articles_stage(plan, unwalked(select_stage(plan, topic, unwalked(fetches))))
    documents = seeds + selection.documents
    extracted = extract_stage(plan, topic, unwalked(documents))
    run_id = str(flow_run.id) if flow_run.id else None
    # Editions take turns on the memory from reading the earlier ones to recording this one, so
    # each is new against every edition recorded before it, even when runs overlap. Within the
    # turn, another run of the same edition writes its files, memory and .eml before or after
    # this one's, never between them. A write that fails raises here: nothing is remembered.
    with stages.take_memory_turn(plan):
        # The same inputs as the stored edition's (earlier editions included): its files are
        # that edition, and nothing is composed or rendered again.
        inputs, stored = reuse_stage(plan, unwalked(extracted), unwalked(selection))
        if stored is None:
            briefing = compose_stage(
                plan, topic, unwalked(documents), unwalked(extracted), unwalked(selection)
            )
            rendered = render_stage(plan, unwalked(briefing))
        else:
            briefing = stored.briefing
        with stages.lock_edition(plan):
            if stored is not None and stages.load_reusable_edition(plan, inputs) is None:
                # Another run replaced the files meanwhile: this edition is made after all.
                stored = None
                briefing = compose_stage(
                    plan, topic, unwalked(documents), unwalked(extracted), unwalked(selection)
                )
                rendered = render_stage(plan, unwalked(briefing))
            if stored is None:
                result = write_stage(
                    plan, unwalked(briefing), unwalked(rendered), run_id or "local", inputs
                )
            else:
                result = stages.reused_result(stored)
            remember_stage(
                plan,
                unwalked(briefing),
                unwalked(selection),
                unwalked(fetches),
                unwalked(extracted),
                run_id or "local",
            )
            message = message_stage(plan, topic, unwalked(briefing), result) if delivery else None
            if delivery is not None and message is not None and delivery.dry_run:
                write_message_stage(plan, message, run_id)
    # Several workers write to folders people cannot reach: the bucket is where they look then.
    links = publish_stage(plan, result) if plan.bucket else stages.links_to(plan, result)
    report_stage(unwalked(briefing), links)
    if delivery is None or message is None:
        return result
    if not delivery.dry_run:
        deliver_all(plan, settings, message, run_id, result)
    deliveries_report_stage(plan.out_dir, run_id)
    return result


if __name__ == "__main__":
    weekly_briefing()
