"""The asset state machine: one table read by the code, the buttons and the tests.

The state belongs to the latest revision; the live revision stays visible to reps while a
new one is in review. Steps run through the kernel's engine (portal.kernel.machine).
"""

from sqlalchemy import delete

from content.library.models import Asset
from portal.kernel import events
from portal.kernel import machine as engine
from portal.kernel.errors import NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.permissions import can
from workflows.audit import services as audit
from workflows.audit.models import WorkflowEvent
from workflows.review import policy as review
from workflows.review.models import Approval

# (from state, action) -> to state, taken by people.
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
# Taken by the application as the consequence of another change. Approvals belong to a
# revision, so an edit after sign-off needs signing off again; an edit of a published
# asset starts a new draft while the live revision stays visible to reps.
SYSTEM_TRANSITIONS = {
    ("approved", "revise"): "in_review",
    ("published", "revise"): "draft",
    # A reviewer who approved was removed or is no longer a reviewer.
    ("approved", "withdraw_approval"): "in_review",
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
# How each step reads in the asset's timeline.
EVENT_LABELS = {
    "submit": "Submitted for review",
    "approve": "Approved",
    "request_changes": "Requested changes",
    "publish": "Published",
    "archive": "Archived",
    "restore": "Restored to draft",
    "revise": "Edited, so it needs review again",
    "withdraw_approval": "Sent back to review (an approval was withdrawn)",
}
COMMENT_MAX = 2000


def _guard(asset: Asset, _user, action: str) -> str | None:
    """Why ``action`` cannot be taken now although the state and role allow it, or None."""
    if action == "submit":
        missing = review.reviewers_missing_for_policy(asset)
        if missing == ["any"]:
            return "Invite a reviewer before submitting."
        if missing:
            teams = " and a ".join(missing)
            return f"Invite a {teams} reviewer before submitting (dual sign-off)."
    return None


def _wrong_role(asset: Asset, user: User, action: str) -> str:
    verb = ASSET.verb(action)
    latest = asset.latest_revision
    if action in {"approve", "request_changes"} and asset.collaborator_role(user) == "reviewer":
        if latest is not None and latest.author_id == user.id:
            return "You wrote this revision, so another reviewer must review it."
        if action == "approve" and review.has_approved(asset, user):
            return "You have already approved this revision."
    if action in {"approve", "request_changes"}:
        return f"Only the asset's invited reviewers may {verb} it."
    return f"Your role does not allow you to {verb} this asset."


def _check(step: engine.Step) -> None:
    if step.action == "request_changes" and not step.comment:
        message = "Say what should change: the author sees your comment."
        raise ValidationFailed(message, {"comment": message})


def _enter(step: engine.Step) -> None:
    """Change the claimed asset row for the step."""
    asset, now = step.subject, utcnow()
    if step.action == "approve":
        step.to_state = _approve(asset, step.actor)
    elif step.action == "request_changes":
        review.remove_approval(asset, step.actor)  # asking for changes takes back an approval
    elif step.action == "publish":
        asset.live_revision_id = asset.latest_revision_id
        asset.published_at = now
        asset.archived_at = None
    elif step.action == "archive":
        # The live revision is kept: share links already sent keep showing it.
        asset.archived_at = now
    elif step.action == "restore":
        asset.live_revision_id = None
        asset.archived_at = None
        # A restored asset is reviewed again before it goes back live. Its latest revision
        # still carries the approvals it was published with; left in place they would
        # stop its reviewers from approving it again and leave it stuck in review.
        db.session.execute(delete(Approval).where(Approval.revision_id == asset.latest_revision_id))


def _same_revision(asset: Asset) -> tuple:
    return (Asset.latest_revision_id == asset.latest_revision_id,)


ASSET = engine.Machine(
    name="asset",
    noun="asset",
    transitions=ASSET_TRANSITIONS,
    system_transitions=SYSTEM_TRANSITIONS,
    record=audit.record,
    state_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    event_labels=EVENT_LABELS,
    verbs={"request_changes": "request changes on"},
    guard=_guard,
    check=_check,
    enter=_enter,
    claim=_same_revision,
    refuse_role=_wrong_role,
)
after_transition = ASSET.after


def allowed_actions(asset: Asset, user: User) -> list[str]:
    """The transitions ``user`` may take on ``asset`` now, in table order."""
    return engine.allowed_actions(ASSET, asset, user)


def transition(asset: Asset, actor: User, action: str, comment: str = "") -> WorkflowEvent:
    """Move ``asset`` by ``action``, writing the audit event in the same transaction.

    Refusals raise Conflict naming the actions allowed now. The state check and the claim
    on the asset are one conditional UPDATE (it also checks that nobody saved a newer
    revision), so two people acting at once cannot produce an impossible state.
    """
    if not can(actor, "view", asset):
        raise NotFound("No such asset.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        message = f"Keep the comment under {COMMENT_MAX} characters."
        raise ValidationFailed(message, {"comment": message})
    event = engine.apply(ASSET, asset, action, actor, comment=comment)
    if action in PUBLISHED_EVENTS:
        _publish(PUBLISHED_EVENTS[action], asset, actor, event)
    return event


# The steps other systems hear of, by the event each publishes.
PUBLISHED_EVENTS = {"publish": "asset.published", "archive": "asset.archived"}


def _publish(name: str, asset: Asset, actor: User, event: WorkflowEvent) -> None:
    revision = asset.live_revision or asset.latest_revision
    events.publish(
        name,
        {
            "asset": {
                "id": asset.id,
                "title": revision.title if revision is not None else "",
                "revision": event.revision_number,
                "audience": asset.audience,
                "status": asset.status,
                "published_at": asset.published_at,
                "archived_at": asset.archived_at,
                "url": events.link(f"/assets/{asset.id}"),
            },
            "actor": {"id": actor.id, "name": actor.name},
        },
    )


def _approve(asset: Asset, reviewer) -> str:
    """Record the approval (the asset row is locked); returns the state it leaves the
    asset in: approved once the policy is met, otherwise still in review."""
    if review.has_approved(asset, reviewer):  # the same reviewer twice at the same moment
        raise engine.refusal(ASSET, asset, reviewer, "You have already approved this revision.")
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


def withdraw(asset: Asset, user: User, actor: User) -> None:
    """Take back ``user``'s approval of the latest revision (they were removed or are no
    longer a reviewer). An approved asset that no longer meets the policy goes back to
    review, and the audit log says who caused it."""
    review.remove_approval(asset, user)
    if engine.can_step(ASSET, asset, "withdraw_approval") and review.missing_sides(asset):
        comment = f"{user.name} no longer reviews this asset."
        engine.apply(ASSET, asset, "withdraw_approval", actor, system=True, comment=comment)


def review_again(asset: Asset, author, revision) -> None:
    """An edit of an approved or published asset needs review again."""
    if engine.can_step(ASSET, asset, "revise"):
        comment = revision.note or f"Revision {revision.number} saved."
        engine.apply(ASSET, asset, "revise", author, system=True, comment=comment)


def asset_history(asset: Asset) -> list[WorkflowEvent]:
    """The asset's workflow events, newest first."""
    return audit.history(ASSET.name, asset.id, newest_first=True)
