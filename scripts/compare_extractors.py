"""Compare trafilatura (as the pipeline calls it) with jusText on the article fixtures.

    .venv/bin/python scripts/compare_extractors.py

For every page of tests/fixtures/articles/pages, both extractors get the page's bytes; each
hand-labelled body sentence (labels.yaml) counts as kept when it appears whole in the output
(white space aside), each labelled piece of other text as left out when it does not. Prints one
row per page and extractor, then the totals. Nothing is fetched: the pages are files.
"""

import sys
from pathlib import Path

import justext
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.sources.pages import extract_main_text  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "articles"


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def jus_text(body: bytes, language: str, **options: float) -> str:
    """jusText's non-boilerplate paragraphs, one a line (its English stoplist for a page in a
    language it has none for: it ships no Japanese one)."""
    stoplist = justext.get_stoplist(language if language in justext.get_stoplists() else "English")
    paragraphs = justext.justext(body, stoplist, **options)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def score(output: str, labels: dict[str, list[str]]) -> tuple[int, int, int, int]:
    """(body sentences kept, body sentences, other pieces left out, other pieces)."""
    text = _squeeze(output)
    kept = sum(1 for sentence in labels["body"] if _squeeze(sentence) in text)
    left_out = sum(1 for piece in labels["other"] if _squeeze(piece) not in text)
    return kept, len(labels["body"]), left_out, len(labels["other"])


def main() -> int:
    """Score both extractors on every fixture page and print the table."""
    labels = yaml.safe_load((FIXTURES / "labels.yaml").read_text(encoding="utf-8"))
    extractors = {
        "trafilatura": lambda body, language: extract_main_text(body),
        "trafilatura, no pruning": lambda body, language: extract_main_text(body, prune=False),
        "justext": jus_text,
        # Shorter paragraphs counted as text: the news pages' one-sentence paragraphs.
        "justext, length 30-100": lambda body, language: jus_text(
            body, language, length_low=30, length_high=100
        ),
    }
    totals = {name: [0, 0, 0, 0] for name in extractors}
    print(f"{'page':28} {'extractor':24} {'body kept':>10} {'other left out':>15}")
    for page, page_labels in labels.items():
        body = (FIXTURES / "pages" / page).read_bytes()
        language = "Japanese" if page.startswith("ja-") else "English"
        for name, extract in extractors.items():
            result = score(extract(body, language), page_labels)
            totals[name] = [a + b for a, b in zip(totals[name], result, strict=True)]
            print(
                f"{page:28} {name:24} {result[0]:>4}/{result[1]:<5} {result[2]:>8}/{result[3]:<6}"
            )
    for name, (kept, body_total, left_out, other_total) in totals.items():
        print(
            f"TOTAL {name:24} body kept {kept}/{body_total} = {kept / body_total:.1%}, "
            f"other left out {left_out}/{other_total} = {left_out / other_total:.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
