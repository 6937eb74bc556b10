"""Approvals: the reviewers' sign-offs on a revision in review."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow


class Approval(Entity):
    """A reviewer's sign-off on one revision. Approvals belong to the revision they were
    given for, so a new edit starts the count again."""

    __tablename__ = "asset_approvals"
    __table_args__ = (UniqueConstraint("revision_id", "reviewer_id"),)

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("asset_revisions.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The reviewer's team when they approved: "sales" or "marketing".
    side: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewer: Mapped[User] = relationship()
