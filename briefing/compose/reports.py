"""Independent reports: the outlets' copies of one wire story count as one report.

Two documents of a story are one independent report when they carry the same wire credit
("(Kyodo)", "TOKYO (Reuters) -") or when their texts are near-duplicates: their sets of
five-word shingles overlap by ``NEAR_DUPLICATE`` or more (Jaccard). A story holds a handful of
documents, so the shingle sets are compared exactly; MinHash (datasketch) would earn its
weight only across a whole feed, where this is not asked.
"""

import re
from collections.abc import Sequence

from briefing.models import SourceDocument

NEAR_DUPLICATE = 0.6  # shingle Jaccard from which two texts are copies of one report
SHINGLE = 5
# Wire services whose copy outlets republish, as their credit writes them.
WIRE_SERVICES = (
    "Kyodo",
    "Kyodo News",
    "Jiji",
    "Jiji Press",
    "Reuters",
    "AP",
    "Associated Press",
    "AFP",
    "Bloomberg",
    "Yonhap",
    "Xinhua",
)
_CREDIT = re.compile(r"\((?P<wire>" + "|".join(re.escape(name) for name in WIRE_SERVICES) + r")\)")
_WORD = re.compile(r"\w+")
CREDIT_WITHIN = 300  # a wire credit stands in the dateline, near the text's start


def wire_credit(document: SourceDocument) -> str | None:
    """The wire service the document's text credits near its start, if any."""
    body = document.text.split("\n", 1)[-1]  # after a feed item's headline
    match = _CREDIT.search(body[:CREDIT_WITHIN])
    return match["wire"].removesuffix(" News").removesuffix(" Press") if match else None


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    # The words lowered in one string (lowering the text before finding them could split a
    # word: "İ" lowers to "i" and a combining dot) and the runs of words zipped, not a tuple
    # sliced per word: a story printed in the PDF has 20-25 reports at 20,000 items.
    words = " ".join(_WORD.findall(text)).lower().split(" ")
    return frozenset(zip(*(words[i:] for i in range(SHINGLE)), strict=False))  # to the shortest


def independent_reports(documents: Sequence[SourceDocument]) -> list[list[str]]:
    """The documents grouped into independent reports, each group by document id, in order."""
    parent = list(range(len(documents)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    credits = [wire_credit(document) for document in documents]
    shingles = [_shingles(document.text) for document in documents]
    for i in range(len(documents)):
        for j in range(i):
            if credits[i] is not None and credits[i] == credits[j]:
                parent[root(i)] = root(j)
                continue
            common = len(shingles[i] & shingles[j])
            union = len(shingles[i]) + len(shingles[j]) - common
            if union and common / union >= NEAR_DUPLICATE:
                parent[root(i)] = root(j)
    groups: dict[int, list[str]] = {}
    for index, document in enumerate(documents):
        groups.setdefault(root(index), []).append(document.id)
    return list(groups.values())
