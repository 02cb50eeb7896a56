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
from briefing.render.shown import Limits, Shown, ShownBriefing, build_shown, print_limits
from briefing.topic import Topic
from tests.test_stories import H3, SLIM_KYODO, SLIM_SPACENEWS
from tests.test_stories import edition as story_edition

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
    key_points=("f4", "f1", "f2"),
    timeline=("f1", "f2", "f3"),
    milestones=(M4, M3, M2),
    disagreements=DISAGREEMENTS,
    source_health=HEALTH,
)


def test_every_list_is_cut_at_the_limit_and_counts_the_rest() -> None:
    """With a limit of two, each list shows its first two entries (the timeline its latest two)
    and says how many more there are; lists within the limit are shown whole."""
    expected = ShownBriefing(
        lists={
            "top_stories": Shown((), 0),
            "key_points": Shown((F4, F1), 1),
            "new_facts": Shown((F1, F3), 1),  # in briefing order, not the order of the ids
            "disagreements": Shown(DISAGREEMENTS[:2], 1),
            "timeline": Shown((F2, F3), 1),
            "milestones": Shown(((M4, F4), (M3, F3)), 1),
            "source_health": Shown(HEALTH[:2], 1),
        },
        theme_lists={
            "stories": {"civil-space": Shown((), 0), "security": Shown((), 0)},
            "sections": {"civil-space": Shown((F1, F2), 1), "security": Shown((F4,), 0)},
        },
        sources=Shown(((1, EDITION.sources[0]), (2, EDITION.sources[1])), 0),
        citation_limit=1,
        story_statement_limit=2,
    )
    assert expected == build_shown(EDITION, print_limits(list_limit=2, citation_limit=1))


def test_templates_read_each_list_by_its_name() -> None:
    """A list is an item of the shown briefing by its name, a theme list by name then theme:
    what ``shown.timeline`` and ``shown.sections[theme]`` read in a template."""
    shown = build_shown(EDITION, print_limits(list_limit=2, citation_limit=1))
    expected = (Shown((F2, F3), 1), Shown((F4,), 0))
    assert expected == (shown["timeline"], shown["sections"]["security"])


def test_without_limits_everything_is_shown() -> None:
    """The HTML edition's lists: nothing cut, every source listed, every citation shown."""
    shown = build_shown(EDITION)
    counts = [
        *(cut.more for cut in shown.lists.values()),
        *(cut.more for cut in shown.theme_lists["sections"].values()),
        shown.sources.more,
    ]
    expected = ([0] * 10, (F1, F2, F3), frozenset({1, 2}), None)
    assert expected == (
        counts,
        shown["timeline"].entries,
        shown.listed_numbers,
        shown.citation_limit,
    )


def test_the_print_limits_are_each_lists_own_or_the_one_given() -> None:
    """Each list has its own print limit; a list limit given replaces every one of them."""
    own, given = print_limits(), print_limits(list_limit=5, citation_limit=2)
    expected = ((6, 8, 20, 10, 3), {5}, 2)
    assert expected == (
        (
            own.lists["sections"],
            own.lists["new_facts"],
            own.lists["source_health"],
            own.lists["sources"],
            own.citations,
        ),
        set(given.lists.values()),
        given.citations,
    )


def test_halving_the_limits_goes_down_to_one_key_point_no_other_entry_and_one_citation() -> None:
    """Each halving rounds every list's limit down, to none at all but for the first top story
    and the first key point, and the citations down to one; at that floor halving changes
    nothing."""
    limits, steps = print_limits(), []
    while not limits.at_floor:
        limits = limits.halved()
        steps.append(
            (
                limits.lists["sections"],
                limits.lists["source_health"],
                limits.lists["key_points"],
                limits.citations,
            )
        )
    expected = [(3, 10, 4, 1), (1, 5, 2, 1), (0, 2, 1, 1), (0, 1, 1, 1), (0, 0, 1, 1)]
    assert expected == steps
    floor = {**dict.fromkeys(limits.lists, 0), "key_points": 1, "top_stories": 1}
    assert Limits(floor, 1) == limits


def test_failed_feeds_come_first_in_source_health() -> None:
    """A reader of the appendix looks for the feeds that failed: they are listed first, the
    others in their order, so a cut keeps them."""
    failed = FetchOutcome(
        feed="four", url="https://four.example.org/rss", status="failed", reason="HTTP 503"
    )
    edition = EDITION.model_copy(update={"source_health": (*HEALTH, failed)})
    shown = build_shown(edition, print_limits(list_limit=2, citation_limit=1))
    assert Shown((failed, HEALTH[0]), 2) == shown["source_health"]


def test_the_timeline_figure_draws_the_shown_events_and_milestones() -> None:
    """The figure beside the tables draws what they list: the latest events and the soonest
    milestones shown."""
    shown = build_shown(EDITION, print_limits(list_limit=1, citation_limit=1))
    assert frozenset({"f3", "f4"}) == shown.drawn_on_timeline


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
    """Over the limit, the sources listed are the ones the printed citations cite most, in
    number order: a statement prints its citations in number order up to the citation limit,
    and a citation past it or a fact past the list limit earns nothing."""
    edition = sources_edition()
    shown = build_shown(edition, print_limits(list_limit=2, citation_limit=1))

    # The first citation printed: [1] for both shown civil facts, [2] for the security fact;
    # s4 is cited after s1, s3 only by hidden facts.
    expected = (((1, edition.sources[0]), (2, edition.sources[1])), 2, frozenset({1, 2}))
    assert expected == (shown.sources.entries, shown.sources.more, shown.listed_numbers)


def test_a_higher_citation_limit_counts_the_later_citations() -> None:
    """With three citations shown per statement, s4 (printed after s1) outranks s2."""
    shown = build_shown(sources_edition(), print_limits(list_limit=2, citation_limit=3))

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
    shown = build_shown(edition, print_limits(list_limit=2, citation_limit=1))

    # s1: three statements; s3: two claims; s2 and s4: one claim each.
    expected = frozenset({1, 3})
    assert expected == shown.listed_numbers


def test_only_sources_cited_by_what_is_shown_are_listed() -> None:
    """Within the sources' limit, a source that nothing shown cites is not listed, and the
    sources a key point cites are, even when its statement is cut from its section."""
    edition = sources_edition().model_copy(update={"key_points": ("f5",)})
    one_each = print_limits(list_limit=1, citation_limit=1)
    shown = build_shown(edition, Limits({**one_each.lists, "sources": 10}, citations=1))

    # Shown: f1 ([1] printed first), f4 ([2]) and the key point f5 ([3]); s4 only after s1.
    expected = (frozenset({1, 2, 3}), 1)
    assert expected == (shown.listed_numbers, shown.sources.more)


def test_stories_lead_and_their_statements_leave_the_themes_other_statements(
    topic: Topic,
) -> None:
    """Top stories are shown first with their statements cut at the story limit; a theme's
    other statements are those of no story, and its story list holds no top story."""
    briefing = story_edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)
    shown = build_shown(briefing, print_limits(citation_limit=1))
    in_stories = {fact_id for story in briefing.stories for fact_id in story.fact_ids}
    slim = next(s for s in briefing.stories if len(s.document_ids) == 2)
    expected = (
        [briefing.story(story_id) for story_id in briefing.top_stories],
        set(),
        [],
        min(1, len(slim.fact_ids) - 1),
    )
    assert expected == (
        list(shown["top_stories"].entries),
        {f.id for cut in shown["sections"].values() for f in cut.entries} & in_stories,
        [s for cut in shown["stories"].values() for s in cut.entries],
        len(shown.story_statements(slim, briefing).entries),
    )
