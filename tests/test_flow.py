"""End to end: the weekly-briefing flow through a real (temporary) Prefect server: an edition of the
seeds, then a week later an edition that also reads every kind of fixture feed."""

import errno
import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from briefing.edition import EditionResult
from briefing.errors import BriefingError
from briefing.models import Briefing
from briefing.parameters import EditionParameters, form_values
from briefing.settings import PROJECT_ROOT
from flows.weekly_briefing import weekly_briefing
from tests.feedserver import LIMITS, FeedServer
from tests.runs import memory_tables

EDITION_DATE = date(2023, 1, 20)
NEXT_EDITION_DATE = date(2023, 1, 27)

# Every kind of feed the issue names, and what the source-health appendix must say of each.
FEEDS = {
    "/rss20.xml": "fetched",
    "/atom.xml": "fetched",
    "/rdf.xml": "unchanged",
    "/malformed.xml": "fetched",
    "/empty.xml": "fetched",
    "/shift_jis.xml": "fetched",
    "/too-big.xml": "failed: the response is over the 65536-byte cap",
    "/gzip-bomb.xml": "failed: the body decompresses past the decoded size cap",
    "/to-metadata-service": "failed: refused 169.254.169.254: 169.254.169.254 is a link-local",
    "/never-answers.xml": "failed: timed out waiting for data from 127.0.0.1",
    "/unavailable.xml": "failed: HTTP 503 Service Unavailable",
    "/not-a-feed": "failed: not a readable feed: NonXMLContentType: text/html is not an XML",
}


@pytest.fixture(scope="module")
def prefect_server(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The session's throwaway Prefect server, with a memory of this module's own and the test
    feeds' low limits, one retry and no wait between tries."""
    memory = tmp_path_factory.mktemp("flow-memory") / "briefing.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{memory}")
        patch.setenv("BRIEFING_CONNECT_TIMEOUT", str(LIMITS.connect_timeout))
        patch.setenv("BRIEFING_READ_TIMEOUT", str(LIMITS.read_timeout))
        patch.setenv("BRIEFING_MAX_FEED_BYTES", str(LIMITS.max_raw_bytes))
        patch.setenv("BRIEFING_MAX_DECODED_BYTES", str(LIMITS.max_decoded_bytes))
        patch.setenv("BRIEFING_FETCH_RETRIES", "1")
        patch.setenv("BRIEFING_FETCH_RETRY_DELAY", "0")
        yield


@pytest.fixture(scope="module")
def edition(
    prefect_server: None, feed_server: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> EditionResult:
    """The first edition: the seeds, and one feed whose only item is dated after the period."""
    out = tmp_path_factory.mktemp("out")
    return weekly_briefing(
        **form_values(
            EditionParameters(
                edition_date=EDITION_DATE,
                output_dir=str(out),
                extra_feed_urls=[feed_server.url("/rdf.xml")],
                allow_private_network=True,
            )
        )
    )


@pytest.fixture(scope="module")
def next_edition(
    edition: EditionResult, feed_server: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[EditionResult, dict[str, int]]:
    """A week later: the seeds and every fixture feed, and how often each feed was requested."""
    out = tmp_path_factory.mktemp("out")
    before = {path: len(feed_server.received(path)) for path in FEEDS}
    result = weekly_briefing(
        **form_values(
            EditionParameters(
                edition_date=NEXT_EDITION_DATE,
                output_dir=str(out),
                extra_feed_urls=[feed_server.url(path) for path in FEEDS],
                allow_private_network=True,
            )
        )
    )
    requests = {path: len(feed_server.received(path)) - before[path] for path in FEEDS}
    return result, requests


@pytest.mark.slow
def test_the_flow_writes_the_dated_pdf_and_json(edition: EditionResult) -> None:
    """The run names its three files, dated with the edition date, and they exist."""
    assert ("briefing-2023-01-20.pdf", "briefing-2023-01-20.json", "briefing-2023-01-20.html") == (
        edition.pdf_file.name,
        edition.json_file.name,
        edition.html_file.name,
    )
    assert edition.pdf_file.read_bytes().startswith(b"%PDF-")
    assert edition.html_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (5, EDITION_DATE) == (edition.sources, edition.edition_date)


@pytest.mark.slow
def test_every_json_statement_is_found_at_its_span_in_its_seed_file(
    edition: EditionResult,
) -> None:
    """Reading the seed files from disk, each statement's evidence quote is there, verbatim."""
    data = json.loads(edition.json_file.read_text(encoding="utf-8"))
    texts = {
        source["id"]: (PROJECT_ROOT / source["location"]).read_text(encoding="utf-8")
        for source in data["sources"]
    }
    facts = [fact for section in data["sections"] for fact in section["facts"]]
    assert len(facts) == edition.facts
    mismatches = [
        (fact["id"], evidence["document_id"], evidence["start"])
        for fact in facts
        for evidence in fact["evidence"]
        if texts[evidence["document_id"]][evidence["start"] : evidence["end"]] != evidence["quote"]
    ]
    unquoted = [f["id"] for f in facts if f["statement"] not in {e["quote"] for e in f["evidence"]}]
    assert ([], []) == (mismatches, unquoted)


@pytest.mark.slow
def test_json_edition_loads_back_as_a_valid_briefing(edition: EditionResult) -> None:
    """The JSON edition is the whole briefing model and passes its provenance checks."""
    briefing = Briefing.model_validate_json(edition.json_file.read_text(encoding="utf-8"))
    per_theme = {section.theme: len(section.facts) for section in briefing.sections}
    assert ["civil-space", "security", "orbital-debris"] == list(per_theme)
    assert all(count >= 3 for count in per_theme.values()), per_theme


@pytest.mark.slow
def test_the_pdf_shows_date_themes_and_outlets(edition: EditionResult) -> None:
    """The PDF's text has the edition date, the three theme headings and the seeds' outlets."""
    text = " ".join(page.extract_text() for page in PdfReader(edition.pdf_file).pages)
    for expected in (
        "20 January 2023",
        "Civil space",
        "Security",
        "Orbital debris",
        "SpaceNews",
        "SpacePolicyOnline.com",
        "The Japan Times",
    ):
        assert expected in text, expected


@pytest.mark.slow
def test_with_every_kind_of_feed_the_edition_still_comes_out_and_health_lists_each(
    next_edition: tuple[EditionResult, dict[str, int]], feed_server: FeedServer
) -> None:
    """Each feed ends as its recorded outcome in the edition's source health, in the order given."""
    result, _ = next_edition
    briefing = Briefing.model_validate_json(result.json_file.read_text(encoding="utf-8"))
    health = {
        outcome.url.removeprefix(feed_server.url("")): outcome.status
        + (f": {outcome.reason}" if outcome.reason else "")
        for outcome in briefing.source_health
    }
    trimmed = {path: health[path][: len(expected)] for path, expected in FEEDS.items()}
    assert (FEEDS, list(FEEDS), 6) == (trimmed, list(health), result.feeds_failed)


@pytest.mark.slow
def test_transient_failures_are_retried_and_the_others_are_not(
    next_edition: tuple[EditionResult, dict[str, int]],
) -> None:
    """With one retry, the timed-out and the 503 feeds are asked twice; refused ones once."""
    _, requests = next_edition
    tried = {path: requests[path] for path in ("/never-answers.xml", "/unavailable.xml")}
    once = {path: requests[path] for path in ("/to-metadata-service", "/too-big.xml", "/atom.xml")}
    expected = (
        {"/never-answers.xml": 2, "/unavailable.xml": 2},
        {"/to-metadata-service": 1, "/too-big.xml": 1, "/atom.xml": 1},
    )
    assert expected == (tried, once)


@pytest.mark.slow
def test_the_next_edition_says_what_is_new_since_the_first(
    next_edition: tuple[EditionResult, dict[str, int]],
) -> None:
    """The seeds' facts were carried a week before, so exactly the feed items' facts are new,
    among them the item of the feed that answered 304, read from the copy kept."""
    result, _ = next_edition
    briefing = Briefing.model_validate_json(result.json_file.read_text(encoding="utf-8"))
    from_feeds = [
        fact.id
        for fact in briefing.facts()
        if all(item.document_id.startswith("feed-") for item in fact.evidence)
    ]
    rdf_items = [
        s.id for s in briefing.sources if s.title and s.title.value == "Sensors to ride on QZSS"
    ]
    expected = (EDITION_DATE, from_feeds, 1, True)
    assert expected == (
        briefing.previous_edition,
        list(briefing.new_fact_ids),
        len(rdf_items),
        len(from_feeds) >= 5,
    )


@pytest.mark.slow
def test_the_pdf_shows_whats_new_and_source_health(
    next_edition: tuple[EditionResult, dict[str, int]],
) -> None:
    """The PDF has both new parts, with a failure reason a reader can act on (compared without
    white space and NULs: after the Shift_JIS item's glyphs pypdf reads the body font's text as
    two-byte codes, which poppler's pdftotext reads right)."""
    result, _ = next_edition
    pages = PdfReader(result.pdf_file).pages
    text = "".join("".join(page.extract_text() for page in pages).replace("\x00", "").split())
    shown = [
        "What’s new",
        "Since the edition of 20 January 2023",
        "Source health",
        "Failed: timed out waiting for data from 127.0.0.1",
        "Unchanged (HTTP 304), read from the copy kept",
    ]
    assert shown == [item for item in shown if "".join(item.split()) in text]


def test_a_period_starting_after_the_edition_is_refused() -> None:
    """Parameters whose since is after the edition date are refused before any run starts."""
    with pytest.raises(ValidationError) as raised:
        EditionParameters(edition_date=EDITION_DATE, since=NEXT_EDITION_DATE)
    assert "Period start (since) must not be after the edition date" in str(raised.value)


@pytest.mark.slow
def test_a_write_that_fails_records_nothing_in_the_memory(
    prefect_server: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up as the PDF is written: the run fails with the write's BriefingError,
    no file of the edition is in the folder and the memory records nothing of it."""
    database = tmp_path / "memory.db"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{database}")
    real_fsync = os.fsync

    def full_disk_at_the_pdf(handle: int) -> None:
        if os.readlink(f"/proc/self/fd/{handle}").endswith(".pdf"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", full_disk_at_the_pdf)
    with pytest.raises(BriefingError, match="No space left on device"):
        weekly_briefing(
            **form_values(
                EditionParameters(
                    edition_date=EDITION_DATE,
                    output_dir=str(tmp_path / "out"),
                    include_configured_feeds=False,
                )
            )
        )
    tables = memory_tables(database)
    assert [] == sorted(path.name for path in (tmp_path / "out").iterdir())
    assert {name: [] for name in tables} == tables
