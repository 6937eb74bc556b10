"""Writing and reading the workflow audit log; every machine records through here."""

from sqlalchemy import asc, desc, select
from sqlalchemy.orm import selectinload

from portal.kernel.extensions import db
from portal.kernel.machine import Step
from workflows.audit.models import WorkflowEvent


def record(step: Step) -> WorkflowEvent:
    """Write the audit event of ``step``: who moved what, from which state to which.

    Assets and posts are revised, so their events name the revision the step was taken
    on; content requests have no revisions.
    """
    revision = getattr(step.subject, "latest_revision", None)
    event = WorkflowEvent(
        subject_type=step.machine.name,
        subject_id=step.subject.id,
        actor=step.actor,
        action=step.action,
        from_state=step.from_state,
        to_state=step.to_state,
        comment=step.comment,
        revision_number=revision.number if revision is not None else None,
    )
    db.session.add(event)
    return event


def history(subject_type: str, subject_id: int, newest_first: bool = False) -> list[WorkflowEvent]:
    """The workflow events of one subject, oldest first unless ``newest_first``."""
    direction = desc if newest_first else asc
    events = db.session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.subject_type == subject_type, WorkflowEvent.subject_id == subject_id)
        .options(selectinload(WorkflowEvent.actor))
        .order_by(direction(WorkflowEvent.created_at), direction(WorkflowEvent.id))
    )
    return list(events)
