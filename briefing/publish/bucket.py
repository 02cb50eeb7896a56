"""Publishing an edition to an S3-compatible bucket, for runs on several workers: each file is
put whole (a PUT is atomic: a reader gets the old object or the new one, never half), the PDF
last, with its content type; the addresses people open are the bucket's, or the public base URL's
when one is set (a CDN or a web server in front of the bucket)."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from briefing.errors import PublishError
from briefing.publish.links import EditionLinks
from briefing.publish.served import archive_objects
from briefing.publish.server import CONTENT_TYPES

if TYPE_CHECKING:
    from minio import Minio


@dataclass(frozen=True)
class Bucket:
    """Where editions are published: the service, the bucket and the credentials."""

    endpoint_url: str
    name: str
    region: str
    access_key: str | None
    secret_key: str | None

    def object_url(self, key: str) -> str:
        """The object's address on the service, path-style (works for any S3-compatible one)."""
        return urljoin(self.endpoint_url.rstrip("/") + "/", f"{self.name}/{quote(key)}")


def _client(bucket: Bucket) -> "Minio":
    # Imported here: minio costs 0.15 s, in every command, and only a bucket needs it.
    from minio import Minio

    parts = urlsplit(bucket.endpoint_url)
    return Minio(
        parts.netloc,
        access_key=bucket.access_key,
        secret_key=bucket.secret_key,
        region=bucket.region,
        secure=parts.scheme == "https",
    )


def send_to_bucket(
    bucket: Bucket,
    files: tuple[Path, Path, Path],
    public_base_url: str | None,
    pages: Sequence[Path] = (),
) -> EditionLinks:
    """Put the JSON, the HTML (its further ``pages`` before the front page that links them) and
    then the PDF (``files`` is pdf, html, json) in the bucket, under their file names; where
    people open them. BriefingError, naming the bucket, when the
    service refuses or cannot be reached: the files on disk and the memory are already whole."""
    from minio.error import MinioException
    from urllib3.exceptions import HTTPError

    client = _client(bucket)
    pdf, html, json = files
    try:
        for path in (json, *pages, html, pdf):
            kind = CONTENT_TYPES[path.suffix.lstrip(".")]
            with path.open("rb") as stream:
                client.put_object(
                    bucket.name, path.name, stream, path.stat().st_size, content_type=kind
                )
        # Then the archive of the folder's editions, when the write stage made one (#29).
        for path, key, kind in archive_objects(pdf.parent):
            with path.open("rb") as stream:
                client.put_object(bucket.name, key, stream, path.stat().st_size, content_type=kind)
    except (MinioException, HTTPError, OSError) as exc:
        raise PublishError(
            f"cannot publish the edition to bucket {bucket.name!r} at {bucket.endpoint_url}: "
            f"{exc}; its files are in the output folder, and a run of the same date again "
            "publishes them"
        ) from exc
    if public_base_url is not None:
        addresses = [urljoin(public_base_url, quote(path.name)) for path in files]
    else:
        addresses = [bucket.object_url(path.name) for path in files]
    return EditionLinks(addresses[0], addresses[1], addresses[2], over_http=True)
