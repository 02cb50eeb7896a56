"""A briefing to HTML and PDF: the templates, their filters, the timeline figure, the lists
as shown (cut at the limits), and the run summary for Prefect's page."""

from briefing.render.document import PageSize, build_environment, render_html, render_pdf
from briefing.render.summary import KeyPoint, build_fact_rows, build_summary_markdown, key_points

__all__ = [
    "KeyPoint",
    "PageSize",
    "build_environment",
    "build_fact_rows",
    "build_summary_markdown",
    "key_points",
    "render_html",
    "render_pdf",
]
