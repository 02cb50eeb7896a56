"""A briefing to HTML and PDF: the templates, their filters, the timeline figure, the lists
as shown (whole in the HTML edition, cut at the print limits in the PDF), the PDF within its
page budget, and the run summary for Prefect's page."""

from briefing.render.budget import Printed, render_bounded_pdf
from briefing.render.document import PageSize, build_environment, render_html, render_pdf
from briefing.render.shown import Limits, print_limits
from briefing.render.summary import KeyPoint, build_fact_rows, build_summary_markdown, key_points

__all__ = [
    "KeyPoint",
    "Limits",
    "PageSize",
    "Printed",
    "build_environment",
    "build_fact_rows",
    "build_summary_markdown",
    "key_points",
    "print_limits",
    "render_bounded_pdf",
    "render_html",
    "render_pdf",
]
