"""Statements that stand alone: a key point or a story's first statement is read by itself, so
one opening with a reference to something outside it is not chosen to lead."""

from datetime import date

import pytest

from briefing.compose.assemble import compose_briefing
from briefing.compose.standalone import opens_with_outside_reference
from briefing.edition import load_seed_briefing
from briefing.extract.facts import extract_facts
from briefing.models import Attested, PartialDate, SourceDocument
from briefing.topic import Topic


@pytest.mark.parametrize(
    "statement",
    [
        "That program is meant to return astronauts to the moon as early as 2025.",
        "It was the second failed landing in two years.",
        "The agency said on Friday that the probe was lost.",
        "This is a big step for the partnership.",
        "They were also the first signatories of the Artemis Accords.",
        "The lander launched Jan. 15 on a SpaceX Falcon 9.",
        "The two countries agreed that Article V could apply.",
        "In addition, it will deliver the initial crew cabin.",
        "“These satellites will watch the geostationary belt.”",
    ],
)
def test_a_reference_to_something_outside_does_not_stand_alone(statement: str) -> None:
    """A pronoun, or a noun phrase that points back without a name, opens outside the text."""
    assert opens_with_outside_reference(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "The United States and Japan signed an agreement Jan. 13.",
        "The agency, JAXA, said on Friday that the probe was lost.",
        "That program, Artemis, is meant to return astronauts to the moon.",
        "The launch of the H3 rocket was delayed twice.",
        "The first Japanese astronaut will land on the moon.",
        "The lander, named Resilience, had aimed to land in Mare Frigoris.",
        "The agreement between Japan and the U.S. was signed in Washington.",
        "ispace said Friday its lunar lander likely crashed.",
        "Japan and China are vying to lead in debris removal.",
    ],
)
def test_a_statement_that_names_what_it_is_about_stands_alone(statement: str) -> None:
    """No reference opens it, or its opening names what the reference is."""
    assert not opens_with_outside_reference(statement)


@pytest.mark.slow  # the whole seed edition: about 3 s
def test_no_key_point_of_the_seed_edition_opens_outside_itself() -> None:
    """The seed edition holds statements such as "That program is meant to ...", but its key
    points are all statements that stand alone."""
    briefing = load_seed_briefing(date(2023, 1, 20))
    statements = [fact.statement for fact in briefing.facts()]
    leading = [briefing.fact(fact_id).statement for fact_id in briefing.key_points]
    assert any(s.startswith("That program is meant") for s in statements)
    assert (5, []) == (
        min(len(leading), 5),
        [s for s in leading if opens_with_outside_reference(s)],
    )


def test_a_storys_first_statement_stands_alone(topic: Topic) -> None:
    """Under its headline a story puts a statement that names its subject before one that
    opens with "It", though the "It" sentence comes first in the item."""
    lander = SourceDocument(
        id="feed-slim",
        source_type="news",
        outlet=Attested(value="NHK", basis="metadata", origin="feed configuration name"),
        title=Attested(
            value="Japan's SLIM probe lands on the Moon", basis="metadata", origin="item title"
        ),
        author=None,
        published=Attested(
            value=PartialDate.model_validate(date(2024, 1, 20)),
            basis="metadata",
            origin="item published",
        ),
        url=Attested(value="https://nhk.example/slim", basis="metadata", origin="item link"),
        form="feed-item",
        location="https://nhk.example/slim",
        text="Japan's SLIM probe lands on the Moon\n"
        "It touched down on the lunar surface on Saturday after a 20-minute descent. "
        "JAXA said its SLIM lander touched down on the Moon, making Japan the fifth country "
        "to land a probe on the lunar surface.",
    )
    facts = extract_facts(lander, topic).facts
    briefing = compose_briefing(topic, [lander], list(facts), date(2024, 1, 22))
    (story,) = briefing.stories
    first, *rest = [briefing.fact(fact_id).statement for fact_id in story.fact_ids[1:]]
    assert (False, True) == (
        opens_with_outside_reference(first),
        any(opens_with_outside_reference(s) for s in rest),
    )
