"""What the API shows of the audit trail."""

from typing import Self

from pydantic import ConfigDict, Field

from portal.kernel.schemas import Output, Timestamp
from workflows.audit.models import WorkflowEvent


class TransitionEvent(Output):
    """The audit event a transition wrote. A workflow's subclass narrows ``action`` and
    the states to its own vocabulary."""

    model_config = ConfigDict(serialize_by_alias=True)

    action: str
    from_state: str = Field(alias="from")
    to_state: str = Field(alias="to")
    comment: str
    at: Timestamp

    @classmethod
    def of(cls, event: WorkflowEvent) -> Self:
        return cls.model_validate(
            {
                "action": event.action,
                "from": event.from_state,
                "to": event.to_state,
                "comment": event.comment,
                "at": event.created_at,
            }
        )
