"""The topic profile is data: another file gives another briefing, with no code changed."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from briefing.compose.assemble import compose_briefing
from briefing.deliver.mail import build_subject
from briefing.errors import ConfigurationError
from briefing.extract.facts import extract_facts
from briefing.models import SourceDocument
from briefing.render.document import render_html
from briefing.topic import Topic, compile_terms, load_topic
from tests.conftest import TEMPLATES_DIR

OTHER_TOPIC = Path(__file__).parent / "fixtures" / "topics" / "lunar-science.yaml"


def test_a_second_topic_file_makes_a_second_briefing(seeds: tuple[SourceDocument, ...]) -> None:
    """The lunar-science profile sorts the seeds into its own two themes under its own title."""
    topic = load_topic(OTHER_TOPIC)
    facts = [fact for doc in seeds for fact in extract_facts(doc, topic).facts]
    briefing = compose_briefing(topic, seeds, facts, date(2023, 1, 20))
    html = render_html(briefing, TEMPLATES_DIR)

    assert ("Lunar Science Digest", ["Landers", "Science"]) == (
        briefing.title,
        [section.title for section in briefing.sections],
    )
    assert all(section.facts for section in briefing.sections)
    assert '<h2 id="landers-title">Landers</h2>' in html


def test_aliases_resolve_to_the_canonical_actor(topic: Topic) -> None:
    """'HAYASHI Yoshimasa' and 'Japan Aerospace Exploration Agency' are found as their names."""
    assert ("JAXA", "Yoshimasa Hayashi") == topic.find_actors(
        "HAYASHI Yoshimasa visited the Japan Aerospace Exploration Agency."
    )


def test_names_match_case_sensitively(topic: Topic) -> None:
    """'pace' the word is not Scott Pace."""
    assert () == topic.find_actors("The program keeps pace with its timelines.")


def test_a_profile_with_an_incomplete_tie_break_is_refused(tmp_path: Path) -> None:
    """Every theme must appear in tie_break, or the file is refused with the reason."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        OTHER_TOPIC.read_text(encoding="utf-8").replace("[landers, science]", "[landers]"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match="tie_break must list every theme id"):
        load_topic(broken)


def test_a_topic_without_a_mail_title_mails_under_its_title(
    seeds: tuple[SourceDocument, ...],
) -> None:
    """A profile that gives no mail_title has its edition's email under its cover's title."""
    expected = "Lunar Science Digest, edition of 20 January 2023"
    assert expected == build_subject(load_topic(OTHER_TOPIC).email_title(), date(2023, 1, 20))


@pytest.mark.parametrize("field", ["title", "mail_title"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Two\nlines", "must be one line of printable text, without U+000A"),
        ("A\tbriefing", "must be one line of printable text, without U+0009"),
        ("Space \u202ebriefing", "must be one line of printable text, without U+202E"),
        ("Space\u2028briefing", "must be one line of printable text, without U+2028"),
        (" Space briefing", "must not begin or end with white space"),
        ("x" * 101, "at most 100 characters"),
    ],
)
def test_a_title_that_is_not_one_printable_line_is_refused(
    tmp_path: Path, field: str, value: str, reason: str
) -> None:
    """A title goes into an email's subject: a line break, control or bidi character is refused."""
    profile = yaml.safe_load(OTHER_TOPIC.read_text(encoding="utf-8"))
    broken = tmp_path / "broken.yaml"
    broken.write_text(json.dumps({**profile, field: value}), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=rf"\n{field}\n .*{re.escape(reason)}"):
        load_topic(broken)


def test_partners_are_found_by_their_synonyms_or_else_their_own_words(topic: Topic) -> None:
    """The profile's partner_synonyms name the partners; a profile without them uses partners."""
    profile = topic.model_dump()
    del profile["partner_synonyms"]
    without = Topic.model_validate(profile)
    assert [("US", "JP"), (), ("US",)] == [
        topic.find_partners("Washington met Tokyo."),
        topic.find_partners("U.S. officials met."),
        without.find_partners("U.S. officials met."),
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"partner_synonyms": {"KR": ["Seoul"]}}, "partner_synonyms name no partner: KR"),
        ({"partner_synonyms": {"US": []}}, "List should have at least 1 item"),
        ({"common_words": ["United"]}, "String should match pattern"),
        ({"common_words": ["united states"]}, "String should match pattern"),
    ],
)
def test_synonyms_and_common_words_that_cannot_work_are_refused(
    topic: Topic, change: dict[str, object], reason: str
) -> None:
    """Synonyms of an unknown partner, no synonyms at all, or a common word that no lower-case
    word equals are refused."""
    with pytest.raises(ValueError, match=reason):
        Topic.model_validate({**topic.model_dump(), **change})


def test_a_copied_topic_answers_from_its_own_fields(topic: Topic) -> None:
    """A topic copied with other partner words finds partners by those, not by the cached
    patterns of the original."""
    text = "Washington and Tokyo signed the Gateway agreement."
    assert ("US", "JP") == topic.find_partners(text)  # fills the original's cache
    copied = topic.model_copy(update={"partner_synonyms": {"US": ["Washington"], "JP": ["Kyoto"]}})
    assert ("US",) == copied.find_partners(text)


def test_a_theme_scores_every_term_its_case_insensitive_words_match(topic: Topic) -> None:
    """The quick test before each term's regex misses no match: odd capitals (dotted İ, the
    long s, the Kelvin sign) score as the regex finds them."""
    civil = topic.theme("civil-space")
    texts = ["İSS crew", "The ſpace station", "\u212aibo module", "ISS and Gateway"]
    slow = [
        sum(
            w
            for term, w in civil.vocabulary.items()
            if compile_terms([term], case_sensitive=False).search(t)
        )
        for t in texts
    ]
    assert slow == [civil.score(t) for t in texts]


def test_terms_are_whole_words_in_japanese_text_too(topic: Topic) -> None:
    """Kana and kanji run on without spaces: "JAXAとNASA" names both agencies (in gazetteer
    order), while a term
    inside a longer word of a spaced script ("NASAwide") is still no match."""
    assert (("NASA", "JAXA"), ()) == (
        topic.find_actors("JAXAとNASA、月面探査データの共有で合意"),
        topic.find_actors("A NASAwide review"),
    )


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_a_terms_boundary_is_any_character_but_a_letter_of_a_spaced_script(
    case_sensitive: bool,
) -> None:
    """The boundary as it is defined, checked at every character of the Basic Multilingual
    Plane on either side of a term: no match next to a word character (\\w) unless it is kana or
    kanji, which run on without spaces, and no match before a "+" ("H3+" is an ion, not the
    rocket). (Its two-case form compiles four times faster than the one negated class it
    replaced; this is what keeps them the same.)"""
    pattern = compile_terms(["JAXA"], case_sensitive=case_sensitive)
    unspaced = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
    wrong = []
    for point in range(0x10000):
        character = chr(point)
        bounds = not re.match(r"\w", character) or unspaced.match(character) is not None
        after = bounds and character != "+"
        for text, matches in ((f"{character}JAXA", bounds), (f"JAXA{character}", after)):
            if (pattern.search(text) is not None) != matches:
                wrong.append(text)
    assert [] == wrong


def test_a_one_partner_rule_naming_an_unknown_theme_is_refused(topic: Topic) -> None:
    """alone_in_themes must name the profile's partners and themes, or the profile is refused
    with the name it does not know."""
    profile = topic.model_dump()
    profile["relevance"]["alone_in_themes"] = {"US": {"space-tourism": 2}}
    with pytest.raises(ValueError, match="alone_in_themes name no theme: space-tourism"):
        Topic.model_validate(profile)


def test_the_profile_names_the_terms_the_sources_write(topic: Topic) -> None:
    """MEXT's full name is one alias (a YAML list split it at its commas, so "Science and
    Technology" named Japan); "H3+" is an ion and Epsilon Eridani a star, not Japan's
    rockets: none of them gives a NASA item a Japanese role."""
    texts = [
        "NASA's STELLA (Science and Technology Education) teaches satellite remote sensing.",
        "NASA's Webb telescope saw the trihydrogen cation (H3+) in Neptune's auroras.",
        "NASA's telescope found a planet orbiting the star Epsilon Eridani.",
        "NASA and the Ministry of Education, Culture, Sports, Science and Technology signed "
        "a lunar agreement.",
    ]
    expected = [
        "one partner, outside the themes",
        "one partner, without the other's role",
        "one partner, without the other's role",
        "names every partner",
    ]
    assert expected == [topic.judge_item(text) for text in texts]
