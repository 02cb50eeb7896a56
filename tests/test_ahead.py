"""Milestones, coming up and the timeline's rows, on literal items and statements."""

from datetime import date

from briefing.compose.ahead import milestone_problems
from briefing.compose.assemble import compose_briefing
from briefing.extract.facts import fact_id
from briefing.models import (
    Briefing,
    Evidence,
    Fact,
    FactKind,
    SourceDocument,
    When,
)
from briefing.render.document import render_html
from briefing.settings import PROJECT_ROOT
from briefing.topic import Topic
from tests.test_stories import item

EVENT, PLAN = FactKind.EVENT, FactKind.PLAN


def said(
    document: SourceDocument,
    sentence: str,
    kind: FactKind,
    when: tuple[str, date, date] | None = None,
    qualifier: str | None = None,
) -> Fact:
    """The statement of a sentence of the document, of this kind, at this time (words, first
    and last day), as extraction would make it."""
    start = document.text.index(sentence)
    precision = "day" if when is not None and when[1] == when[2] else "month"
    return Fact(
        id=fact_id(sentence),
        statement=sentence,
        theme="security",
        kind=kind,
        when=None
        if when is None
        else When(
            text=when[0],
            start=when[1],
            end=when[2],
            precision="year" if when[2].toordinal() - when[1].toordinal() > 300 else precision,
            qualifier=qualifier,  # type: ignore[arg-type]
        ),
        evidence=(
            Evidence(
                document_id=document.id, start=start, end=start + len(sentence), quote=sentence
            ),
        ),
    )


def edition(
    documents: list[SourceDocument], facts: list[Fact], day: date, topic: Topic
) -> Briefing:
    """The edition of these documents and statements on that day."""
    return compose_briefing(topic, documents, facts, day)


def milestones(briefing: Briefing) -> list[tuple[str, str, str | None]]:
    """Each milestone's statement, status and the statement of the report that it is done."""
    return [
        (
            briefing.fact(m.fact_id).statement,
            m.status,
            briefing.fact(m.done_fact_id).statement if m.done_fact_id else None,
        )
        for m in briefing.milestones
    ]


DECEMBER = ("in December", date(2024, 12, 1), date(2024, 12, 31))
ANNOUNCED = item(
    "announced",
    "Stars and Stripes",
    date(2024, 11, 20),
    "Space Force to stand up a command in Japan",
    "U.S. Space Forces-Japan will be activated in December. "
    "The command will have about 30 people at first.",
)
ACTIVATED = item(
    "activated",
    "SpaceNews",
    date(2024, 12, 4),
    "U.S. Space Force activates U.S. Space Forces-Japan",
    "The U.S. Space Force on Wednesday activated U.S. Space Forces-Japan at Yokota Air Base.",
)
ANNOUNCEMENT = said(
    ANNOUNCED, "U.S. Space Forces-Japan will be activated in December.", PLAN, DECEMBER
)
ACTIVATION = said(
    ACTIVATED,
    "The U.S. Space Force on Wednesday activated U.S. Space Forces-Japan at Yokota Air Base.",
    EVENT,
    ("on Wednesday", date(2024, 12, 4), date(2024, 12, 4)),
)
ACTIVATION_TITLE = said(ACTIVATED, "U.S. Space Force activates U.S. Space Forces-Japan", EVENT)


def test_a_target_reported_done_shows_done_with_that_report(topic: Topic) -> None:
    """A December activation another item reports on 4 December is done, with that report."""
    briefing = edition(
        [ANNOUNCED, ACTIVATED],
        [ANNOUNCEMENT, ACTIVATION_TITLE, ACTIVATION],
        date(2024, 12, 9),
        topic,
    )
    assert [(ANNOUNCEMENT.statement, "done", ACTIVATION.statement)] == milestones(briefing)


def test_a_target_without_its_report_stays_upcoming(topic: Topic) -> None:
    """Without the report of the activation, the December target is still upcoming."""
    briefing = edition([ANNOUNCED], [ANNOUNCEMENT], date(2024, 12, 9), topic)
    assert [(ANNOUNCEMENT.statement, "upcoming", None)] == milestones(briefing)


def test_an_earlier_step_of_the_story_does_not_complete_a_target(topic: Topic) -> None:
    """A launch reported before a docking's date does not make the docking done."""
    launch = item(
        "launch",
        "NASA",
        date(2023, 8, 26),
        "Crew-7 launches to the space station",
        "Crew-7 lifted off on Saturday for the International Space Station. "
        "The Crew-7 crew is scheduled to dock to the space station Sunday, Aug. 27.",
    )
    lifted = said(
        launch,
        "Crew-7 lifted off on Saturday for the International Space Station.",
        EVENT,
        ("on Saturday", date(2023, 8, 26), date(2023, 8, 26)),
    )
    dock = said(
        launch,
        "The Crew-7 crew is scheduled to dock to the space station Sunday, Aug. 27.",
        PLAN,
        ("Sunday, Aug. 27", date(2023, 8, 27), date(2023, 8, 27)),
    )
    title = said(launch, "Crew-7 launches to the space station", EVENT)
    briefing = edition([launch], [title, lifted, dock], date(2023, 9, 1), topic)
    assert [(dock.statement, "passed-unreported", None)] == milestones(briefing)


# The same December activation, told by a second outlet in its own words.
OTHER_ANNOUNCED = item(
    "other",
    "Kyodo",
    date(2024, 11, 21),
    "U.S. military to boost space cooperation with Japan",
    "Washington's new space command in Japan, U.S. Space Forces-Japan, is to be activated in "
    "December with a few dozen personnel to coordinate satellite tracking with Japan's Air "
    "Self-Defense Force.",
)
OTHER_ANNOUNCEMENT = said(
    OTHER_ANNOUNCED,
    "Washington's new space command in Japan, U.S. Space Forces-Japan, is to be activated in "
    "December with a few dozen personnel to coordinate satellite tracking with Japan's Air "
    "Self-Defense Force.",
    PLAN,
    DECEMBER,
)


def test_two_outlets_same_announcement_is_one_milestone(topic: Topic) -> None:
    """Two outlets' words for one December activation, left apart by consolidation, are one
    milestone."""
    briefing = edition(
        [ANNOUNCED, OTHER_ANNOUNCED],
        [ANNOUNCEMENT, OTHER_ANNOUNCEMENT],
        date(2024, 11, 25),
        topic,
    )
    statements = {fact.statement for fact in briefing.facts()}
    assert (True, [(ANNOUNCEMENT.statement, "upcoming", None)]) == (
        {ANNOUNCEMENT.statement, OTHER_ANNOUNCEMENT.statement} <= statements,
        milestones(briefing),
    )


def test_a_plan_past_before_its_source_was_published_is_no_milestone(topic: Topic) -> None:
    """'Was to be delivered in March', published in May, is no milestone; August's plan is."""
    article = item(
        "late",
        "SpaceNews",
        date(2024, 5, 10),
        "Satellite delivery slips",
        "The QZS-6 satellite was to be delivered in March. Its launch is scheduled for August.",
    )
    march = said(
        article,
        "The QZS-6 satellite was to be delivered in March.",
        PLAN,
        ("in March", date(2024, 3, 1), date(2024, 3, 31)),
    )
    august = said(
        article,
        "Its launch is scheduled for August.",
        PLAN,
        ("August", date(2024, 8, 1), date(2024, 8, 31)),
    )
    briefing = edition([article], [march, august], date(2024, 5, 13), topic)
    assert [(august.statement, "upcoming", None)] == milestones(briefing)


def test_a_year_read_from_a_headline_is_no_target(topic: Topic) -> None:
    """A headline's '2026' gives no milestone and nothing coming up; the body's plan does."""
    budget = item(
        "budget",
        "SpaceNews",
        date(2025, 5, 2),
        "Trump 2026 space budget would cancel Gateway",
        "The budget proposal would end the Gateway program in fiscal year 2026.",
    )
    fiscal = ("in fiscal year 2026", date(2025, 10, 1), date(2026, 9, 30))
    headline = said(
        budget,
        "Trump 2026 space budget would cancel Gateway",
        PLAN,
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    )
    body = said(
        budget,
        "The budget proposal would end the Gateway program in fiscal year 2026.",
        PLAN,
        fiscal,
    )
    briefing = edition([budget], [headline, body], date(2025, 5, 5), topic)
    assert ([(body.statement, "upcoming", None)], (body.id,)) == (
        milestones(briefing),
        briefing.coming_up,
    )


def test_the_day_a_plan_was_said_is_not_its_target(topic: Topic) -> None:
    """'..., Biden said on Wednesday' dates the saying, not the plan: no milestone."""
    visit = item(
        "visit",
        "Reuters",
        date(2024, 4, 10),
        "Japanese astronaut to land on the Moon",
        "A Japanese astronaut will join a future U.S. mission to the Moon, "
        "President Joe Biden said on Wednesday.",
    )
    plan = said(
        visit,
        "A Japanese astronaut will join a future U.S. mission to the Moon, "
        "President Joe Biden said on Wednesday.",
        PLAN,
        ("on Wednesday", date(2024, 4, 10), date(2024, 4, 10)),
    )
    assert [] == milestones(edition([visit], [plan], date(2024, 4, 15), topic))


H3_DAY = ("on Saturday", date(2024, 2, 17), date(2024, 2, 17))
H3_KYODO = item(
    "h3-kyodo",
    "Kyodo",
    date(2024, 2, 17),
    "Japan's H3 rocket reaches orbit on its second flight",
    "Japan's H3 rocket reached orbit on Saturday from the Tanegashima Space Center. "
    "Its two small satellites separated from the upper stage on Saturday as planned. "
    "The first H3 rocket failed in March last year.",
)
H3_NHK = item(
    "h3-nhk",
    "NHK",
    date(2024, 2, 18),
    "H3 rocket reaches orbit from Tanegashima on second flight",
    "JAXA officials cheered on Saturday in the Tanegashima control room as the H3 rocket "
    "reached orbit on its second flight, after the first H3 rocket failed last year.",
)
H3_FACTS = [
    said(H3_KYODO, "Japan's H3 rocket reaches orbit on its second flight", EVENT),
    said(
        H3_KYODO,
        "Japan's H3 rocket reached orbit on Saturday from the Tanegashima Space Center.",
        EVENT,
        H3_DAY,
    ),
    said(
        H3_KYODO,
        "Its two small satellites separated from the upper stage on Saturday as planned.",
        EVENT,
        H3_DAY,
    ),
    said(H3_NHK, "H3 rocket reaches orbit from Tanegashima on second flight", EVENT),
    said(
        H3_NHK,
        "JAXA officials cheered on Saturday in the Tanegashima control room as the H3 rocket "
        "reached orbit on its second flight, after the first H3 rocket failed last year.",
        EVENT,
        H3_DAY,
    ),
]


def test_one_timeline_row_per_story_and_day(topic: Topic) -> None:
    """Three statements of the H3's success on 17 February, one story, are one timeline row,
    its most central statement; another event that day keeps its own row."""
    other = item(
        "debris",
        "SpaceNews",
        date(2024, 2, 17),
        "Astroscale spacecraft launched to inspect debris",
        "A Rocket Lab Electron launched the ADRAS-J spacecraft for Astroscale on Saturday.",
    )
    adras = said(
        other,
        "A Rocket Lab Electron launched the ADRAS-J spacecraft for Astroscale on Saturday.",
        EVENT,
        H3_DAY,
    )
    briefing = edition([H3_KYODO, H3_NHK, other], [*H3_FACTS, adras], date(2024, 2, 20), topic)
    (story,) = [s for s in briefing.stories if H3_FACTS[0].id in s.fact_ids]
    dated = [fact_id for fact_id in story.fact_ids if briefing.fact(fact_id).when is not None]
    assert (3, [H3_FACTS[1].statement, adras.statement]) == (
        len(dated),
        [briefing.fact(fact_id).statement for fact_id in briefing.timeline],
    )


MARCH_2025 = ("in March 2025", date(2025, 3, 1), date(2025, 3, 31))
HTV = item(
    "htv",
    "NHK",
    date(2024, 10, 1),
    "JAXA sets date for the second HTV-X flight",
    "The second HTV-X cargo flight to the space station is scheduled in March 2025.",
)
HTV_PLAN = said(
    HTV,
    "The second HTV-X cargo flight to the space station is scheduled in March 2025.",
    PLAN,
    MARCH_2025,
)


def test_a_future_statement_is_coming_up_only_before_its_time(topic: Topic) -> None:
    """The March 2025 flight is coming up in a December 2024 edition, not in an April 2025 one."""
    before = edition([HTV], [HTV_PLAN], date(2024, 12, 2), topic)
    after = edition([HTV], [HTV_PLAN], date(2025, 4, 7), topic)
    assert ((HTV_PLAN.id,), ()) == (before.coming_up, after.coming_up)


def test_coming_up_is_soonest_first_and_one_per_target(topic: Topic) -> None:
    """Two outlets' December activation is one entry, before the March 2025 flight."""
    briefing = edition(
        [HTV, ANNOUNCED, OTHER_ANNOUNCED],
        [HTV_PLAN, ANNOUNCEMENT, OTHER_ANNOUNCEMENT],
        date(2024, 11, 25),
        topic,
    )
    assert (ANNOUNCEMENT.id, HTV_PLAN.id) == briefing.coming_up


def test_a_deadline_met_early_is_done_and_not_coming_up(topic: Topic) -> None:
    """An activation due by March, reported in February, is done, not coming up, in February."""
    due = item(
        "due",
        "Stars and Stripes",
        date(2025, 1, 6),
        "Space Force command in Japan due by March",
        "U.S. Space Forces-Japan will be activated by March 2025.",
    )
    plan = said(
        due,
        "U.S. Space Forces-Japan will be activated by March 2025.",
        PLAN,
        ("by March 2025", date(2025, 3, 1), date(2025, 3, 31)),
        qualifier="by",
    )
    done = item(
        "done",
        "SpaceNews",
        date(2025, 2, 12),
        "U.S. Space Force activates U.S. Space Forces-Japan",
        "The U.S. Space Force on Monday activated U.S. Space Forces-Japan at Yokota Air Base.",
    )
    event = said(
        done,
        "The U.S. Space Force on Monday activated U.S. Space Forces-Japan at Yokota Air Base.",
        EVENT,
        ("on Monday", date(2025, 2, 10), date(2025, 2, 10)),
    )
    title = said(done, "U.S. Space Force activates U.S. Space Forces-Japan", EVENT)
    briefing = edition([due, done], [plan, title, event], date(2025, 2, 14), topic)
    assert ([(plan.statement, "done", event.statement)], ()) == (
        milestones(briefing),
        briefing.coming_up,
    )


def test_milestone_problems_counts_a_contradiction_and_a_repeat(topic: Topic) -> None:
    """A December activation left 'passed' beside the story reporting it is a contradiction,
    and a second milestone of the same flight a repeat; the composed edition has neither."""
    other = item(
        "other-htv",
        "Kyodo",
        date(2024, 10, 2),
        "Second HTV-X mission planned next spring",
        "JAXA aims to fly its second HTV-X cargo ship, carrying supplies for the ISS crew, in "
        "March 2025.",
    )
    repeat = said(
        other,
        "JAXA aims to fly its second HTV-X cargo ship, carrying supplies for the ISS crew, in "
        "March 2025.",
        PLAN,
        MARCH_2025,
    )
    documents = [ANNOUNCED, ACTIVATED, HTV, other]
    facts = [ANNOUNCEMENT, ACTIVATION_TITLE, ACTIVATION, HTV_PLAN, repeat]
    clean = edition(documents, facts, date(2025, 1, 6), topic)
    flawed = Briefing.model_validate(
        {
            **clean.model_dump(),
            "milestones": [
                {"fact_id": ANNOUNCEMENT.id, "status": "passed-unreported"},
                {"fact_id": HTV_PLAN.id, "status": "upcoming"},
                {"fact_id": repeat.id, "status": "upcoming"},
            ],
        }
    )
    assert (
        ([], []),
        ([ANNOUNCEMENT.id], [repeat.id]),
    ) == (milestone_problems(clean, topic), milestone_problems(flawed, topic))


def test_a_done_milestone_renders_with_its_status_in_words(topic: Topic) -> None:
    """The HTML edition names the done activation's status in words, once, with the report
    that says it was done."""
    briefing = edition(
        [ANNOUNCED, ACTIVATED],
        [ANNOUNCEMENT, ACTIVATION_TITLE, ACTIVATION],
        date(2024, 12, 9),
        topic,
    )
    html = render_html(briefing, PROJECT_ROOT / "templates", standalone=True)
    assert 1 == html.count("<td>Done; reported in the sources: <q>")
