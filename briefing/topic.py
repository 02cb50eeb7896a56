"""The topic profile: a briefing's subject, themes, vocabulary and actors, read from one file."""

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Self

import yaml
from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from briefing.configfile import load_utf8
from briefing.errors import ConfigurationError
from briefing.models import FreshCopies, OneLine, ThemeId
from briefing.terms import TermPattern, TermSet, compile_terms


class _Profile(FreshCopies):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ThemeProfile(_Profile):
    """A theme's heading, description and weighted vocabulary."""

    id: ThemeId
    title: str
    description: str
    vocabulary: dict[str, int] = Field(min_length=1)

    @cached_property
    def _terms(self) -> TermSet[str]:
        return TermSet([(term, [term]) for term in self.vocabulary], case_sensitive=False)

    def score(self, text: str) -> int:
        """Sum of the weights of the distinct vocabulary terms found in the text."""
        return sum(self.vocabulary[term] for term in self._terms.found(text))


class Actor(_Profile):
    """A gazetteer entry: one actor and every name the sources use for it."""

    name: str
    kind: Literal["agency", "military", "government", "person", "organization"]
    country: Literal["US", "JP"] | None
    aliases: list[str] = Field(default_factory=list)


class Relevance(_Profile):
    """What makes a feed item concern the partnership, judged on the whole item (its title and
    text together). Every list matches whole words, case-sensitively, like the partners' words;
    a trailing * matches any ending."""

    shared_programs: list[str] = Field(
        min_length=1,
        description="The programs, platforms and agreements in which every partner holds a "
        "role of its own (the Gateway, Kibo, the pressurized rover, the framework "
        "agreement...): an item naming one is about the partnership. Programs one partner runs "
        "with many nations (the ISS, Artemis, crew flights) are not listed: an item on one of "
        "them needs the other partner's role named.",
    )
    alone_in_themes: dict[str, dict[ThemeId, Annotated[int, Field(ge=1)]]] | None = Field(
        default=None,
        description="For each partner, the themes in which its own activity, with no role of "
        "the other partner named, is about the partnership, each with the weight its "
        "vocabulary needs in the item (Japan's own missions in every theme; U.S. debris policy, "
        "clearly about debris); in its other themes a one-partner item is left out. When not "
        "given, every partner in every theme, from ``min_theme_score``.",
    )
    other_nations_in_themes: dict[ThemeId, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict,
        description="The themes, each with the weight its vocabulary needs, in which one "
        "partner's part in another nation's space activity (a U.S. finding on a Russian "
        "weapon, a Chinese rocket's reentry) is about the partnership, beside "
        "``alone_in_themes``.",
    )
    space_actors: dict[str, list[str]] = Field(
        description="Each partner's space agencies, forces, missions and companies: naming one "
        "names its partner, and gives that partner a role in an item about another nation.",
    )
    other_nations: list[str] = Field(
        default_factory=list,
        description="Words naming other spacefaring nations and their agencies: an item naming "
        "one, in which a partner has no agency, force, mission or company, is about that "
        "nation's activity, not the partnership's.",
    )


# Why an item is read or left out, as counted per feed (``Topic.judge_item``).
ITEM_KEPT = ("names every partner", "a shared program", "one partner in a theme")
ITEM_LEFT_OUT = (
    "not about space",
    "does not name every partner",
    "names neither partner",
    "another nation's activity",
    "one partner, outside the themes",
    "one partner, without the other's role",
)


# An item's lead: its first paragraphs of running text, each of at least this many words
# (a "4 min read", a credit line or a menu entry is not one).
LEAD_PARAGRAPHS = 2
LEAD_MIN_WORDS = 8


def item_lead(text: str) -> str:
    """A feed item's headline (its first line) and lead: its first ``LEAD_PARAGRAPHS`` lines of
    at least ``LEAD_MIN_WORDS`` words, the headline repeated not counted."""
    headline, _, body = text.partition("\n")
    paragraphs = [
        line
        for line in body.split("\n")
        if len(line.split()) >= LEAD_MIN_WORDS and line.strip() != headline.strip()
    ]
    return "\n".join([headline, *paragraphs[:LEAD_PARAGRAPHS]])


class Topic(_Profile):
    """Everything the pipeline knows about the briefing's subject."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: OneLine = Field(description="The briefing's title, on its cover.")
    mail_title: OneLine | None = Field(
        default=None,
        description="The title as the edition's email writes it, in its subject and first lines, "
        "when that differs from the cover's (sentence case, say).",
    )
    subtitle: str
    distribution: str = Field(default="", description="Who the briefing is for, on its cover.")
    themes: list[ThemeProfile]
    scope: list[str] = Field(min_length=1)
    partners: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Each partner's words (case-sensitive); a feed item must name every partner.",
    )
    partner_synonyms: dict[str, Annotated[list[str], Field(min_length=1)]] | None = Field(
        default=None,
        description="The words that name each partner when reports are compared (case-sensitive): "
        "a report's 'Washington' and another's 'the United States' are one word to them. "
        "When not given, the partners' own words.",
    )
    common_words: list[Annotated[str, Field(pattern=r"^[a-z][a-z’'-]*$")]] = Field(
        default_factory=list,
        description="Words too common in this subject to show that two quotes are the same "
        "(single words, lower case): the partners' names, say.",
    )
    gazetteer: list[Actor]
    languages: tuple[Annotated[str, Field(pattern=r"^[a-z]{2}$")], ...] = Field(
        default=(),
        description="The languages (ISO 639-1) whose text can be a statement: the edition's "
        "and any a reader of it reads; a paragraph confidently in another is left out. Empty: "
        "every language.",
    )
    relevance: Relevance | None = Field(
        default=None,
        description="How a feed item is judged whole; without it, an item must name every "
        "partner and touch the scope.",
    )

    tie_break: list[ThemeId] = Field(
        description="Theme ids, most specific first: who wins when two themes weigh the same."
    )
    min_theme_score: int = Field(default=2, ge=1, description="Weight a theme needs to count.")
    secondary_min_score: int = Field(
        default=4, ge=1, description="Weight a second theme needs to be named beside the first."
    )

    @model_validator(mode="after")
    def _themes_are_consistent(self) -> Self:
        ids = [theme.id for theme in self.themes]
        if not ids or len(ids) != len(set(ids)):
            raise ValueError("themes need at least one entry and unique ids")
        if sorted(self.tie_break) != sorted(ids):
            raise ValueError(f"tie_break must list every theme id once: {', '.join(ids)}")
        return self

    @model_validator(mode="after")
    def _synonyms_name_partners(self) -> Self:
        unknown = set(self.partner_synonyms or ()) - set(self.partners)
        if unknown:
            raise ValueError(f"partner_synonyms name no partner: {', '.join(sorted(unknown))}")
        return self

    @model_validator(mode="after")
    def _space_actors_name_partners(self) -> Self:
        unknown = set(self.relevance.space_actors if self.relevance else ()) - set(self.partners)
        if unknown:
            raise ValueError(
                f"relevance.space_actors name no partner: {', '.join(sorted(unknown))}"
            )
        return self

    @model_validator(mode="after")
    def _alone_in_known_themes(self) -> Self:
        alone = (self.relevance.alone_in_themes if self.relevance else None) or {}
        unknown = set(alone) - set(self.partners)
        if unknown:
            raise ValueError(
                f"relevance.alone_in_themes name no partner: {', '.join(sorted(unknown))}"
            )
        ids = {theme.id for theme in self.themes}
        others = self.relevance.other_nations_in_themes if self.relevance else {}
        bad = sorted({t for themes in [*alone.values(), others] for t in themes} - ids)
        if bad:
            raise ValueError(f"relevance.alone_in_themes name no theme: {', '.join(bad)}")
        return self

    @model_validator(mode="after")
    def _actors_belong_to_partners(self) -> Self:
        countries = {actor.country for actor in self.gazetteer if actor.country is not None}
        if self.partners and not countries <= set(self.partners):
            missing = ", ".join(sorted(countries - set(self.partners)))
            raise ValueError(f"gazetteer countries {missing} are not listed under partners")
        return self

    @cached_property
    def _partners(self) -> list[TermPattern]:
        patterns = []
        for partner, words in self.partners.items():
            names = [a.name for a in self.gazetteer if a.country == partner]
            aliases = [alias for a in self.gazetteer if a.country == partner for alias in a.aliases]
            patterns.append(compile_terms([*words, *names, *aliases], case_sensitive=True))
        return patterns

    @cached_property
    def _partner_actors(self) -> TermPattern | None:
        """Any partner's named actor or space actor: an agency, force, person, mission or
        company, not the country's own words."""
        terms = [
            term
            for actor in self.gazetteer
            if actor.country is not None
            for term in (actor.name, *actor.aliases)
        ]
        if self.relevance is not None:
            terms += [term for words in self.relevance.space_actors.values() for term in words]
        return compile_terms(terms, case_sensitive=True) if terms else None

    @cached_property
    def _space_actors(self) -> list[TermPattern | None]:
        """Each partner's space actors, in ``partners`` order (None: the profile lists none)."""
        listed = self.relevance.space_actors if self.relevance is not None else {}
        return [
            compile_terms(listed[partner], case_sensitive=True) if listed.get(partner) else None
            for partner in self.partners
        ]

    @cached_property
    def _shared_programs(self) -> TermPattern | None:
        programs = self.relevance.shared_programs if self.relevance is not None else []
        return compile_terms(programs, case_sensitive=True) if programs else None

    @cached_property
    def _other_nations(self) -> TermPattern | None:
        others = self.relevance.other_nations if self.relevance is not None else []
        return compile_terms(others, case_sensitive=True) if others else None

    def judge_item(self, text: str) -> str:
        """Why a feed item (its title and text) is read or left out: one of ``ITEM_KEPT`` or
        ``ITEM_LEFT_OUT``. The rule, in order: an item that does not touch the scope is not
        about space; one naming every partner (by a word, an actor or a space actor) or a
        program every partner holds a role in (``shared_programs``) is read; one naming
        neither partner is left out; one naming another nation in which no partner actor
        appears is that nation's activity; one naming a single partner is read when, in its
        headline and lead (``item_lead``), a theme's vocabulary weighs enough
        (``min_theme_score``) and so does a theme where that partner's own activity counts
        (``alone_in_themes``): "NASA's Webb telescope unfolds its mirror" names no Japanese role
        in civil space, and a debris word deep in a NASA science article is not debris news.
        A profile without ``relevance`` reads only the items that name every partner."""
        if not self.in_scope(text):
            return "not about space"
        partners = [
            bool(word.search(text) or (actor is not None and actor.search(text)))
            for word, actor in zip(self._partners, self._space_actors, strict=True)
        ]
        if all(partners):
            return "names every partner"
        if self.relevance is None:
            return "does not name every partner"
        # A program named in the headline is what the item is about; one named in passing ("the
        # technology that will enable NASA's future Gateway") is not.
        headline = text.split("\n", 1)[0]
        if self._shared_programs is not None and self._shared_programs.search(headline):
            return "a shared program"
        if not any(partners):
            return "names neither partner"
        actors, others = self._partner_actors, self._other_nations
        other_nation = others is not None and others.search(text) is not None
        if other_nation and not (actors and actors.search(text)):
            return "another nation's activity"
        # What an item is about is in its headline and lead: a Mars rover's "debris field" or a
        # telescope's particle "collisions" deep in a NASA article do not make it debris news.
        scores = self.theme_scores(item_lead(text))
        if max(scores.values()) < self.min_theme_score:
            return "one partner, outside the themes"
        alone = self.relevance.alone_in_themes
        if alone is None:
            return "one partner in a theme"
        partner = next(name for name, named in zip(self.partners, partners, strict=True) if named)
        needed = [*alone.get(partner, {}).items()]
        if other_nation:
            needed += self.relevance.other_nations_in_themes.items()
        if any(scores[theme] >= weight for theme, weight in needed):
            return "one partner in a theme"
        return "one partner, without the other's role"

    def heaviest_theme(self, text: str) -> tuple[ThemeId, int]:
        """The theme whose vocabulary weighs most in the text, and its weight; ``tie_break``
        decides between themes of equal weight."""
        order = {theme: rank for rank, theme in enumerate(self.tie_break)}
        scored = [(theme.score(text), -order[theme.id], theme.id) for theme in self.themes]
        weight, _, theme = max(scored)
        return theme, weight

    @property
    def _synonyms(self) -> dict[str, list[str]]:
        """Each partner's words when reports are compared, in profile order."""
        return self.partners if self.partner_synonyms is None else self.partner_synonyms

    @cached_property
    def _partner_synonyms(self) -> TermSet[str]:
        """Each partner's synonyms under the partner: a text is searched only where one of them
        stands (most statements name no partner by a synonym)."""
        return TermSet(list(self._synonyms.items()), case_sensitive=True)

    def find_partners(self, text: str) -> tuple[str, ...]:
        """The partners the text names by one of their synonyms (not by an actor), in profile
        order."""
        found = self._partner_synonyms.found(text)
        return tuple(partner for partner in self._synonyms if partner in found)

    @cached_property
    def _scope(self) -> TermPattern:
        return compile_terms(self.scope, case_sensitive=False)

    @cached_property
    def _actors(self) -> list[tuple[tuple[str, ...], TermPattern, str]]:
        # Each actor with the texts one of which any match contains: a substring test is far
        # cheaper than the regex, and most statements name few of the gazetteer's actors.
        return [
            (
                tuple(term.removesuffix("*") for term in terms),
                compile_terms(terms, case_sensitive=True),
                actor.name,
            )
            for actor in self.gazetteer
            for terms in [[actor.name, *actor.aliases]]
        ]

    @cached_property
    def _actor_terms(self) -> TermSet[int]:
        """Each gazetteer actor's name and aliases, under its place in the gazetteer."""
        return TermSet(
            [(index, [actor.name, *actor.aliases]) for index, actor in enumerate(self.gazetteer)],
            case_sensitive=True,
        )

    @cached_property
    def _theme_terms(self) -> TermSet[tuple[ThemeId, str]]:
        """Every theme's vocabulary in one set, each term under its theme and itself."""
        return TermSet(
            [((theme.id, term), [term]) for theme in self.themes for term in theme.vocabulary],
            case_sensitive=False,
        )

    def theme_scores(self, text: str) -> dict[ThemeId, int]:
        """Each theme's ``ThemeProfile.score`` of the text, the text searched once for all."""
        scores = {theme.id: 0 for theme in self.themes}
        weights = {theme.id: theme.vocabulary for theme in self.themes}
        for theme, term in self._theme_terms.found(text):
            scores[theme] += weights[theme][term]
        return scores

    def compile_patterns(self) -> None:
        """Compile every pattern of the profile now rather than at its first use (``briefing
        run`` does it while its temporary Prefect server starts)."""
        for profile in (self, *self.themes):
            for name, value in vars(type(profile)).items():
                if isinstance(value, cached_property):
                    getattr(profile, name)

    def in_scope(self, text: str) -> bool:
        """Whether the text touches the topic's subject at all."""
        return self._scope.search(text) is not None

    def email_title(self) -> str:
        """The title the edition's email is sent under: ``mail_title``, else the cover's."""
        return self.mail_title or self.title

    def theme(self, theme: str) -> ThemeProfile:
        """The profile of one theme."""
        return next(profile for profile in self.themes if profile.id == theme)

    def blank_actors(self, text: str) -> str:
        """The text with every gazetteer actor's name or alias blanked out: what is left are
        the words the actors' names do not account for."""
        for needles, pattern, _ in self._actors:
            if any(needle in text for needle in needles):
                text = pattern.sub(lambda match: " " * len(match[0]), text)
        return text

    def find_actors(self, text: str) -> tuple[str, ...]:
        """Canonical names of the gazetteer actors the text names, in gazetteer order."""
        found = self._actor_terms.found(text)
        return tuple(actor.name for index, actor in enumerate(self.gazetteer) if index in found)


def load_topic(path: Path) -> Topic:
    """Read and validate a topic profile file."""
    try:
        data = yaml.safe_load(load_utf8(path))
        return Topic.model_validate(data)
    except OSError as exc:
        raise ConfigurationError(f"cannot read topic profile {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"topic profile {path} is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        raise ConfigurationError(f"topic profile {path} is invalid:\n{exc}") from exc
