"""The asset state machine: one table read by the code, the buttons and the tests."""

from collections.abc import Callable

from sqlalchemy import delete, select, update

from content.library.models import Asset
from portal.kernel.errors import Conflict, NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.permissions import can
from workflows.audit.models import WorkflowEvent
from workflows.review import policy as review
from workflows.review.models import Approval

# (from state, action) -> to state. The state belongs to the latest revision; the live
# revision stays visible to reps while a new one is in review.
ASSET_TRANSITIONS = {
    ("draft", "submit"): "in_review",
    ("changes_requested", "submit"): "in_review",
    # Guarded by the sign-off policy: until it is met the asset stays in review.
    ("in_review", "approve"): "approved",
    ("in_review", "request_changes"): "changes_requested",
    ("approved", "publish"): "published",
    ("published", "archive"): "archived",
    ("archived", "restore"): "draft",
}
ACTION_LABELS = {
    "submit": "Submit for review",
    "approve": "Approve",
    "request_changes": "Request changes",
    "publish": "Publish",
    "archive": "Archive",
    "restore": "Restore to draft",
}
STATUS_LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "published": "Published",
    "archived": "Archived",
}
COMMENT_MAX = 2000
_after_transition: list[Callable] = []


def after_transition(callback: Callable) -> Callable:
    """Register ``callback(asset, actor, event)``, called in the transition's transaction
    after each transition (notifications, fulfilled requests)."""
    _after_transition.append(callback)
    return callback


def _guard(asset: Asset, user, action: str) -> str | None:
    """Why ``action`` cannot be taken now although the state and role allow it, or None."""
    if action == "submit":
        missing = review.reviewers_missing_for_policy(asset)
        if missing == ["any"]:
            return "Invite a reviewer before submitting."
        if missing:
            teams = " and a ".join(missing)
            return f"Invite a {teams} reviewer before submitting (dual sign-off)."
    return None


def _verb(action: str) -> str:
    """The action as it reads in a refusal ("request changes on" an asset)."""
    return "request changes on" if action == "request_changes" else action.replace("_", " ")


def _role_refusal(asset: Asset, user, action: str) -> str:
    verb = _verb(action)
    latest = asset.latest_revision
    if action in {"approve", "request_changes"} and asset.collaborator_role(user) == "reviewer":
        if latest is not None and latest.author_id == user.id:
            return "You wrote this revision, so another reviewer must review it."
        if action == "approve" and review.has_approved(asset, user):
            return "You have already approved this revision."
    if action in {"approve", "request_changes"}:
        return f"Only the asset's invited reviewers may {verb} it."
    return f"Your role does not allow you to {verb} this asset."


def allowed_actions(asset: Asset, user) -> list[str]:
    """The transitions ``user`` may take on ``asset`` now, in table order."""
    return [
        action
        for (state, action) in ASSET_TRANSITIONS
        if state == asset.status
        and can(user, action, asset)
        and _guard(asset, user, action) is None
    ]


def _apply_effects(asset: Asset, action: str) -> None:
    now = utcnow()
    if action == "publish":
        asset.live_revision_id = asset.latest_revision_id
        asset.published_at = now
        asset.archived_at = None
    elif action == "archive":
        # The live revision is kept: share links already sent keep showing it.
        asset.archived_at = now
    elif action == "restore":
        asset.live_revision_id = None
        asset.archived_at = None
        # A restored asset is reviewed again before it goes back live. Its latest revision
        # still carries the approvals it was published with; left in place they would
        # stop its reviewers from approving it again and leave it stuck in review.
        db.session.execute(delete(Approval).where(Approval.revision_id == asset.latest_revision_id))


def _refuse(message: str, asset: Asset, actor) -> Conflict:
    allowed = allowed_actions(asset, actor)
    return Conflict(f"{message} Allowed now: {', '.join(allowed) or 'none'}.", allowed=allowed)


def transition(asset: Asset, actor, action: str, comment: str = "") -> WorkflowEvent:
    """Move ``asset`` by ``action``, writing the audit event in the same transaction.

    Refusals raise Conflict naming the actions allowed now. The state check and the claim
    on the asset are one conditional UPDATE (it also checks that nobody saved a newer
    revision), and the row stays locked until commit, so two people acting at once cannot
    produce an impossible state: the second sees what the first did.
    """
    if not can(actor, "view", asset):
        raise NotFound("No such asset.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        message = f"Keep the comment under {COMMENT_MAX} characters."
        raise ValidationFailed(message, {"comment": message})
    from_state = asset.status
    to_state = ASSET_TRANSITIONS.get((from_state, action))
    if to_state is None:
        verb = _verb(action) or "do that to"
        label = STATUS_LABELS.get(from_state, from_state).lower()
        raise _refuse(f"You cannot {verb} an asset that is {label}.", asset, actor)
    if not can(actor, action, asset):
        raise _refuse(_role_refusal(asset, actor, action), asset, actor)
    reason = _guard(asset, actor, action)
    if reason:
        raise _refuse(reason, asset, actor)
    if action == "request_changes" and not comment:
        message = "Say what should change: the author sees your comment."
        raise ValidationFailed(message, {"comment": message})
    revision_id = asset.latest_revision_id
    claimed = db.session.execute(
        update(Asset)
        .where(
            Asset.id == asset.id,
            Asset.status == from_state,
            Asset.latest_revision_id == revision_id,
        )
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(asset)
        raise _refuse(
            "Someone else changed this asset a moment ago; reload to see it.", asset, actor
        )
    db.session.refresh(asset)
    if action == "approve":
        to_state = _approve(asset, actor)
    elif action == "request_changes":
        review.withdraw(asset, actor, actor)  # asking for changes takes back an approval
    # The row is ours until commit; the new state goes through the ORM so that session
    # listeners (the search outbox) see every transition, as they see every edit.
    asset.status = to_state
    asset.updated_at = utcnow()
    _apply_effects(asset, action)
    event = WorkflowEvent(
        subject_type="asset",
        subject_id=asset.id,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        revision_number=asset.latest_revision.number if asset.latest_revision else None,
    )
    db.session.add(event)
    db.session.flush()
    for callback in _after_transition:
        callback(asset, actor, event)
    return event


def _approve(asset: Asset, reviewer) -> str:
    """Record the approval (the asset row is locked); returns the state it leaves the
    asset in: approved once the policy is met, otherwise still in review."""
    if review.has_approved(asset, reviewer):  # the same reviewer twice at the same moment
        raise _refuse("You have already approved this revision.", asset, reviewer)
    db.session.add(
        Approval(
            asset_id=asset.id,
            revision_id=asset.latest_revision_id,
            reviewer_id=reviewer.id,
            side=review.side_of(reviewer),
        )
    )
    db.session.flush()
    return "in_review" if review.missing_sides(asset) else "approved"


def asset_history(asset: Asset) -> list[WorkflowEvent]:
    """The asset's workflow events, newest first."""
    return db.session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.subject_type == "asset", WorkflowEvent.subject_id == asset.id)
        .order_by(WorkflowEvent.created_at.desc(), WorkflowEvent.id.desc())
    ).all()
