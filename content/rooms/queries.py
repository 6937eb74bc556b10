"""What the rep's pages and the reports read of rooms: each room's opens, its visits with
what was read in each, and how deeply buyers read each asset."""

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.library.models import Asset
from content.rooms.models import Room, RoomItem, RoomPageView, RoomVisit, RoomVisitor
from content.rooms.rules import visible_rooms
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page, paginate


@dataclass
class RoomStats:
    room: Room
    opens: int = 0
    visitors: int = 0
    last_visit_at: datetime | None = None


def room_stats(rooms: Sequence[Room]) -> list[RoomStats]:
    """Each room with its opens, distinct visitors and last visit, in two queries."""
    ids = [room.id for room in rooms]
    opens: dict[int, tuple] = {}
    visitors: dict[int, int] = {}
    if ids:
        opens = {
            row[0]: row[1:]
            for row in db.session.execute(
                select(RoomVisit.room_id, func.count(RoomVisit.id), func.max(RoomVisit.started_at))
                .where(RoomVisit.room_id.in_(ids))
                .group_by(RoomVisit.room_id)
            )
        }
        visitors = dict(
            db.session.execute(
                select(RoomVisitor.room_id, func.count())
                .where(RoomVisitor.room_id.in_(ids))
                .group_by(RoomVisitor.room_id)
            ).all()
        )
    return [
        RoomStats(
            room,
            opens=opens.get(room.id, (0, None))[0],
            visitors=visitors.get(room.id, 0),
            last_visit_at=opens.get(room.id, (0, None))[1],
        )
        for room in rooms
    ]


_NEWEST = (Room.created_at.desc(), Room.id.desc())
# What a list of rooms shows of each: its deal, maker, and items with their titles.
_LIST_LOADS = (
    selectinload(Room.deal),
    selectinload(Room.created_by),
    selectinload(Room.items)
    .selectinload(RoomItem.asset)
    .options(selectinload(Asset.live_revision), selectinload(Asset.latest_revision)),
)


def rooms_for_deal(deal: Deal) -> list[RoomStats]:
    """The deal's rooms, newest first, with their opens (the caller may read the deal)."""
    rooms = db.session.scalars(
        select(Room).where(Room.deal_id == deal.id).order_by(*_NEWEST).limit(100)
    ).all()
    return room_stats(rooms)


def rooms_of(user: User, page: int, per_page: int, mine: bool = True) -> Page:
    """The rooms ``user`` made (or, for leaders, every room they may see), newest first."""
    query = visible_rooms(user)
    if mine:
        query = query.where(Room.created_by_id == user.id)
    rooms = paginate(query, page, per_page, order=_NEWEST, options=_LIST_LOADS)
    rooms.items = room_stats(rooms.items)
    return rooms


@dataclass
class ItemReading:
    """What one visit read of one item."""

    item_id: int
    pages_seen: int = 0
    ms: int = 0

    @property
    def seconds(self) -> int:
        return round(self.ms / 1000)


@dataclass
class VisitSummary:
    visit: RoomVisit
    visitor: int  # 1, 2, 3… in the order visitors first came
    items: list[ItemReading] = field(default_factory=list)

    @property
    def ms(self) -> int:
        return sum(reading.ms for reading in self.items)


def visits(room: Room, page: int, per_page: int) -> Page:
    """The room's visits, newest first, each with what it read per item."""
    found = paginate(
        select(RoomVisit).where(RoomVisit.room_id == room.id),
        page,
        per_page,
        order=(RoomVisit.started_at.desc(), RoomVisit.id.desc()),
    )
    numbers = visitor_numbers(room)
    readings = _readings([visit.id for visit in found.items])
    found.items = [
        VisitSummary(
            visit,
            numbers.get(visit.visitor_hash, 0),
            _in_room_order(room, readings.get(visit.id, [])),
        )
        for visit in found.items
    ]
    return found


@dataclass
class DealVisit:
    """A visit to one of a deal's rooms, for the deal page."""

    room: Room
    summary: VisitSummary

    @property
    def items_by_id(self) -> dict[int, RoomItem]:
        return {item.id: item for item in self.room.items}


def latest_deal_visits(rooms: Sequence[Room], limit: int = 5) -> list[DealVisit]:
    """The newest visits to any of ``rooms`` (a deal's), each with what it read."""
    by_id = {room.id: room for room in rooms}
    if not by_id:
        return []
    found = db.session.scalars(
        select(RoomVisit)
        .where(RoomVisit.room_id.in_(by_id))
        .order_by(RoomVisit.started_at.desc(), RoomVisit.id.desc())
        .limit(limit)
    ).all()
    numbers = {room_id: visitor_numbers(by_id[room_id]) for room_id in {v.room_id for v in found}}
    readings = _readings([visit.id for visit in found])
    return [
        DealVisit(
            by_id[visit.room_id],
            VisitSummary(
                visit,
                numbers[visit.room_id].get(visit.visitor_hash, 0),
                _in_room_order(by_id[visit.room_id], readings.get(visit.id, [])),
            ),
        )
        for visit in found
    ]


def _in_room_order(room: Room, readings: list[ItemReading]) -> list[ItemReading]:
    order = {item.id: index for index, item in enumerate(room.items)}
    return sorted(readings, key=lambda reading: order.get(reading.item_id, len(order)))


def visitor_numbers(room: Room) -> dict[str, int]:
    rows = db.session.execute(
        select(RoomVisitor.visitor_hash)
        .where(RoomVisitor.room_id == room.id)
        .order_by(RoomVisitor.first_seen_at, RoomVisitor.visitor_hash)
    ).scalars()
    return {visitor: number for number, visitor in enumerate(rows, start=1)}


def _readings(visit_ids: list[int]) -> dict[int, list[ItemReading]]:
    found: dict[int, list[ItemReading]] = defaultdict(list)
    if not visit_ids:
        return found
    for visit_id, item_id, pages, ms in db.session.execute(
        select(
            RoomPageView.visit_id,
            RoomPageView.item_id,
            func.count(RoomPageView.page),
            func.sum(RoomPageView.ms),
        )
        .where(RoomPageView.visit_id.in_(visit_ids))
        .group_by(RoomPageView.visit_id, RoomPageView.item_id)
    ):
        found[visit_id].append(ItemReading(item_id, pages, int(ms or 0)))
    return found


# ---- engagement depth --------------------------------------------------------------------


@dataclass(frozen=True)
class Depth:
    """How deeply buyers read an asset in rooms: medians over the buyer visits that read
    at least one of its pages."""

    visits: int
    median_seconds: float
    median_pages: float

    @property
    def label(self) -> str:
        """ "2 min 10 s · 4 pages"."""
        seconds = round(self.median_seconds)
        minutes, rest = divmod(seconds, 60)
        time = f"{minutes} min {rest} s" if minutes else f"{rest} s"
        pages = round(self.median_pages, 1)
        pages_text = f"{pages:g} page" + ("" if pages == 1 else "s")
        return f"{time} · {pages_text}"


def engagement_depth(
    asset_ids: Iterable[int], since: datetime | None = None, until: datetime | None = None
) -> dict[int, Depth]:
    """Per asset, the median seconds and pages one buyer visit read of it, from the
    rooms' page views; visits started in [since, until) when given. Assets no buyer
    visit read are left out."""
    ids = list(asset_ids)
    if not ids:
        return {}
    query = (
        select(
            RoomItem.asset_id,
            RoomPageView.visit_id,
            func.sum(RoomPageView.ms),
            func.count(RoomPageView.page),
        )
        .join(RoomItem, RoomItem.id == RoomPageView.item_id)
        .where(RoomItem.asset_id.in_(ids))
        .group_by(RoomItem.asset_id, RoomPageView.visit_id)
    )
    if since is not None or until is not None:
        query = query.join(RoomVisit, RoomVisit.id == RoomPageView.visit_id)
        if since is not None:
            query = query.where(RoomVisit.started_at >= since)
        if until is not None:
            query = query.where(RoomVisit.started_at < until)
    per_asset: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for asset_id, _visit_id, ms, pages in db.session.execute(query):
        per_asset[asset_id].append((int(ms or 0), pages))
    return {
        asset_id: Depth(
            visits=len(rows),
            median_seconds=statistics.median(ms for ms, _ in rows) / 1000,
            median_pages=statistics.median(pages for _, pages in rows),
        )
        for asset_id, rows in per_asset.items()
    }
