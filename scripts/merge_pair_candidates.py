"""Print the sentence pairs to label for evaluation/merge/pairs.yaml, from the extraction stage
only (nothing is consolidated, so no merge decision can be seen while labelling).

A candidate is two sentences of two items of the same labelled story sharing at least three
content words, or of items of different stories sharing at least five.

    .venv/bin/python scripts/merge_pair_candidates.py evaluation/news evaluation/news-heldout
"""

import json
import re
import sys
from datetime import date
from itertools import combinations
from pathlib import Path

from briefing.evaluate_news import load_news_set, select_news_set
from briefing.extract.facts import extract_documents
from briefing.topic import load_topic

STOP = frozenset(
    """a an the of to and or in on at for with by from as that this these those it its is are
    was were be been being has have had will would can could may might also not no but than then
    there their they them he she his her we our us you your who which what when where while about
    into over under after before during between through up out so such other more most said says
    say according told first new one two""".split()  # noqa: SIM905 - a word list reads best as text
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|\d+")


def words(statement: str) -> set[str]:
    """The statement's content words, lower case."""
    return {w.lower() for w in WORD.findall(statement) if w.lower() not in STOP and len(w) > 2}


def main(folders: list[str]) -> None:
    """Print the candidate pairs of the sets in the folders as JSON."""
    topic = load_topic(Path("topics/us-japan-space.yaml"))
    found = []
    for folder in folders:
        news = load_news_set(Path(folder))
        documents, guids = select_news_set(news, topic, date(1900, 1, 1), date(2200, 12, 31))
        story = {label.guid: label.story for label in news.labels.items}
        done = extract_documents(documents, topic)
        facts = [(d, f) for d, each in zip(documents, done, strict=True) for f in each.facts]
        for (doc_a, a), (doc_b, b) in combinations(facts, 2):
            if doc_a.id == doc_b.id:
                continue
            guid_a, guid_b = guids[doc_a.id], guids[doc_b.id]
            same_story = story.get(guid_a) is not None and story.get(guid_a) == story.get(guid_b)
            shared = len(words(a.statement) & words(b.statement))
            if shared >= (3 if same_story else 5):
                found.append(
                    {
                        "set": Path(folder).name,
                        "a": guid_a,
                        "b": guid_b,
                        "story_a": story.get(guid_a),
                        "story_b": story.get(guid_b),
                        "shared": shared,
                        "sa": a.statement,
                        "sb": b.statement,
                        "head_a": a.evidence[0].start == 0,
                        "head_b": b.evidence[0].start == 0,
                    }
                )
    json.dump(found, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
