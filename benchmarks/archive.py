"""``python -m benchmarks.archive [EDITIONS]``: what the reading room (#29) adds to each edition's
write stage, for a folder of EDITIONS editions (default 52, a year of Mondays).

The editions are the three of the labelled news set's windows (``tests/archive_editions.py``),
written again under weekly dates with their JSON re-dated, so that every edition is a real
edition's HTML and JSON. Timed: the archive written cold (every JSON read, every quarter
indexed), again with nothing changed, after one more edition (its quarter indexed again, the
kept summaries reused), and Pagefind indexing every quarter; printed as JSON.
"""

import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from briefing.publish.archive import write_archive
from briefing.publish.search import edition_bundles, write_search_index
from briefing.render.document import render_html
from briefing.settings import PROJECT_ROOT
from briefing.store.files import write_edition
from tests.archive_editions import WINDOWS, compose_window

TEMPLATES = PROJECT_ROOT / "templates"


def _seconds(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return round(time.perf_counter() - start, 3)


def run(editions: int) -> dict[str, object]:
    """Write EDITIONS editions to a new folder, then time the archive's parts over them."""
    made = [compose_window(start, end) for start, end in WINDOWS]
    pages = [render_html(briefing, TEMPLATES, standalone=True).encode() for briefing in made]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        # The one more edition is the last Monday of 2030: its quarter is full, the worst case.
        first = date(2030, 12, 30) - timedelta(weeks=editions)

        def write(n: int) -> None:
            day = first + timedelta(weeks=n)
            briefing = made[n % 3].model_copy(update={"edition_date": day})
            write_edition(
                folder,
                briefing,
                b"%PDF",
                pages[n % 3],
                run_id="bench",
                written_at=datetime.now(UTC),
            )

        for n in range(editions):
            write(n)
        html_mb = sum(p.stat().st_size for p in folder.glob("*.html")) / 1e6
        json_mb = sum(p.stat().st_size for p in folder.glob("*.json")) / 1e6
        cold = _seconds(lambda: write_archive(folder, TEMPLATES))
        unchanged = _seconds(lambda: write_archive(folder, TEMPLATES))
        write(editions)  # one more edition, in the latest quarter: that quarter is indexed again
        one_more = _seconds(lambda: write_archive(folder, TEMPLATES))
        every_bundle = _seconds(lambda: write_search_index(folder, edition_bundles(folder)))
        index_mb = sum(p.stat().st_size for p in (folder / "pagefind").rglob("*") if p.is_file())
        return {
            "editions": editions,
            "bundles": len(edition_bundles(folder)),
            "html_mb": round(html_mb, 1),
            "json_mb": round(json_mb, 1),
            "archive_cold_s": cold,
            "archive_unchanged_s": unchanged,
            "archive_after_one_more_edition_s": one_more,
            "pagefind_every_bundle_s": every_bundle,
            "index_mb": round(index_mb / 1e6, 2),
        }


def main(argv: list[str]) -> int:
    """Print the timings for the folder size given (52 editions by default)."""
    print(json.dumps(run(int(argv[0]) if argv else 52), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
