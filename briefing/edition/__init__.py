"""One edition, stage by stage: plan, gather, facts, make, keep, and the sequence that runs them.

Each stage is a plain function over plain data; ``make_edition`` (``run.py``) runs them in
order through a driver: the Prefect flow, the benchmark, or ``Plainly``. A function whose name
starts with ``load_``, ``fetch_``, ``write_`` or ``send_`` reads or writes the disk, the network
or the memory database; the others are pure. Time is an argument: the caller decides "today"
and "now" once.
"""

from briefing.edition.facts import Extracted, extract_edition, load_and_extract, load_kept_into
from briefing.edition.gather import (
    Selection,
    count_articles,
    fetch_full_articles,
    fetch_one_feed,
    load_article_round,
    load_previous_copies,
    load_sources,
    select_news,
)
from briefing.edition.keep import (
    EditionResult,
    links_to,
    load_message,
    lock_edition,
    reused_result,
    send_to_publish_bucket,
    take_memory_turn,
    write_archive_of,
    write_files,
    write_to_memory,
)
from briefing.edition.make import (
    Rendered,
    compose_edition,
    edition_attachments,
    edition_fingerprint,
    load_recollection_of,
    load_reusable_edition,
    load_versions,
    print_edition,
    render_edition,
)
from briefing.edition.plainly import Plainly, briefing_schema_json, load_seed_briefing
from briefing.edition.plan import EditionPlan, build_plan, load_plan, load_plan_once
from briefing.edition.run import FetchFeed, Made, Read, Stages, make_edition, read_edition
from briefing.edition.steps import compose, fetch_feed

__all__ = [
    "EditionPlan",
    "EditionResult",
    "Extracted",
    "FetchFeed",
    "Made",
    "Plainly",
    "Read",
    "Rendered",
    "Selection",
    "Stages",
    "briefing_schema_json",
    "build_plan",
    "compose",
    "compose_edition",
    "count_articles",
    "edition_attachments",
    "edition_fingerprint",
    "extract_edition",
    "fetch_feed",
    "fetch_full_articles",
    "fetch_one_feed",
    "links_to",
    "load_and_extract",
    "load_article_round",
    "load_kept_into",
    "load_message",
    "load_plan",
    "load_plan_once",
    "load_previous_copies",
    "load_recollection_of",
    "load_reusable_edition",
    "load_seed_briefing",
    "load_sources",
    "load_versions",
    "lock_edition",
    "make_edition",
    "print_edition",
    "read_edition",
    "render_edition",
    "reused_result",
    "select_news",
    "send_to_publish_bucket",
    "take_memory_turn",
    "write_archive_of",
    "write_files",
    "write_to_memory",
]
