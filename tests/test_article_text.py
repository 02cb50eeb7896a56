"""Article text that is the article's: a reader comment the page did not mark, and a French
paragraph behind an English teaser, give no statement."""

from briefing.extract.facts import extract_facts
from briefing.models import Attested, PartialDate, SourceDocument
from briefing.sources.pages import article_text, extract_main_text
from briefing.topic import Topic

HEADLINE = "NASA and JAXA agree on Gateway contributions"
PAGE = f"""<!doctype html><html lang="en"><head><title>{HEADLINE}</title></head><body>
<article>
<h1>{HEADLINE}</h1>
<p>NASA and the Japan Aerospace Exploration Agency signed an agreement on Tuesday under which
Japan will provide the Gateway's habitation module life support system and logistics flights
on its HTV-XG cargo spacecraft.</p>
<p>The agreement also gives Japanese astronauts seats on future Artemis missions to the lunar
Gateway, NASA said in a statement issued in Washington.</p>
<p>L'accord prévoit aussi que l'agence spatiale japonaise fournisse un module d'habitation à la
station lunaire Gateway et des vols de ravitaillement avec son vaisseau HTV-XG.</p>
<div class="thread">
<p>JohnDoe wrote: NASA is wasting money on the Gateway, the whole lunar station is a scam.</p>
<p>The Gateway will never fly and JAXA should keep its money for its own rockets.</p>
</div>
</article>
</body></html>""".encode()


def page_document() -> SourceDocument:
    """The page's main text as the article behind a feed item's teaser."""
    text = article_text(HEADLINE, extract_main_text(PAGE))
    return SourceDocument(
        id="feed-gateway",
        source_type="news",
        outlet=Attested(value="Wire", basis="metadata", origin="channel title"),
        title=Attested(value=HEADLINE, basis="metadata", origin="item title"),
        author=None,
        published=Attested(
            value=PartialDate.model_validate("2024-04-09"), basis="metadata", origin="x"
        ),
        url=None,
        form="feed-item",
        full_article=True,
        fetched_from="https://wire.example/gateway",
        location="https://wire.example/gateway",
        text=text,
    )


def test_a_comment_and_a_french_paragraph_inside_article_give_no_statement(
    topic: Topic,
) -> None:
    """The article's two English paragraphs are statements; the unmarked reader comment (and
    the thread after it) and the French paragraph are not, and are counted as left out."""
    extraction = extract_facts(page_document(), topic)
    openings = [fact.statement[:28] for fact in extraction.facts]
    assert (
        [HEADLINE[:28], "NASA and the Japan Aerospace", "The agreement also gives Jap"],
        {"reader comment": 2, "in another language": 1},
    ) == (
        openings,
        {
            kind: count
            for kind, count in extraction.skipped.items()
            if kind in {"reader comment", "in another language"}
        },
    )
