"""Ratings, usage events, deals and share links: the evidence of which content is used.

Usage is stored as one row per event and aggregated in queries, never kept as counters,
so concurrent requests cannot lose a count. Each event says how it is known (its
evidence): what Tandem observed itself is ``verified``, what a rep says is
``self_reported`` and what a CRM sent is ``imported``; reports never blend them silently.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision
from portal.kernel.extensions import Entity, Model
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of


class UsageKind(StrEnum):
    VIEW = "view"
    DOWNLOAD = "download"
    SHARE = "share"
    BUYER_VIEW = "buyer_view"
    USED_IN_DEAL = "used_in_deal"


USAGE_KINDS = tuple(UsageKind)
EVIDENCE = ("verified", "self_reported", "imported")
# What BuyerAccess.state answers, for a share link and a deal room alike.
ACCESS_STATES = ("active", "expired", "revoked")
KIND_LABELS = {
    UsageKind.VIEW: "Views",
    UsageKind.DOWNLOAD: "Downloads",
    UsageKind.SHARE: "Share links",
    UsageKind.BUYER_VIEW: "Buyer views",
    UsageKind.USED_IN_DEAL: "Deals used in",
}
EVIDENCE_LABELS = {
    "verified": "Verified",
    "self_reported": "Self-reported",
    "imported": "Imported",
}
# Views are a reader browsing; everything else is the asset doing work in a sale, which
# is what ranks it higher in search.
RANKED_KINDS = (UsageKind.DOWNLOAD, UsageKind.SHARE, UsageKind.BUYER_VIEW, UsageKind.USED_IN_DEAL)
# The predicate of the partial unique index on (deal, asset), as literal SQL. An upsert's
# conflict target must repeat it literally: as a bound parameter it stops matching the
# index once PostgreSQL runs the prepared statement with a generic plan.
USED_IN_DEAL_INDEX_WHERE = text("kind = 'used_in_deal'")


class Rating(Entity):
    """One person's 1–5 star rating of an asset, with an optional comment for its owner."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("asset_id", "user_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
    )

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship()
    user: Mapped[User] = relationship()


class BuyerAccess:
    """What a share link and a deal room have alike: a buyer opens it by a token of which
    only the SHA-256 is stored, until it expires or someone revokes it."""

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def revoked_by(cls: type["BuyerAccess"]) -> Mapped[User | None]:
        # Its table has two foreign keys to users (the creator too): name this one.
        return relationship(foreign_keys=f"{cls.__name__}.revoked_by_id")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at <= utcnow()

    @property
    def active(self) -> bool:
        return not self.revoked and not self.expired

    @property
    def state(self) -> str:
        """ "active", "expired" or "revoked", for badges and the API."""
        if self.revoked:
            return "revoked"
        return "expired" if self.expired else "active"


class ShareLink(BuyerAccess, Entity):
    """A link that lets one buyer open an asset without signing in.

    Only the token's SHA-256 is stored: the clear link is shown once, to its creator.
    ``revision_id`` is the revision that was live when the link was made; the link shows
    the asset's live revision while there is one, and this one after the asset leaves
    the library, until the link expires.
    """

    __tablename__ = "share_links"

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("asset_revisions.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(200), default="")
    # The buyer reads the pages but gets no file: the file's address answers 403.
    view_only: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship()
    revision: Mapped[AssetRevision] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    deal: Mapped[Deal | None] = relationship()


class UsageEvent(Entity):
    """One use of an asset: a view, a download, a share link made, a buyer opening it, or
    the asset attached to a deal. Reports aggregate these rows."""

    __tablename__ = "usage_events"
    __table_args__ = (
        # An asset is attached to a deal once, however many times it is recorded.
        Index(
            "uq_usage_events_deal_asset",
            "deal_id",
            "asset_id",
            unique=True,
            sqlite_where=USED_IN_DEAL_INDEX_WHERE,
            postgresql_where=USED_IN_DEAL_INDEX_WHERE,
        ),
        Index("ix_usage_events_asset_kind", "asset_id", "kind"),
        # Reports (see bench/report_bench.py): the events of a page's assets in a period,
        # whether an asset was used in a period at all, and the buyer views of one asset
        # for one deal, which confirm a claim that it was used in the deal.
        Index("ix_usage_events_asset_time", "asset_id", "created_at"),
        Index("ix_usage_events_deal_asset_kind", "deal_id", "asset_id", "kind"),
        # A period's events by kind and asset, read from the index alone: the content-usage
        # report ranks the assets used in a period and counts its events per week and
        # kind from it. It serves whatever an index on the time alone did.
        Index("ix_usage_events_time_kind_asset", "created_at", "kind", "asset_id"),
        one_of("kind", UsageKind),
    )

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(String(20))
    # The reader, the rep who attached or shared it; for a buyer view, the link's creator.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Indexed by ix_usage_events_deal_asset_kind, which leads with it.
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    share_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("share_links.id", ondelete="SET NULL"), index=True
    )
    # A buyer view in a deal room (content.rooms): the room it was read in.
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="SET NULL"), index=True
    )
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset_revisions.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    # Buyer views only: a keyed hash of the visitor's address and browser, never the IP.
    visitor_hash: Mapped[str | None] = mapped_column(String(32))
    # Indexed by ix_usage_events_time_kind_asset, which leads with it.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship()
    user: Mapped[User | None] = relationship()
    deal: Mapped[Deal | None] = relationship()
    share_link: Mapped[ShareLink | None] = relationship()


class AssetViewMark(Model):
    """When a person's view of an asset last counted: opens within the window after it
    are the same visit. One row per person and asset, claimed by an atomic upsert."""

    __tablename__ = "asset_view_marks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    counted_at: Mapped[datetime]
