"""Search bookkeeping: the indexing outbox, ranking signals waiting for it, searches that
found nothing, and the searches made on the search page with the results people opened
from them."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.extensions import Model
from portal.kernel.models import utcnow


class SearchOutbox(Model):
    """One row per change that the index must learn about, written in the same
    transaction as the change; the indexer deletes it only after the index commit."""

    __tablename__ = "search_outbox"
    # Ids must never be reused: the indexer deletes the rows it processed by id.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignalRefresh(Model):
    """An asset whose ratings or usage changed since it was indexed: one row per asset,
    however many signals arrive, moved to the outbox once due (see search.signal_refresh)."""

    __tablename__ = "search_signal_refreshes"

    asset_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Set by the first signal; later ones leave it, so an asset waits at most one delay.
    due_at: Mapped[datetime] = mapped_column(index=True)
    # Drawn afresh by every transaction that signals the asset: the indexer drops a row
    # only while it holds the stamp read before the asset's document was read.
    stamp: Mapped[int] = mapped_column(BigInteger)


class SearchMiss(Model):
    """A search that found nothing, so marketing can see what reps could not find."""

    __tablename__ = "search_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(300))
    stage_slug: Mapped[str] = mapped_column(String(60), default="")
    persona_slug: Mapped[str] = mapped_column(String(60), default="", server_default="")
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SearchRecord(Model):
    """A search made on the search page (its first page of results), so a search nobody
    opened a result of can be told from one that helped."""

    __tablename__ = "searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(300))
    # Lowercased with whitespace folded: the same question asked twice groups as one.
    normalised: Mapped[str] = mapped_column(String(300), index=True)
    total: Mapped[int]
    stage_slug: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SearchClick(Model):
    """A result opened from the search page: which asset, at which rank, for which query."""

    __tablename__ = "search_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty for a result opened from a later page of results, which records no search.
    search_id: Mapped[int | None] = mapped_column(
        ForeignKey("searches.id", ondelete="SET NULL"), index=True
    )
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    query: Mapped[str] = mapped_column(String(300))
    normalised: Mapped[str] = mapped_column(String(300), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
