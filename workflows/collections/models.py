"""Collections of assets and the onboarding paths built from them.

A collection is an ordered reading list a marketer builds ("New rep: first 30 days"); each
item is a live asset with a note saying why it is there. Assigning a collection to a rep
makes it an onboarding path: the rep marks items done and leaders follow their progress.

The database keeps the invariants, so concurrent requests cannot break them: positions
are unique per collection, an asset appears once per collection, a rep is assigned a
collection once, and an item is done once per assignment (a double click stores one row).
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.library.models import Asset
from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
NOTE_MAX = 500


class Collection(Entity):
    """An ordered list of assets with notes, owned by the marketer who built it."""

    __tablename__ = "collections"

    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Also bumped by every item change: the bump is what serialises concurrent edits.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    owner: Mapped[User] = relationship()
    items: Mapped[list["CollectionItem"]] = relationship(
        back_populates="collection",
        order_by="CollectionItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CollectionItem(Entity):
    """One asset in a collection, at a position (1, 2, 3… with no gaps), with a note."""

    __tablename__ = "collection_items"
    __table_args__ = (
        UniqueConstraint("collection_id", "position"),
        UniqueConstraint("collection_id", "asset_id"),
    )

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    position: Mapped[int]
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    collection: Mapped[Collection] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship()


class PathAssignment(Entity):
    """A collection assigned to a rep as their onboarding path (once per rep)."""

    __tablename__ = "path_assignments"
    __table_args__ = (UniqueConstraint("collection_id", "rep_id"),)

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    collection: Mapped[Collection] = relationship()
    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class ItemDone(Entity):
    """A rep marked an item of their path done. Not done again means the row is gone."""

    __tablename__ = "path_items_done"
    __table_args__ = (UniqueConstraint("assignment_id", "item_id"),)

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("path_assignments.id", ondelete="CASCADE")
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("collection_items.id", ondelete="CASCADE"), index=True
    )
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
