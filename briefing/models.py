"""The briefing's data: sources, evidence, facts and the briefing itself.

Every model is frozen and forbids unknown fields. Provenance is enforced here, not by convention:
a fact's statement is one of its evidence quotes, and a briefing refuses any evidence whose quote
is not exactly its source document's text at the cited span.
"""

import calendar
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

T = TypeVar("T")

DOCUMENT_ID = r"^[a-z0-9][a-z0-9_.-]*$"


ThemeId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
"""A theme's identifier, as the topic profile names it (``civil-space``, say)."""


def _is_one_line(text: str) -> str:
    # Categories C* (controls, format characters such as bidi overrides, unassigned) and the
    # line and paragraph separators: none belongs in a title, and an email header carries it.
    odd = [char for char in text if unicodedata.category(char)[0] == "C" or char in "\u2028\u2029"]
    if odd:
        codes = ", ".join(f"U+{ord(char):04X}" for char in dict.fromkeys(odd))
        raise ValueError(f"must be one line of printable text, without {codes}")
    if text != text.strip():
        raise ValueError("must not begin or end with white space")
    return text


OneLine = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_is_one_line)]
"""A title fit for an email's subject: one line of printable text, at most 100 characters."""

Precision = Literal["day", "week", "month", "fiscal-year", "year", "decade", "range"]
Qualifier = Literal[
    "by",
    "no-later-than",
    "as-early-as",
    "slated-for",
    "around",
    "through",
    "until",
    "since",
    "during",
    "before",
    "after",
]


class FactKind(StrEnum):
    """What a statement does: report an event, state a plan or target, or give an assessment."""

    EVENT = "event"
    PLAN = "plan"
    ASSESSMENT = "assessment"


class SourceType(StrEnum):
    """What kind of writing a source document is."""

    NEWS = "news"
    ANALYSIS = "analysis"
    WIRE = "wire"


# One set object per distinct set of field names given, shared by every record given them.
_GIVEN_FIELDS: dict[frozenset[str], set[str]] = {}


class FreshCopies(BaseModel):
    """A frozen model whose ``functools.cached_property`` lookups a copy computes afresh.

    pydantic keeps, on each instance, a set of the names of the fields it was given: 728 bytes
    for a fact's, about half of what a fact costs. A frozen record never changes that set (a
    copy gets a set of its own), so records given the same fields share one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy, with the changed fields, that computes its cached lookups afresh."""
        copied = super().model_copy(update=update, deep=deep)
        # pydantic copies __dict__, where functools.cached_property keeps its values, and then
        # replaces the updated fields: a cache left in place would answer from the old fields.
        # With extra="forbid", whatever in __dict__ is not a field is such a cache.
        for name in copied.__dict__.keys() - type(self).model_fields.keys():
            del copied.__dict__[name]
        copied._share_given_fields()  # pydantic gave the copy a set of its own
        return copied

    def model_post_init(self, context: Any, /) -> None:
        """Share the set of the names given (see the class)."""
        self._share_given_fields()

    def _share_given_fields(self) -> None:
        given = self.__pydantic_fields_set__
        shared = _GIVEN_FIELDS.setdefault(frozenset(given), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)


class _Record(FreshCopies):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Attested(_Record, Generic[T]):
    """A metadata value with its basis.

    ``stated``: the document's text says it (``quote`` holds that text); ``inferred``: worked out
    from the text (``reason`` says how); ``metadata``: given by the publisher outside the text,
    such as a feed's channel title or an item's date (``origin`` names the field).
    """

    value: T
    basis: Literal["stated", "inferred", "metadata"]
    quote: str | None = Field(
        default=None, description="Verbatim text of the document that states the value."
    )
    reason: str | None = Field(default=None, description="Why an inferred value was chosen.")
    origin: str | None = Field(
        default=None, description="The publisher's field a metadata value was read from."
    )

    @model_validator(mode="after")
    def _basis_is_backed(self) -> Self:
        if self.basis == "stated" and not self.quote:
            raise ValueError("a stated value needs the quote that states it")
        if self.basis == "inferred" and not self.reason:
            raise ValueError("an inferred value needs the reason it was inferred")
        if self.basis == "metadata" and not self.origin:
            raise ValueError("a metadata value needs the field it was read from")
        return self


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class PartialDate(_Record):
    """A calendar date known to the day, the month or only the year."""

    year: int = Field(ge=1900, le=2200)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)

    @model_validator(mode="before")
    @classmethod
    def _from_iso(cls, data: object) -> object:
        if isinstance(data, date):
            return {"year": data.year, "month": data.month, "day": data.day}
        if isinstance(data, str):
            match = _PARTIAL_DATE.match(data)
            if not match:
                raise ValueError(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {data!r}")
            year, month, day = (int(part) if part else None for part in match.groups())
            return {"year": year, "month": month, "day": day}
        return data

    @model_validator(mode="after")
    def _is_a_real_date(self) -> Self:
        if self.day is not None:
            if self.month is None:
                raise ValueError("a day needs a month")
            if self.day > calendar.monthrange(self.year, self.month)[1]:
                raise ValueError(f"{self.year}-{self.month:02d} has no day {self.day}")
        return self

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        """How much of the date is known."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def earliest(self) -> date:
        """The first day the partial date can mean, for sorting and comparing."""
        return date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


class When(_Record):
    """The time a statement gives, as the interval it can mean, with the words it came from."""

    text: str = Field(min_length=1, description="The statement's own words for the time.")
    start: date = Field(description="The first day the expression can mean.")
    end: date = Field(description="The last day the expression can mean.")
    precision: Precision
    qualifier: Qualifier | None = Field(
        default=None, description="How a target is bounded: by, no later than, as early as..."
    )
    relative: bool = Field(
        default=False, description="Resolved against the source's publication date."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("a time interval cannot end before it starts")
        return self


class SourceMetadata(_Record):
    """What is known about a source besides its text, each value stated or inferred."""

    id: str = Field(pattern=DOCUMENT_ID, description="Stable identifier, unique in a briefing.")
    source_type: SourceType
    outlet: Attested[str] | None
    title: Attested[str] | None
    author: Attested[str] | None
    published: Attested[PartialDate] | None
    url: Attested[str] | None
    note: str | None = Field(default=None, description="Context a reader needs about the source.")


DocumentForm = Literal["article", "feed-item"]
"""How a document's text is read: an ``article`` sentence by sentence, each needing the topic's
scope words; a ``feed-item`` (a headline, then its text) judged whole, its headline a statement."""


class SourceDocument(SourceMetadata):
    """One source's full text with its metadata."""

    form: DocumentForm = Field(
        default="article",
        description="article: read sentence by sentence, each sentence needing the topic's "
        "scope words; feed-item: a feed entry, judged whole, its first line its headline.",
    )
    location: str = Field(description="Where the text was read from: a seed file or a URL.")
    full_article: bool = Field(
        default=False,
        description="A feed item whose text is the whole article, fetched from its page "
        "(headline first), in place of the feed's teaser.",
    )
    fetched_from: str | None = Field(
        default=None, description="The page the full article was fetched from, redirects followed."
    )
    text: str = Field(min_length=1)

    sha256: str = Field(
        default="", description="Fingerprint of the text, so a reader can check the exact input."
    )

    @model_validator(mode="before")
    @classmethod
    def _fingerprint(cls, data: object) -> object:
        if isinstance(data, dict) and not data.get("sha256") and isinstance(data.get("text"), str):
            return {**data, "sha256": hashlib.sha256(data["text"].encode("utf-8")).hexdigest()}
        return data

    @model_validator(mode="after")
    def _stated_values_are_quoted(self) -> Self:
        if self.sha256 != hashlib.sha256(self.text.encode("utf-8")).hexdigest():
            raise ValueError(f"{self.id}: sha256 does not match the text")
        if self.full_article != (self.fetched_from is not None) or (
            self.full_article and self.form != "feed-item"
        ):
            raise ValueError(f"{self.id}: a full article is a feed item that names its page")
        for name in ("outlet", "title", "author", "published", "url"):
            attested = getattr(self, name)
            if attested and attested.basis == "stated" and attested.quote not in self.text:
                raise ValueError(
                    f"{self.id}: the quote given for {name} is not in the document's text"
                )
        return self


class Evidence(_Record):
    """A verbatim span of a source document: the ground a statement stands on."""

    document_id: str = Field(pattern=DOCUMENT_ID)
    start: int = Field(ge=0, description="Offset of the first character of the span.")
    end: int = Field(gt=0, description="Offset one past the last character of the span.")
    quote: str = Field(min_length=1, description="The text at [start, end), verbatim.")

    @model_validator(mode="after")
    def _quote_fits_span(self, info: ValidationInfo) -> Self:
        if self.end - self.start != len(self.quote):
            raise ValueError(
                f"quote is {len(self.quote)} characters but the span "
                f"[{self.start}, {self.end}) is {self.end - self.start}"
            )
        texts = (info.context or {}).get("documents")
        if isinstance(texts, Mapping):
            check_quote(self, texts)
        return self


def check_quote(evidence: Evidence, texts: Mapping[str, str]) -> None:
    """Raise ValueError unless the evidence quote is exactly its document's text at its span."""
    text = texts.get(evidence.document_id)
    if text is None:
        raise ValueError(f"evidence cites unknown document {evidence.document_id!r}")
    if text[evidence.start : evidence.end] != evidence.quote:
        raise ValueError(
            f"quote {evidence.quote[:60]!r} is not the text of {evidence.document_id} "
            f"at [{evidence.start}, {evidence.end})"
        )


class Fact(_Record):
    """A statement from the sources: theme, time, kind, actors, and the evidence behind it."""

    id: str
    statement: str = Field(min_length=1, description="Verbatim: one of the evidence quotes.")
    theme: ThemeId
    secondary_theme: ThemeId | None = Field(
        default=None, description="A second theme the statement also carries."
    )
    kind: FactKind = FactKind.ASSESSMENT
    speaker: str | None = Field(
        default=None, description="Who is speaking, when the statement is a quote or an opinion."
    )
    when: When | None = Field(default=None, description="When it happened or is due, if stated.")
    actors: tuple[str, ...] = Field(default=(), description="Gazetteer names, canonical.")
    other_actors: tuple[str, ...] = Field(
        default=(), description="Names the gazetteer lacks, as the statement writes them."
    )
    evidence: tuple[Evidence, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _statement_is_quoted(self) -> Self:
        quote = next((item.quote for item in self.evidence if item.quote == self.statement), None)
        if quote is None:
            raise ValueError("a statement must be one of its evidence quotes, verbatim")
        # The same text held once, not twice (a fact read from JSON or made by extraction has
        # two equal strings): about 190 bytes a fact. A frozen model's field, set before use.
        self.__dict__["statement"] = quote
        if self.when is not None and self.when.text not in self.statement:
            raise ValueError("a time must be read from the statement's own words")
        if self.secondary_theme == self.theme:
            raise ValueError("a secondary theme must differ from the theme")
        return self

    def source_ids(self) -> list[str]:
        """The distinct documents that report this fact, in evidence order."""
        return list(dict.fromkeys(item.document_id for item in self.evidence))


class Claim(_Record):
    """One source's version of a disputed detail: the value, verbatim, inside its evidence."""

    value: str = Field(min_length=1)
    evidence: Evidence

    @model_validator(mode="after")
    def _value_is_quoted(self) -> Self:
        if self.value not in self.evidence.quote:
            raise ValueError("a claimed value must be part of its quote")
        return self


class Disagreement(_Record):
    """Sources reporting the same thing differ on a number, date or name."""

    fact_id: str
    aspect: Literal["number", "date", "name"]
    claims: tuple[Claim, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _claims_differ(self) -> Self:
        if len({claim.evidence.document_id for claim in self.claims}) < 2:
            raise ValueError("a disagreement needs claims from at least two sources")
        if len({claim.value.lower() for claim in self.claims}) < 2:
            raise ValueError("the claims of a disagreement must differ")
        return self


class Milestone(_Record):
    """A future target from the sources and where it stands on the edition date."""

    fact_id: str
    status: Literal["upcoming", "done", "passed-reported", "passed-unreported"] = Field(
        description="upcoming: the target date is still ahead; done: an event the sources "
        "report (done_fact_id) accomplished it; passed-reported: it has passed and a source "
        "published after it reports on it; passed-unreported: it has passed and no source "
        "published after it reports on it."
    )
    done_fact_id: str | None = Field(
        default=None, description="Id of the event that reports the target done, when done."
    )

    @model_validator(mode="after")
    def _done_names_its_report(self) -> Self:
        if (self.status == "done") != (self.done_fact_id is not None):
            raise ValueError("a done milestone, and only a done one, names the event reporting it")
        return self


class Section(_Record):
    """One theme's part of the briefing."""

    theme: ThemeId
    title: str
    description: str
    facts: tuple[Fact, ...]


class Story(_Record):
    """Reports of one event, across outlets and days: its headline, its statements and sources.

    Every word of a story is a source's: its headline is a statement (a feed item's title),
    and its outlets, dates and links are its sources' metadata."""

    id: str = Field(pattern=r"^story-[0-9a-f]{12}$")
    theme: ThemeId
    headline: str = Field(description="Id of the statement that heads the story: an item title.")
    reported: date | None = Field(default=None, description="The day the event was first reported.")
    fact_ids: tuple[str, ...] = Field(
        min_length=1,
        description="Its statements: the headline first, then its leads, then the others by "
        "rank, other outlets' titles last.",
    )
    lead_ids: tuple[str, ...] = Field(
        default=(),
        description="Its lead sentences, up to three, the most central to what all its outlets "
        "report first (briefing.compose.leads): the statements right after the headline.",
    )
    document_ids: tuple[str, ...] = Field(
        min_length=1, description="Every source reporting it, the first to report it first."
    )
    developing_since: date | None = Field(
        default=None,
        description="The earliest earlier edition that carried this story; None when it is new.",
    )

    @model_validator(mode="after")
    def _headline_leads(self) -> Self:
        if self.fact_ids[0] != self.headline:
            raise ValueError("a story's headline must be its first statement")
        if self.fact_ids[1 : 1 + len(self.lead_ids)] != self.lead_ids:
            raise ValueError("a story's leads must be the statements right after its headline")
        if len(set(self.fact_ids)) != len(self.fact_ids):
            raise ValueError("a story's statements must be distinct")
        if len(set(self.document_ids)) != len(self.document_ids):
            raise ValueError("a story's sources must be distinct")
        return self


class KeyActor(_Record):
    """An actor the edition's statements name, with how many name it."""

    name: str
    statements: int = Field(ge=1)
    listed: bool = Field(description="Whether the topic profile's gazetteer lists the actor.")


class MethodNote(_Record):
    """How the edition was made; nothing in it changes between runs of the same inputs."""

    inputs_sha256: str = Field(
        description="Fingerprint of the inputs: every source text and the topic profile."
    )
    documents: int
    versions: dict[str, str] = Field(description="Versions of the pipeline and its main libraries.")


class FetchOutcome(_Record):
    """What became of one feed in one run, for the source-health appendix and the memory.

    ``fetched``: its items were read; ``unchanged``: the server answered 304 and the copy kept from
    the last fetch was read again; ``failed``: nothing was read, and ``reason`` says why.
    """

    feed: str = Field(min_length=1, description="The feed's name in the configuration, or its URL.")
    url: str = Field(min_length=1)
    status: Literal["fetched", "unchanged", "failed"]
    reason: str | None = Field(default=None, description="Why the feed failed.")
    http_status: int | None = Field(default=None, description="The last HTTP status received.")
    bytes_received: int = Field(default=0, ge=0, description="Body bytes received, as sent.")
    items: int = Field(default=0, ge=0, description="Entries in the feed.")
    kept: int = Field(default=0, ge=0, description="Entries the edition reads.")
    off_topic: int = Field(default=0, ge=0, description="Entries not about the partnership.")
    off_topic_reasons: dict[str, int] = Field(
        default_factory=dict,
        description="The off-topic entries by why they were left out "
        "(briefing.topic.ITEM_LEFT_OUT).",
    )
    out_of_period: int = Field(default=0, ge=0, description="Entries dated outside the period.")
    empty: int = Field(default=0, ge=0, description="Entries with no text to read.")
    unread: int = Field(
        default=0, ge=0, description="Entries past the number read per feed, left unread."
    )
    undated: int = Field(default=0, ge=0, description="Kept entries that carry no date.")
    cut: int = Field(
        default=0,
        ge=0,
        description="Kept entries (or their full articles) longer than the most one document "
        "may hold (briefing.sources.text.MAX_DOCUMENT_CHARS): only their first part was read.",
    )
    bozo: str | None = Field(
        default=None, description="The parser's complaint about a feed it could still read."
    )
    at_fact_cap: int = Field(
        default=0,
        ge=0,
        description="Kept entries (or their full articles) that reached the most facts one "
        "document gives (briefing.extract.facts.MAX_FACTS_PER_DOCUMENT, or as many events or "
        "plans as MAX_KIND_PER_DOCUMENT allows): their other sentences were left out.",
    )
    articles_fetched: int = Field(
        default=0, ge=0, description="Kept entries whose full article was fetched now."
    )
    articles_reused: int = Field(
        default=0,
        ge=0,
        description="Kept entries whose full article was read from the copy kept (HTTP 304).",
    )
    articles_failed: int = Field(
        default=0, ge=0, description="Kept entries whose article could not be had: teaser kept."
    )
    article_failures: dict[str, int] = Field(
        default_factory=dict, description="The failed articles by why they failed."
    )
    articles_over_cap: int = Field(
        default=0,
        ge=0,
        description="Kept teasers whose article was not fetched: the edition's cap was reached.",
    )
    articles_late: int = Field(
        default=0,
        ge=0,
        description="Kept teasers whose article was not fetched, or not in full: the article "
        "stage's deadline, or its host's, had passed.",
    )

    @model_validator(mode="after")
    def _counts_add_up(self) -> Self:
        if (self.status == "failed") != (self.reason is not None):
            raise ValueError("a failed fetch, and only a failed fetch, gives its reason")
        if self.kept + self.off_topic + self.out_of_period + self.empty + self.unread > self.items:
            raise ValueError("more entries kept and left out than the feed had")
        if self.undated > self.kept:
            raise ValueError("undated entries are counted among the kept ones")
        if self.cut > self.kept or self.at_fact_cap > self.kept:
            raise ValueError("entries cut or capped are counted among the kept ones")
        articles = self.articles_fetched + self.articles_reused + self.articles_failed
        if articles + self.articles_over_cap + self.articles_late > self.kept:
            raise ValueError("more articles fetched, reused, failed or skipped than entries kept")
        if sum(self.article_failures.values()) != self.articles_failed:
            raise ValueError("the reasons articles failed must add up to the failed ones")
        if self.off_topic_reasons and sum(self.off_topic_reasons.values()) != self.off_topic:
            raise ValueError(
                "the reasons for leaving entries out must add up to the off-topic ones"
            )
        return self


class Briefing(_Record):
    """A whole edition: what the PDF shows and the JSON edition holds."""

    title: str
    subtitle: str = ""
    topic: str = Field(description="Identifier of the topic profile the edition was built with.")
    edition_date: date
    edition: str = Field(
        default="",
        description="Edition number from the date's ISO week (2023-W03): a rerun for the same "
        "date is the same edition.",
    )
    period_start: date | None = Field(
        default=None, description="First day of the period the edition covers."
    )
    distribution: str = ""
    key_points: tuple[str, ...] = Field(
        default=(), description="Ids of the five to eight statements that matter most."
    )
    key_actors: tuple[KeyActor, ...] = ()
    stories: tuple[Story, ...] = Field(
        default=(),
        description="The news as stories, the most important first: reports of one event, "
        "each headed by a feed item's title.",
    )
    top_stories: tuple[str, ...] = Field(
        default=(), description="Ids of the five to eight stories the edition leads with."
    )
    headlines: tuple[str, ...] = Field(
        default=(),
        description="Ids of the statements that are a feed item's title: printed as headlines, "
        "never as statements.",
    )
    method: MethodNote | None = None
    sources: tuple[SourceDocument, ...] = Field(
        description="Numbered by position: the first source is [1]."
    )
    sections: tuple[Section, ...]
    timeline: tuple[str, ...] = Field(
        default=(), description="Ids of the dated past events, in the order they happened."
    )
    milestones: tuple[Milestone, ...] = Field(
        default=(), description="Future targets with their status, soonest first."
    )
    coming_up: tuple[str, ...] = Field(
        default=(),
        description="Ids of the statements of times after the edition date (launch windows, "
        "meetings, deadlines), soonest first, one per target, none reported done.",
    )
    disagreements: tuple[Disagreement, ...] = Field(
        default=(), description="Where sources reporting the same thing differ."
    )
    previous_edition: date | None = Field(
        default=None,
        description="Date of the latest earlier edition remembered; None on the first edition.",
    )
    new_fact_ids: tuple[str, ...] = Field(
        default=(), description="Facts that no earlier edition carried, in briefing order."
    )
    source_health: tuple[FetchOutcome, ...] = Field(
        default=(), description="Every feed read for this edition, and what became of it."
    )

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, sources: tuple[SourceDocument, ...]) -> tuple[SourceDocument, ...]:
        ids = [source.id for source in sources]
        if len(ids) != len(set(ids)):
            raise ValueError("source ids must be unique")
        return sources

    @model_validator(mode="after")
    def _evidence_matches_sources(self) -> Self:
        texts = {source.id: source.text for source in self.sources}
        cited = set()
        for fact in self.facts():
            for evidence in fact.evidence:
                check_quote(evidence, texts)
                cited.add(evidence.document_id)
        # Kept as ``cited_document_ids`` would keep it: every quote is gone through here anyway.
        self.__dict__["cited_document_ids"] = frozenset(cited)
        for disagreement in self.disagreements:
            for claim in disagreement.claims:
                check_quote(claim.evidence, texts)
        all_ids = [fact.id for fact in self.facts()]
        ids = set(all_ids)
        if len(ids) != len(all_ids):
            raise ValueError("fact ids must be unique in a briefing")
        referenced = [
            *self.key_points,
            *self.timeline,
            *(item.fact_id for item in self.milestones),
            *(item.done_fact_id for item in self.milestones if item.done_fact_id is not None),
            *self.coming_up,
            *(item.fact_id for item in self.disagreements),
            *self.headlines,
        ]
        unknown = sorted(set(referenced) - ids)
        if unknown:
            raise ValueError(
                f"key points, timeline, milestones, coming up or notes name unknown facts: "
                f"{unknown}"
            )
        return self

    @model_validator(mode="after")
    def _stories_are_of_this_edition(self) -> Self:
        facts = {fact.id for fact in self.facts()}
        sources = {source.id for source in self.sources}
        in_stories: list[str] = []
        for story in self.stories:
            if not set(story.fact_ids) <= facts or not set(story.document_ids) <= sources:
                raise ValueError(f"{story.id} names statements or sources not in the briefing")
            cited = {
                e.document_id for fact_id in story.fact_ids for e in self.fact(fact_id).evidence
            }
            if cited != set(story.document_ids):
                raise ValueError(f"{story.id}: its sources must be those its statements cite")
            in_stories += story.fact_ids
        if len(set(in_stories)) != len(in_stories):
            raise ValueError("a statement belongs to one story at most")
        story_ids = [story.id for story in self.stories]
        if len(set(story_ids)) != len(story_ids):
            raise ValueError("story ids must be unique")
        if not set(self.top_stories) <= set(story_ids):
            raise ValueError("top stories must be stories of the briefing")
        return self

    @cached_property
    def _stories_by_id(self) -> dict[str, "Story"]:
        return {story.id: story for story in self.stories}

    def story(self, story_id: str) -> "Story":
        """The story with this id (KeyError if the briefing has none)."""
        return self._stories_by_id[story_id]

    @cached_property
    def _story_of_fact(self) -> dict[str, str]:
        return {fact_id: story.id for story in self.stories for fact_id in story.fact_ids}

    def story_of(self, fact_id: str) -> "Story | None":
        """The story a statement belongs to, if any."""
        story_id = self._story_of_fact.get(fact_id)
        return self._stories_by_id[story_id] if story_id is not None else None

    @cached_property
    def _facts_by_id(self) -> dict[str, Fact]:
        # Computed once: the timeline figure looks up every event, thousands in a large edition.
        return {fact.id: fact for fact in self.facts()}

    def fact(self, fact_id: str) -> Fact:
        """The fact with this id (KeyError if the briefing has none)."""
        return self._facts_by_id[fact_id]

    @model_validator(mode="after")
    def _dates_and_news_are_coherent(self) -> Self:
        if self.period_start is not None and self.period_start > self.edition_date:
            raise ValueError("the period cannot start after the edition date")
        if self.previous_edition is not None and self.previous_edition >= self.edition_date:
            raise ValueError("the previous edition must be dated before this one")
        if len(set(self.new_fact_ids)) != len(self.new_fact_ids):
            raise ValueError("new fact ids must be unique")
        unknown = set(self.new_fact_ids) - {fact.id for fact in self.facts()}
        if unknown:
            raise ValueError(f"new fact ids not in the briefing: {', '.join(sorted(unknown))}")
        return self

    def facts(self) -> Iterator[Fact]:
        """Every fact of every section, in order."""
        for section in self.sections:
            yield from section.facts

    @cached_property
    def headline_ids(self) -> frozenset[str]:
        """The ids of the statements that are an item's title, for looking up."""
        return frozenset(self.headlines)

    @cached_property
    def new_ids(self) -> frozenset[str]:
        """The ids of the facts no earlier edition carried, for looking up."""
        return frozenset(self.new_fact_ids)

    def new_facts(self) -> Iterator[Fact]:
        """The facts no earlier edition carried, in briefing order."""
        new = set(self.new_fact_ids)
        return (fact for fact in self.facts() if fact.id in new)

    @cached_property
    def _source_numbers(self) -> dict[str, int]:
        # Computed once: a large edition looks up thousands of citations.
        return {source.id: number for number, source in enumerate(self.sources, start=1)}

    @cached_property
    def _sources_by_id(self) -> dict[str, "SourceDocument"]:
        return {source.id: source for source in self.sources}

    def source(self, document_id: str) -> "SourceDocument":
        """The source with this id (KeyError if the briefing has none)."""
        return self._sources_by_id[document_id]

    @cached_property
    def cited_document_ids(self) -> frozenset[str]:
        """The ids of the sources the statements cite (found as the briefing is validated: at
        20,000 items going through the 170,000 quotes again took 0.04-0.14 s of the PDF)."""
        return frozenset(e.document_id for fact in self.facts() for e in fact.evidence)

    @cached_property
    def derived(self) -> dict[Any, Any]:
        """Values derived from this briefing alone, kept by whoever computes them once for many
        renders (a story's independent reports: every render of the edition prints them). A
        copy starts with none (``FreshCopies``)."""
        return {}

    def derive(self, key: Any, make: Callable[[], T]) -> T:
        """``derived[key]``, made by ``make`` the first time it is asked for."""
        if key not in self.derived:
            self.derived[key] = make()
        value: T = self.derived[key]
        return value

    def source_number(self, document_id: str) -> int:
        """The citation number of a source: its position in the sources list, from 1."""
        return self._source_numbers[document_id]
