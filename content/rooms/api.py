"""JSON API for deal rooms: list yours, make one, read one with its visits, change it,
revoke it. The buyer's link is in the answer that makes the room, and nowhere else."""

from flask import Blueprint, url_for
from sqlalchemy import select

from content.deals import services as deals
from content.library.models import Asset
from content.rooms import queries
from content.rooms import services as rooms
from content.rooms.models import Room as RoomRow
from content.rooms.schemas import (
    ItemReading,
    NewRoom,
    NewRoomInput,
    Room,
    RoomChanges,
    RoomItemInput,
    RoomList,
    RoomQuery,
    RoomWithVisits,
    Visit,
)
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.schemas import Created, created, operation

bp = Blueprint("rooms_api", __name__)

RECENT_VISITS = 20


def _new_items(items: list[RoomItemInput]) -> list[rooms.NewItem]:
    ids = [item.asset_id for item in items]
    found = {a.id: a for a in db.session.scalars(select(Asset).where(Asset.id.in_(ids)))}
    return [rooms.NewItem(found.get(item.asset_id), item.view_only) for item in items]


def _with_visits(room: RoomRow) -> RoomWithVisits:
    page = queries.visits(room, 1, RECENT_VISITS)
    recent = [
        Visit.read(
            summary.visit,
            visitor=summary.visitor,
            items=[ItemReading.read(reading) for reading in summary.items],
        )
        for summary in page.items
    ]
    return RoomWithVisits.shown(queries.room_stats([room])[0], recent_visits=recent)


@bp.get("/rooms")
@operation("Your deal rooms, newest first", answer="A page of rooms")
def list_rooms(query: RoomQuery, user: User) -> RoomList:
    return RoomList.of(queries.rooms_of(user, *query.pages()), Room.shown)


@bp.post("/rooms")
@operation(
    "Make a deal room for one of your deals; the buyer's link is in this answer only",
    answer="The new room with its link",
    errors=(403, 404, 409),
)
def create_room(body: NewRoomInput, user: User) -> Created[NewRoom]:
    deal = deals.get_visible_deal(user, body.deal_id)
    room, token = rooms.create_room(
        user, deal, body.title, body.note, _new_items(body.items), body.expires_in_days
    )
    link = url_for("room_public.page", token=token, _external=True)
    made = NewRoom.shown(queries.room_stats([room])[0], link=link)
    return created(made, ".get_room", room_id=room.id)


@bp.get("/rooms/<id:room_id>")
@operation("Read one room with its recent visits", answer="The room")
def get_room(room_id: int, user: User) -> RoomWithVisits:
    return _with_visits(rooms.get_room(user, room_id))


def _replace_items(room: RoomRow, user: User, items: list[RoomItemInput]) -> None:
    """Make the room hold ``items`` in that order: others leave, new ones join."""
    wanted = _new_items(items)
    keep = {new.asset.id for new in wanted if new.asset is not None}
    for item in list(room.items):
        if item.asset_id not in keep:
            rooms.remove_item(room, user, item)
    order = []
    for new, sent in zip(wanted, items, strict=True):
        item, _added = rooms.add_item(room, user, new.asset, sent.view_only)
        if sent.view_only is not None:
            rooms.set_view_only(room, user, item, sent.view_only)
        if item.id not in order:
            order.append(item.id)
    rooms.reorder(room, user, order)


@bp.patch("/rooms/<id:room_id>")
@operation(
    "Change your room; fields left out keep their values",
    answer="The room as saved",
    errors=(403, 409),
)
def update_room(room_id: int, body: RoomChanges, user: User) -> RoomWithVisits:
    room = rooms.get_room(user, room_id)
    if body.given("title") or body.given("note"):
        title = body.title if body.given("title") else room.title
        note = body.note if body.given("note") else room.note
        rooms.update_room(room, user, title, note)
    if body.given("items") and body.items is not None:
        _replace_items(room, user, body.items)
    if body.given("expires_in_days") and body.expires_in_days is not None:
        rooms.set_expiry(room, user, body.expires_in_days)
    db.session.expire(room)
    return _with_visits(rooms.get_room(user, room_id))


@bp.post("/rooms/<id:room_id>/revoke")
@operation("Stop the room's link working now", answer="The room, revoked", errors=(403,))
def revoke_room(room_id: int, user: User) -> Room:
    room = rooms.get_room(user, room_id)
    rooms.revoke(room, user)
    return Room.shown(queries.room_stats([room])[0])
