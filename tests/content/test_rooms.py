"""Deal rooms, the rules: a rep makes a room for their own deal with live external
assets; buyers open it by its link until it expires or is revoked; assets that leave the
library drop out; each buyer visit's reading time is counted once per beacon, clamped,
and never from robots or signed-in users; the rep hears of the first open and of each
new visitor. SQLite only: the database does not change these rules (the concurrency test
runs both)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from content.rooms import queries, visits
from content.rooms import services as rooms
from content.rooms.models import Room, RoomBeacon, RoomPageView, RoomVisit
from content.usage.models import UsageEvent
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.notifications import Notification
from tests.content.helpers import pptx_bytes
from tests.content.rooms_helpers import (
    BROWSER_TWO,
    BUYER,
    beacon,
    make_room,
    previewed_asset,
    visit_key,
)
from tests.factories import login, make_asset, make_user
from workflows.review.machine import transition


@pytest.fixture
def database() -> str:
    """SQLite only (see the module's docstring)."""
    return "sqlite"


@pytest.fixture
def deck(users):
    return previewed_asset(users["marketer"], "Pricing deck", pages=4)


@pytest.fixture
def sheet(users):
    return previewed_asset(users["marketer"], "Security sheet", pages=2)


def _rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _open(client, token: str, headers=BUYER) -> str:
    response = client.get(f"/r/{token}", headers=headers)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    response.close()  # runs what the page does after it has gone out
    return response.text


def test_a_rep_makes_rooms_only_for_their_own_deals(users, deal, deck):
    other_rep = make_user("rep")
    room, token = make_room(users["rep"], deal, [deck], note="Hello **Acme**")

    assert room.token_hash != token
    assert len(token) >= 43
    assert [item.asset_id for item in room.items] == [deck.id]
    assert room.expires_at - room.created_at == timedelta(days=30)
    with pytest.raises(NotFound):
        rooms.create_room(other_rep, deal, "Mine now")
    with pytest.raises(PermissionDenied):
        rooms.create_room(users["leader"], deal, "Leaders read deals, they do not sell")
    with pytest.raises(NotFound):
        rooms.get_room(other_rep, room.id)
    assert rooms.get_room(users["leader"], room.id) == room
    with pytest.raises(PermissionDenied):
        rooms.update_room(room, users["leader"], "New", "")
    for days in (0, 366, "x"):
        with pytest.raises(ValidationFailed):
            rooms.create_room(users["rep"], deal, "Room", expires_in_days=days)
    with pytest.raises(ValidationFailed):
        rooms.create_room(users["rep"], deal, "   ")


def test_only_live_external_assets_go_in_and_slides_start_view_only(users, deal, deck):
    draft = make_asset(users["marketer"], "Draft", publish=False)
    slides = make_asset(users["marketer"], "Slides", file=("talk.pptx", pptx_bytes()))
    room, _token = make_room(users["rep"], deal, [deck, slides])

    assert [item.view_only for item in room.items] == [False, True]
    with pytest.raises(NotFound):
        rooms.add_item(room, users["rep"], draft)  # a rep may not know drafts exist
    transition(deck, users["marketer"], "archive")
    db.session.commit()
    with pytest.raises(NotFound):  # archived: reps no longer see it
        rooms.create_room(users["rep"], deal, "Room", items=[rooms.NewItem(deck)])
    slides.audience = "internal"
    db.session.commit()
    with pytest.raises(Conflict, match="internal only"):
        rooms.create_room(users["rep"], deal, "Room", items=[rooms.NewItem(slides)])


def test_items_are_ordered_added_once_and_removed(users, deal, deck, sheet):
    room, _token = make_room(users["rep"], deal, [deck])
    item, added = rooms.add_item(room, users["rep"], sheet)
    _same, again = rooms.add_item(room, users["rep"], sheet)
    rooms.move_item(room, users["rep"], item, -1)
    db.session.commit()

    assert (added, again) == (True, False)
    assert [i.asset_id for i in room.items] == [sheet.id, deck.id]
    assert rooms.move_item(room, users["rep"], room.items[0], -1) is False
    rooms.remove_item(room, users["rep"], room.items[0])
    db.session.commit()
    assert [i.asset_id for i in room.items] == [deck.id]


def test_expired_revoked_and_rotated_links_stop_working(app, client, users, deal, deck):
    room, token = make_room(users["rep"], deal, [deck])
    new_token = rooms.new_link(room, users["rep"])
    db.session.commit()

    assert client.get(f"/r/{token}", headers=BUYER).status_code == 404
    assert client.get(f"/r/{new_token}", headers=BUYER).status_code == 200
    db.session.execute(
        update(Room).where(Room.id == room.id).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    expired = client.get(f"/r/{new_token}", headers=BUYER)
    assert expired.status_code == 410
    assert f"ask {users['rep'].name} for a new link" in expired.text
    rooms.set_expiry(room, users["rep"], 7)
    db.session.commit()
    assert client.get(f"/r/{new_token}", headers=BUYER).status_code == 200
    assert rooms.revoke(room, users["rep"]) is True
    db.session.commit()
    assert client.get(f"/r/{new_token}", headers=BUYER).status_code == 410
    assert beacon(client, new_token, "x" * 32, 1, []).status_code == 410


def test_archived_assets_drop_out_for_buyers_and_the_room_keeps_working(
    app, client, users, deal, deck, sheet
):
    room, token = make_room(users["rep"], deal, [deck, sheet])
    transition(deck, users["marketer"], "archive")
    db.session.commit()
    dropped_item = room.items[0]

    page = _open(client, token)
    assert "Security sheet" in page
    assert "Pricing deck" not in page
    assert (
        client.get(f"/r/{token}/items/{dropped_item.id}/pages/1", headers=BUYER).status_code == 404
    )
    rep_page = login(app.test_client(), users["rep"]).get(f"/rooms/{room.id}").text
    assert "Archived</strong> — buyers no longer see it" in rep_page


def test_beacons_add_reading_time_once_per_seq_clamped_to_pages_and_15_minutes(
    client, users, deal, deck, sheet
):
    room, token = make_room(users["rep"], deal, [deck, sheet])
    first, second = room.items
    key = visit_key(_open(client, token))
    views = [(first.id, 1, 4000), (first.id, 2, 99 * 60_000), (first.id, 9, 500), (second.id, 1, 0)]

    answers = [beacon(client, token, key, 1, views).status_code for _ in range(2)]
    answers.append(beacon(client, token, key, 2, [(first.id, 1, 1000), (777, 1, 5)]).status_code)
    answers.append(beacon(client, token, "u" * 32, 3, [(first.id, 1, 1000)]).status_code)

    assert answers == [204, 204, 204, 204]
    db.session.expire_all()
    rows = {(v.item_id, v.page): v.ms for v in db.session.scalars(select(RoomPageView))}
    assert rows == {(first.id, 1): 5000, (first.id, 2): visits.MAX_MS_PER_VIEW}
    assert _rows(RoomBeacon) == 2
    buyer_views = db.session.scalars(
        select(UsageEvent).where(UsageEvent.kind == "buyer_view")
    ).all()
    assert [(e.asset_id, e.room_id, e.deal_id, e.user_id) for e in buyer_views] == [
        (deck.id, room.id, deal.id, users["rep"].id)
    ]
    summary = queries.visits(room, 1, 10).items[0]
    assert [(r.item_id, r.pages_seen, r.seconds) for r in summary.items] == [(first.id, 2, 905)]


def test_bad_beacons_change_nothing(client, users, deal, deck):
    room, token = make_room(users["rep"], deal, [deck])
    key = visit_key(_open(client, token))
    item = room.items[0].id

    for body in ("not json", f'{{"visit": "{key}", "seq": "1", "views": []}}', "[]"):
        response = client.post(f"/r/{token}/beacon", data=body, content_type="application/json")
        assert response.status_code == 400
    huge = beacon(client, token, key, 1, [(item, 1, 5)] * 201)
    assert huge.status_code in (400, 413)
    negative = beacon(client, token, key, 1, [(item, 1, -5)])
    assert negative.status_code == 400
    assert _rows(RoomPageView) == 0
    assert _rows(RoomBeacon) == 0


def test_robots_and_signed_in_users_are_not_visits_and_no_address_is_stored(
    app, client, users, deal, deck
):
    _room, token = make_room(users["rep"], deal, [deck])
    robot = _open(client, token, {"User-Agent": "Slackbot-LinkExpanding 1.0"})
    colleague = _open(login(app.test_client(), users["leader"]), token)
    _open(client, token, {**BUYER, "X-Forwarded-For": "203.0.113.9"})

    assert "data-visit" not in robot
    assert "data-visit" not in colleague
    assert "not counted" in colleague
    visit = db.session.scalars(select(RoomVisit)).one()
    stored = " ".join(str(getattr(visit, c.key)) for c in RoomVisit.__table__.columns)
    assert "127.0.0.1" not in stored
    assert "203.0.113.9" not in stored


def test_the_rep_hears_of_the_first_open_and_of_each_new_visitor_only(
    app, client, users, deal, deck
):
    room, token = make_room(users["rep"], deal, [deck])
    _open(client, token)
    _open(client, token)  # the same buyer again
    _open(client, token, {"User-Agent": BROWSER_TWO})

    db.session.expire_all()
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "buyer_opened").order_by(Notification.id)
    ).all()
    assert [(n.user_id, n.kind, n.link) for n in notes] == [
        (users["rep"].id, "buyer_opened", f"/rooms/{room.id}")
    ] * 2
    assert "for the first time" in notes[0].text
    assert "new visitor" in notes[1].text
    assert _rows(RoomVisit) == 3


def test_engagement_depth_is_the_median_per_buyer_visit(client, users, deal, deck):
    room, token = make_room(users["rep"], deal, [deck])
    item = room.items[0].id
    for seconds, pages in ((30, 1), (130, 4), (400, 2)):
        key = visit_key(_open(client, token))
        views = [(item, page, seconds * 1000 // pages) for page in range(1, pages + 1)]
        beacon(client, token, key, 1, views)

    depth = queries.engagement_depth([deck.id, 999])
    assert list(depth) == [deck.id]
    assert depth[deck.id].label == "2 min 10 s · 2 pages"
    assert depth[deck.id].visits == 3
