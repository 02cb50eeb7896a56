"""Documents to fact records: paragraphs and sentences, themes, times, kinds and speakers.

Pure: every fact quotes its document verbatim at the span it cites.
"""

from briefing.extract.facts import (
    DocumentFacts,
    extract_documents,
    extract_facts,
    extraction_key,
    extraction_keys,
    fact_id,
)

__all__ = [
    "DocumentFacts",
    "extract_documents",
    "extract_facts",
    "extraction_key",
    "extraction_keys",
    "fact_id",
]
