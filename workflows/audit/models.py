"""Workflow audit log: one row for every state change of an asset or post."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow


class WorkflowEvent(Entity):
    __tablename__ = "workflow_events"
    __table_args__ = (Index("ix_workflow_events_subject", "subject_type", "subject_id"),)

    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(String(2000), default="")
    revision_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship()
