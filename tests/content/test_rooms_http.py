"""Deal rooms over HTTP: the rep's pages from the deal page, the buyer's standalone page
with its viewer, files and page images, and the API. SQLite only: the rules are the
database's business in tests/content/test_rooms_concurrency.py."""

import re

import pytest
from sqlalchemy import select

from content.rooms.models import Room, RoomItem
from portal.kernel.extensions import db
from tests.content.helpers import flashes, pptx_bytes
from tests.content.rooms_helpers import BUYER, WEBP, beacon, make_room, previewed_asset, visit_key
from tests.factories import login, make_app, make_asset, make_user, token_headers


@pytest.fixture
def database() -> str:
    """SQLite only (see the module's docstring)."""
    return "sqlite"


@pytest.fixture
def deck(users):
    return previewed_asset(users["marketer"], "Pricing deck", pages=3)


@pytest.fixture
def slides(users):
    return make_asset(users["marketer"], "Pitch slides", file=("pitch.pptx", pptx_bytes()))


def _attach(client, deal, *assets):
    for asset in assets:
        client.form(f"/deals/{deal.id}/assets", {"asset_id": asset.id, "note": ""})


def test_the_rep_makes_a_room_on_the_deal_page_and_sees_the_link_once(
    app, users, deal, deck, slides
):
    rep = login(app.test_client(), users["rep"])
    _attach(rep, deal, deck, slides)
    form = rep.get(f"/deals/{deal.id}").text
    assert "Make a deal room" in form
    assert "No rooms for this deal yet" in form

    made = rep.form(
        f"/deals/{deal.id}/rooms",
        {"title": "Acme: pricing", "note": "Hi", "assets": [deck.id, slides.id],
         "expires_in_days": "14"},
    )  # fmt: skip
    refused = rep.form(f"/deals/{deal.id}/rooms", {"title": " ", "assets": [deck.id]})

    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "private, no-store"
    link = re.search(r'value="(http://localhost/r/[^"]+)"', made.text)[1]
    room = db.session.scalars(select(Room)).one()
    assert [(i.asset_id, i.view_only) for i in room.items] == [(deck.id, False), (slides.id, True)]
    assert refused.status_code == 302
    assert db.session.scalar(select(Room.id).where(Room.id != room.id)) is None
    deal_page = rep.get(f"/deals/{deal.id}").text
    assert "Acme: pricing" in deal_page
    assert "Not opened yet" in deal_page
    assert link not in rep.get(f"/rooms/{room.id}").text
    assert "Nobody has opened this room yet" in rep.get(f"/rooms/{room.id}").text


def test_who_sees_a_room_follows_the_deal(app, users, deal, deck):
    room, _token = make_room(users["rep"], deal, [deck])
    leader = login(app.test_client(), users["leader"])
    stranger = login(app.test_client(), make_user("rep"))
    marketer = login(app.test_client(), users["marketer"])

    read = leader.get(f"/rooms/{room.id}")
    assert read.status_code == 200
    assert "Change the room" not in read.text
    assert leader.form(f"/rooms/{room.id}/revoke").status_code == 403
    assert stranger.get(f"/rooms/{room.id}").status_code == 404
    assert stranger.form(f"/rooms/{room.id}/revoke").status_code == 404
    assert marketer.get(f"/rooms/{room.id}").status_code == 404
    assert stranger.form(f"/deals/{deal.id}/rooms", {"title": "Mine"}).status_code == 404


def test_the_rep_orders_changes_and_revokes_a_room(app, users, deal, deck, slides):
    room, _token = make_room(users["rep"], deal, [deck, slides])
    first, second = room.items
    rep = login(app.test_client(), users["rep"])

    rep.form(f"/rooms/{room.id}/items/{second.id}/move", {"direction": "up"})
    rep.form(f"/rooms/{room.id}/items/{first.id}/access", {"access": "view"})
    saved = rep.form(
        f"/rooms/{room.id}", {"title": "Acme, again", "note": "New"}, follow_redirects=True
    )
    too_long = rep.form(f"/rooms/{room.id}", {"title": "x" * 300}, follow_redirects=True)
    rep.form(f"/rooms/{room.id}/items/{second.id}/remove")
    revoked = rep.form(f"/rooms/{room.id}/revoke", follow_redirects=True)

    db.session.expire_all()
    assert "Room saved." in flashes(saved.text)
    assert flashes(too_long.text)
    assert room.title == "Acme, again"
    assert [(i.id, i.view_only) for i in room.items] == [(first.id, True)]
    assert room.state == "revoked"
    assert "the buyer now sees" in " ".join(flashes(revoked.text))


def test_the_buyers_page_shows_the_note_the_viewer_and_only_allowed_downloads(
    app, client, users, deal, deck, slides
):
    room, token = make_room(
        users["rep"], deal, [deck, slides], note="Read **this**<script>alert(1)</script>"
    )
    deck_item, slides_item = room.items

    page = client.get(f"/r/{token}", headers=BUYER)
    image = client.get(f"/r/{token}/items/{deck_item.id}/pages/2", headers=BUYER)
    beyond = client.get(f"/r/{token}/items/{deck_item.id}/pages/4", headers=BUYER)
    download = client.get(f"/r/{token}/items/{deck_item.id}/file", headers=BUYER)
    refused = client.get(f"/r/{token}/items/{slides_item.id}/file", headers=BUYER)

    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "<strong>this</strong>" in page.text
    assert "<script>alert" not in page.text
    assert 'data-beacon-url="/r/' in page.text
    assert f'data-item="{deck_item.id}"' in page.text
    assert f"/r/{token}/items/{deck_item.id}/pages/3" in page.text
    assert f"/r/{token}/items/{deck_item.id}/file" in page.text
    assert f"/r/{token}/items/{slides_item.id}/file" not in page.text
    assert 'class="site-nav' not in page.text
    assert (image.status_code, image.data) == (200, WEBP)
    assert beyond.status_code == 404
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF")
    assert refused.status_code == 403
    assert b"PK" not in refused.data
    assert "Set-Cookie" not in refused.headers


def test_the_api_makes_lists_reads_changes_and_revokes_rooms(app, client, users, deal, deck):
    headers = token_headers(users["rep"])
    other = make_asset(users["marketer"], "Case study")
    body = {"deal_id": deal.id, "title": "Acme", "items": [{"asset_id": deck.id}]}

    made = client.post("/api/v1/rooms", json=body, headers=headers)
    room_id = made.json["id"]
    listed = client.get("/api/v1/rooms", headers=headers)
    read = client.get(f"/api/v1/rooms/{room_id}", headers=headers)
    changed = client.patch(
        f"/api/v1/rooms/{room_id}",
        json={"title": "Acme 2", "items": [{"asset_id": other.id}, {"asset_id": deck.id,
              "view_only": True}], "expires_in_days": 3},
        headers=headers,
    )  # fmt: skip
    hidden = client.get(f"/api/v1/rooms/{room_id}", headers=token_headers(make_user("rep")))
    revoked = client.post(f"/api/v1/rooms/{room_id}/revoke", headers=headers)
    bad = client.post("/api/v1/rooms", json={**body, "expires_in_days": 0}, headers=headers)

    assert made.status_code == 201
    assert made.json["link"].startswith("http://localhost/r/")
    assert "link" not in listed.json["items"][0]
    assert "link" not in read.json
    assert read.json["recent_visits"] == []
    assert changed.status_code == 200, changed.text
    assert changed.json["title"] == "Acme 2"
    assert [(i["asset_id"], i["view_only"]) for i in changed.json["items"]] == [
        (other.id, False),
        (deck.id, True),
    ]
    assert hidden.status_code == 404
    assert revoked.json["state"] == "revoked"
    assert bad.status_code == 422
    assert db.session.scalar(select(RoomItem.id).where(RoomItem.room_id != room_id)) is None
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/rooms", "/api/v1/rooms/{room_id}", "/api/v1/rooms/{room_id}/revoke"} <= set(
        paths
    )


def test_engagement_depth_shows_in_the_usage_report_and_on_the_asset_page(
    app, client, users, deal, deck
):
    room, token = make_room(users["rep"], deal, [deck])
    marketer = login(app.test_client(), users["marketer"])
    before = marketer.get(f"/assets/{deck.id}").text
    opened = client.get(f"/r/{token}", headers=BUYER)
    opened.close()
    key = visit_key(opened.text)
    item = room.items[0].id
    beacon(client, token, key, 1, [(item, 1, 100_000), (item, 2, 30_000)])

    report = client.get(
        "/api/v1/reports/content-usage", headers=token_headers(users["leader"])
    ).json["items"]
    after = marketer.get(f"/assets/{deck.id}").text

    assert "no buyer visit has measured it yet" in before
    assert [row["engagement"] for row in report if row["title"] == "Pricing deck"] == [
        "2 min 10 s · 2 pages"
    ]
    assert "2 min 10 s · 2 pages" in after
    csv = login(app.test_client(), users["leader"]).get("/reports/content-usage?format=csv")
    assert "2 min 10 s · 2 pages" in csv.text


def test_the_buyers_pages_and_beacons_are_rate_limited_per_address(tmp_path):
    app = make_app(
        "sqlite://", tmp_path, RATELIMIT_ENABLED=True, ROOM_RATE_LIMIT="1/minute",
        ROOM_BEACON_RATE_LIMIT="2/minute",
    )  # fmt: skip
    with app.app_context():
        client = app.test_client()
        pages = [client.get("/r/short").status_code, client.get("/r/short").status_code]
        beacons = [beacon(client, "short", "v" * 32, n, []).status_code for n in (1, 2, 3)]

    assert pages == [404, 429]
    assert beacons == [404, 404, 429]
