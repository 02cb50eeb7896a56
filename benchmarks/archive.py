"""``python -m benchmarks.archive [EDITIONS]``: what the reading room (#29) adds to each edition's
write stage, for a folder of EDITIONS editions (default 52, a year of Mondays).

The editions are the three of the labelled news set's windows (``tests/archive_editions.py``),
written again under weekly dates with their JSON re-dated, so that every edition is a real
edition's HTML and JSON. Timed: the archive written cold (every JSON read), warm (the kept
summaries reused, as after each new edition) and Pagefind's index alone; printed as JSON.
"""

import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from briefing.publish.archive import SUMMARIES_FILE, write_archive
from briefing.publish.search import write_search_index
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
        first = date(2025, 1, 6)
        for n in range(editions):
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
        html_mb = sum(p.stat().st_size for p in folder.glob("*.html")) / 1e6
        json_mb = sum(p.stat().st_size for p in folder.glob("*.json")) / 1e6
        cold = _seconds(lambda: write_archive(folder, TEMPLATES))
        warm = _seconds(lambda: write_archive(folder, TEMPLATES))
        index = _seconds(lambda: write_search_index(folder))
        (folder / SUMMARIES_FILE).unlink()
        index_mb = sum(p.stat().st_size for p in (folder / "pagefind").rglob("*") if p.is_file())
        return {
            "editions": editions,
            "html_mb": round(html_mb, 1),
            "json_mb": round(json_mb, 1),
            "archive_cold_s": cold,
            "archive_warm_s": warm,
            "pagefind_index_s": index,
            "index_mb": round(index_mb / 1e6, 2),
        }


def main(argv: list[str]) -> int:
    """Print the timings for the folder size given (52 editions by default)."""
    print(json.dumps(run(int(argv[0]) if argv else 52), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
