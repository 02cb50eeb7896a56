"""The Prefect driver of ``briefing.edition.make_edition``: each stage a named task, with the
log lines it reports and, for the feeds and the bucket, the retries their trouble may deserve.

Every argument is passed ``quote``d: Prefect walks each argument of a task, to its last field,
looking for futures; over the feeds' bodies, the documents and the facts of 2,000 items that
walk took 63 of a run's 165 s. The task receives the values as they are (the run graph in the
UI shows fewer arrows between tasks). No task is cached: nothing is persisted to reuse.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from prefect import Task, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.utilities.annotations import quote

from briefing import progress
from briefing.deliver import Missed
from briefing.edition import EditionPlan, EditionResult
from briefing.errors import FetchError
from briefing.models import Briefing
from briefing.publish.links import EditionLinks
from briefing.settings import Settings
from flows.artifacts import deliveries_report_stage, report_stage
from flows.delivery import deliver_all

T = TypeVar("T")


def trouble_may_pass(_task: Task[..., Any], _run: TaskRun, state: State) -> bool:
    """Retry a feed only for trouble that may pass: a timeout, a 5xx or a 429."""
    try:
        state.result()
    except FetchError as exc:
        return exc.transient
    except Exception:  # a bug, not a feed's trouble: no retry
        return False
    return False


def _logged(name: str, stage: Callable[..., T]) -> Callable[..., T]:
    """The stage, logging the lines ``progress.describe_stage`` gives for its value."""

    @functools.wraps(stage)  # Prefect reads the stage's own parameters through __wrapped__
    def logged(*args: Any, **kwargs: Any) -> T:
        value = stage(*args, **kwargs)
        plan = next(a for a in (*args, *kwargs.values()) if isinstance(a, EditionPlan))
        logger = get_run_logger()
        for level, line in progress.describe_stage(name, value, plan):
            logger.log(level, line)
        return value

    return logged


class AsTasks:
    """``Stages`` as Prefect tasks of the running flow, named as ``make_edition`` names them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.options: dict[str, dict[str, Any]] = {
            # The number of tries and their delay are settings.
            "fetch-feed": {
                "task_run_name": "fetch {feed.name}",
                "retry_condition_fn": trouble_may_pass,
                "retries": settings.fetch_retries,
                "retry_delay_seconds": settings.fetch_retry_delay,
            },
            "publish": {"retries": 2, "retry_delay_seconds": 10},
        }
        self._tasks: dict[tuple[str, Callable[..., Any]], Task[..., Any]] = {}

    def task(self, name: str, stage: Callable[..., T]) -> Task[..., T]:
        """The task that runs this stage under this name (made once)."""
        key = (name, stage)
        if key not in self._tasks:
            options = {"name": name, "cache_policy": NO_CACHE, **self.options.get(name, {})}
            self._tasks[key] = task(_logged(name, stage), **options)
        return self._tasks[key]

    def run(self, name: str, stage: Callable[..., T], *args: Any) -> T:
        return self.task(name, stage)(*(quote(arg) for arg in args))

    def each(
        self,
        name: str,
        stage: Callable[..., T],
        plan: EditionPlan,
        items: Sequence[tuple[Any, ...]],
    ) -> list[T | Exception]:
        if not items:
            return []
        columns = [list(column) for column in zip(*items, strict=True)]
        futures = self.task(name, stage).map(unmapped(quote(plan)), *columns)
        results: list[T | Exception] = []
        for future in futures:
            value = future.result(raise_on_failure=False)
            if isinstance(value, BaseException) and not isinstance(value, Exception):
                raise value
            results.append(value)
        return results

    def report(self, briefing: Briefing, links: EditionLinks, warnings: Sequence[str]) -> None:
        report_stage(cast(Briefing, quote(briefing)), links, list(warnings))

    def deliver(
        self, plan: EditionPlan, message: bytes, run_id: str, result: EditionResult
    ) -> Missed | None:
        assert plan.delivery is not None
        missed = None
        if not plan.delivery.dry_run:
            missed = deliver_all(plan, self.settings, message, run_id, result)
        deliveries_report_stage(plan.out_dir, run_id)
        return missed
