"""Synthetic feeds shaped like real news about the partnership, and some that are not about it.

Deterministic: the same seed, feed count and items per feed give the same bytes. Each on-topic
item reports one "story" (who, what mission, where, which company, when, how many); several
outlets report each story in their own words, so consolidation has real merging to do without
everything collapsing into one fact. Names come from the topic profile's gazetteer, so the
pipeline's actor and partner rules see what real items give them.
"""

import html
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path

import yaml

TOPIC_FILE = Path(__file__).resolve().parent.parent / "topics" / "us-japan-space.yaml"
EDITION_DATE = date(2025, 6, 16)
PERIOD = 7  # days before the edition date that items fall in
ON_TOPIC_SHARE = 0.7
REPORTS_PER_STORY = 3  # on average, how many items report the same story

_JP_FIRST = [
    "Hiroshi",
    "Yuki",
    "Kenji",
    "Aiko",
    "Takeshi",
    "Naoko",
    "Satoshi",
    "Emi",
    "Daisuke",
    "Mariko",
    "Kazuo",
    "Haruka",
]
_JP_LAST = [
    "Tanaka",
    "Morikawa",
    "Sato",
    "Hirano",
    "Ishikawa",
    "Nakamura",
    "Fujita",
    "Okada",
    "Yamaguchi",
    "Kobayashi",
]
_US_FIRST = [
    "Sarah",
    "Michael",
    "Laura",
    "David",
    "Karen",
    "James",
    "Melissa",
    "Robert",
    "Angela",
    "Thomas",
    "Diane",
    "Brian",
]
_US_LAST = [
    "Whitfield",
    "Carver",
    "Donnelly",
    "Ramirez",
    "Hollis",
    "Brennan",
    "Foster",
    "Kowalski",
    "Pryor",
    "Delgado",
]
_JP_ROLES = [
    "a JAXA program manager",
    "Japan's minister for space policy",
    "a spokesperson for the Japanese Foreign Ministry",
    "director of JAXA's human spaceflight unit",
    "a researcher at the University of Tokyo",
]
_US_ROLES = [
    "NASA associate administrator",
    "a State Department official",
    "a senior fellow at the Center for Strategic and International Studies",
    "commander of U.S. Space Forces Japan",
    "a Pentagon spokesperson",
]
_MISSIONS = [
    "Artemis III",
    "Artemis IV",
    "Lunar Gateway",
    "SLIM",
    "XRISM",
    "MMX",
    "HTV-X",
    "QZSS",
    "International Space Station",
    "Dragonfly",
    "LUPEX",
    "Roman Space Telescope",
]
_OBJECTS = [
    "pressurized rover",
    "habitation module",
    "cargo resupply vehicle",
    "star tracker",
    "docking adapter",
    "radiation shield",
    "sample return capsule",
    "lunar lander",
    "hosted payload",
    "laser communications terminal",
    "robotic arm",
    "debris capture magnet",
    "infrared sensor",
    "navigation satellite",
    "solar array",
    "life support system",
]
_COMPANIES = [
    "Mitsubishi Heavy Industries",
    "Astroscale",
    "ispace",
    "Northrop Grumman",
    "Lockheed Martin",
    "Sierra Space",
    "Toyota",
    "Kawasaki Heavy Industries",
    "NEC",
    "IHI Aerospace",
    "Axiom Space",
    "Maxar",
    "Redwire",
    "Synspective",
    "iQPS",
    "Firefly Aerospace",
]
_PLACES = [
    "Tanegashima",
    "Tsukuba",
    "Sagamihara",
    "Houston",
    "Huntsville",
    "Cape Canaveral",
    "Colorado Springs",
    "Uchinoura",
    "Yokota Air Base",
    "Greenbelt",
    "Pasadena",
    "Hokkaido",
    "Okinawa",
    "Vandenberg",
]
_UNITS = ["satellites", "astronauts", "engineers", "payloads", "experiments", "launches"]
_THINK_TANKS = ["the Secure World Foundation", "RAND", "the Sasakawa Peace Foundation", "CSIS"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_MONTHS = ["January", "March", "April", "June", "August", "September", "October", "December"]

# On-topic sentences are composed, per story, from a subject, a predicate, a complement, a
# time and an attribution: fixed templates made every report of one template look alike to
# consolidation, which then merged thousands of unrelated sentences into a few facts.
_SUBJECTS = [
    "{agency_jp}",
    "{agency_us}",
    "{company}",
    "{jp_person}, {jp_role},",
    "{us_person}, {us_role},",
    "The {mission} team at {place}",
    "Engineers from {company} and JAXA",
    "The {codename} consortium",
    "{company}'s {place} office",
    "{us_person}",
    "{jp_person}",
]
_VERBS = [
    "signed a deal to build",
    "won a {number} million dollar contract for",
    "tested",
    "delivered",
    "unveiled",
    "delayed",
    "funded",
    "certified",
    "shipped",
    "redesigned",
    "inspected",
    "ordered",
    "upgraded",
    "paused work on",
    "finished assembling",
    "proposed",
    "approved",
    "requested bids for",
    "warned of debris risks to",
    "ran collision avoidance drills with",
]
_NOUN_PHRASES = [
    "the {object}",
    "{number} {unit}",
    "a {codename} prototype",
    "the {object} and its spare",
    "{number} surveillance satellites",
    "a debris tracking radar",
    "a lunar lander",
    "a missile warning sensor",
    "the backup {object}",
]
_CONNECTORS = ["for", "under", "as part of", "to support", "ahead of", "alongside"]
_COMPLEMENTS = [
    "the {mission} program",
    "the {mission} mission",
    "the {codename} initiative",
    "the {codename} {mission} partnership",
    "{company}'s {mission} work",
    "the {codename} lunar campaign",
    "the {codename} space security effort",
]
_TIMES = [
    " on {weekday}",
    " by {year}",
    " in {month} {year}",
    " last month",
    " next year",
    " earlier this week",
    "",
    "",
    "",
]
_ATTRIBUTIONS = [
    ", officials said",
    ", according to a joint statement",
    ", a spokesperson said",
    ", NASA announced",
    ", the ministry said in a statement",
    ", people familiar with the plan said",
    "",
    "",
    "",
]
_QUOTES = [
    "“This is a {adjective} step for {complement},” said {person}.",
    "“We will not let {threat} put {complement} at risk,” {person} told reporters.",
    "“Japan is an {adjective} partner in {complement},” {person} said in {place}.",
]
_ADJECTIVES = ["decisive", "historic", "indispensable", "practical", "overdue", "major"]
_THREATS = ["space debris", "antisatellite weapons", "budget delays", "cyberattacks"]


def _story_sentences(rng: random.Random, count: int) -> list[str]:
    """A story's own sentences, as templates over its slots."""
    sentences = []
    for _ in range(count):
        if rng.random() < 0.15:
            quote = rng.choice(_QUOTES).format(
                adjective=rng.choice(_ADJECTIVES),
                complement=rng.choice(_COMPLEMENTS),
                threat=rng.choice(_THREATS),
                person=rng.choice(["{jp_person}", "{us_person}"]),
                place="{place}",
            )
            sentences.append(quote)
            continue
        parts = (_SUBJECTS, _VERBS, _NOUN_PHRASES, _CONNECTORS, _COMPLEMENTS)
        sentence = " ".join(rng.choice(part) for part in parts)
        sentence += rng.choice(_TIMES) + rng.choice(_ATTRIBUTIONS) + "."
        sentences.append(sentence[0].upper() + sentence[1:])
    return sentences


# Sentences that touch neither space nor a theme: the padding real items carry.
_NEUTRAL = [
    "The meeting in {place} lasted about {small} hours, and the delegations had lunch together.",
    "Shares of {company} rose {small} percent in Tokyo trading after the announcement.",
    "{us_person} arrived in Tokyo on {weekday} for a four-day visit.",
    "Neither side gave further details, and a follow-up meeting has not been scheduled.",
    "The weather in {place} delayed the ceremony by about an hour.",
    "Reporters were not allowed to ask questions during the signing.",
]
_OFF_TOPIC = [
    "The yen weakened against the dollar on {weekday} as investors awaited inflation data.",
    "{company} reported quarterly profit of {number} billion yen, beating forecasts.",
    "Heavy rain is expected across {place} through the weekend, forecasters said.",
    "The city council in {place} approved a new budget for schools and roads on {weekday}.",
    "Tourism to Japan reached a record {number} million visitors in the first half of the year.",
    "A baseball game between Tokyo and Osaka was postponed because of the storm.",
    "{jp_person} opened a new exhibition of woodblock prints in {place} on {weekday}.",
    "Rice prices rose {small} percent in {month}, according to government figures.",
    "Local officials in {place} said the new bridge would open to traffic next spring.",
    "Commuters faced delays after a signal failure near {place} during the morning rush.",
]


@dataclass(frozen=True)
class SyntheticItem:
    """One feed item: its title, HTML description, link, GUID, date and author."""

    title: str
    description_html: str
    link: str
    guid: str
    published: datetime | None
    author: str
    on_topic: bool


@dataclass(frozen=True)
class SyntheticFeed:
    """One feed: its path on the server, format, content type and body."""

    path: str
    kind: str  # "rss" or "atom"
    content_type: str
    body: bytes
    items: int
    on_topic: int


def _gazetteer_names(topic_file: Path) -> dict[str, list[str]]:
    """Agencies of each country from the topic profile's gazetteer."""
    data = yaml.safe_load(topic_file.read_text(encoding="utf-8"))
    names: dict[str, list[str]] = {"US": [], "JP": []}
    for actor in data["gazetteer"]:
        if actor["kind"] in {"agency", "military"} and actor["country"] in names:
            names[actor["country"]].append(actor["name"])
    return names


_SYLLABLES = [
    "ka",
    "ki",
    "ku",
    "ko",
    "sa",
    "shi",
    "su",
    "ta",
    "to",
    "na",
    "ni",
    "no",
    "ha",
    "hi",
    "mi",
    "mo",
    "ya",
    "yu",
    "ra",
    "ri",
    "ro",
    "wa",
]


def _coined(rng: random.Random, syllables: int) -> str:
    """A made-up proper name ("Hoshimaru"): real items name projects and people the profile
    does not know, and these words are what tells one story from another."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


def _story(rng: random.Random, agencies: dict[str, list[str]]) -> dict[str, str]:
    jp = f"{rng.choice(_JP_FIRST)} {_coined(rng, 3)}"
    us = f"{rng.choice(_US_FIRST)} {rng.choice(_US_LAST)}-{_coined(rng, 2)}"
    return {
        "codename": _coined(rng, 3),
        "agency_jp": rng.choice(agencies["JP"]),
        "agency_us": rng.choice(agencies["US"]),
        "jp_person": jp,
        "us_person": us,
        "jp_role": rng.choice(_JP_ROLES),
        "us_role": rng.choice(_US_ROLES),
        "mission": rng.choice(_MISSIONS),
        "object": f"{_coined(rng, 3)} {rng.choice(_OBJECTS)}",
        "company": rng.choice(_COMPANIES),
        "place": rng.choice(_PLACES),
        "unit": rng.choice(_UNITS),
        "think_tank": rng.choice(_THINK_TANKS),
        "weekday": rng.choice(_WEEKDAYS),
        "month": rng.choice(_MONTHS),
        "year": str(rng.randint(2026, 2032)),
        "number": str(rng.randint(2, 480)),
        "small": str(rng.randint(2, 9)),
        "ordinal": rng.choice(["first", "second", "third", "final"]),
    }


def _sentences(rng: random.Random, pool: list[str], slots: dict[str, str], n: int) -> list[str]:
    # Without replacement: a real item does not repeat its own sentences.
    return [template.format(**slots) for template in rng.sample(pool, min(n, len(pool)))]


def _paragraphs_html(rng: random.Random, sentences: list[str]) -> str:
    paragraphs, i = [], 0
    while i < len(sentences):
        size = rng.randint(1, 3)
        text = " ".join(html.escape(s, quote=False) for s in sentences[i : i + size])
        if rng.random() < 0.15:
            text = text.replace(" said", ' <a href="https://example.org/statement">said</a>', 1)
        if rng.random() < 0.1:
            text = f"<em>{text}</em>"
        paragraphs.append(f"<p>{text}</p>")
        i += size
    return "\n".join(paragraphs)


def build_items(count: int, seed: int, feed_index: int, total: int) -> list[SyntheticItem]:
    """The items of one feed: about ON_TOPIC_SHARE on topic, 150-400 words each."""
    agencies = _gazetteer_names(TOPIC_FILE)
    rng = random.Random(f"{seed}:{feed_index}")
    # Stories are shared across feeds (seeded by the story number), so outlets report the same.
    story_count = max(1, round(total * ON_TOPIC_SHARE / REPORTS_PER_STORY))
    items = []
    for number in range(count):
        on_topic = rng.random() < ON_TOPIC_SHARE
        story_rng = random.Random(f"{seed}:story:{rng.randrange(story_count)}")
        slots = _story(story_rng, agencies)
        told = _story_sentences(story_rng, 16)
        if rng.random() < 0.2:  # outlets do not always agree on the figure
            slots["number"] = str(int(slots["number"]) + rng.randint(1, 40))
        if on_topic:
            sentences = _sentences(rng, told, slots, rng.randint(6, 13))
            sentences += _sentences(rng, _NEUTRAL, slots, rng.randint(1, 4))
            rng.shuffle(sentences)
            title = f"{slots['agency_jp']} and {slots['agency_us']} advance {slots['mission']} "
            title += f"{slots['object']} plans"
        else:
            sentences = _sentences(rng, _OFF_TOPIC, slots, rng.randint(7, 10))
            sentences += _sentences(rng, _NEUTRAL, slots, rng.randint(2, 5))
            title = f"{slots['company']} and {slots['place']}: the day's other news"
        roll = rng.random()
        if roll < 0.03:
            published = None
        else:
            days = rng.randint(8, 30) if roll < 0.08 else rng.randint(0, PERIOD - 1)
            moment = time(rng.randint(0, 23), rng.randint(0, 59), tzinfo=UTC)
            published = datetime.combine(EDITION_DATE - timedelta(days=days), moment)
        slug = f"{feed_index:03d}-{number:05d}"
        items.append(
            SyntheticItem(
                title=title,
                description_html=_paragraphs_html(rng, sentences),
                link=f"https://news{feed_index % 7}.example.org/story-{slug}?utm_source=rss",
                guid=f"urn:synthetic:{seed}:{slug}",
                published=published,
                author=f"{rng.choice(_US_FIRST + _JP_FIRST)} {rng.choice(_US_LAST + _JP_LAST)}",
                on_topic=on_topic,
            )
        )
    return items


def render_rss(name: str, items: list[SyntheticItem]) -> bytes:
    """An RSS 2.0 document with the items, descriptions as escaped HTML."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{html.escape(name)}</title><link>https://example.org/</link>",
        "<description>Space and policy news</description>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{html.escape(item.title)}</title>")
        parts.append(f"<link>{html.escape(item.link)}</link>")
        parts.append(f'<guid isPermaLink="false">{item.guid}</guid>')
        if item.published is not None:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append(f"<author>{html.escape(item.author)}</author>")
        parts.append(f"<description>{html.escape(item.description_html)}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "\n".join(parts).encode("utf-8")


def render_atom(name: str, items: list[SyntheticItem]) -> bytes:
    """An Atom 1.0 document with the items, summaries of type html."""
    dated = [item.published for item in items if item.published is not None]
    newest = max(dated, default=datetime(2025, 1, 1, tzinfo=UTC))
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{html.escape(name)}</title><id>urn:synthetic:feed:{html.escape(name)}</id>",
        f"<updated>{newest.isoformat()}</updated>",
    ]
    for item in items:
        parts.append("<entry>")
        parts.append(f"<title>{html.escape(item.title)}</title>")
        parts.append(f'<link rel="alternate" href="{html.escape(item.link)}"/>')
        parts.append(f"<id>{item.guid}</id>")
        if item.published is not None:
            parts.append(f"<published>{item.published.isoformat()}</published>")
            parts.append(f"<updated>{item.published.isoformat()}</updated>")
        parts.append(f"<author><name>{html.escape(item.author)}</name></author>")
        parts.append(f'<summary type="html">{html.escape(item.description_html)}</summary>')
        parts.append("</entry>")
    parts.append("</feed>\n")
    return "\n".join(parts).encode("utf-8")


def build_feeds(feeds: int, items_per_feed: int, seed: int = 7) -> list[SyntheticFeed]:
    """The feeds of one scale: every other feed Atom, the rest RSS 2.0."""
    result = []
    for index in range(feeds):
        items = build_items(items_per_feed, seed, index, feeds * items_per_feed)
        name = f"Synthetic Space Wire {index:03d}"
        atom = index % 2 == 1
        body = render_atom(name, items) if atom else render_rss(name, items)
        result.append(
            SyntheticFeed(
                path=f"/feeds/{index:03d}.{'atom' if atom else 'rss'}",
                kind="atom" if atom else "rss",
                content_type="application/atom+xml" if atom else "application/rss+xml",
                body=body,
                items=len(items),
                on_topic=sum(item.on_topic for item in items),
            )
        )
    return result
