"""Boilerplate of feed items: footers, credits, calls to action, share links and cut-off teasers
are named, in a paragraph of their own or after the teaser; the reporting around them is not."""

from collections import Counter

import pytest

from briefing.extract import boilerplate
from briefing.extract.boilerplate import classify_paragraph, classify_sentence
from briefing.extract.segment import Span, split_sentences


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The post H3 launches first HTV-X cargo spacecraft appeared first on SpaceNews.",
            "feed footer",
        ),
        ("The post Zammad Zero-Days Exploited appeared first on SecurityWeek .", "feed footer"),
        ("appeared first on SpaceNews.", "feed footer"),  # after a headline ending in "?"
        (
            "This article is republished from The Conversation under a Creative Commons license.",
            "feed footer",
        ),
        ("Credit: NASA/Joel Kowsky", "photo caption"),
        ("Image credit: JAXA", "photo caption"),
        ("Image: JAXA", "photo caption"),
        ("(Photo: Kyodo)", "photo caption"),
        ("Photo by Bill Ingalls/NASA", "photo caption"),
        ("Getty Images", "photo caption"),
        ("AFP", "photo caption"),
        ("ROMAN PILIPEY/AFP via Getty Images", "photo caption"),
        ("NASA/Aubrey Gemignani", "photo caption"),
        ("Read more", "call to action"),
        ("Read more »", "call to action"),
        ("Continue reading →", "call to action"),
        ("Continue reading JAXA signs lunar rover deal at Kyodo News", "call to action"),
        ("Read the full story.", "call to action"),
        ("Read the original article.", "call to action"),
        ("Subscribe to SpaceNews for the latest on the space industry.", "call to action"),
        ("Sign up for our newsletter.", "call to action"),
        ("Click here to watch the launch.", "call to action"),
        ("Follow us on X and Facebook.", "call to action"),
        ("Download the app.", "call to action"),
        ("Watch the video.", "call to action"),
        ("Listen to the podcast.", "call to action"),
        ("JAXA and NASA signed an agreement on rovers… Continue reading →", "call to action"),
        ("Share this:", "share or related links"),
        ("Share on Facebook", "share or related links"),
        ("Tweet", "share or related links"),
        ("Like this:", "share or related links"),
        ("Related:", "share or related links"),
        ("Related posts", "share or related links"),
        ("You may also like", "share or related links"),
        ("[…]", "truncated excerpt"),
        ("[...]", "truncated excerpt"),
        (
            "JAXA and NASA signed an agreement on pressurized lunar rovers [...]",
            "truncated excerpt",
        ),
        (
            "The Tianwen-2 spacecraft […] The post China to launch Tianwen-2 asteroid sampling "
            "mission on May 28 appeared first on SpaceNews.",
            "feed footer",
        ),
    ],
)
def test_classify_sentence_names_feed_boilerplate(sentence: str, expected: str) -> None:
    """Footers, credits, calls to action, share links and cut-off teasers as they appear in
    SpaceNews, WordPress, Jetpack, Getty and Kyodo feeds are each named."""
    assert expected == classify_sentence(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The post of ambassador to Japan has been vacant since July, the State Department said.",
        "The post of ambassador appeared first on the agenda of the talks in Tokyo.",
        "The anomaly appeared first on the second stage, JAXA said in a statement.",
        "Officials urged lawmakers to read more about the Artemis Accords before the vote.",
        "NASA credited JAXA with the idea of the pressurized rover for Artemis missions.",
        "The images by Hayabusa2 show a rubble-pile asteroid shaped like a spinning top.",
        "Image analysis by JAXA shows the SLIM lander came to rest on its nose.",
        "Shares of ispace rose 20% in Tokyo on Tuesday after the landing attempt.",
        "Subscribers to the Artemis Accords now number more than 40 nations.",
        "Related research by JAXA found the risk from orbital debris was rising.",
        "“We will […] cooperate closely on the Moon,” Prime Minister Kishida said.",
        "Japan's H3 rocket launched the ALOS-3 satellite on Tuesday, Kyodo reported.",
        "He said the agreement was signed by NASA/JAXA officials at the ceremony.",
        "Watch for the launch at 9:22 a.m. JST, JAXA told reporters on Monday.",
        "Follow-up talks on space situational awareness will take place in Tokyo.",
        "Like the U.S., Japan has pledged not to conduct destructive ASAT tests.",
    ],
)
def test_reporting_that_resembles_boilerplate_is_kept(sentence: str) -> None:
    """Sentences of real reporting that share words with feed furniture ("The post of
    ambassador", "read more about", "credited", "appeared first on the second stage") are
    neither a boilerplate sentence nor a boilerplate paragraph."""
    assert (None, None) == (
        classify_sentence(sentence),
        classify_paragraph(sentence, Counter([sentence])),
    )


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "The post NASA extends seat barter agreement with Roscosmos into 2027 appeared "
            "first on SpaceNews.",
            "feed footer",
        ),
        ("Read more: Japan’s SLIM lander wakes up after lunar night.", "call to action"),
        ("Related: Japan’s H3 rocket reaches orbit on second try.", "share or related links"),
        ("Share this:", "share or related links"),
        ("[…]", "truncated excerpt"),
        ("Officials sign the agreement at NASA Headquarters. Getty Images", "photo caption"),
        ("Astronauts train at Johnson Space Center. (Photo courtesy of JAXA)", "photo caption"),
        ("U.S. and Japan Sign Framework Agreement for Space Cooperation", "heading"),
        ("JAXA and NASA signed an agreement on pressurized lunar rovers. Read more", None),
        ("Japan launched its first HTV-X cargo ship to the ISS on Sunday. Share this:", None),
    ],
)
def test_classify_paragraph_names_feed_boilerplate_that_opens_a_paragraph(
    paragraph: str, expected: str | None
) -> None:
    """A paragraph that opens with feed furniture, or is a caption ending in its credit, is
    boilerplate; a teaser followed by "Read more" or "Share this:" is not a heading but reporting
    whose last sentence is left to ``classify_sentence``."""
    assert expected == classify_paragraph(paragraph, Counter([paragraph]))


def test_the_teaser_before_a_footer_in_one_line_is_kept_and_the_footer_named() -> None:
    """A SpaceNews item's line, a teaser, the sentence the feed cut short and the WordPress
    footer, splits into sentences of which only the first is reporting."""
    text = (
        "HELSINKI — China is set to launch its second Tianwen deep space exploration mission late "
        "May, targeting both a near Earth asteroid and a main belt comet. The Tianwen-2 "
        "spacecraft […] The post China to launch Tianwen-2 asteroid sampling mission on May 28 "
        "appeared first on SpaceNews."
    )
    assert None is classify_paragraph(text, Counter([text]))
    assert [
        (
            "HELSINKI — China is set to launch its second Tianwen deep space exploration mission "
            "late May, targeting both a near Earth asteroid and a main belt comet.",
            None,
        ),
        (
            "The Tianwen-2 spacecraft […] The post China to launch Tianwen-2 asteroid sampling "
            "mission on May 28 appeared first on SpaceNews.",
            "feed footer",
        ),
    ] == [
        (span.of(text), classify_sentence(span.of(text)))
        for span in split_sentences(text, Span(0, len(text)))
    ]


def test_a_teaser_with_a_trailing_marker_and_call_to_action_keeps_its_full_sentences() -> None:
    """In "sentence. sentence cut [...] Read more", the full sentence is reporting; the cut one
    runs into the call to action, which names them both."""
    text = (
        "JAXA and NASA signed an agreement on a pressurized lunar rover on April 10. "
        "Toyota will build the rover, which two astronauts [...] Read more"
    )
    assert [None, "call to action"] == [
        classify_sentence(span.of(text)) for span in split_sentences(text, Span(0, len(text)))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The satellite in orbit. | NASA / VIA KYODO",
        "IMAGE CREDİT: JAXA",
        "The launch pad at dawn. Screengrab.",
        "White House photo via Twitter",
        "The rover on the regolith via Getty Images",
        "(Photo: Kyodo)",
        "FİLE PHOTO | Reuters",
        "Photo by Bill Ingalls/NASA",
        "The crew waves. Getty Images",
        "The crew waves. AFP",
        "The crew waves. NASA/Joel Kowsky",
        "Pictured: the H3 on its pad",
        "ſcreengrab",
        "The agency launched the probe on Tuesday.",
    ],
)
def test_a_photo_credit_is_searched_whenever_it_can_match(text: str) -> None:
    """The words looked for first leave out no text the caption pattern matches."""
    assert (boilerplate._PHOTO_CREDIT.search(text) is not None) == boilerplate._photo_credit(text)
