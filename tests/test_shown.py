"""Tests for briefing.render.shown: which entries a rendered edition lists, and how many it cuts."""

from briefing.models import (
    Briefing,
    Claim,
    Disagreement,
    Evidence,
    Fact,
    FetchOutcome,
    Milestone,
    Section,
    SourceDocument,
)
from briefing.render.shown import Shown, ShownBriefing, build_shown

SENTENCES = {
    "f1": "Japan and the United States signed a framework agreement.",
    "f2": "The agreement covers joint work from the Moon to the Earth.",
    "f3": "JAXA plans a debris inspection mission.",
    "f4": "The allies agreed to share space domain awareness data.",
    "f5": "NASA welcomed the agreement.",
    "eight": "Eight countries signed the accords first.",
    "seven": "Seven countries signed the accords first.",
}
TEXT = " ".join(SENTENCES.values())


def source(doc_id: str) -> SourceDocument:
    """A source holding every sentence, so that any fact may quote it."""
    return SourceDocument(
        id=doc_id,
        text=TEXT,
        location=f"{doc_id}.txt",
        source_type="news",
        outlet=None,
        title=None,
        author=None,
        published=None,
        url=None,
    )


def quoted(doc_id: str, key: str) -> Evidence:
    """The evidence of one sentence in one source."""
    start = TEXT.index(SENTENCES[key])
    return Evidence(
        document_id=doc_id, start=start, end=start + len(SENTENCES[key]), quote=SENTENCES[key]
    )


def fact(key: str, *cited: str, theme: str = "civil-space") -> Fact:
    """The fact of that sentence, citing the sources in that order."""
    return Fact(
        id=key,
        statement=SENTENCES[key],
        theme=theme,
        evidence=tuple(quoted(doc_id, key) for doc_id in cited),
    )


def disagreement(fact_id: str, first: str = "s1", second: str = "s2") -> Disagreement:
    """Two sources differing on how many countries signed first."""
    return Disagreement(
        fact_id=fact_id,
        aspect="number",
        claims=(
            Claim(value="Eight", evidence=quoted(first, "eight")),
            Claim(value="Seven", evidence=quoted(second, "seven")),
        ),
    )


def outcome(feed: str) -> FetchOutcome:
    """A feed fetched with nothing in it."""
    return FetchOutcome(feed=feed, url=f"https://{feed}.example.org/rss", status="fetched")


F1, F2, F3, F4 = fact("f1", "s1"), fact("f2", "s2"), fact("f3", "s1"), fact("f4", "s2")
CIVIL = Section(theme="civil-space", title="Civil", description="Civil.", facts=(F1, F2, F3))
SECURITY = Section(theme="security", title="Security", description="Security.", facts=(F4,))
M2, M3, M4 = (Milestone(fact_id=f, status="upcoming") for f in ("f2", "f3", "f4"))
HEALTH = (outcome("one"), outcome("two"), outcome("three"))
DISAGREEMENTS = (disagreement("f1"), disagreement("f2"), disagreement("f3"))
EDITION = Briefing(
    title="Briefing",
    topic="us-japan-space",
    edition_date="2023-01-20",
    previous_edition="2023-01-13",
    sources=(source("s1"), source("s2")),
    sections=(CIVIL, SECURITY),
    new_fact_ids=("f4", "f1", "f3"),
    timeline=("f1", "f2", "f3"),
    milestones=(M4, M3, M2),
    disagreements=DISAGREEMENTS,
    source_health=HEALTH,
)


def test_every_list_is_cut_at_the_limit_and_counts_the_rest() -> None:
    """With a limit of two, each list shows its first two entries (the timeline its latest two)
    and says how many more there are; lists within the limit are shown whole."""
    expected = ShownBriefing(
        new_facts=Shown((F1, F3), 1),  # in briefing order, not the order of the ids
        sections={"civil-space": Shown((F1, F2), 1), "security": Shown((F4,), 0)},
        disagreements=Shown(DISAGREEMENTS[:2], 1),
        timeline=Shown((F2, F3), 1),
        milestones=Shown(((M4, F4), (M3, F3)), 1),
        sources=Shown(((1, EDITION.sources[0]), (2, EDITION.sources[1])), 0),
        source_health=Shown(HEALTH[:2], 1),
    )
    assert expected == build_shown(EDITION, list_limit=2, citation_limit=1)


def test_within_the_limits_everything_is_shown() -> None:
    """With limits above every list's length, nothing is cut and every source is listed."""
    shown = build_shown(EDITION, list_limit=3, citation_limit=10)
    counts = [
        shown.new_facts.more,
        *(section.more for section in shown.sections.values()),
        shown.disagreements.more,
        shown.timeline.more,
        shown.milestones.more,
        shown.sources.more,
        shown.source_health.more,
    ]
    expected = ([0] * 8, (F1, F2, F3), frozenset({1, 2}))
    assert expected == (counts, shown.timeline.entries, shown.listed_numbers)


def sources_edition() -> Briefing:
    """Four sources; the two shown civil facts cite s4 first and s1 after it, the hidden civil
    facts cite s3 only, and the security fact cites s2."""
    civil = (fact("f1", "s4", "s1", "s1"), fact("f2", "s4", "s1", "s1"), fact("f3", "s3"))
    civil += (fact("f5", "s3"),)
    security = (fact("f4", "s2", theme="security"),)
    return Briefing(
        title="Briefing",
        topic="us-japan-space",
        edition_date="2023-01-20",
        sources=tuple(source(f"s{number}") for number in range(1, 5)),
        sections=(
            Section(theme="civil-space", title="Civil", description="Civil.", facts=civil),
            Section(theme="security", title="Security", description="Security.", facts=security),
        ),
    )


def test_too_many_sources_lists_those_the_shown_citations_cite_most() -> None:
    """Over the limit, the sources listed are the ones the shown citations cite most, in number
    order: a citation past the citation limit and a fact past the list limit earn nothing."""
    edition = sources_edition()
    shown = build_shown(edition, list_limit=2, citation_limit=1)

    # Cited once each as the first citation: s4 twice, s2 once; s3 only by hidden facts.
    expected = (((2, edition.sources[1]), (4, edition.sources[3])), 2, frozenset({2, 4}))
    assert expected == (shown.sources.entries, shown.sources.more, shown.listed_numbers)


def test_a_higher_citation_limit_counts_the_later_citations() -> None:
    """With three citations shown per statement, s1 (cited second and third) outranks s2."""
    shown = build_shown(sources_edition(), list_limit=2, citation_limit=3)

    expected = (frozenset({1, 4}), 2)
    assert expected == (shown.listed_numbers, shown.sources.more)


def test_the_claims_of_shown_disagreements_count_towards_their_sources() -> None:
    """A source cited only by the claims of shown disagreements is listed when they cite it
    more than any statement cites another source."""
    civil = (fact("f1", "s1"), fact("f2", "s1"))
    edition = Briefing(
        title="Briefing",
        topic="us-japan-space",
        edition_date="2023-01-20",
        sources=tuple(source(f"s{number}") for number in range(1, 5)),
        sections=(
            Section(theme="civil-space", title="Civil", description="Civil.", facts=civil),
            Section(
                theme="security",
                title="Security",
                description="Security.",
                facts=(fact("f4", "s1", theme="security"),),
            ),
        ),
        disagreements=(disagreement("f1", "s3", "s2"), disagreement("f2", "s3", "s4")),
    )
    shown = build_shown(edition, list_limit=2, citation_limit=1)

    # s1: three statements; s3: two claims; s2 and s4: one claim each.
    expected = frozenset({1, 3})
    assert expected == shown.listed_numbers
