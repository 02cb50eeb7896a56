"""``python -m benchmarks.bare FOLDER``: bare WeasyPrint's first layout in a process of its own,
as the edition's PDF step is its run's first: the seconds, printed.

FOLDER holds ``print.html`` (the HTML the PDF was printed from), ``options.json`` (the
templates folder, the edition date and the attachments' names and descriptions) and each
attachment's bytes as ``attachment-<n>``. WeasyPrint and this package are imported before the
clock starts, as the benchmark imports them before its cold run; what is timed is the layout and
the writing with the edition's options (``weasyprint_alone``), nothing else. A layout is dearer
as a process's first than once the process has laid one out: the 20,000-item print HTML took
1.86-2.15 s as a fresh process's first layout, 1.68-1.81 s as a second.
"""

import json
import sys
from datetime import date
from pathlib import Path

from benchmarks.runner import weasyprint_alone


def write_inputs(
    folder: Path,
    html: str,
    templates_dir: Path,
    attachments: list[tuple[str, bytes, str]],
    created: date,
) -> None:
    """Put what ``main`` reads into the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "print.html").write_text(html, encoding="utf-8")
    for number, (_, content, _) in enumerate(attachments):
        (folder / f"attachment-{number}").write_bytes(content)
    options = {
        "templates_dir": str(templates_dir.resolve()),
        "created": created.isoformat(),
        "attachments": [[name, description] for name, _, description in attachments],
    }
    (folder / "options.json").write_text(json.dumps(options), encoding="utf-8")


def main(argv: list[str]) -> int:
    """Lay out and write the folder's HTML once; print the seconds it took."""
    import weasyprint  # noqa: F401 - imported before the clock, as the benchmark does

    folder = Path(argv[0])
    options = json.loads((folder / "options.json").read_text(encoding="utf-8"))
    attachments = [
        (name, (folder / f"attachment-{number}").read_bytes(), description)
        for number, (name, description) in enumerate(options["attachments"])
    ]
    seconds = weasyprint_alone(
        (folder / "print.html").read_text(encoding="utf-8"),
        Path(options["templates_dir"]),
        attachments,
        date.fromisoformat(options["created"]),
    )
    print(f"{seconds:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
