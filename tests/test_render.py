"""Tests for briefing.render.document: HTML from the templates, PDF, the URL fetcher."""

import builtins
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from pypdf import PdfReader

from briefing.edition import load_seed_briefing
from briefing.edition.make import MAX_ATTACHED_JSON, edition_attachments
from briefing.errors import DependencyError, RenderError
from briefing.models import (
    Attested,
    Briefing,
    Evidence,
    Fact,
    FetchOutcome,
    PartialDate,
    Section,
    SourceDocument,
    SourceType,
    When,
)
from briefing.render.document import (
    CitationAnchors,
    Citations,
    PageSize,
    build_url_fetcher,
    render_html,
    render_pdf,
)
from briefing.render.formatting import cited_numbers, long_date, partial_date
from briefing.render.shown import Cut, priority
from tests.conftest import WeasyPrintLog, fail_on_weasyprint_complaints, weasyprint_complaints

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

TEXT_WIRE = (
    "Japan and the United States signed a framework agreement for space cooperation on Jan. 13. "
    "The agreement covers joint work from the Moon to the study of the Earth. "
    "Jane Example reports for Orbit Wire."
)
TEXT_ANALYSIS = (
    "The allies said an attack on satellites could trigger the alliance's mutual defense clause. "
    "Both governments also agreed to share space domain awareness data."
)
TEXT_DEBRIS = (
    "JAXA plans a mission in 2026 to inspect a spent rocket stage in orbit. "
    "Removing large debris would make low Earth orbit safer for all operators."
)


def stated(value: Any, quote: str) -> Attested[Any]:
    """A metadata value stated by the document, with the quote that states it."""
    return Attested(value=value, basis="stated", quote=quote)


def inferred(value: Any, reason: str) -> Attested[Any]:
    """A metadata value worked out from the document, with the reason."""
    return Attested(value=value, basis="inferred", reason=reason)


def document(
    doc_id: str, text: str, outlet: Attested[Any] | None = None, **fields: Any
) -> SourceDocument:
    """A source document with literal text; metadata not given is unknown."""
    values: dict[str, Any] = {
        "title": None,
        "author": None,
        "published": None,
        "url": None,
        "source_type": SourceType.NEWS,
        **fields,
    }
    return SourceDocument(id=doc_id, text=text, outlet=outlet, location=f"{doc_id}.txt", **values)


def evidence(source: SourceDocument, quote: str) -> Evidence:
    """The evidence span of a quote in a source, its offsets found in the text."""
    start = source.text.index(quote)
    return Evidence(document_id=source.id, start=start, end=start + len(quote), quote=quote)


WIRE = document(
    "wire",
    TEXT_WIRE,
    outlet=stated("Orbit Wire", "Jane Example reports for Orbit Wire"),
    author=stated("Jane Example", "Jane Example"),
    published=inferred(PartialDate(year=2023, month=1, day=13), "It reports the signing as news."),
    source_type=SourceType.WIRE,
)
ANALYSIS = document(
    "analysis",
    TEXT_ANALYSIS,
    outlet=inferred("Alliance Review", "Its masthead style is that outlet's."),
    source_type=SourceType.ANALYSIS,
    url=inferred("https://example.org/analysis", "The feed entry linked to it."),
    note="Commentary, not reporting.",
)
DEBRIS = document("debris", TEXT_DEBRIS, published=inferred(PartialDate(year=2023), "Dated 2023."))

STATEMENT_CIVIL = (
    "Japan and the United States signed a framework agreement for space cooperation on Jan. 13."
)
STATEMENT_SECURITY = (
    "The allies said an attack on satellites could trigger the alliance's mutual defense clause."
)
STATEMENT_DEBRIS = "JAXA plans a mission in 2026 to inspect a spent rocket stage in orbit."


def section(theme: str, title: str, facts: tuple[Fact, ...]) -> Section:
    """A section with a fixed description."""
    return Section(theme=theme, title=title, description=f"About {title.lower()}.", facts=facts)


def briefing(statement_civil: str = STATEMENT_CIVIL, wire: SourceDocument = WIRE) -> Briefing:
    """A three-theme briefing over the three literal documents."""
    civil = Fact(
        id="civil-1",
        statement=statement_civil,
        theme="civil-space",
        when=(
            When(text="Jan. 13", start=date(2023, 1, 13), end=date(2023, 1, 13), precision="day")
            if "Jan. 13" in statement_civil
            else None
        ),
        evidence=(
            evidence(wire, statement_civil),
            evidence(ANALYSIS, "Both governments also agreed"),
            evidence(wire, "joint work from the Moon"),
        ),
    )
    security = Fact(
        id="security-1",
        statement=STATEMENT_SECURITY,
        theme="security",
        when=None,
        evidence=(evidence(ANALYSIS, STATEMENT_SECURITY),),
    )
    debris = Fact(
        id="debris-1",
        statement=STATEMENT_DEBRIS,
        theme="orbital-debris",
        when=When(text="2026", start=date(2026, 1, 1), end=date(2026, 12, 31), precision="year"),
        evidence=(evidence(DEBRIS, STATEMENT_DEBRIS),),
    )
    return Briefing(
        title="U.S.-Japan Space Partnership Briefing",
        topic="us-japan-space",
        edition_date=date(2023, 1, 20),
        edition="2023-W03",
        key_points=("civil-1", "security-1", "debris-1"),
        sources=(wire, ANALYSIS, DEBRIS),
        sections=(
            section("civil-space", "Civil space", (civil,)),
            section("security", "Security", (security,)),
            section("orbital-debris", "Orbital debris", (debris,)),
        ),
    )


def pdf_text(pdf: bytes) -> str:
    """Every page's text, with runs of whitespace (line breaks included) made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.slow
def test_pdf_shows_the_briefing_without_weasyprint_warnings(weasyprint_log: WeasyPrintLog) -> None:
    """The PDF shows title, date, sections, statements and sources; WeasyPrint logs nothing."""
    pdf = render_pdf(render_html(briefing(), TEMPLATES), TEMPLATES)

    logged = weasyprint_log.complaints()
    text = pdf_text(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    shown = [
        "U.S.-Japan Space Partnership Briefing",
        "20 January 2023",
        "Civil space",
        "Security",
        "Orbital debris",
        STATEMENT_SECURITY,
        "13 January 2023",
        "Orbit Wire",
        "Alliance Review",
        "Outlet not stated",
        "Sources",
        "Contents",
        f"Page 1 of {pages}",
    ]
    expected = ([], shown)
    assert expected == (logged, [item for item in shown if item in text])


def test_fact_cites_each_distinct_document_once_in_number_order() -> None:
    """A fact with two spans of one document and one of another cites [1] then [2], each linked
    to its source and followed by the outlet and the date it reported; each citation has its
    own id, which its source links back to."""
    html = " ".join(render_html(briefing(), TEMPLATES).split())

    # The fact is a key point and in its section: source 1's first and second citations (another
    # statement cites source 2 between them).
    citations = [
        f'<a class="citation" id="cite-1-{one}" href="#source-1">[1]</a> Orbit Wire, '
        f'13 January 2023; <a class="citation" id="cite-2-{two}" href="#source-2">[2]</a> '
        "Alliance Review</span>"
        for one, two in ((1, 1), (2, 3))
    ]
    targets = ['<li id="source-1">', '<li id="source-2">', '<li id="source-3">']
    back = '<a href="#cite-1-2" aria-label="citation 2 of source 1">2</a>'
    expected = ([1, 1], targets, True)
    assert expected == (
        [html.count(item) for item in citations],
        [item for item in targets if item in html],
        back in html,
    )


def test_cited_numbers_are_distinct_and_ascending() -> None:
    """cited_numbers gives each cited document's number once, smallest first."""
    edition = briefing()
    fact = next(edition.facts())

    expected = [1, 2]
    assert expected == cited_numbers(reversed(fact.evidence), edition)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PartialDate(year=2023, month=1, day=13), "13 January 2023"),
        (PartialDate(year=2023, month=1), "January 2023"),
        (PartialDate(year=2023), "2023"),
    ],
)
def test_partial_date_prints_only_what_is_known(value: PartialDate, expected: str) -> None:
    """partial_date prints a day, month or year date to its own precision."""
    assert expected == partial_date(value)


def test_long_date_spells_out_the_month() -> None:
    """long_date prints a date as day, English month name and year, without a leading zero."""
    expected = "5 March 2024"
    assert expected == long_date(date(2024, 3, 5))


def test_statement_markup_is_escaped() -> None:
    """A statement containing HTML tags is printed as text, never as markup."""
    statement = "Officials called it <b>bold</b> progress."
    wire = document("wire", f"{TEXT_WIRE} {statement}", source_type=SourceType.WIRE)

    html = render_html(briefing(statement_civil=statement, wire=wire), TEMPLATES)

    expected = (2, 0)  # the statement is a key point and in its section
    assert expected == (html.count("&lt;b&gt;bold&lt;/b&gt;"), html.count("<b>bold</b>"))


def test_missing_template_is_a_render_error(tmp_path: Path) -> None:
    """A templates folder without briefing.html raises RenderError, not a Jinja2 error."""
    with pytest.raises(RenderError, match=r"briefing\.html"):
        render_html(briefing(), tmp_path)


@pytest.fixture
def templates_dir(tmp_path: Path) -> Path:
    """A templates folder holding one stylesheet, next to a secret file outside it."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "style.css").write_text("p { color: red }", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret outside templates", encoding="utf-8")
    (templates / "link.txt").symlink_to(tmp_path / "secret.txt")
    return templates


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/style.css",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "{templates}/../secret.txt",
        "{templates}/%2e%2e/secret.txt",
        "{templates}/link.txt",
        "{templates}/",
        "file://otherhost{templates_path}/style.css",
    ],
)
def test_fetcher_refuses_anything_outside_templates(templates_dir: Path, url: str) -> None:
    """The fetcher refuses the network, files outside templates, escapes and symlinks out."""
    fetcher = build_url_fetcher(templates_dir)
    url = url.format(templates=templates_dir.as_uri(), templates_path=templates_dir)

    with pytest.raises(PermissionError, match="refused"):
        fetcher.fetch(url)


def test_fetcher_allows_a_file_inside_templates(templates_dir: Path) -> None:
    """The fetcher returns a file inside templates, with its content and content type."""
    fetcher = build_url_fetcher(templates_dir)

    response = fetcher.fetch(f"{templates_dir.as_uri()}/sub/../style.css")
    try:
        expected = ("text/css", b"p { color: red }")
        assert expected == (response.content_type, response.read())
    finally:
        response.close()


def test_fetcher_allows_a_data_url(templates_dir: Path) -> None:
    """The fetcher decodes a data: URL."""
    fetcher = build_url_fetcher(templates_dir)

    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    try:
        expected = b"hello"
        assert expected == response.read()
    finally:
        response.close()


def test_pdf_render_fetches_nothing_outside_templates(
    tmp_path: Path, weasyprint_log: WeasyPrintLog
) -> None:
    """An image on the network and a local file attachment are refused, not embedded."""
    secret = tmp_path / "hostname"
    secret.write_text("secret-host-name-7f3a", encoding="utf-8")
    html = (
        f'<html><head><link rel="attachment" href="{secret.as_uri()}"></head>'
        '<body><p>Text</p><img src="http://127.0.0.1:9/x.png"></body></html>'
    )

    pdf = render_pdf(html, TEMPLATES)

    # "PermissionError" tells the fetcher's refusal from a failed connection.
    urls = [secret.as_uri(), "http://127.0.0.1:9/x.png"]
    messages = weasyprint_log.take()  # expected here, so the log check must not fail the test
    refused = [url for url in urls if any(url in m and "PermissionError" in m for m in messages)]
    # Attachment streams are compressed, so the bytes check alone could not fail: read them back.
    attachments = dict(PdfReader(io.BytesIO(pdf)).attachments)
    expected = (urls, {}, False)
    assert expected == (refused, attachments, b"secret-host-name" in pdf)


def test_a_missing_image_fails_the_weasyprint_log_check(
    tmp_path: Path, weasyprint_log: WeasyPrintLog
) -> None:
    """An image missing from the templates and one the fetcher refuses render as nothing, with
    only a log line each: the check every test runs at teardown fails on them, naming both."""
    urls = [f"{TEMPLATES.as_uri()}/missing.png", (tmp_path / "x.png").as_uri()]
    html = f'<html lang="en"><p>Text</p><img src="missing.png"><img src="{urls[1]}"></html>'

    render_pdf(html, TEMPLATES)
    records = list(weasyprint_log.records)
    weasyprint_log.take()  # this test checks the records itself

    with pytest.raises(pytest.fail.Exception) as failure:
        fail_on_weasyprint_complaints(records)
    expected = [
        f"ERROR weasyprint: Failed to load image at {url!r}: PermissionError: refused to fetch "
        f"{url!r}: only data: URLs and files inside {TEMPLATES} may be loaded"
        for url in urls
    ]
    assert (expected, True) == (
        weasyprint_complaints(records),
        all(line in str(failure.value) for line in expected),
    )


def test_missing_pango_is_a_dependency_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """When weasyprint cannot load Pango, the error names the Debian packages to install."""
    real_import = builtins.__import__

    def failing_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)

    with pytest.raises(DependencyError, match=r"libpango-1\.0-0 libpangoft2-1\.0-0"):
        render_pdf("<p>x</p>", TEMPLATES)


def section_html(html: str, section_id: str) -> str:
    """The markup of one section of the rendered briefing, white space collapsed."""
    start = html.index(f'<section id="{section_id}">')
    return " ".join(html[start : html.index("</section>", start)].split())


def whats_new(html: str) -> str:
    """The What's new paragraph of the week in brief, white space collapsed."""
    start = html.index('<p class="whats-new" id="whats-new">')
    return " ".join(html[start : html.index("</p>", start)].split())


def test_first_edition_says_everything_is_new() -> None:
    """With no earlier edition, What's new is the one line saying so, and no statement is
    marked new (everything is)."""
    html = render_html(briefing(), TEMPLATES)
    expected = (True, False)
    assert expected == (
        "This is the first edition: everything in it is new." in whats_new(html),
        '<span class="marker new">New</span>' in html,
    )


def test_whats_new_counts_what_is_new_and_marks_it_where_it_stands() -> None:
    """A later edition's What's new is a summary in counts, not a second copy of the new
    statements; each new statement is marked "New" where it stands, and only those."""
    later = Briefing.model_validate(
        {
            **briefing().model_dump(),
            "previous_edition": date(2023, 1, 13),
            "new_fact_ids": ("security-1",),
        }
    )
    html = render_html(later, TEMPLATES)
    summary = whats_new(html)
    marked = f'<span class="marker new">New</span> {escape(STATEMENT_SECURITY)}'
    # It stands twice: in the brief (a key point, as the edition has no story) and its section.
    expected = (True, True, False, 2, 2)
    assert expected == (
        "Since the edition of 13 January 2023: 0 new stories" in summary,
        "and 1 new statement" in summary,
        str(escape(STATEMENT_SECURITY)) in summary,
        html.count(marked),
        html.count('<span class="marker new">New</span>'),
    )


def test_nothing_new_is_said_in_words() -> None:
    """A later edition with no new facts says so in its counts and marks nothing new."""
    later = Briefing.model_validate(
        {**briefing().model_dump(), "previous_edition": date(2023, 1, 13)}
    )
    html = render_html(later, TEMPLATES)
    assert "and 0 new statements" in whats_new(html)
    assert '<span class="marker new">New</span>' not in html


HEALTH = (
    FetchOutcome(
        feed="Orbit Wire",
        url="https://orbit-wire.example.org/rss",
        status="fetched",
        http_status=200,
        bytes_received=2410,
        items=5,
        kept=2,
        off_topic=2,
        out_of_period=1,
        undated=1,
    ),
    FetchOutcome(
        feed="https://review.example.org/atom.xml",
        url="https://review.example.org/atom.xml",
        status="unchanged",
        http_status=304,
        items=1,
        kept=1,
        bozo="SAXParseException: undefined entity",
    ),
    FetchOutcome(
        feed="Busy Desk",
        url="https://busy.example.org/feed",
        status="failed",
        reason="HTTP 503 <script>Service Unavailable</script>",
        http_status=503,
    ),
)


@pytest.mark.slow
def test_source_health_appendix_lists_every_feed_and_its_outcome(
    weasyprint_log: WeasyPrintLog,
) -> None:
    """Each feed shows with its outcome, reason or parser complaint, and entry counts; a reason
    from the network is text, never markup; WeasyPrint logs nothing."""
    health = Briefing.model_validate({**briefing().model_dump(), "source_health": HEALTH})
    html = render_html(health, TEMPLATES)
    text = pdf_text(render_pdf(html, TEMPLATES))
    shown = [
        "Source health",
        "Orbit Wire",
        "Fetched",
        "5 entries: 2 read (1 undated), 2 off topic, 1 outside the period",
        "Unchanged (HTTP 304), read from the copy kept",
        "Read despite a parser complaint: SAXParseException: undefined entity",
        "1 entry: 1 read",
        "Failed: HTTP 503 <script>Service Unavailable</script>",
        "none read",
    ]
    expected = ([], shown, True)
    assert expected == (
        weasyprint_log.complaints(),
        [item for item in shown if item in text],
        "HTTP 503 &lt;script&gt;" in html,
    )


def test_an_edition_without_feeds_says_so_in_source_health() -> None:
    """When no feed was read, the appendix says so rather than showing an empty table."""
    html = section_html(render_html(briefing(), TEMPLATES), "source-health")
    assert "No feeds were read for this edition." in html


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page_size", "expected"),
    [("A4", (595, 842)), ("letter", (612, 792))],
)
def test_page_size_sets_every_pages_paper(page_size: PageSize, expected: tuple[int, int]) -> None:
    """An edition asked for in A4 or letter has every page of that paper size, in points."""
    pdf = render_pdf(render_html(briefing(), TEMPLATES, page_size=page_size), TEMPLATES)
    sizes = {
        (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        for page in PdfReader(io.BytesIO(pdf)).pages
    }
    assert {expected} == sizes


def test_an_unknown_page_size_is_a_render_error() -> None:
    """A page size outside the fixed list never reaches the CSS: rendering refuses it."""
    with pytest.raises(RenderError, match="unknown page size"):
        render_html(briefing(), TEMPLATES, page_size="A4; } body { display: none")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seed_briefing() -> Briefing:
    """The seed edition of 20 January 2023."""
    return load_seed_briefing(date(2023, 1, 20))


def test_lists_beyond_the_limit_are_cut_and_say_how_many_more(seed_briefing: Briefing) -> None:
    """With a list limit of two, each theme shows its two best-supported statements, each
    statement at most one citation, and the page says how many more the HTML and JSON editions
    hold."""
    order = priority(seed_briefing, list_limit=2)
    html = render_html(seed_briefing, TEMPLATES, cut=Cut.first(order, len(order), citations=1))
    section = seed_briefing.sections[0]
    shown_statements = [
        fact.statement for fact in section.facts if str(escape(fact.statement)) in html
    ]
    more = f"{len(section.facts) - 2} more statements on this theme are in the HTML and JSON"
    assert (True, True) == (more in html, "; and 1 more in the HTML and JSON editions" in html)
    assert [f.statement for f in section.facts[:2]] == shown_statements[:2]


def test_without_limits_the_seed_edition_is_shown_whole(seed_briefing: Briefing) -> None:
    """The HTML edition cuts nothing: no list or citation says that more are elsewhere."""
    assert "in the HTML and JSON editions" not in render_html(seed_briefing, TEMPLATES)


def test_a_large_json_edition_is_published_beside_the_pdf_not_attached(
    seed_briefing: Briefing,
) -> None:
    """Up to MAX_ATTACHED_JSON the PDF carries the JSON edition and says so; past it (2,000
    items make 14 MB) nothing is attached and the print HTML says the JSON is beside the PDF."""
    small = edition_attachments(seed_briefing, b"{}")
    large = edition_attachments(seed_briefing, b" " * (MAX_ATTACHED_JSON + 1))
    order = priority(seed_briefing)
    said = {
        attached: render_html(
            seed_briefing, TEMPLATES, cut=Cut.first(order, 3, 3), json_attached=attached
        )
        for attached in (True, False)
    }
    assert ([("briefing-2023-01-20.json", b"{}", "The JSON edition")], []) == (small, large)
    where = {
        attached: [p for p in ("attached to this PDF", "published beside this PDF") if p in html]
        for attached, html in said.items()
    }
    assert {True: ["attached to this PDF"], False: ["published beside this PDF"]} == where


def test_citations_print_numbers_outlets_dates_and_what_the_cut_left() -> None:
    """A statement's citations: each a link to its listed source (with an id the source links
    back to) or a bare number, the outlet (linked to a web article when asked, "Outlet not
    stated" when unknown) and the date it reported on; short, the numbers alone; past the cut's
    limit, how many more."""
    edition = briefing()
    numbers = [edition.source_number(source.id) for source in (WIRE, ANALYSIS, DEBRIS)]
    wire, analysis, debris = numbers
    unknown = edition.model_copy(
        update={"sources": [s.model_copy(update={"outlet": None}) for s in edition.sources]}
    )
    anchors = CitationAnchors()
    cite = Citations(2, {wire, analysis}, anchors)
    assert [
        f'<span class="citations"><a class="citation" id="cite-{wire}-1" href="#source-{wire}">'
        f"[{wire}]</a> Orbit Wire, 13 January 2023; "
        f'<a class="citation" id="cite-{analysis}-1" href="#source-{analysis}">[{analysis}]</a>'
        ' <a href="https://example.org/analysis">Alliance Review</a>; and 1 more in the HTML and '
        "JSON editions</span>",
        f'<span class="citations"><span class="citation">[{debris}]</span> Outlet not stated, '
        "2023</span>",
        f'<span class="citations"><a class="citation" id="cite-{wire}-2" href="#source-{wire}">'
        f'[{wire}]</a> <a class="citation" id="cite-{analysis}-2" href="#source-{analysis}">'
        f"[{analysis}]</a> and 1 more source</span>",
        f'<span class="citations"><span class="citation">[{debris}]</span> Outlet not stated, '
        "2023</span>",
    ] == [
        str(cite(numbers, edition, linked=True)),
        str(cite([debris], unknown, linked=True)),
        str(cite(numbers, edition, short=True)),
        str(Citations(None, set(), anchors)([debris], unknown)),
    ]
    assert [f"cite-{wire}-1", f"cite-{wire}-2"] == anchors.of(wire)


def test_citations_escape_what_a_source_says() -> None:
    """An outlet's name and an article's link are text, not markup, in a citation."""
    edition = briefing()
    hostile = edition.model_copy(
        update={
            "sources": [
                s.model_copy(
                    update={
                        "outlet": stated("<b>Wire</b> & Co", "<b>Wire</b> & Co"),
                        "url": stated('https://a.example/"><script>', "x"),
                    }
                )
                for s in edition.sources
            ]
        }
    )
    number = hostile.source_number(WIRE.id)
    html = str(Citations(None, set(), CitationAnchors())([number], hostile, linked=True))
    assert (
        f'<span class="citations"><span class="citation">[{number}]</span> '
        '<a href="https://a.example/&#34;&gt;&lt;script&gt;">&lt;b&gt;Wire&lt;/b&gt; &amp; Co</a>'
        ", 13 January 2023</span>"
    ) == html
