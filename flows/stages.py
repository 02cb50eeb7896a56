"""The edition's stages as Prefect tasks: each is one stage function of ``briefing.edition``,
with the log line it reports and, for the feeds, the retries their trouble may deserve."""

from datetime import UTC, datetime

from prefect import Task, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from briefing import edition as stages
from briefing import progress
from briefing.edition import EditionPlan, EditionResult, Extracted, Rendered, Selection
from briefing.errors import FetchError
from briefing.extract.facts import count_fact_caps
from briefing.models import Briefing, SourceDocument
from briefing.publish.links import EditionLinks
from briefing.reuse import StoredEdition
from briefing.settings import Settings
from briefing.sources.feeds import FeedConfig, FeedCopy, FeedFetch, failed_fetch
from briefing.topic import Topic


def trouble_may_pass(_task: Task[..., FeedFetch], _run: TaskRun, state: State) -> bool:
    """Retry a feed only for trouble that may pass: a timeout, a 5xx or a 429."""
    try:
        state.result()
    except FetchError as exc:
        return exc.transient
    except Exception:  # a bug, not a feed's trouble: no retry
        return False
    return False


@task(name="load")
def load_stage(plan: EditionPlan) -> tuple[Topic, tuple[SourceDocument, ...]]:
    """Read the topic profile and the seed documents."""
    topic, seeds = stages.load_sources(plan)
    get_run_logger().info(progress.describe_load(seeds, len(plan.feeds)))
    return topic, seeds


@task(name="recall")
def recall_stage(plan: EditionPlan) -> dict[str, FeedCopy]:
    """The copy kept from each feed's last fetch, whose validators make the next one conditional."""
    return stages.load_previous_copies(plan)


# The number of tries and their delay are settings, applied with ``with_options``.
@task(name="fetch-feed", task_run_name="fetch {feed.name}", retry_condition_fn=trouble_may_pass)
def fetch_stage(plan: EditionPlan, feed: FeedConfig, previous: FeedCopy | None) -> FeedFetch:
    """Fetch one feed; raise only when its trouble may pass, so that the task is retried."""
    fetched = stages.fetch_one_feed(plan, feed, previous)
    outcome = fetched.outcome
    if fetched.transient and outcome.reason is not None:
        raise FetchError(outcome.reason, transient=True, http_status=outcome.http_status)
    get_run_logger().info("%s: %s", feed.name, outcome.reason or outcome.status)
    return fetched


def fetch_all(plan: EditionPlan, settings: Settings) -> list[FeedFetch]:
    """Every feed fetched in parallel; one still failing after its retries is recorded."""
    copies = recall_stage(plan)
    futures = fetch_stage.with_options(
        retries=settings.fetch_retries, retry_delay_seconds=settings.fetch_retry_delay
    ).map(unmapped(plan), list(plan.feeds), [copies.get(feed.url) for feed in plan.feeds])
    fetches = []
    for feed, future in zip(plan.feeds, futures, strict=True):
        fetched = future.result(raise_on_failure=False)
        if isinstance(fetched, FetchError):
            fetched = failed_fetch(feed, fetched.reason, fetched.http_status)
        elif isinstance(fetched, BaseException):  # a bug, not a feed's trouble
            raise fetched
        fetches.append(fetched)
    return fetches


@task(name="select")
def select_stage(plan: EditionPlan, topic: Topic, fetches: list[FeedFetch]) -> Selection:
    """Parse each fetched feed and keep the items about the partnership within the period."""
    logger = get_run_logger()
    selection = stages.select_news(plan, topic, fetches)
    for outcome in selection.outcomes:
        log = logger.warning if outcome.status == "failed" else logger.info
        log(progress.describe_feed(outcome))
    logger.info(progress.describe_selection(selection))
    return selection


@task(name="articles")
def articles_stage(plan: EditionPlan, selection: Selection) -> Selection:
    """Fetch the full article behind each relevant teaser (within the edition's cap, per-host
    limit and retries); a page that fails leaves its teaser and is counted."""
    logger = get_run_logger()
    articles = stages.fetch_full_articles(plan, selection)
    for line in progress.describe_articles(articles.outcomes, enabled=plan.fetch_articles):
        logger.info(line)
    return articles


@task(name="extract")
def extract_stage(
    plan: EditionPlan, topic: Topic, documents: tuple[SourceDocument, ...]
) -> Extracted:
    """Turn every document into fact records, reusing those the memory kept; on the Dask
    cluster the plan names, if any, else on this machine's ``plan.worker_processes``."""
    if plan.dask_address is None:
        extracted = stages.load_and_extract(plan, topic, documents)
    else:
        from flows.dask_extract import ExtractOnDask  # Dask's import costs about a second

        extracted = stages.load_and_extract(
            plan, topic, documents, ExtractOnDask(plan.dask_address)
        )
    logger = get_run_logger()
    for line in progress.describe_documents(extracted):
        logger.info(line)
    logger.info(progress.describe_extraction(extracted))
    return extracted


@task(name="compose")
def compose_stage(
    plan: EditionPlan,
    topic: Topic,
    documents: tuple[SourceDocument, ...],
    extracted: Extracted,
    selection: Selection,
) -> Briefing:
    """Assemble the facts into the edition and mark those no earlier edition carried."""
    recollection = stages.load_recollection_of(plan)
    loaded = stages.load_kept_into(plan, extracted)
    feed_of = {item.document.id: item.feed_url for item in selection.items}
    outcomes = count_fact_caps(selection.outcomes, feed_of, loaded.results)
    briefing = stages.compose_edition(plan, topic, documents, loaded.facts, outcomes, recollection)
    get_run_logger().info(progress.describe_briefing(briefing))
    return briefing


@task(name="recognise")
def reuse_stage(
    plan: EditionPlan, extracted: Extracted, selection: Selection
) -> tuple[str, StoredEdition | None]:
    """The fingerprint of the edition's inputs, and the stored edition made from the same ones
    (whose files the run then reuses, composing and rendering nothing), if there is one."""
    inputs = stages.edition_fingerprint(
        plan, extracted, selection.outcomes, stages.load_recollection_of(plan)
    )
    stored = stages.load_reusable_edition(plan, inputs)
    if stored is not None:
        get_run_logger().info(progress.describe_reuse(stored))
    return inputs, stored


@task(name="render")
def render_stage(plan: EditionPlan, briefing: Briefing) -> Rendered:
    """Render the PDF within its page budget (the JSON edition attached) and the standalone
    HTML page, which shows every entry."""
    rendered = stages.render_edition(plan, briefing)
    get_run_logger().info(progress.describe_render(rendered.pdf, rendered.pages))
    return rendered


@task(name="write")
def write_stage(
    plan: EditionPlan, briefing: Briefing, rendered: Rendered, run_id: str, inputs: str
) -> EditionResult:
    """Replace the PDF, the HTML page and the JSON edition as a whole, with their manifest
    (which keeps the inputs' fingerprint)."""
    result = stages.write_files(
        plan, briefing, rendered, run_id=run_id, written_at=datetime.now(UTC), inputs=inputs
    )
    get_run_logger().info(progress.describe_files(result))
    return result


@task(name="remember", cache_policy=NO_CACHE)
def remember_stage(
    plan: EditionPlan,
    briefing: Briefing,
    selection: Selection,
    fetches: list[FeedFetch],
    extracted: Extracted,
    run_id: str,
) -> None:
    """Record the edition, its documents, facts and fetches in the memory, in one transaction."""
    stages.write_to_memory(
        plan, briefing, selection, fetches, extracted, run_id=run_id, written_at=datetime.now(UTC)
    )
    get_run_logger().info(progress.stage_line(7, "remember", "edition recorded in the memory"))


@task(name="publish", retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
def publish_stage(plan: EditionPlan, result: EditionResult) -> EditionLinks:
    """Put the edition's PDF, HTML and JSON in the S3-compatible bucket the settings name."""
    links = stages.send_to_publish_bucket(plan, result)
    assert plan.bucket is not None
    get_run_logger().info("publish: edition put in bucket %s: %s", plan.bucket.name, links.pdf)
    return links
