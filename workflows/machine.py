"""The asset state machine: one table read by the code, the buttons and the tests."""

from sqlalchemy import select, update

from content.models import Asset
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.extensions import db
from portal.models import utcnow
from portal.permissions import can
from workflows.models import WorkflowEvent

# (from state, action) -> to state. The review steps arrive with the review workflow.
ASSET_TRANSITIONS = {
    ("draft", "publish"): "published",
    ("published", "archive"): "archived",
    ("archived", "restore"): "draft",
}
ACTION_LABELS = {"publish": "Publish", "archive": "Archive", "restore": "Restore to draft"}
COMMENT_MAX = 2000


def allowed_actions(asset: Asset, user) -> list[str]:
    """The transitions ``user`` may take on ``asset`` now, in table order."""
    return [
        action
        for (state, action) in ASSET_TRANSITIONS
        if state == asset.status and can(user, action, asset)
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


def transition(asset: Asset, actor, action: str, comment: str = "") -> WorkflowEvent:
    """Move ``asset`` by ``action``, writing the audit event in the same transaction.

    Refusals raise Conflict naming the actions allowed now. The state check and the
    change are one conditional UPDATE, so two people acting at once cannot both succeed.
    """
    if not can(actor, "view", asset):
        raise NotFound("No such asset.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        message = f"Keep the comment under {COMMENT_MAX} characters."
        raise ValidationFailed(message, {"comment": message})
    from_state = asset.status
    to_state = ASSET_TRANSITIONS.get((from_state, action))
    allowed = allowed_actions(asset, actor)
    if to_state is None or action not in allowed:
        names = ", ".join(allowed) or "none"
        verb = action.replace("_", " ")
        # A listed transition that is not allowed is refused by role, not by state.
        reason = (
            f"You cannot {verb} an asset that is {from_state}."
            if to_state is None
            else f"Your role does not allow you to {verb} this asset."
        )
        raise Conflict(f"{reason} Allowed now: {names}.", allowed=allowed)
    changed = db.session.execute(
        update(Asset)
        .where(Asset.id == asset.id, Asset.status == from_state)
        .values(status=to_state, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.refresh(asset)
        raise Conflict(
            "Someone else changed this asset a moment ago. Reload to see its state.",
            allowed=allowed_actions(asset, actor),
        )
    db.session.refresh(asset)
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
    return event


def asset_history(asset: Asset) -> list[WorkflowEvent]:
    """The asset's workflow events, newest first."""
    return db.session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.subject_type == "asset", WorkflowEvent.subject_id == asset.id)
        .order_by(WorkflowEvent.created_at.desc(), WorkflowEvent.id.desc())
    ).all()
