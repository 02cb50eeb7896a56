"""A briefing to HTML and PDF: the templates, their filters, the timeline figure, the lists
as shown (whole in the HTML edition, in linked pages past PAGE_LIMIT; the most important first
in the PDF), the PDF filled up to its page budget, and the run summary for Prefect's page."""

from briefing.render.budget import Printed, render_bounded_pdf
from briefing.render.document import (
    PageSize,
    build_environment,
    build_url_fetcher,
    pdf_options,
    render_html,
    render_html_pages,
    render_pdf,
    render_standalone_html,
)
from briefing.render.formatting import long_date
from briefing.render.pages import PAGE_LIMIT, PAGE_NAME, HtmlPage, page_name
from briefing.render.shown import Cut, build_shown, printed_statements, priority
from briefing.render.summary import (
    ROW_STATEMENT_CHARS,
    KeyPoint,
    build_fact_rows,
    build_summary_markdown,
    key_points,
)

__all__ = [
    "PAGE_LIMIT",
    "PAGE_NAME",
    "ROW_STATEMENT_CHARS",
    "Cut",
    "HtmlPage",
    "KeyPoint",
    "PageSize",
    "Printed",
    "build_environment",
    "build_fact_rows",
    "build_shown",
    "build_summary_markdown",
    "build_url_fetcher",
    "key_points",
    "long_date",
    "page_name",
    "pdf_options",
    "printed_statements",
    "priority",
    "render_bounded_pdf",
    "render_html",
    "render_html_pages",
    "render_pdf",
    "render_standalone_html",
]
