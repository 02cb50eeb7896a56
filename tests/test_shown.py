"""Tests for briefing.render.shown: which entries a rendered edition lists, and how many it cuts."""

import gc
import weakref
from datetime import date

from briefing.edition import load_seed_briefing
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
    Story,
)
from briefing.render.figures import _dated, build_timeline_figure
from briefing.render.shown import (
    LISTS,
    OTHERS,
    STORIES,
    STORY,
    Cut,
    Shown,
    Step,
    _lists,
    build_shown,
    edition_counts,
    order_of_importance,
    priority,
    story_statements,
)
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


def test_without_a_cut_everything_is_shown() -> None:
    """The HTML edition's lists are whole: every entry, nothing said to be cut, every source."""
    shown = build_shown(EDITION)
    assert (3, 1, 3, 3, 3, 0) == (
        len(shown.milestones.entries),
        len(shown.others["security"].entries),
        len(shown.timeline.entries),
        len(shown.disagreements.entries),
        len(shown.source_health.entries),
        shown.timeline.more,
    )
    assert ((1, EDITION.sources[0]), (2, EDITION.sources[1])) == shown.sources.entries


def test_the_order_takes_milestones_before_further_statements_then_one_of_each_a_round() -> None:
    """With no stories, the order is the milestones, then a round of one more of each list
    (theme statements, timeline, notes of differing sources, feeds) after another."""
    order = priority(EDITION)
    civil, security = ("others", "civil-space"), ("others", "security")
    timeline, notes, health = ("timeline", ""), ("disagreements", ""), ("source_health", "")
    expected = [
        *[(("milestones", ""),)] * 3,
        *[(civil,), (security,), (timeline,), (notes,), (health,)],
        *[(civil,), (timeline,), (notes,), (health,)] * 2,
    ]
    assert expected == order


def test_a_cut_note_counts_exactly_what_was_cut() -> None:
    """For every length of the order, each list shows what the first entries take, and the
    shown and the more of it add up to the whole list."""
    order = priority(EDITION)
    whole = build_shown(EDITION)
    for steps in range(len(order) + 1):
        shown = build_shown(EDITION, Cut.first(order, steps, citations=3))
        taken = Cut.first(order, steps, citations=3).counts
        for name in ("milestones", "timeline", "disagreements", "source_health"):
            assert taken.get((name, ""), 0) == len(shown[name].entries)
            assert len(whole[name].entries) == len(shown[name].entries) + shown[name].more
        for theme in ("civil-space", "security"):
            others = shown.others[theme]
            assert len(whole.others[theme].entries) == len(others.entries) + others.more


def test_the_whole_order_cuts_nothing() -> None:
    """A cut that takes the whole order shows every entry and says nothing is cut."""
    order = priority(EDITION)
    cut = Cut.first(order, len(order), citations=3)
    shown = build_shown(EDITION, cut)
    assert cut.complete
    assert 0 == sum(shown[name].more for name in ("milestones", "timeline", "disagreements"))
    assert 0 == sum(shown.others[theme].more for theme in ("civil-space", "security"))


def test_a_list_limit_caps_every_list() -> None:
    """``list_limit`` (BRIEFING_PDF_LIST_LIMIT) keeps at most that many entries of each list
    in the order."""
    order = priority(EDITION, list_limit=1)
    expected = [
        (("milestones", ""),),
        (("others", "civil-space"),),
        (("others", "security"),),
        (("timeline", ""),),
        (("disagreements", ""),),
        (("source_health", ""),),
    ]
    assert expected == order


def test_failed_feeds_come_first_in_source_health() -> None:
    """A reader of the appendix looks for the feeds that failed: they are listed first, the
    others in their order, so a cut keeps them."""
    failed = FetchOutcome(
        feed="four", url="https://four.example.org/rss", status="failed", reason="HTTP 503"
    )
    edition = EDITION.model_copy(update={"source_health": (*HEALTH, failed)})
    order = [step for step in priority(edition) if step == (("source_health", ""),)][:2]
    shown = build_shown(edition, Cut.first(order, 2, citations=1))
    assert Shown((failed, HEALTH[0]), 2) == shown["source_health"]


def test_the_timeline_keeps_its_latest_events_and_the_figure_draws_what_is_shown() -> None:
    """Cut, the timeline keeps its latest events; the figure draws the events and milestones
    shown."""
    order = [(("timeline", ""),), (("milestones", ""),)]
    shown = build_shown(EDITION, Cut.first(order, 2, citations=1))
    assert frozenset({"f3", "f4"}) == shown.drawn_on_timeline


def test_only_sources_cited_by_what_is_shown_are_listed() -> None:
    """The sources listed are those the printed entries cite, up to the citation limit, in
    number order; a source only a cut entry cites is not listed."""
    civil = (fact("f1", "s4", "s1"), fact("f2", "s3"))
    edition = Briefing(
        title="Briefing",
        topic="us-japan-space",
        edition_date="2023-01-20",
        sources=tuple(source(f"s{number}") for number in range(1, 5)),
        sections=(Section(theme="civil-space", title="Civil", description="Civil.", facts=civil),),
    )
    order = priority(edition)
    one = build_shown(edition, Cut.first(order, 1, citations=1))
    two = build_shown(edition, Cut.first(order, 1, citations=2))
    assert (frozenset({1}), 3) == (one.listed_numbers, one.sources.more)
    assert frozenset({1, 4}) == two.listed_numbers


def test_stories_come_first_with_their_lead_and_no_title_is_a_statement(topic: Topic) -> None:
    """Each story's headline and first lead come first in the order, the top stories before
    the others (so every story the brief names is printed); the statements under a story are
    its leads then the rest, never a title."""
    briefing = story_edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)
    first, second = briefing.stories
    top_second = briefing.model_copy(update={"top_stories": (second.id,)})

    def steps(story: Story) -> Step:
        return (("stories", story.theme), ("story", story.id))

    assert [steps(first), steps(second)] == priority(briefing)[:2]
    assert [steps(second), steps(first)] == priority(top_second)[:2]
    for story in briefing.stories:
        statements = [fact.id for fact in story_statements(story, briefing)]
        assert list(story.lead_ids) == statements[: len(story.lead_ids)]
        assert not set(statements) & set(briefing.headlines)


def test_a_developing_story_shows_what_is_new_first(topic: Topic) -> None:
    """Under a story an earlier edition carried, the statements new since then come first, in
    their rank order, then the others; a new story keeps its rank order."""
    briefing = story_edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)
    slim = next(s for s in briefing.stories if len(s.document_ids) == 2)
    ranked = [fact.id for fact in story_statements(slim, briefing)]
    last = ranked[-1]
    developing = briefing.model_copy(
        update={
            "previous_edition": date(2024, 1, 19),
            "new_fact_ids": (last,),
            "stories": tuple(
                s.model_copy(update={"developing_since": date(2024, 1, 19)}) if s is slim else s
                for s in briefing.stories
            ),
        }
    )
    story = developing.story(slim.id)
    assert [last, *ranked[:-1]] == [fact.id for fact in story_statements(story, developing)]
    assert ranked == [fact.id for fact in story_statements(slim, briefing)]


def test_a_failed_feed_comes_right_after_the_milestones() -> None:
    """What this edition could not read is printed before further statements: a failed feed's
    row comes right after the milestones, the other feeds in the rounds."""
    failed = FetchOutcome(
        feed="four", url="https://four.example.org/rss", status="failed", reason="HTTP 503"
    )
    order = priority(EDITION.model_copy(update={"source_health": (*HEALTH, failed)}))
    assert [(("milestones", ""),)] * 3 + [(("source_health", ""),)] == order[:4]
    assert 4 == order.count((("source_health", ""),))


def lazily_and_whole(briefing: Briefing) -> tuple[Briefing, Briefing]:
    """Two copies of an edition: one whose lists are made as asked for, one whose lists were
    all made first (as the HTML edition makes them)."""
    lazy, whole = briefing.model_copy(), briefing.model_copy()
    build_shown(whole)
    _dated(whole)
    return lazy, whole


def test_the_order_read_as_far_as_needed_is_the_whole_order(topic: Topic) -> None:
    """The order made as it is read (``order_of_importance``) has the steps and the length of
    the whole order: its length, worked out before any step is made, is the count of the steps
    made; each list's count, before the list is made, is its length made."""
    editions = [EDITION, story_edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)]
    editions.append(load_seed_briefing(date(2023, 1, 20)))
    for briefing in editions:
        for limit in (None, 1, 2):
            order = order_of_importance(briefing.model_copy(), limit)
            length = len(order)
            assert (length, order[:3]) == (len(list(order)), priority(briefing, limit)[:3])
            assert list(order) == priority(briefing.model_copy(), limit)
        lazy, whole = lazily_and_whole(briefing)
        names = [(name, "") for name in LISTS] + [(STORY, story.id) for story in lazy.stories]
        names += [(name, section.theme) for name in (STORIES, OTHERS) for section in lazy.sections]
        counted = [_lists(lazy).count(name, key) for name, key in names]
        assert counted == [len(_lists(whole).entries(name, key)) for name, key in names]


def test_a_cut_of_lists_made_as_asked_for_shows_what_one_of_whole_lists_shows(
    topic: Topic,
) -> None:
    """Every cut of the order shows the same entries, the same counts of more and draws the
    same timeline figure whether the lists were made whole first (the HTML edition rendered
    before the PDF) or are made as the cut asks for them."""
    editions = [EDITION, story_edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)]
    editions.append(load_seed_briefing(date(2023, 1, 20)))
    for briefing in editions:
        order = priority(briefing)
        for steps in sorted({*range(0, len(order) + 1, 7), len(order)}):
            cut_at = Cut.first(order, steps, citations=2)
            lazy, whole = lazily_and_whole(briefing)
            one, other = build_shown(lazy, cut_at), build_shown(whole, cut_at)
            assert (one.lists, one.theme_lists, one.sources) == (
                other.lists,
                other.theme_lists,
                other.sources,
            )
            assert [one.story(s) for s in lazy.stories] == [other.story(s) for s in lazy.stories]
            drawn = one.drawn_on_timeline
            assert build_timeline_figure(lazy, drawn) == build_timeline_figure(whole, drawn)


def test_what_an_edition_keeps_for_its_renders_does_not_keep_it_alive() -> None:
    """The lists, counts and order kept for an edition's renders hold no reference back to it:
    once rendered and let go, an edition is freed at once, not at the next garbage collection
    (at 20,000 items it is hundreds of megabytes)."""
    briefing = EDITION.model_copy()
    order = order_of_importance(briefing)
    build_shown(briefing, Cut.first(order, 3, citations=2))
    build_shown(briefing)
    alive = weakref.ref(briefing)
    del briefing, order
    gc.disable()
    try:
        assert alive() is None
    finally:
        gc.enable()


def test_the_edition_counts_the_reports_and_outlets_its_statements_cite(topic: Topic) -> None:
    """The reports counted are the documents some statement cites, in a story or not, and a
    source no statement cites is not one; the outlets are theirs (a document's id where it
    names none): the same as looking through every statement's evidence."""
    stories = story_edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)
    uncited = EDITION.model_copy(update={"sources": (*EDITION.sources, source("s3"))})
    counted, expected = [], []
    for briefing in (stories, uncited):
        cited = {e.document_id for fact in briefing.facts() for e in fact.evidence}
        outlets = {o.value if (o := briefing.source(d).outlet) is not None else d for d in cited}
        counts = edition_counts(briefing)
        counted.append((counts.reports, counts.outlets))
        expected.append((len(cited), len(outlets)))
    assert expected == counted
    assert (2, 2) == counted[1]


def test_a_cut_that_shows_none_of_a_list_counts_it_without_making_it() -> None:
    """A cut showing no date coming up, milestone, event, note or feed says how many each
    list holds without making one of those lists, and lists the sources it cites without
    numbering every source (a 16-page PDF at 20,000 items shows a few dozen of 13,000)."""
    briefing = EDITION.model_copy()
    shown = build_shown(briefing, Cut.first(priority(briefing), 0, citations=2))
    kept = briefing.derived["shown: lists"]
    counted = {"coming_up", "milestones", "timeline", "disagreements", "source_health"}
    made = sorted(name for name, _ in kept["lists"] if name in counted)
    made += sorted({"numbered"} & kept.keys())
    counts = {name: shown.lists[name].more for name in ("coming_up", "milestones", "timeline")}
    assert ([], {"coming_up": 0, "milestones": 3, "timeline": 3}) == (made, counts)
