"""What buyers do in a room: each page load is a visit, and the viewer's beacons say how
long each page of each item was shown. Nothing here stores an address or sets a cookie.

A visit's key is made when the page is rendered and embedded in it; the visit row is
written after the page has gone out (``record_open``), so counting never holds up or
breaks the buyer's page. A beacon names its visit by that key and a sequence number: the
(visit, seq) pair is claimed by an insert that does nothing when it exists, so a resent
batch counts once, and each (visit, item, page) row is added to by one upsert, so
concurrent beacons never lose an increment.
"""

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from content.rooms.models import (
    Room,
    RoomBeacon,
    RoomItem,
    RoomPageView,
    RoomVisit,
    RoomVisitItem,
    RoomVisitor,
)
from content.rooms.services import shown_items, shown_revision
from content.usage.events import record_verified
from portal.kernel import events
from portal.kernel.extensions import db
from portal.kernel.models import hash_token, utcnow
from portal.kernel.notifications import notify
from portal.kernel.sql import upsert_insert

KEY_BYTES = 24
# A page shown longer than this in one batch is a tab left open, not reading.
MAX_MS_PER_VIEW = 15 * 60 * 1000
MAX_VIEWS = 200


def new_visit_key() -> str:
    """A fresh random key for one page load of a room."""
    return secrets.token_urlsafe(KEY_BYTES)


def room_path(room_id: int) -> str:
    """The rep's page of a room (``rooms.show``), as a path: notifications are made after
    the buyer's page has gone out, outside any request."""
    return f"/rooms/{room_id}"


@dataclass(frozen=True)
class Open:
    """A buyer's open of a room, as plain values: recorded after the page has been sent,
    when the request's objects are gone."""

    room_id: int
    key: str
    visitor_hash: str

    def record(self) -> None:
        record_open(self.room_id, self.key, self.visitor_hash)


def record_open(room_id: int, key: str, visitor_hash: str) -> RoomVisit | None:
    """Write the visit whose page carries ``key``; the first visit of a visitor the room
    has not seen notifies the rep. None when the room is gone."""
    room = db.session.get(Room, room_id)
    if room is None:
        return None
    now = utcnow()
    visit = RoomVisit(
        room_id=room.id,
        key_hash=hash_token(key),
        visitor_hash=visitor_hash,
        started_at=now,
        last_seen_at=now,
    )
    db.session.add(visit)
    db.session.flush()
    new_visitor = db.session.execute(
        upsert_insert(RoomVisitor)
        .values(room_id=room.id, visitor_hash=visitor_hash, first_seen_at=now)
        .on_conflict_do_nothing(index_elements=[RoomVisitor.room_id, RoomVisitor.visitor_hash])
        .returning(RoomVisitor.room_id)
    ).first()
    if new_visitor is not None:
        _notify_opened(room, first=_only_visitor(room))
    events.publish(
        "share.opened",
        {
            "kind": "deal_room",
            "opened_at": now,
            "room": {"id": room.id, "title": room.title, "url": events.link(room_path(room.id))},
            "deal_id": room.deal_id,
            "shared_by_id": room.created_by_id,
            "new_visitor": new_visitor is not None,
        },
    )
    return visit


def _only_visitor(room: Room) -> bool:
    """Whether the visitor just claimed is the room's only one: its first open."""
    found = db.session.scalars(
        select(RoomVisitor.visitor_hash).where(RoomVisitor.room_id == room.id).limit(2)
    ).all()
    return len(found) == 1


def _notify_opened(room: Room, first: bool) -> None:
    deal = room.deal.name
    if first:
        text = f"Your buyer opened the deal room “{room.title}” ({deal}) for the first time."
    else:
        text = f"A new visitor opened the deal room “{room.title}” ({deal})."
    notify(room.created_by, "buyer_opened", text, room_path(room.id))


@dataclass(frozen=True)
class PageView:
    """One entry of a beacon: ``ms`` milliseconds on ``page`` of item ``item``."""

    item: int
    page: int
    ms: int


def _clamped(room: Room, views: Iterable[PageView]) -> dict[tuple[int, int], int]:
    """The views of items the buyer sees, on pages their file has, summed per (item, page),
    each entry cut to MAX_MS_PER_VIEW; everything else is dropped."""
    pages = {}
    for item in shown_items(room):
        stored = shown_revision(item).file
        pages[item.id] = stored.preview_pages if stored is not None and stored.has_preview else 0
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for view in views:
        if 1 <= view.page <= pages.get(view.item, 0) and view.ms > 0:
            totals[view.item, view.page] += min(view.ms, MAX_MS_PER_VIEW)
    return totals


def record_beacon(room: Room, key: str, seq: int, views: Iterable[PageView]) -> bool:
    """Add a beacon's reading time to its visit; returns False when it was ignored (an
    unknown visit, a (visit, seq) already counted, nothing countable)."""
    visit = db.session.scalar(
        select(RoomVisit).where(RoomVisit.room_id == room.id, RoomVisit.key_hash == hash_token(key))
    )
    if visit is None:
        return False
    totals = _clamped(room, views)
    claimed = db.session.execute(
        upsert_insert(RoomBeacon)
        .values(visit_id=visit.id, seq=seq, received_at=utcnow())
        .on_conflict_do_nothing(index_elements=[RoomBeacon.visit_id, RoomBeacon.seq])
        .returning(RoomBeacon.visit_id)
    ).first()
    if claimed is None:
        return False
    for (item_id, page), ms in sorted(totals.items()):
        insert = upsert_insert(RoomPageView).values(
            visit_id=visit.id, item_id=item_id, page=page, ms=ms
        )
        db.session.execute(
            insert.on_conflict_do_update(
                index_elements=[RoomPageView.visit_id, RoomPageView.item_id, RoomPageView.page],
                set_={"ms": RoomPageView.ms + insert.excluded.ms},
            )
        )
    for item_id in sorted({item_id for item_id, _page in totals}):
        record_first_view(room, visit, item_id)
    db.session.execute(
        update(RoomVisit).where(RoomVisit.id == visit.id).values(last_seen_at=utcnow())
    )
    return True


def record_first_view(
    room: Room, visit: RoomVisit, item_id: int, when: datetime | None = None
) -> None:
    """The first page of an item a visit showed (at ``when``, by default now) makes one
    verified buyer view of its asset, credited to the room's maker and deal; later pages
    of the same item add nothing."""
    when = when or utcnow()
    first = db.session.execute(
        upsert_insert(RoomVisitItem)
        .values(visit_id=visit.id, item_id=item_id, first_seen_at=when)
        .on_conflict_do_nothing(index_elements=[RoomVisitItem.visit_id, RoomVisitItem.item_id])
        .returning(RoomVisitItem.item_id)
    ).first()
    if first is None:
        return
    item = db.session.get(RoomItem, item_id)
    assert item is not None, "the item was just read with the room"
    record_verified(
        "buyer_view",
        item.asset_id,
        room.created_by_id,
        deal_id=room.deal_id,
        room_id=room.id,
        revision_id=item.asset.live_revision_id,
        visitor_hash=visit.visitor_hash,
        created_at=when,
    )
