"""The topic profile: a briefing's subject, themes, vocabulary and actors, read from one file."""

import re
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


class _Profile(FreshCopies):
    model_config = ConfigDict(frozen=True, extra="forbid")


def compile_terms(terms: list[str], *, case_sensitive: bool) -> re.Pattern[str]:
    """One regex matching any of the terms as whole words; a trailing * matches any ending."""
    bodies = [
        re.escape(term.removesuffix("*")) + (r"\w*" if term.endswith("*") else "")
        for term in sorted(terms, key=len, reverse=True)
    ]
    pattern = rf"(?<!\w)(?:{'|'.join(bodies)})(?!\w)"
    return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)


class ThemeProfile(_Profile):
    """A theme's heading, description and weighted vocabulary."""

    id: ThemeId
    title: str
    description: str
    vocabulary: dict[str, int] = Field(min_length=1)

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], int]]:
        return [
            (compile_terms([term], case_sensitive=False), weight)
            for term, weight in self.vocabulary.items()
        ]

    def score(self, text: str) -> int:
        """Sum of the weights of the distinct vocabulary terms found in the text."""
        return sum(weight for pattern, weight in self._patterns if pattern.search(text))


class Actor(_Profile):
    """A gazetteer entry: one actor and every name the sources use for it."""

    name: str
    kind: Literal["agency", "military", "government", "person", "organization"]
    country: Literal["US", "JP"] | None
    aliases: list[str] = Field(default_factory=list)


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
    def _actors_belong_to_partners(self) -> Self:
        countries = {actor.country for actor in self.gazetteer if actor.country is not None}
        if self.partners and not countries <= set(self.partners):
            missing = ", ".join(sorted(countries - set(self.partners)))
            raise ValueError(f"gazetteer countries {missing} are not listed under partners")
        return self

    @cached_property
    def _partners(self) -> list[re.Pattern[str]]:
        patterns = []
        for partner, words in self.partners.items():
            names = [a.name for a in self.gazetteer if a.country == partner]
            aliases = [alias for a in self.gazetteer if a.country == partner for alias in a.aliases]
            patterns.append(compile_terms([*words, *names, *aliases], case_sensitive=True))
        return patterns

    @cached_property
    def _partner_synonyms(self) -> list[tuple[str, re.Pattern[str]]]:
        synonyms = self.partners if self.partner_synonyms is None else self.partner_synonyms
        return [
            (partner, compile_terms(words, case_sensitive=True))
            for partner, words in synonyms.items()
        ]

    def find_partners(self, text: str) -> tuple[str, ...]:
        """The partners the text names by one of their synonyms (not by an actor), in profile
        order."""
        return tuple(partner for partner, pattern in self._partner_synonyms if pattern.search(text))

    def concerns_partnership(self, text: str) -> bool:
        """Whether the text touches the subject and names every partner (word or actor)."""
        return self.in_scope(text) and all(p.search(text) for p in self._partners)

    @cached_property
    def _scope(self) -> re.Pattern[str]:
        return compile_terms(self.scope, case_sensitive=False)

    @cached_property
    def _actors(self) -> list[tuple[re.Pattern[str], str]]:
        return [
            (compile_terms([actor.name, *actor.aliases], case_sensitive=True), actor.name)
            for actor in self.gazetteer
        ]

    def in_scope(self, text: str) -> bool:
        """Whether the text touches the topic's subject at all."""
        return self._scope.search(text) is not None

    def email_title(self) -> str:
        """The title the edition's email is sent under: ``mail_title``, else the cover's."""
        return self.mail_title or self.title

    def theme(self, theme: str) -> ThemeProfile:
        """The profile of one theme."""
        return next(profile for profile in self.themes if profile.id == theme)

    def find_actors(self, text: str) -> tuple[str, ...]:
        """Canonical names of the gazetteer actors the text names, in gazetteer order."""
        return tuple(name for pattern, name in self._actors if pattern.search(text))


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
