"""Score an edition made from a labelled set of news feeds: relevance, themes and stories.

The set (``evaluation/news/``) is a folder of RSS files, one per outlet, and ``labels.yaml``,
which says of every item (by its GUID) whether an analyst of the partnership would read it, its
theme and the story it tells. An item counts as read when a statement of the edition cites it;
its theme is that of the story it heads or joins, else of its headline; two items are grouped
when one story holds both. Story grouping is scored over pairs of items: precision over the
pairs the edition groups, recall over the pairs the labels group.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import combinations
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.compose.ahead import milestone_problems
from briefing.edition import (
    EditionPlan,
    Made,
    Plainly,
    Read,
    build_plan,
    compose,
    make_edition,
    read_edition,
)
from briefing.edition.run import FetchFeed
from briefing.errors import ConfigurationError, SourceError
from briefing.evaluate import Score
from briefing.models import Briefing, FactKind, FetchOutcome, SourceDocument
from briefing.render.shown import Cut, build_shown
from briefing.settings import Settings, load_settings
from briefing.sources.feeds import (
    FeedConfig,
    FeedCopy,
    FeedFetch,
    FeedItem,
    dedupe_items,
    select_items,
)
from briefing.sources.fetch import Validators
from briefing.topic import Topic, load_topic


class _Label(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StoryLabel(_Label):
    """An event several items report."""

    id: str
    name: str
    date: date


class ItemLabel(_Label):
    """What an analyst says of one news item."""

    guid: str
    on_topic: bool
    theme: str | None = None
    story: str | None = None
    headline_kind: FactKind | None = Field(
        default=None, description="What the item's title is: an event, a plan or an assessment."
    )
    note: str | None = None


class NewsLabels(_Label):
    """The labelled news set."""

    stories: list[StoryLabel]
    items: list[ItemLabel] = Field(min_length=1)


class LeadLabel(_Label):
    """The lead sentences of one item: the first words of each, verbatim."""

    guid: str
    leads: list[str]
    dateline: str | None = None
    note: str | None = None


class LeadLabels(_Label):
    """The labelled lead sentences of a news set's on-topic items (``leads.yaml``)."""

    items: list[LeadLabel]


class NewsReport(BaseModel):
    """The figures on news, and the items behind each miss, for a reader to check."""

    items: int
    relevance_precision: Score = Field(description="Items read that are on topic.")
    relevance_recall: Score = Field(description="On-topic items read.")
    theme: Score = Field(description="On-topic items read under their labelled theme.")
    story_precision: Score = Field(description="Pairs of items grouped that tell one story.")
    story_recall: Score = Field(description="Pairs telling one story that are grouped.")
    headline_kind: Score = Field(
        description="Headlines of items read (of those labelled with one) given their kind."
    )
    stories: int = Field(description="Stories in the edition.")
    story_leads: Score = Field(
        default_factory=lambda: Score(right=0, total=0),
        description="Stories of labelled items whose first lead is a labelled lead sentence.",
    )
    printed: Score = Field(
        default_factory=lambda: Score(right=0, total=0),
        description="Stories whose headline and first lead the PDF prints.",
    )
    milestone_contradictions: int = Field(
        default=0, description="Milestones that a story of the edition reports done, not shown so."
    )
    milestone_repeats: int = Field(default=0, description="Milestones repeating another.")
    misses: list[str]


@dataclass(frozen=True)
class NewsSet:
    """The feeds of a labelled set, as fetched copies, and its labels."""

    fetches: tuple[FeedFetch, ...]
    labels: NewsLabels
    leads: dict[str, tuple[str, ...]]  # each item's lead sentences, by GUID (leads.yaml)


def load_news_set(folder: Path) -> NewsSet:
    """Read the set's RSS files (as if each had just been fetched) and its labels."""
    try:
        labels = NewsLabels.model_validate(
            yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))
        )
        fetches = []
        for path in sorted((folder / "feeds").glob("*.xml")):
            # Named by its URL, as a --feed is: its items' outlet is then the channel's title.
            url = f"https://evaluation.invalid/{path.name}"
            feed = FeedConfig(name=url, url=url)
            outcome = FetchOutcome(feed=feed.name, url=feed.url, status="fetched")
            copy = FeedCopy(
                url=feed.url,
                body=path.read_bytes(),
                content_type="application/rss+xml",
                validators=Validators(),
            )
            fetches.append(FeedFetch(feed=feed, outcome=outcome, copy=copy, fresh=True))
        leads_file = folder / "leads.yaml"
        leads = (
            LeadLabels.model_validate(yaml.safe_load(leads_file.read_text(encoding="utf-8")))
            if leads_file.exists()
            else LeadLabels(items=[])
        )
    except OSError as exc:
        raise ConfigurationError(f"cannot read the news set {folder}: {exc}") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"news labels in {folder} are invalid:\n{exc}") from exc
    if not fetches:
        raise ConfigurationError(f"the news set {folder} has no feeds/*.xml")
    return NewsSet(tuple(fetches), labels, {i.guid: tuple(i.leads) for i in leads.items})


def select_news_set(
    news: NewsSet, topic: Topic, period_start: date, edition_date: date
) -> tuple[list[SourceDocument], dict[str, str]]:
    """The documents the edition reads from the set, and each one's GUID."""
    items: list[FeedItem] = []
    for fetch in news.fetches:
        kept, _ = select_items(fetch, topic, period_start, edition_date)
        items += kept
    unique = dedupe_items(items)
    guids = {}
    for item in unique:
        if item.guid is None:
            raise SourceError(f"{item.document.location}: an evaluation item needs a GUID")
        guids[item.document.id] = item.guid
    return [item.document for item in unique], guids


def _news_plan(news: NewsSet, out_dir: Path, settings: Settings | None = None) -> EditionPlan:
    """The plan of the set's edition: its feeds, no seeds, no memory, no articles, and its
    period from its first item's day to its last's (every dated item is read)."""
    settings = settings or load_settings()
    topic = load_topic(settings.topic_file)
    documents, _ = select_news_set(news, topic, date(1900, 1, 1), date(2200, 12, 31))
    days = [doc.published.value.earliest() for doc in documents if doc.published is not None]
    if not days:
        raise SourceError("the news set's items carry no dates")
    plan = build_plan(
        settings,
        today=max(days),
        configured_feeds=[fetched.feed for fetched in news.fetches],
        since=min(days),
        output_dir=out_dir,
        include_seeds=False,
        fetch_articles=False,
    )
    return replace(plan, database_url=None)


def _replay(news: NewsSet) -> FetchFeed:
    """The set's feeds, as if each had just been fetched."""
    saved = {fetched.feed.url: fetched for fetched in news.fetches}
    return lambda _plan, feed, _previous: saved[feed.url]


def _guids(read: Read) -> dict[str, str]:
    guids = {}
    for item in read.selection.items:
        if item.guid is None:
            raise SourceError(f"{item.document.location}: an evaluation item needs a GUID")
        guids[item.document.id] = item.guid
    return guids


def compose_news_set(news: NewsSet) -> tuple[Briefing, dict[str, str]]:
    """The set's edition composed (not rendered, not written), and each document's GUID: the
    stages the flow runs (``read_edition``, ``compose``), with no seeds and no memory."""
    plan = _news_plan(news, Path("."))
    read = read_edition(plan, Plainly(), fetch=_replay(news))
    briefing = compose(plan, read.topic, read.documents, read.extracted, read.selection)
    return briefing, _guids(read)


@dataclass(frozen=True)
class NewsEdition:
    """The set's edition as a run makes it, each document's GUID, and the PDF's cut."""

    made: Made
    guids: dict[str, str]
    cut: Cut


def make_news_edition(
    news: NewsSet, out_dir: Path, settings: Settings | None = None
) -> NewsEdition:
    """The set's edition made as the flow makes one (``make_edition``), with no seeds, no
    memory and its feeds replayed, its files written to ``out_dir``: what the evaluation
    scores."""
    plan = _news_plan(news, out_dir, settings)
    made = make_edition(plan, Plainly(), run_id="evaluation", fetch=_replay(news))
    if made.rendered is None:
        raise ConfigurationError(f"{out_dir} already holds this edition: score it in a new folder")
    return NewsEdition(made, _guids(made.read), made.rendered.cut)


def _home_story(briefing: Briefing, document_id: str) -> str | None:
    """The story an item heads or joins: the one holding its headline (the statement citing
    the span its text opens with), else the first whose statements cite it."""
    citing = [
        (min(e.start for e in fact.evidence if e.document_id == document_id), story.id)
        for fact in briefing.facts()
        if any(e.document_id == document_id for e in fact.evidence)
        and (story := briefing.story_of(fact.id)) is not None
    ]
    return min(citing)[1] if citing else None


def _theme_of(briefing: Briefing, document_id: str) -> str | None:
    story = _home_story(briefing, document_id)
    if story is not None:
        return briefing.story(story).theme
    cited = [f for f in briefing.facts() if any(e.document_id == document_id for e in f.evidence)]
    headline = min(cited, key=lambda f: f.evidence[0].start, default=None)
    return headline.theme if headline is not None else None


def _headline_kind(briefing: Briefing, document_id: str) -> FactKind | None:
    """The kind of the statement that is the item's title (the span its text opens with)."""
    for fact in briefing.facts():
        if any(e.document_id == document_id and e.start == 0 for e in fact.evidence):
            return fact.kind
    return None


def _pair_scores(
    predicted: Mapping[str, str | None], labelled: Mapping[str, str | None]
) -> tuple[Score, Score, list[str]]:
    misses = []
    grouped = correct = wanted = 0
    for a, b in combinations(sorted(labelled), 2):
        same_label = labelled[a] is not None and labelled[a] == labelled[b]
        same_story = predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
        wanted += same_label
        grouped += same_story
        correct += same_label and same_story
        if same_label != same_story:
            kind = "not grouped" if same_label else "grouped wrongly"
            misses.append(f"{kind}: {a} and {b} ({labelled[a] or labelled[b]})")
    return Score(right=correct, total=grouped), Score(right=correct, total=wanted), misses


def score_leads(
    briefing: Briefing, guids: Mapping[str, str], leads: Mapping[str, Sequence[str]]
) -> tuple[Score, list[str]]:
    """Stories (of items with labelled leads) whose first lead is a labelled lead sentence of
    an item it cites: one of its quotes holds a labelled lead's first words."""
    score, misses = Score(right=0, total=0), []
    for story in briefing.stories:
        labelled = [leads[guids[d]] for d in story.document_ids if guids.get(d) in leads]
        if not any(labelled):
            continue
        score.total += 1
        lead = briefing.fact(story.lead_ids[0]) if story.lead_ids else None
        quotes = [e.quote for e in lead.evidence] if lead is not None else []
        if any(words in quote for quote in quotes for item in labelled for words in item):
            score.right += 1
        else:
            headline = briefing.fact(story.headline).statement
            printed = lead.statement[:70] if lead is not None else "none"
            misses.append(f"lead not labelled: {headline[:50]}: {printed}")
    return score, misses


def score_printed(briefing: Briefing, cut: Cut) -> tuple[Score, list[str]]:
    """Stories whose headline and first lead the PDF prints (its cut)."""
    shown = build_shown(briefing, cut)
    printed = shown.printed_stories
    misses = []
    right = 0
    for story in briefing.stories:
        statements = shown.story(story).entries
        shown_ids = {fact.id for fact in statements}
        if story.id in printed and (not story.lead_ids or story.lead_ids[0] in shown_ids):
            right += 1
        else:
            misses.append(f"not printed: {briefing.fact(story.headline).statement[:70]}")
    return Score(right=right, total=len(briefing.stories)), misses


def evaluate_news(
    briefing: Briefing,
    guids: Mapping[str, str],
    labels: NewsLabels,
    leads: Mapping[str, Sequence[str]] | None = None,
    cut: Cut | None = None,
    topic: Topic | None = None,
) -> NewsReport:
    """Compare what the edition read, themed and grouped with the labels; with ``leads``, its
    stories' leads; with the PDF's ``cut``, what the PDF prints of its stories; with the
    ``topic``, the milestones that contradict a story or repeat another."""
    by_guid = {label.guid: label for label in labels.items}
    cited = {e.document_id for fact in briefing.facts() for e in fact.evidence}
    read = {guids[doc]: doc for doc in cited if doc in guids}
    misses: list[str] = []
    on_topic = {label.guid for label in labels.items if label.on_topic}
    unknown = sorted(set(read) - set(by_guid))
    if unknown:
        raise ConfigurationError(f"items without a label: {', '.join(unknown)}")
    misses += [f"read, off topic: {guid}" for guid in sorted(set(read) - on_topic)]
    misses += [f"left out, on topic: {guid}" for guid in sorted(on_topic - set(read))]
    theme = Score(right=0, total=0)
    for guid in sorted(on_topic & set(read)):
        theme.total += 1
        given = _theme_of(briefing, read[guid])
        if given == by_guid[guid].theme:
            theme.right += 1
        else:
            misses.append(f"theme {given} (label {by_guid[guid].theme}): {guid}")
    headline_kind = Score(right=0, total=0)
    for guid, document in sorted(read.items()):
        wanted = by_guid[guid].headline_kind
        given = _headline_kind(briefing, document)
        if wanted is None or given is None:
            continue
        headline_kind.total += 1
        if given == wanted:
            headline_kind.right += 1
        else:
            misses.append(f"headline kind {given.value} (label {wanted.value}): {guid}")
    predicted = {guid: _home_story(briefing, doc) for guid, doc in read.items()}
    # Off-topic items carry no story: grouping one with another item is a wrong pair.
    labelled = {label.guid: label.story for label in labels.items}
    precision, recall, pair_misses = _pair_scores(predicted, labelled)
    story_leads, lead_misses = score_leads(briefing, guids, leads or {})
    printed, print_misses = (
        score_printed(briefing, cut) if cut is not None else (Score(right=0, total=0), [])
    )
    contradictions, repeats = milestone_problems(briefing, topic) if topic else ([], [])
    return NewsReport(
        items=len(labels.items),
        relevance_precision=Score(right=len(on_topic & set(read)), total=len(read)),
        relevance_recall=Score(right=len(on_topic & set(read)), total=len(on_topic)),
        theme=theme,
        story_precision=precision,
        story_recall=recall,
        headline_kind=headline_kind,
        stories=len(briefing.stories),
        story_leads=story_leads,
        printed=printed,
        milestone_contradictions=len(contradictions),
        milestone_repeats=len(repeats),
        misses=[
            *misses,
            *pair_misses,
            *lead_misses,
            *print_misses,
            *(f"milestone contradicts a story: {m}" for m in contradictions),
            *(f"milestone repeats another: {m}" for m in repeats),
        ],
    )


def rows(report: NewsReport) -> Iterable[tuple[str, Score]]:
    """The report's figures, named for a table."""
    yield "relevance precision (items read that are on topic)", report.relevance_precision
    yield "relevance recall (on-topic items read)", report.relevance_recall
    yield "theme accuracy (on-topic items read)", report.theme
    yield "story grouping precision (pairs grouped)", report.story_precision
    yield "story grouping recall (pairs that tell one story)", report.story_recall
    if report.headline_kind.total:
        yield "headline kind (event/plan/assessment)", report.headline_kind
    if report.story_leads.total:
        yield "story leads that are a labelled lead sentence", report.story_leads
    if report.printed.total:
        yield "stories whose headline and lead the PDF prints", report.printed
