"""The evaluation: the seed edition meets the quality bar, and the scoring itself is right."""

from datetime import date
from pathlib import Path

import feedparser
import pytest

from briefing.edition import build_plan, load_seed_briefing, print_edition
from briefing.evaluate import Labels, evaluate, load_labels
from briefing.evaluate_news import (
    NewsReport,
    _pair_scores,
    compose_news_set,
    evaluate_news,
    load_news_set,
)
from briefing.models import Briefing
from briefing.settings import PROJECT_ROOT, Settings
from briefing.topic import load_topic

LABELS = PROJECT_ROOT / "evaluation" / "labels.yaml"


@pytest.fixture(scope="module")
def labels() -> Labels:
    """The hand-labelled set for the seeds."""
    return load_labels(LABELS)


@pytest.fixture(scope="module")
def seed_briefing() -> Briefing:
    """The seed edition as the pipeline composes it."""
    return load_seed_briefing(date(2023, 1, 20))


def test_every_label_names_a_real_sentence(labels: Labels) -> None:
    """Each labelled quote is the start of text in its seed file, so no label is dead."""
    texts = {
        path.stem: path.read_text(encoding="utf-8")
        for path in (PROJECT_ROOT / "seeds").glob("*.txt")
    }
    assert [] == [
        label.quote for label in labels.sentences if label.quote not in texts[label.document]
    ]


# Today's exact figures from `briefing evaluate` (right, wrong), so that any regression fails: one
# fewer right or one more wrong. Raise them when the pipeline gets better; never lower them.
FLOORS = {
    "theme": (111, 2),
    "date": (36, 1),
    "kind": (83, 30),
    "speaker": (94, 19),
}


def test_seed_edition_meets_the_quality_bar(seed_briefing: Briefing, labels: Labels) -> None:
    """Theme, date, kind and speaker are each right at least as often, and wrong no more often,
    than today, and every key event of the labelled set is carried."""
    report = evaluate(seed_briefing, labels)
    scores = {name: getattr(report, name) for name in FLOORS}
    below = {
        name: f"{score.right} right, {score.total - score.right} wrong"
        for name, score in scores.items()
        if score.right < FLOORS[name][0] or score.total - score.right > FLOORS[name][1]
    }
    assert ({}, []) == (below, report.missing_key_events), (report.theme_errors, report.date_errors)


def test_seed_edition_notes_the_artemis_accords_disagreement(seed_briefing: Briefing) -> None:
    """The seeds differ on how many original signatories Japan was among; the edition says so."""
    values = [
        {claim.value for claim in disagreement.claims}
        for disagreement in seed_briefing.disagreements
    ]
    assert {"eight countries", "seven original partner countries"} in values


def test_a_wrong_theme_lowers_the_score(seed_briefing: Briefing, labels: Labels) -> None:
    """Relabelling one carried statement's theme makes exactly one more theme error."""
    before = evaluate(seed_briefing, labels)
    fact = next(seed_briefing.facts())
    lead = next(e for e in fact.evidence if e.quote == fact.statement)
    changed = [
        label.model_copy(
            update={"theme": "security" if label.theme != "security" else "civil-space"}
        )
        if label.document == lead.document_id and fact.statement.startswith(label.quote)
        else label
        for label in labels.sentences
    ]
    after = evaluate(seed_briefing, labels.model_copy(update={"sentences": changed}))
    assert before.theme.right - 1 == after.theme.right


NEWS = PROJECT_ROOT / "evaluation" / "news"
HELD_OUT = PROJECT_ROOT / "evaluation" / "news-heldout"
# Today's exact figures on the labelled news sets (right, wrong), as for the seeds above. The
# story rules were tuned on the first set: its floors guard against regressions, they do not
# measure unseen news. The held-out set was first scored on 2 December 2026 and nothing has been
# tuned on it since: its floors are what the rules do on news they were not made for.
NEWS_FLOORS = {
    NEWS: {
        "relevance_precision": (39, 0),
        "relevance_recall": (39, 0),
        "theme": (37, 2),
        "story_precision": (18, 0),
        "story_recall": (18, 2),
        "story_leads": (23, 0),
    },
    # Issue 26: a U.S.-only item in civil space needs a Japanese role, so the held-out set's
    # two items on Orion's lunar flyby (labelled on topic before that rule) are left out, and
    # with them a theme, a story pair and a story lead.
    HELD_OUT: {
        "relevance_precision": (39, 0),
        "relevance_recall": (39, 2),
        "theme": (30, 9),
        "story_precision": (24, 0),
        "story_recall": (24, 3),
        "headline_kind": (19, 20),
        "story_leads": (20, 0),
    },
}


@pytest.fixture(scope="module", params=[NEWS, HELD_OUT], ids=["news", "held-out"])
def news_set(request: pytest.FixtureRequest) -> tuple[Path, NewsReport]:
    """A labelled news set's edition, scored."""
    news = load_news_set(request.param)
    topic = load_topic(PROJECT_ROOT / "topics" / "us-japan-space.yaml")
    briefing, guids = compose_news_set(news)
    return request.param, evaluate_news(briefing, guids, news.labels, news.leads, topic=topic)


def test_news_edition_meets_the_quality_bar(news_set: tuple[Path, NewsReport]) -> None:
    """Relevance, theme, story grouping (and headline kinds, where labelled) on each news set
    are each right at least as often, and wrong no more often, than today."""
    folder, report = news_set
    floors = NEWS_FLOORS[folder]
    below = {
        name: f"{score.right} right, {score.total - score.right} wrong"
        for name in floors
        if (score := getattr(report, name)).right < floors[name][0]
        or score.total - score.right > floors[name][1]
    }
    assert {} == below, report.misses


def test_no_milestone_contradicts_a_story_or_repeats_another(
    news_set: tuple[Path, NewsReport],
) -> None:
    """On each news set, no milestone is shown not done while a story reports it done, and
    none repeats another."""
    _, report = news_set
    assert (0, 0) == (report.milestone_contradictions, report.milestone_repeats), report.misses


@pytest.mark.slow
@pytest.mark.parametrize("folder", [NEWS, HELD_OUT], ids=["news", "held-out"])
def test_the_pdf_prints_every_storys_headline_and_lead(folder: Path) -> None:
    """Laid out as a run lays it out (16 pages), each news set's PDF prints the headline and
    first lead of every story (24 and 23 stories: within the 30 the budget must hold)."""
    news = load_news_set(folder)
    briefing, guids = compose_news_set(news)
    plan = build_plan(Settings(), today=briefing.edition_date)
    report = evaluate_news(briefing, guids, news.labels, cut=print_edition(plan, briefing).cut)
    assert (len(briefing.stories), True) == (report.printed.right, len(briefing.stories) <= 30)
    assert report.printed.total == report.printed.right, report.misses


@pytest.mark.parametrize("folder", [NEWS, HELD_OUT], ids=["news", "held-out"])
def test_every_news_item_is_labelled_once_and_every_story_has_two_outlets(folder: Path) -> None:
    """Each GUID of the feeds has one label and each label one item; each labelled story is
    told by at least two items from two feeds; off-topic items carry no theme or story."""
    news = load_news_set(folder)
    guids = [
        entry.id
        for fetch in news.fetches
        if fetch.copy is not None
        for entry in feedparser.parse(fetch.copy.body).entries
    ]
    feeds_of = {
        entry.id: fetch.feed.name
        for fetch in news.fetches
        if fetch.copy is not None
        for entry in feedparser.parse(fetch.copy.body).entries
    }
    labelled = [label.guid for label in news.labels.items]
    outlets: dict[str, set[str]] = {}
    for label in news.labels.items:
        if label.story is not None:
            outlets.setdefault(label.story, set()).add(feeds_of[label.guid])
    loose = [
        label.guid
        for label in news.labels.items
        if not label.on_topic and (label.theme or label.story)
    ]
    assert (sorted(guids), [], [], []) == (
        sorted(labelled),
        [story for story, feeds in outlets.items() if len(feeds) < 2],
        sorted({story.id for story in news.labels.stories} ^ set(outlets)),
        loose,
    )


def test_story_pairs_are_scored_over_the_labelled_items() -> None:
    """Precision counts the pairs grouped, recall the pairs labelled together; a pair with an
    off-topic item grouped is a wrong pair."""
    predicted = {"a": "s1", "b": "s1", "c": "s2", "d": "s2", "e": None}
    labelled = {"a": "x", "b": "x", "c": "y", "d": None, "e": "y"}
    precision, recall, _ = _pair_scores(predicted, labelled)
    assert ((1, 2), (1, 2)) == ((precision.right, precision.total), (recall.right, recall.total))
