"""Making editions reachable by people: where each of an edition's files can be opened (an http
address under the public base URL, else the file itself), and a read-only HTTP server of the
output folder for ``make up``."""

from briefing.publish.archive import refresh_archive, write_archive
from briefing.publish.bucket import Bucket, send_to_bucket
from briefing.publish.links import EditionLinks, edition_links
from briefing.publish.search import edition_bundles, write_search_index
from briefing.publish.server import EDITION_FILE, serve_editions

__all__ = [
    "EDITION_FILE",
    "Bucket",
    "EditionLinks",
    "edition_bundles",
    "edition_links",
    "refresh_archive",
    "send_to_bucket",
    "serve_editions",
    "write_archive",
    "write_search_index",
]
