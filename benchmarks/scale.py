"""``python -m benchmarks.scale FEEDS ITEMS OUT.json [--prefect]``: one scale, in this process."""

import json
import sys
from pathlib import Path

from benchmarks.runner import run_scale


def main(argv: list[str]) -> int:
    """Run one scale and write its result as JSON."""
    feeds, items, out = int(argv[0]), int(argv[1]), Path(argv[2])
    result = run_scale(feeds, items, prefect="--prefect" in argv[3:])
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
