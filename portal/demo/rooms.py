"""The demo's deal room: Riley's open Decision deal has a room of two buyer-facing assets,
which two people at the buyer have visited, so the deal page and the room page show what
was read from the first start."""

import secrets
from datetime import timedelta

from sqlalchemy import select

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision
from content.rooms import services as rooms
from content.rooms.models import Room, RoomPageView, RoomVisit, RoomVisitor
from content.rooms.visits import record_first_view
from portal.kernel.extensions import db
from portal.kernel.models import User, hash_token, utcnow

DEAL = "DEMO-OPP-1001"
NOTE = """Thanks for the time today. As promised:

- the **pitch deck** we walked through, and
- the Halvorsen case study your CFO asked about.

Happy to go through either before Thursday's call."""
# The demo's files with several pages: a deck (five slides) and a case study.
TITLES = (
    "Fernhill corporate pitch deck",
    "Halvorsen Manufacturing closes the books six days faster",
)
# Per visit: the visitor, hours after the room was made, and per item the seconds spent
# on each page the buyer read (the previews are rendered after seeding, so pages are
# recorded as read, as beacons would have sent them).
VISITS = (
    ("demo-buyer-cfo", 2, ((48, 35, 22, 40, 12), (30,))),
    ("demo-buyer-controller", 20, ((12, 9), (95,))),
    ("demo-buyer-cfo", 30, ((25, 18, 0, 0, 41), ())),
)


def seed_rooms(users: dict[str, User]) -> dict[str, int]:
    """A room for Riley's open Decision deal, with three visits; nothing when it exists."""
    rep = users["rep@example.com"]
    deal = db.session.scalar(select(Deal).where(Deal.external_id == DEAL))
    if deal is None or db.session.scalar(select(Room.id).where(Room.deal_id == deal.id)):
        return {"rooms_created": 0}
    assets = [_live_asset(title) for title in TITLES]
    if None in assets:
        return {"rooms_created": 0}
    room, _token = rooms.create_room(
        rep,
        deal,
        f"{deal.account}: the platform and its security",
        NOTE,
        [rooms.NewItem(asset) for asset in assets],
    )
    room.created_at = utcnow() - timedelta(days=2)
    for visitor, hours, reading in VISITS:
        _visit(room, visitor, room.created_at + timedelta(hours=hours), reading)
    return {"rooms_created": 1}


def _live_asset(title: str) -> Asset | None:
    """The demo's live asset of this title."""
    return db.session.scalar(
        select(Asset)
        .join(AssetRevision, AssetRevision.id == Asset.live_revision_id)
        .where(AssetRevision.title == title, Asset.live_clause())
    )


def _visit(room: Room, visitor: str, when, reading) -> None:
    visit = RoomVisit(
        room_id=room.id,
        key_hash=hash_token(secrets.token_urlsafe(24)),
        visitor_hash=visitor,
        started_at=when,
        last_seen_at=when + timedelta(seconds=sum(map(sum, reading))),
    )
    db.session.add(visit)
    if db.session.get(RoomVisitor, (room.id, visitor)) is None:
        db.session.add(RoomVisitor(room_id=room.id, visitor_hash=visitor, first_seen_at=when))
    db.session.flush()
    for item, seconds in zip(room.items, reading, strict=True):
        if not seconds:
            continue
        record_first_view(room, visit, item.id, when)
        for page, spent in enumerate(seconds, start=1):
            if spent:
                db.session.add(
                    RoomPageView(visit_id=visit.id, item_id=item.id, page=page, ms=spent * 1000)
                )
    db.session.flush()
