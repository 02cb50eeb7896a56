"""Stories: feed items reporting one event grouped across outlets and days, headed by a title."""

from collections import Counter
from datetime import date, timedelta

import pytest

from briefing.compose import stories
from briefing.compose.assemble import compose_briefing
from briefing.compose.stories import (
    EarlierStory,
    group_items,
    select_top_stories,
)
from briefing.extract.facts import extract_facts
from briefing.models import Attested, Briefing, PartialDate, SourceDocument, Story
from briefing.topic import Topic

EDITION = date(2024, 1, 26)


def item(key: str, outlet: str, day: date, title: str, body: str) -> SourceDocument:
    """A feed item as ``build_item`` makes one: its title, then its text."""
    return SourceDocument(
        id=f"feed-{key}",
        source_type="news",
        outlet=Attested(value=outlet, basis="metadata", origin="feed configuration name"),
        title=Attested(value=title, basis="metadata", origin="item title"),
        author=None,
        published=Attested(
            value=PartialDate.model_validate(day), basis="metadata", origin="item published"
        ),
        url=Attested(
            value=f"https://{outlet.lower()}.example/{key}", basis="metadata", origin="item link"
        ),
        form="feed-item",
        location=f"https://{outlet.lower()}.example/{key}",
        text=f"{title}\n{body}",
    )


SLIM_KYODO = item(
    "slim-kyodo",
    "Kyodo",
    date(2024, 1, 20),
    "Japan's SLIM probe lands on the Moon",
    "Japan's SLIM lunar lander touched down on the Moon on Saturday, making Japan the fifth "
    "country to land a probe on the lunar surface.",
)
SLIM_SPACENEWS = item(
    "slim-spacenews",
    "SpaceNews",
    date(2024, 1, 21),
    "SLIM lands on the Moon but its solar cells are not generating power",
    "JAXA said its SLIM lander touched down on the lunar surface, but its solar cells are not "
    "generating power and the lander is running on its battery.",
)
H3 = item(
    "h3",
    "NHK",
    date(2024, 1, 22),
    "JAXA sets a date for the second H3 rocket launch",
    "JAXA said the second flight of its H3 rocket is planned from the Tanegashima Space Center "
    "in February, after the failure of the first flight in March last year.",
)


def edition(documents: list[SourceDocument], topic: Topic, **options: object) -> Briefing:
    """The edition of these documents alone."""
    facts = [fact for document in documents for fact in extract_facts(document, topic).facts]
    return compose_briefing(topic, documents, facts, EDITION, **options)  # type: ignore[arg-type]


def headlines(briefing: Briefing) -> dict[str, list[str]]:
    """Each story's headline, with the outlets of its sources, first to report first."""
    outlets = {source.id: source.outlet.value for source in briefing.sources if source.outlet}
    return {
        briefing.fact(story.headline).statement: [outlets[d] for d in story.document_ids]
        for story in briefing.stories
    }


def test_two_outlets_reporting_one_event_make_one_story(topic: Topic) -> None:
    """Kyodo and SpaceNews on the SLIM landing, a day apart, are one story of two sources;
    NHK on the H3 rocket is another. (Their two headlines state one landing, so they are one
    statement, led by the fuller wording.)"""
    briefing = edition([SLIM_KYODO, SLIM_SPACENEWS, H3], topic)
    expected = {
        "SLIM lands on the Moon but its solar cells are not generating power": [
            "Kyodo",
            "SpaceNews",
        ],
        "JAXA sets a date for the second H3 rocket launch": ["NHK"],
    }
    assert expected == headlines(briefing)


def test_a_storys_headline_is_an_items_title_verbatim(topic: Topic) -> None:
    """The headline is a statement citing the title's span of an item, and the story's
    statements cite exactly its sources."""
    briefing = edition([SLIM_KYODO, SLIM_SPACENEWS], topic)
    (story,) = briefing.stories
    headline = briefing.fact(story.headline)
    titles = {source.title.value for source in briefing.sources if source.title}
    starts = {evidence.start for evidence in headline.evidence}
    assert (True, {0}, date(2024, 1, 20)) == (headline.statement in titles, starts, story.reported)


def test_reports_far_apart_in_time_are_two_stories(topic: Topic) -> None:
    """The same words published two weeks apart tell two events, not one."""
    later = SLIM_SPACENEWS.model_copy(
        update={
            "id": "feed-later",
            "published": Attested(
                value=PartialDate.model_validate(date(2024, 2, 4)),
                basis="metadata",
                origin="item published",
            ),
        }
    )
    briefing = edition([SLIM_KYODO, later], topic)
    assert 2 == len(briefing.stories)


def test_a_story_an_earlier_edition_carried_is_developing(topic: Topic) -> None:
    """The SLIM story, carried by last week's edition, is developing since then; remembered
    from outside the remembered weeks, or not at all, it is new; the H3 story is new."""
    week_ago = EDITION - timedelta(days=7)
    statements = ("Japan's SLIM probe lands on the Moon",)
    found = [
        {
            story.document_ids[0]: story.developing_since
            for story in edition([SLIM_KYODO, H3], topic, earlier_stories=earlier).stories
        }
        for earlier in (
            [EarlierStory(week_ago, statements)],
            [EarlierStory(EDITION - timedelta(days=400), statements)],
            [],
        )
    ]
    expected = [
        {"feed-slim-kyodo": week_ago, "feed-h3": None},
        {"feed-slim-kyodo": None, "feed-h3": None},
        {"feed-slim-kyodo": None, "feed-h3": None},
    ]
    assert expected == found


def test_top_stories_take_the_best_of_each_theme_first(topic: Topic) -> None:
    """With stories in two themes, the top stories hold the best of each, in rank order."""
    stories = [
        Story(
            id=f"story-{n:012x}",
            theme=theme,
            headline=f"f{n}",
            fact_ids=(f"f{n}",),
            document_ids=(f"d{n}",),
        )
        for n, theme in enumerate(["civil-space"] * 9 + ["security"])
    ]
    chosen = select_top_stories(stories, topic)
    assert [s.id for s in stories[:4]] + [stories[9].id] == list(chosen)


def test_a_story_must_lead_with_its_headline() -> None:
    """The model refuses a story whose first statement is not its headline."""
    with pytest.raises(ValueError, match="headline must be its first statement"):
        Story(
            id="story-000000000000",
            theme="security",
            headline="a",
            fact_ids=("b", "a"),
            document_ids=("d",),
        )


def test_a_story_takes_items_up_to_its_cap_and_the_rest_start_another(
    topic: Topic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight copies of one item (its words distinctive: in no more than eight leads) fill
    stories of at most the cap, the first ones full."""
    monkeypatch.setattr(stories, "MAX_STORY_ITEMS", 3)
    copies = {
        f"feed-copy-{n}": SLIM_KYODO.model_copy(update={"id": f"feed-copy-{n}"}) for n in range(8)
    }
    facts = [fact for doc in copies.values() for fact in extract_facts(doc, topic).facts]
    sizes = Counter(group_items(facts, copies, topic).values())
    assert [3, 3, 2] == [sizes[story] for story in sorted(sizes)]


ISPACE_KYODO = item(
    "ispace-kyodo",
    "Kyodo",
    date(2024, 1, 24),
    "Japan's ispace lander fails in second moon landing attempt",
    "Tokyo-based ispace said Wednesday its Resilience lunar lander likely crashed on the moon "
    "after contact was lost shortly before touchdown.",
)
ISPACE_SPACENEWS = item(
    "ispace-spacenews",
    "SpaceNews",
    date(2024, 1, 24),
    "ispace lander fails in second moon landing attempt",
    "A lunar lander built by Japanese company ispace failed in its second moon landing attempt, "
    "the company said. Controllers lost contact with Resilience shortly before its touchdown "
    "in Mare Frigoris.",
)


def test_a_headline_merges_only_with_headlines_so_its_story_keeps_a_title(topic: Topic) -> None:
    """Two outlets' titles of one event, and one outlet's lead sentence saying the same:
    merged into the sentence (the clearer wording), the titles would leave the story without
    a headline, and the story would vanish from the edition. (The two lead sentences state
    one claim, the lander's loss: one statement of the story cites them both.)"""
    briefing = edition([ISPACE_KYODO, ISPACE_SPACENEWS], topic)
    title = "Japan's ispace lander fails in second moon landing attempt"
    expected = {title: ["Kyodo", "SpaceNews"]}
    lead = "A lunar lander built by Japanese company ispace failed in its second moon landing"
    (story,) = briefing.stories
    quotes = [e.quote for fact_id in story.fact_ids for e in briefing.fact(fact_id).evidence]
    assert (expected, True) == (
        headlines(briefing),
        any(quote.startswith(lead) for quote in quotes),
    )


def test_a_storys_first_statements_are_sentences_before_other_titles(topic: Topic) -> None:
    """After its headline, a story shows what its sources say, then the other outlets' titles.
    (Here the two titles state one landing, and so do the two sentences: a title, then a
    sentence, each citing both outlets.)"""
    briefing = edition([SLIM_KYODO, SLIM_SPACENEWS], topic)
    (story,) = briefing.stories
    titles = {source.title.value for source in briefing.sources if source.title}
    is_title = [briefing.fact(fact_id).statement in titles for fact_id in story.fact_ids]
    cited = [len(briefing.fact(fact_id).source_ids()) for fact_id in story.fact_ids]
    assert ([True, False], [2, 2]) == (is_title, cited)
