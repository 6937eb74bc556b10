"""View-only share links: the buyer reads the asset's page but never gets its file. Links
to decks are view only unless their maker says otherwise."""

import re

import pytest
from sqlalchemy import select

from content.usage import share_links
from content.usage.models import ShareLink
from portal.kernel.extensions import db
from tests.content.helpers import pptx_bytes
from tests.content.usage_helpers import BROWSER, share, signed_in
from tests.factories import SQLITE_ONLY, make_asset, pdf_bytes, token_headers

BUYER = {"User-Agent": BROWSER}


@pytest.fixture
def deck(users):
    return make_asset(users["marketer"], "Pitch deck", file=("pitch.pptx", pptx_bytes()))


@SQLITE_ONLY
def test_links_to_decks_are_view_only_unless_the_maker_says(deck, users):
    paper = make_asset(users["marketer"], "Whitepaper", file=("paper.pdf", pdf_bytes()))
    words = make_asset(users["marketer"], "Words only")
    rep = users["rep"]

    assert share(deck, rep)[0].view_only is True
    assert share(paper, rep)[0].view_only is False
    assert share(words, rep)[0].view_only is False
    assert share(deck, rep, view_only=False)[0].view_only is False
    assert share(paper, rep, view_only=True)[0].view_only is True


def test_a_view_only_links_file_is_refused_inline_or_not(client, users):
    content = pdf_bytes("Confidential pricing")
    paper = make_asset(users["marketer"], "Whitepaper", file=("paper.pdf", content))
    _link, token = share(paper, users["rep"], view_only=True)
    _open, open_token = share(paper, users["rep"])

    page = client.get(f"/s/{token}", headers=BUYER)
    refused = [
        client.get(f"/s/{token}/file", headers=BUYER),
        client.get(f"/s/{token}/file?inline=1", headers=BUYER),
    ]
    allowed = client.get(f"/s/{open_token}/file", headers=BUYER)

    assert page.status_code == 200
    assert f"/s/{token}/file" not in page.text
    assert "cannot be downloaded" in page.text
    for answer in refused:
        assert answer.status_code == 403
        assert answer.mimetype == "text/html"
        assert content not in answer.data
        assert "This file cannot be downloaded" in answer.text
    assert allowed.status_code == 200
    assert allowed.data == content


@SQLITE_ONLY
def test_the_share_form_offers_view_only_for_decks_and_the_lists_say_which(app, deck, users):
    rep = signed_in(app, users["rep"])

    panel = rep.get(f"/assets/{deck.id}").text
    rep.form(f"/assets/{deck.id}/share-links", {"recipient": "Pat", "view_only": "0"})
    rep.form(f"/assets/{deck.id}/share-links", {"recipient": "Sam"})
    links = {link.recipient: link for link in db.session.scalars(select(ShareLink))}
    listed = rep.get("/share-links").text
    detail = rep.get(f"/share-links/{links['Sam'].id}").text

    assert re.search(r'<input[^>]*checked[^>]*value="1"|<input[^>]*value="1"[^>]*checked', panel)
    assert "View only (no download)" in panel
    assert links["Pat"].view_only is False
    assert links["Sam"].view_only is True  # not said: the deck's default
    assert "Download allowed" in listed
    assert "View only" in listed
    assert "View only" in detail


@SQLITE_ONLY
def test_the_api_makes_and_shows_view_only_links(app, deck, users):
    client, headers = app.test_client(), token_headers(users["rep"])
    url = f"/api/v1/assets/{deck.id}/share-links"

    by_default = client.post(url, json={}, headers=headers)
    downloadable = client.post(url, json={"view_only": False}, headers=headers)
    refused = client.post(url, json={"view_only": "yes"}, headers=headers)
    listed = client.get("/api/v1/share-links", headers=headers).json["items"]

    assert by_default.status_code == 201
    assert by_default.json["view_only"] is True
    assert downloadable.json["view_only"] is False
    assert refused.status_code == 422
    assert sorted(item["view_only"] for item in listed) == [False, True]
    assert share_links.view_only_by_default(deck)
