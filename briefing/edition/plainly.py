"""``Plainly``: ``make_edition``'s stages run in this process, and the seed edition made so."""

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

from briefing import progress
from briefing.deliver import Missed, connect_smtp, describe_missed, send_round
from briefing.edition.keep import (
    EditionResult,
)
from briefing.edition.plan import EditionPlan, build_plan
from briefing.edition.run import read_edition
from briefing.edition.steps import compose
from briefing.errors import ConfigurationError
from briefing.models import Briefing
from briefing.publish.links import EditionLinks
from briefing.settings import Settings, load_settings

T = TypeVar("T")


class Plainly:
    """Stages run in this process, one after another (feeds on a few threads); each stage's
    lines passed to ``say`` (none by default). It sends no email but a dry run's."""

    def __init__(self, say: Callable[[str], None] | None = None, threads: int = 16) -> None:
        self.say = say
        self.threads = threads

    def run(self, name: str, stage: Callable[..., T], *args: Any) -> T:
        value = stage(*args)
        if self.say is not None:
            for _, line in progress.describe_stage(name, value, args[0]):
                self.say(line)
        return value

    def each(
        self,
        name: str,
        stage: Callable[..., T],
        plan: EditionPlan,
        items: Sequence[tuple[Any, ...]],
    ) -> list[T | Exception]:
        def one(item: tuple[Any, ...]) -> T | Exception:
            try:
                return self.run(name, stage, plan, *item)
            except Exception as exc:  # returned in the item's place
                return exc

        with ThreadPoolExecutor(max(1, min(self.threads, len(items)))) as pool:
            return list(pool.map(one, items))

    def report(self, briefing: Briefing, links: EditionLinks, warnings: Sequence[str]) -> None:
        if self.say is not None:
            self.say(f"edition of {briefing.edition_date}: {links.pdf}")
            for warning in warnings:
                self.say(f"warning: {warning}")

    def deliver(
        self, plan: EditionPlan, message: bytes, run_id: str, result: EditionResult
    ) -> Missed | None:
        """One round through the settings' SMTP server (a prefect-email block needs Prefect)."""
        delivery = plan.delivery
        if delivery is None or delivery.dry_run:
            return None
        if delivery.server is None:
            raise ConfigurationError(
                "a prefect-email block sends only from the Prefect flow: run `briefing run "
                "--email --smtp-block NAME`, or set BRIEFING_SMTP_HOST"
            )
        send_round(
            partial(connect_smtp, delivery.server), plan.out_dir, plan.edition_date, delivery,
            message, attempt=1, now=partial(datetime.now, UTC), run_id=run_id,
        )  # fmt: skip
        return describe_missed(plan.out_dir, plan.edition_date, delivery, run_id, result.pdf_file)


def load_seed_briefing(edition_date: date, settings: Settings | None = None) -> Briefing:
    """The seed edition for a date as a first edition: read as every edition is, with no feeds
    and no memory, and composed; what the evaluation scores."""
    plan = build_plan(settings or load_settings(), today=edition_date)
    plan = replace(plan, database_url=None)
    read = read_edition(plan, Plainly())
    return compose(plan, read.topic, read.documents, read.extracted, read.selection)


def briefing_schema_json() -> str:
    """The JSON Schema of the JSON edition, as stable, indented text."""
    return json.dumps(Briefing.model_json_schema(), indent=2, sort_keys=True) + "\n"
