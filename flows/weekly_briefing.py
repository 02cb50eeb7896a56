"""The weekly-briefing flow: the run form's parameters checked, the plan made, and the edition
made by ``briefing.edition.make_edition`` with each stage a Prefect task (``flows/stages.py``).

Feeds are fetched in parallel, one task each, retried while their trouble may pass; a feed that
still fails is recorded in the edition's source health and the run goes on. The edition is
written to disk before any delivery, so a failed delivery never loses it.
(No ``from __future__ import annotations``: it breaks Prefect's parameter validation.)
"""

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from briefing.edition import EditionResult, load_plan_once, make_edition
from briefing.errors import ConfigurationError
from briefing.parameters import edition_parameters, form_field, in_form_words
from briefing.render.document import PageSize
from briefing.settings import load_settings
from flows.delivery import check_block
from flows.stages import AsTasks

WARNINGS_STATE = "Completed with warnings"


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
    # First, before any work: a bad date, folder, recipient or server fails in seconds, in the
    # form's words and with no traceback. As the first statement, locals() is exactly the
    # parameters: a new field of EditionParameters is one more parameter above
    # (tests/test_run_form.py checks the two agree), nothing more.
    try:
        parameters = edition_parameters(**locals())
        settings = load_settings()
        plan = load_plan_once(settings, strict=False, **parameters.model_dump())
        if plan.delivery is not None and plan.delivery.smtp_block and not plan.delivery.dry_run:
            check_block(plan.delivery.smtp_block)
    except ConfigurationError as exc:
        return Failed(message=in_form_words(str(exc)))  # type: ignore[return-value]
    extract_many = None
    if plan.dask_address is not None:
        from flows.dask_extract import ExtractOnDask  # Dask's import costs about a second

        extract_many = ExtractOnDask(plan.dask_address)
    run_id = str(flow_run.id) if flow_run.id else "local"
    made = make_edition(plan, AsTasks(settings), run_id=run_id, extract_many=extract_many)
    if made.result.warnings:  # a degraded run, told apart from a healthy one in the run list
        return Completed(  # type: ignore[return-value]
            name=WARNINGS_STATE, message="; ".join(made.result.warnings)[:1000], data=made.result
        )
    return made.result


if __name__ == "__main__":
    weekly_briefing()
