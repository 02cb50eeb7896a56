"""Documents to fact records: paragraphs and sentences, themes, times, kinds and speakers.

Pure: every fact quotes its document verbatim at the span it cites.
"""

from briefing.extract.facts import (
    DocumentFacts,
    Extraction,
    ExtractMany,
    count_fact_caps,
    extract_documents,
    extract_each,
    extract_facts,
    extraction_key,
    extraction_keys,
    fact_id,
)
from briefing.extract.language import load_identifier

__all__ = [
    "DocumentFacts",
    "ExtractMany",
    "Extraction",
    "count_fact_caps",
    "extract_documents",
    "extract_each",
    "extract_facts",
    "extraction_key",
    "extraction_keys",
    "fact_id",
    "load_identifier",
]
