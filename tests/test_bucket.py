"""Publishing editions to an S3-compatible bucket, against a real S3 server on 127.0.0.1 (moto's
server mode): the files arrive whole with their types, and the links open them over HTTP."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from minio import Minio
from moto.server import ThreadedMotoServer

from briefing.edition import build_plan
from briefing.errors import BriefingError, ConfigurationError
from briefing.publish.archive import write_archive
from briefing.publish.bucket import Bucket, send_to_bucket
from briefing.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port

STEM = "briefing-2023-01-20"


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """A local S3 service (moto) on 127.0.0.1 for this module; its address."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3: str, request: pytest.FixtureRequest) -> Bucket:
    """A new bucket on the local service, named after the test, whose objects anyone may read
    (the bucket policy an operator sets for published editions)."""
    name = "editions-" + str(abs(hash(request.node.name)) % 10**8)
    target = Bucket(s3, name, "us-east-1", "testing", "testing")
    client = Minio(s3.removeprefix("http://"), "testing", "testing", secure=False)
    client.make_bucket(name)
    client.set_bucket_policy(name, json.dumps(public_read(name)))
    return target


def public_read(name: str) -> dict[str, Any]:
    """The bucket policy that lets anyone GET its objects, and nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{name}/*"],
            }
        ],
    }


@pytest.fixture
def edition_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An edition's PDF, HTML and JSON on disk."""
    pdf, html, json = (tmp_path / f"{STEM}.{kind}" for kind in ("pdf", "html", "json"))
    pdf.write_bytes(b"%PDF-1.7 " + bytes(range(256)) * 64)
    html.write_text("<p>edition</p>", encoding="utf-8")
    json.write_text('{"edition_date": "2023-01-20"}', encoding="utf-8")
    return pdf, html, json


def test_an_edition_is_put_in_the_bucket_and_its_links_open_it(
    bucket: Bucket, edition_files: tuple[Path, Path, Path]
) -> None:
    """Each file is in the bucket under its name with its content type, and the links (the
    bucket's own addresses) give back exactly the bytes written."""
    links = send_to_bucket(bucket, edition_files, None)
    with httpx.Client(timeout=30) as client:
        got = [client.get(link) for link in links[:3]]
    assert [f"{bucket.endpoint_url}/{bucket.name}/{path.name}" for path in edition_files] == list(
        links[:3]
    )
    assert [path.read_bytes() for path in edition_files] == [response.content for response in got]
    assert ["application/pdf", "text/html; charset=utf-8", "application/json"] == [
        response.headers["content-type"] for response in got
    ]


def test_an_html_editions_further_pages_go_to_the_bucket_too(
    bucket: Bucket, edition_files: tuple[Path, Path, Path]
) -> None:
    """An HTML edition split into pages has each page in the bucket, under its name and typed
    as HTML, beside its front page."""
    folder = edition_files[0].parent
    pages = [folder / f"{STEM}.p{n}.html" for n in (2, 3)]
    for number, page in enumerate(pages, start=2):
        page.write_text(f"<p>page {number}</p>", encoding="utf-8")
    send_to_bucket(bucket, edition_files, None, pages=pages)
    with httpx.Client(timeout=30) as client:
        got = [client.get(bucket.object_url(page.name)) for page in pages]
    assert [(page.read_bytes(), "text/html; charset=utf-8") for page in pages] == [
        (response.content, response.headers["content-type"]) for response in got
    ]


def test_the_archive_follows_the_edition_into_the_bucket(
    bucket: Bucket, edition_files: tuple[Path, Path, Path]
) -> None:
    """With the archive written beside the edition, its page, script, feed and search index
    are put in the bucket too, each under the path the editions server answers it at and with
    the same content type; the archive's kept summaries stay out."""
    folder = edition_files[0].parent
    edition_files[1].write_text("<main><p>An edition.</p></main>", encoding="utf-8")
    write_archive(folder, PROJECT_ROOT / "templates")
    send_to_bucket(bucket, edition_files, None)
    names = ["index.html", "archive.js", "editions.atom", "pagefind/2023q1/pagefind.js"]
    fragment = next((folder / "pagefind" / "2023q1" / "fragment").iterdir())
    names.append(fragment.relative_to(folder).as_posix())
    with httpx.Client(timeout=30) as client:
        got = {name: client.get(bucket.object_url(name)) for name in [*names, "archive.json"]}
    assert {name: (folder / name).read_bytes() for name in names} == {
        name: got[name].content for name in names
    }
    assert [
        "text/html; charset=utf-8",
        "text/javascript; charset=utf-8",
        "application/atom+xml",
        "text/javascript; charset=utf-8",
        "application/octet-stream",
    ] == [got[name].headers["content-type"] for name in names]
    assert 404 == got["archive.json"].status_code


def test_links_use_the_public_base_url_when_one_is_set(
    bucket: Bucket, edition_files: tuple[Path, Path, Path]
) -> None:
    """With a public base URL (a CDN or web server in front of the bucket), the links are
    under it."""
    links = send_to_bucket(bucket, edition_files, "https://editions.example.org/weekly/")
    assert [f"https://editions.example.org/weekly/{p.name}" for p in edition_files] == list(
        links[:3]
    )


def test_a_missing_bucket_is_a_clear_error(s3: str, edition_files: tuple[Path, Path, Path]) -> None:
    """A bucket the service does not have fails the publication, naming the bucket and saying
    the edition's files are safe on disk."""
    with pytest.raises(BriefingError) as raised:
        send_to_bucket(
            Bucket(s3, "no-such-bucket", "us-east-1", "testing", "testing"), edition_files, None
        )
    message = str(raised.value)
    assert "cannot publish the edition to bucket 'no-such-bucket'" in message
    assert "NoSuchBucket" in message and "its files are in the output folder" in message


def test_a_bucket_without_a_service_address_is_refused_before_any_work() -> None:
    """BRIEFING_PUBLISH_BUCKET without BRIEFING_S3_ENDPOINT_URL stops the plan, naming both."""
    settings = Settings(publish_bucket="editions")
    with pytest.raises(ConfigurationError) as raised:
        build_plan(settings, today=date(2023, 1, 20))
    assert "BRIEFING_S3_ENDPOINT_URL" in str(raised.value)


@pytest.mark.slow
def test_a_flow_run_publishes_its_edition_and_links_to_the_bucket(
    prefect_harness: None,
    bucket: Bucket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a bucket named in the settings, the weekly flow puts its edition there after
    writing it, and its run's PDF link is the bucket's object, which gives the PDF written."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from briefing.parameters import EditionParameters, form_values
    from flows.weekly_briefing import weekly_briefing

    monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{tmp_path / 'memory.db'}")
    monkeypatch.setenv("BRIEFING_PUBLISH_BUCKET", bucket.name)
    monkeypatch.setenv("BRIEFING_S3_ENDPOINT_URL", bucket.endpoint_url)
    monkeypatch.setenv("BRIEFING_S3_ACCESS_KEY", "testing")
    monkeypatch.setenv("BRIEFING_S3_SECRET_KEY", "testing")
    out = tmp_path / "out"
    state = weekly_briefing(
        **form_values(EditionParameters(edition_date=date(2023, 1, 20), output_dir=str(out))),
        return_state=True,
    )
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    links = {
        str(a.key): str(a.data).split("](", 1)[1].rstrip(")")
        for a in artifacts
        if a.key and a.key.endswith(("-pdf", "-html", "-json"))
    }
    pdf_link = f"{bucket.endpoint_url}/{bucket.name}/{STEM}.pdf"
    with httpx.Client(timeout=30) as client:
        served = client.get(pdf_link).content
    assert state.is_completed()
    assert pdf_link == links["weekly-briefing-pdf"]
    assert (out / f"{STEM}.pdf").read_bytes() == served
    with httpx.Client(timeout=30) as client:
        archive = client.get(bucket.object_url("index.html")).content
    assert (out / "index.html").read_bytes() == archive  # the archive follows the edition (#29)
