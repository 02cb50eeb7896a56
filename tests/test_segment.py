"""Sentence splitting of news text: pysbd's spans mended at the abbreviations news is full of."""

import pytest

from briefing.extract.segment import Span, split_sentences, split_windows


def sentences(text: str) -> list[str]:
    """The sentences of a one-paragraph text, as strings."""
    return [span.of(text) for span in split_sentences(text, Span(0, len(text)))]


@pytest.mark.parametrize(
    "text",
    [
        "The H3 rocket lifted off at 9:22 a.m. JST on Feb. 17, carrying the ALOS-3 satellite.",
        "The SLIM lander touched down at 12:20 a.m. Japan time on Jan. 20, JAXA said.",
        "Docking is planned for 3:15 a.m. EDT (0715 GMT) Sunday, Sept. 17, NASA said.",
        "Liftoff is scheduled for 10:28 p.m. EST Tuesday from Kennedy Space Center.",
        "The window opens at 9 a.m. ET and closes at 11 p.m. PT, the agency said.",
        "The spacecraft will fire its engine at 1:05 p.m. Tokyo time to enter lunar orbit.",
        "The briefing begins at 4 p.m. Eastern on NASA's website.",
        "Curiosity landed at 10:32 p.m. PDT on Aug. 5, 2012 (1:32 a.m. EDT on Aug. 6).",
        "The launch is set for 10 p.m. Friday from the Tanegashima Space Center.",
        "The rocket, built by Mitsubishi Heavy Industries Ltd., reached orbit at 10:37 a.m. UTC.",
    ],
)
def test_a_clock_time_followed_by_its_zone_or_day_does_not_end_a_sentence(text: str) -> None:
    """A sentence with a.m. or p.m. followed by a time zone, "Japan time", a weekday or a month
    is one sentence, not cut after the time as pysbd alone cuts every one of these."""
    assert [text] == sentences(text)


def test_a_clock_time_ends_a_sentence_before_a_capitalised_word() -> None:
    """After a.m. or p.m., a capitalised word that is not a zone, day or month opens a new
    sentence, quoted or not."""
    text = (
        "The crew arrived at 10 p.m. The hatch opened at 11:40 p.m. JAXA said the docking went "
        "well. Kibo was pressurised by 2 a.m. “It was flawless,” the flight director said."
    )
    assert [
        "The crew arrived at 10 p.m.",
        "The hatch opened at 11:40 p.m.",
        "JAXA said the docking went well.",
        "Kibo was pressurised by 2 a.m.",
        "“It was flawless,” the flight director said.",
    ] == sentences(text)


def test_titles_do_not_end_a_sentence() -> None:
    """Military, political and academic titles, including the ambassador's "Amb." that pysbd
    does not know, stay with the name they introduce."""
    text = (
        "Amb. Rahm Emanuel and Gen. B. Chance Saltzman met Lt. Col. Tanaka Kenji in Tokyo. "
        "Sen. Maria Cantwell and Rep. Frank Lucas praised Dr. Yamakawa Hiroshi. "
        "Prof. Suzuki Kazuto joined Mr. Kishida, Mrs. Kishida and Ms. Kamikawa at St. Luke's."
    )
    assert [
        "Amb. Rahm Emanuel and Gen. B. Chance Saltzman met Lt. Col. Tanaka Kenji in Tokyo.",
        "Sen. Maria Cantwell and Rep. Frank Lucas praised Dr. Yamakawa Hiroshi.",
        "Prof. Suzuki Kazuto joined Mr. Kishida, Mrs. Kishida and Ms. Kamikawa at St. Luke's.",
    ] == sentences(text)


def test_abbreviations_before_numbers_and_names_do_not_end_a_sentence() -> None:
    """Months before a day, "No." before a number, "approx." and "vs.", initials, company
    suffixes and the initialisms of states and unions stay inside their sentences."""
    text = (
        "Japan and the U.S. signed the framework Jan. 13 and renewed it Sept. 30, 2023. "
        "The U.K. Space Agency, the U.N. office and the E.U. Space Programme joined on Dec. 1. "
        "The H-IIA No. 47 rocket carried approx. 2.7 tons for ispace Inc. and Astroscale Ltd. "
        "John F. Kennedy set the goal; J. Smith of Lockheed Martin Corp. said Japan vs. China."
    )
    assert [
        "Japan and the U.S. signed the framework Jan. 13 and renewed it Sept. 30, 2023.",
        "The U.K. Space Agency, the U.N. office and the E.U. Space Programme joined on Dec. 1.",
        "The H-IIA No. 47 rocket carried approx. 2.7 tons for ispace Inc. and Astroscale Ltd.",
        "John F. Kennedy set the goal; J. Smith of Lockheed Martin Corp. said Japan vs. China.",
    ] == sentences(text)


def test_an_abbreviation_ends_a_sentence_before_a_sentence_opener() -> None:
    """An abbreviation ("U.S.", "U.N.", "Inc.", an initial) at the end of a sentence ends it when
    the next word opens one ("The", "It", "In" ...), even where pysbd ran the two together."""
    text = (
        "The pact was signed in the U.S. The agreement takes effect next year. "
        "Japan raised it at the U.N. In a statement, the ministry welcomed the vote. "
        "The rover was built by ispace Inc. It weighs 5 kilograms. "
        "Engineers fell back on Plan B. The next attempt is in March."
    )
    assert [
        "The pact was signed in the U.S.",
        "The agreement takes effect next year.",
        "Japan raised it at the U.N.",
        "In a statement, the ministry welcomed the vote.",
        "The rover was built by ispace Inc.",
        "It weighs 5 kilograms.",
        "Engineers fell back on Plan B.",
        "The next attempt is in March.",
    ] == sentences(text)


def test_a_capitalised_name_after_an_initialism_is_left_to_pysbd() -> None:
    """After "U.S." a capitalised word that is not a sentence opener is usually a name inside
    the sentence ("Ambassador to the U.S. TOMITA Koji"), so it does not cut one."""
    text = (
        "Japan’s Ambassador to the U.S. TOMITA Koji and U.S. Secretary of State Antony Blinken "
        "attended, as did officers of the U.S. Space Force."
    )
    assert [text] == sentences(text)


def test_punctuation_after_an_abbreviation_stays_in_its_sentence() -> None:
    """A comma that pysbd put at the start of a sentence ("R-Okla. | , said") goes back to the
    sentence it belongs to."""
    text = "The bill, from Rep. Frank Lucas, R-Okla., passed the House Science Committee."
    assert [text] == sentences(text)


def test_mended_sentences_are_exact_spans_of_the_whole_text() -> None:
    """Sentences of a paragraph inside a longer text are spans into that text, joined across
    pysbd's cuts without a character lost or added."""
    text = "Headline\nH3 flew at 9:22 a.m. JST.  Amb.  Emanuel watched.\nNext paragraph."
    paragraph = Span(9, 58)
    spans = split_sentences(text, paragraph)
    assert [Span(9, 34), Span(36, 58)] == spans
    assert ["H3 flew at 9:22 a.m. JST.", "Amb.  Emanuel watched."] == [s.of(text) for s in spans]


def test_a_window_does_not_end_after_an_abbreviation_the_sentence_goes_on_past() -> None:
    """An over-long body is not cut into windows after "a.m." followed by its zone: the window
    ends at the last white space instead."""
    body = "word " * 12 + "at 9 a.m. JST on Feb. 17 " + "more " * 10
    assert [Span(0, 100), Span(100, 135)] == split_windows(body, limit=100)
