"""The sign-off policy: who must approve a submitted revision before it can be published.

"dual" (the default): at least one sales reviewer and one marketing reviewer approve the
submitted revision. "single": any one reviewer. A reviewer's team is their department.
Nobody approves a revision they authored, and approvals count only for the revision they
were given for, so an edit after approval starts the count again.
"""

from flask import current_app
from sqlalchemy import delete, select

from content.library.models import Asset
from portal.kernel.extensions import db
from portal.kernel.models import User
from workflows.review.models import Approval

POLICIES = {"dual": ("sales", "marketing"), "single": ()}


def policy() -> str:
    """The configured review policy ("dual" or "single")."""
    return current_app.config.get("REVIEW_POLICY", "dual")


def side_of(user: User) -> str:
    """The team a reviewer signs for."""
    return user.department


def approvals(asset: Asset) -> list[Approval]:
    """Approvals given for the asset's latest revision, oldest first."""
    if asset.latest_revision_id is None:
        return []
    return list(
        db.session.scalars(
            select(Approval)
            .where(Approval.revision_id == asset.latest_revision_id)
            .order_by(Approval.id)
        )
    )


def missing_sides(asset: Asset, given: list[Approval] | None = None) -> list[str]:
    """Teams whose approval the policy still needs for the latest revision (for "single",
    ["any"] until someone approves); ``given`` are its approvals when the caller has them."""
    given = approvals(asset) if given is None else given
    return _missing({approval.side for approval in given})


def reviewer_sides(asset: Asset) -> set[str]:
    """The teams the asset's invited reviewers belong to."""
    return {side_of(c.user) for c in asset.collaborators if c.role == "reviewer" and c.user.active}


def reviewers_missing_for_policy(asset: Asset) -> list[str]:
    """Teams with no invited reviewer although the policy needs one (empty when the asset
    can be reviewed as it stands)."""
    return _missing(reviewer_sides(asset))


def _missing(present: set[str]) -> list[str]:
    """The teams the policy needs that ``present`` lacks ("any" under "single")."""
    required = POLICIES[policy()]
    if not required:
        return [] if present else ["any"]
    return [side for side in required if side not in present]


def has_approved(asset: Asset, user: User) -> bool:
    return any(approval.reviewer_id == user.id for approval in approvals(asset))


def remove_approval(asset: Asset, user: User) -> None:
    """Take back ``user``'s approval of the latest revision, if they gave one."""
    if asset.latest_revision_id is None:
        return
    db.session.execute(
        delete(Approval).where(
            Approval.revision_id == asset.latest_revision_id, Approval.reviewer_id == user.id
        )
    )
    db.session.flush()
