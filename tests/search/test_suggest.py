"""Search as you type: after two letters the search box suggests titles of assets the
user may find and agreed glossary terms, from a session JSON route."""

from flask import current_app

from portal.kernel.extensions import db
from portal.kernel.suggestions import suggest
from tests.factories import make_asset
from workflows.glossary.models import GlossaryTerm
from workflows.review.machine import transition


def term(proposer, name: str, aliases: str = "", status: str = "agreed") -> GlossaryTerm:
    made = GlossaryTerm(name=name, name_key=name.casefold(), aliases=aliases,
                        definition="Defined.", status=status, proposer_id=proposer.id)  # fmt: skip
    db.session.add(made)
    db.session.commit()
    return made


def labels(user, text: str) -> list[tuple[str, str]]:
    with current_app.test_request_context():  # suggestions carry links
        return [(found.kind, found.label) for found in suggest(user, text)]


def test_titles_that_start_with_the_text_come_before_titles_with_a_word_that_does(marketer, rep):
    make_asset(marketer, "The pricing guide")
    make_asset(marketer, "Pricing one-pager")
    make_asset(marketer, "Spreadsheet tips")  # "pr" inside a word is no match

    assert labels(rep, "pr") == [("Asset", "Pricing one-pager"), ("Asset", "The pricing guide")]
    assert labels(rep, "PRICING  ONE") == [("Asset", "Pricing one-pager")]


def test_only_assets_the_user_may_find_are_suggested(marketer, rep):
    make_asset(marketer, "Pricing draft", publish=False)
    archived = make_asset(marketer, "Pricing archive")
    transition(archived, marketer, "archive")
    db.session.commit()

    assert labels(rep, "pricing") == []
    assert labels(marketer, "pricing") == [], "authors too: the box searches what is live"


def test_agreed_glossary_terms_by_name_or_other_name(marketer, rep):
    term(marketer, "MQL", aliases="marketing qualified lead, Lead score")
    term(marketer, "Marketing plan", status="proposed")

    assert labels(rep, "mq") == [("Glossary", "MQL")]
    assert labels(rep, "marketing") == [("Glossary", "MQL")]
    assert labels(rep, "lead sc") == [("Glossary", "MQL")]


def test_fewer_than_two_letters_and_wildcards_suggest_nothing(marketer, rep):
    make_asset(marketer, "Pricing one-pager")
    make_asset(marketer, "100% uptime")

    assert labels(rep, "p") == []
    assert labels(rep, "  p ") == []
    assert labels(rep, "%%") == []
    assert labels(rep, "__") == []
    assert labels(rep, "10") == [("Asset", "100% uptime")]


def test_the_route_answers_json_with_links(client_as, marketer, rep):
    asset = make_asset(marketer, "Pricing one-pager")
    glossary = term(marketer, "Pricing model")

    answer = client_as("rep").get("/search/suggest?q=pri").json

    assert answer == {
        "suggestions": [
            {"label": "Pricing model", "url": f"/glossary/{glossary.id}", "kind": "Glossary"},
            {"label": "Pricing one-pager", "url": f"/assets/{asset.id}", "kind": "Asset"},
        ]
    }
    assert client_as("rep").get("/search/suggest?q=p").json == {"suggestions": []}


def test_the_route_needs_a_signed_in_user(client):
    response = client.get("/search/suggest?q=pricing")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_search_box_asks_the_route_and_stays_a_plain_form(client_as):
    page = client_as("rep").get("/library").text

    assert 'data-suggest="/search/suggest"' in page
    assert '<form method="get" action="/search" role="search"' in page
    assert "/static/search-suggest.js" in page
