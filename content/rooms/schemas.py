"""Schemas of deal rooms: the viewer's beacon, and what the API takes and answers."""

from typing import Annotated, Literal, Self

from flask import url_for
from pydantic import BaseModel, ConfigDict, Field

from content.deals import services as deals
from content.rooms import queries, visits
from content.rooms import services as rooms
from content.rooms.models import Room as RoomRow
from content.rooms.models import RoomItem as RoomItemRow
from content.usage.models import ACCESS_STATES
from portal.kernel.schemas import (
    Changes,
    Id,
    Input,
    Output,
    Page,
    Paging,
    Person,
    Timestamp,
    filled,
)

# ---- the viewer's beacon -----------------------------------------------------------------


class BeaconView(BaseModel):
    """Milliseconds one page of one item was shown since the last beacon."""

    model_config = ConfigDict(extra="ignore", strict=True)

    item: Annotated[int, Field(ge=1, le=2**31 - 1)]
    page: Annotated[int, Field(ge=1, le=100_000)]
    # Clamped to 15 minutes when counted; larger numbers are refused as nonsense.
    ms: Annotated[int, Field(ge=0, le=24 * 3600 * 1000)]


class Beacon(BaseModel):
    """A batch the page's viewer sends: ``seq`` counts 1, 2, 3… per page load."""

    model_config = ConfigDict(extra="ignore", strict=True)

    visit: Annotated[str, Field(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
    seq: Annotated[int, Field(ge=1, le=2**62)]
    views: Annotated[list[BeaconView], Field(max_length=visits.MAX_VIEWS)]


# ---- the API -----------------------------------------------------------------------------

Days = Annotated[
    int,
    Field(ge=1, le=rooms.MAX_DAYS, description="Default TANDEM_SHARE_LINK_DAYS (30)"),
]


class RoomItemInput(Input):
    """An asset in the room; ``view_only`` left out is view-only for slides (PPTX) and
    downloadable otherwise."""

    asset_id: Id
    view_only: bool | None = None


class NewRoomInput(Input):
    """A room for one of your deals, with its assets in order."""

    deal_id: Id
    title: Annotated[str, Field(max_length=rooms.TITLE_MAX), filled(rooms.TITLE_MISSING)]
    note: Annotated[str, Field(max_length=rooms.NOTE_MAX, description="Markdown")] = ""
    items: Annotated[list[RoomItemInput], Field(max_length=rooms.ITEMS_MAX)] = []
    expires_in_days: Days | None = None


class RoomChanges(Changes):
    """What to change; fields left out keep their values. ``items`` replaces the room's
    assets and their order (assets already in it keep their visits); ``expires_in_days``
    counts from now."""

    title: Annotated[str | None, Field(max_length=rooms.TITLE_MAX), filled(rooms.TITLE_MISSING)] = (
        None
    )
    note: Annotated[str | None, Field(max_length=rooms.NOTE_MAX)] = None
    items: Annotated[list[RoomItemInput] | None, Field(max_length=rooms.ITEMS_MAX)] = None
    expires_in_days: Days | None = None


class RoomQuery(Paging):
    pass


class RoomItem(Output):
    id: int
    asset_id: int
    title: str
    view_only: bool
    shown: Annotated[bool, Field(description="Whether buyers see it now")]
    dropped: Annotated[
        str | None, Field(description="Why buyers no longer see it (Archived, Expired, …)")
    ]

    @classmethod
    def shown_item(cls, item: RoomItemRow) -> Self:
        reason = rooms.dropped_reason(item)
        return cls.read(
            item, title=deals.asset_title(item.asset), shown=reason is None, dropped=reason
        )


class RoomDeal(Output):
    id: int
    name: str


class ItemReading(Output):
    item_id: int
    pages_seen: int
    seconds: int


class Visit(Output):
    """One page load of the room by a buyer."""

    started_at: Timestamp
    last_seen_at: Timestamp
    visitor: Annotated[int, Field(description="Visitors numbered in the order they came")]
    items: list[ItemReading]


class Room(Output):
    """A deal room and how often buyers opened it."""

    id: int
    title: str
    note: str
    deal: RoomDeal
    created_by: Person
    state: Literal[ACCESS_STATES]  # type: ignore[valid-type]
    created_at: Timestamp
    expires_at: Timestamp
    revoked_at: Timestamp | None
    items: list[RoomItem]
    opens: int
    visitors: int
    last_visit_at: Timestamp | None
    url: Annotated[str, Field(description="The rep's page of the room")]

    @classmethod
    def shown(cls, stats: queries.RoomStats, **extra) -> Self:
        room: RoomRow = stats.room
        return cls.read(
            room,
            deal=RoomDeal(id=room.deal.id, name=room.deal.name),
            items=[RoomItem.shown_item(item) for item in room.items],
            opens=stats.opens,
            visitors=stats.visitors,
            last_visit_at=stats.last_visit_at,
            url=url_for("rooms.show", room_id=room.id, _external=True),
            **extra,
        )


class NewRoom(Room):
    """The new room with its buyer's link, shown in this answer only."""

    link: Annotated[str, Field(description="The buyer's link; only its fingerprint is kept")]


class RoomWithVisits(Room):
    recent_visits: Annotated[list[Visit], Field(description="The last 20 visits, newest first")]


class RoomList(Page):
    items: list[Room]
