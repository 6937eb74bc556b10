"""An export asked for in the portal: its claim, its progress and the archive it made.

The archive is kept in the store of uploaded files under a generated name until it
expires; the row stays as the requester's history.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of


class ExportStatus(StrEnum):
    """QUEUED until the job claims it (RUNNING), then READY to download until it EXPIRES,
    or FAILED with the reason in ``error``."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


EXPORT_STATUSES = tuple(ExportStatus)
# The predicate of the index allowing one unfinished export per person, as literal SQL so
# that both databases compare it as written.
UNFINISHED_WHERE = text("status IN ('queued', 'running')")
ERROR_MAX = 500


class DataExport(Entity):
    """One archive of CSV files asked for by an admin or a leader."""

    __tablename__ = "data_exports"
    __table_args__ = (
        one_of("status", ExportStatus),
        # Two clicks, or two tabs, cannot start two exports for one person.
        Index(
            "uq_data_exports_one_unfinished",
            "requested_by_id",
            unique=True,
            sqlite_where=UNFINISHED_WHERE,
            postgresql_where=UNFINISHED_WHERE,
        ),
    )

    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ExportStatus.QUEUED, index=True)
    # When the job took it; a claim older than the job's time limit is taken again.
    claimed_at: Mapped[datetime | None]
    # Where the job is: the file it writes, the rows written so far and the rows expected.
    current_file: Mapped[str] = mapped_column(String(60), default="")
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int] = mapped_column(default=0)
    # A generated name in the file store, set once the archive is complete.
    storage_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(ERROR_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)

    requested_by: Mapped[User] = relationship()

    @property
    def unfinished(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def ready(self) -> bool:
        """The archive may be downloaded now."""
        return (
            self.status == ExportStatus.READY
            and self.expires_at is not None
            and self.expires_at > utcnow()
        )

    @property
    def percent(self) -> int:
        """How far the job is, 0–100, for the progress bar."""
        if self.status == ExportStatus.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
