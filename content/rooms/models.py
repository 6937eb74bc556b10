"""Deal rooms, their items and what buyers did in them.

A room's token is 32 random bytes of which only the SHA-256 is stored, as for share
links. A buyer's visit is one page load: its key (random, made for that page load) is
stored hashed too, so a database reader cannot post beacons for someone else's visit.
Reading time is kept per (visit, item, page) and added to by one upsert per row, so
concurrent beacons never lose or double an increment; the (visit, seq) pairs already
counted are rows of their own, so a resent beacon counts once.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.deals.models import Deal
from content.library.models import Asset
from content.usage.models import BuyerAccess
from portal.kernel.extensions import Entity, Model
from portal.kernel.models import User, utcnow


class Room(BuyerAccess, Entity):
    """A page for one deal's buyer holding several assets, opened without signing in."""

    __tablename__ = "rooms"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Markdown, rendered with the sanitised renderer on the buyer's page.
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deal: Mapped[Deal] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    items: Mapped[list["RoomItem"]] = relationship(
        back_populates="room",
        order_by="(RoomItem.position, RoomItem.id)",
        cascade="all, delete-orphan",
    )


class RoomItem(Entity):
    """One asset in a room, at a place in its order; view-only items offer no download."""

    __tablename__ = "room_items"
    __table_args__ = (UniqueConstraint("room_id", "asset_id"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    view_only: Mapped[bool] = mapped_column(default=False)

    room: Mapped[Room] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship()


class RoomVisit(Entity):
    """One page load of a room by a buyer (never a robot nor a signed-in portal user)."""

    __tablename__ = "room_visits"
    __table_args__ = (Index("ix_room_visits_room_started", "room_id", "started_at"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    # SHA-256 of the random key the page carries; beacons name their visit by the key.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A keyed hash of the address and browser (see share_links.visitor_hash), never the IP.
    visitor_hash: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    room: Mapped[Room] = relationship()


class RoomVisitor(Model):
    """A visitor a room has seen: the first visit of a new one notifies the rep. Claimed
    by an insert that does nothing on conflict, so two opens cannot both be "new"."""

    __tablename__ = "room_visitors"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    visitor_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoomVisitItem(Model):
    """An item a visit showed at least one page of: recorded once per visit and item, and
    the moment its buyer view became usage of the asset."""

    __tablename__ = "room_visit_items"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("room_visits.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("room_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoomPageView(Model):
    """The milliseconds one visit showed one page of one item, summed over its beacons."""

    __tablename__ = "room_page_views"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("room_visits.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("room_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    page: Mapped[int] = mapped_column(primary_key=True)
    ms: Mapped[int] = mapped_column(BigInteger, default=0)


class RoomBeacon(Model):
    """A beacon (visit, seq) already counted: the same batch sent twice counts once."""

    __tablename__ = "room_beacons"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("room_visits.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
