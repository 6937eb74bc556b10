"""The API's schemas for review: moving an asset through its workflow, inviting its
collaborators, and the sign-off state both answer with."""

from typing import Annotated, Literal

from pydantic import Field

from content.library.models import ASSET_STATUSES, COLLABORATOR_ROLES
from content.library.models import Asset as AssetRow
from content.library.schemas import Asset
from portal.kernel.models import DEPARTMENTS, User
from portal.kernel.schemas import Input, Output, Person
from workflows.audit.models import WorkflowEvent
from workflows.audit.schemas import TransitionEvent
from workflows.review import machine
from workflows.review import policy as review
from workflows.review.machine import COMMENT_MAX
from workflows.review.policy import POLICIES

AssetStatus = Literal[ASSET_STATUSES]  # type: ignore[valid-type]


class AssetTransitionInput(Input):
    action: Annotated[
        str,
        Field(
            min_length=1,
            description="submit, approve, request_changes, publish, archive or restore",
        ),
    ]
    comment: Annotated[
        str, Field(max_length=COMMENT_MAX, description="Required to request changes")
    ] = ""


class CollaboratorInput(Input):
    """Someone to invite; inviting them again changes their role."""

    email: Annotated[str, Field(max_length=254, description="An active user's email")]
    role: Literal[COLLABORATOR_ROLES]  # type: ignore[valid-type]


class ReviewCollaborator(Output):
    user: Person
    role: Literal[COLLABORATOR_ROLES]  # type: ignore[valid-type]
    side: Literal[DEPARTMENTS] = Field(description="The team they sign for")  # type: ignore[valid-type]
    approved_latest: bool


class Review(Output):
    """Collaborators and sign-off of the asset's latest revision."""

    policy: Literal[tuple(POLICIES)]  # type: ignore[valid-type]
    missing_sides: list[str] = Field(
        description="Teams whose approval of the latest revision is still needed "
        '("any" under the single policy until someone approves)'
    )
    collaborators: list[ReviewCollaborator]

    @classmethod
    def of(cls, asset: AssetRow) -> "Review":
        approved = {approval.reviewer_id for approval in review.approvals(asset)}
        return cls(
            policy=review.policy(),
            missing_sides=review.missing_sides(asset),
            collaborators=[
                ReviewCollaborator(
                    user=Person.model_validate(c.user),
                    role=c.role,
                    side=review.side_of(c.user),
                    approved_latest=c.user_id in approved,
                )
                for c in asset.collaborators
            ],
        )


class AssetWorkflowEvent(TransitionEvent):
    """The audit event a transition wrote."""

    from_state: AssetStatus = Field(alias="from")
    to_state: AssetStatus = Field(alias="to")


class ReviewedAsset(Asset):
    """The asset after a transition, the event written and what you may do now."""

    event: AssetWorkflowEvent
    allowed_actions: list[str]
    review: Review

    @classmethod
    def moved(cls, asset: AssetRow, user: User, event: WorkflowEvent) -> "ReviewedAsset":
        return cls(
            **dict(Asset.shown(asset, user)),
            event=AssetWorkflowEvent.of(event),
            allowed_actions=machine.allowed_actions(asset, user),
            review=Review.of(asset),
        )
