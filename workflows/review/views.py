"""HTML routes for co-authoring and review: transitions and collaborators."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from content.library.services import get_visible_asset
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.forms import EmptyForm
from portal.kernel.permissions import can
from portal.kernel.templating import flash_summary, label_global
from portal.kernel.transaction import press
from workflows.review import collaborators, machine
from workflows.review import policy as review

bp = Blueprint("workflows", __name__)

DONE_MESSAGES = {
    "submit": "Submitted for review. The reviewers have been told.",
    "approve": "Approved.",
    "request_changes": "Changes requested. The authors have been told.",
    "publish": "Published. Reps now see this revision.",
    "archive": "Archived. Reps no longer see this asset.",
    "restore": "Restored as a draft. Submit it for review to make it visible again.",
}
CSRF_MESSAGE = "The form expired or was not sent from this site. Please try again."


def asset_actions(asset) -> list[tuple[str, str]]:
    """(action, label) pairs for the buttons on an asset page."""
    return [(a, machine.ACTION_LABELS[a]) for a in machine.allowed_actions(asset, current_user)]


status_label = label_global("status_label", machine.STATUS_LABELS)


def review_panel(asset) -> dict | None:
    """What the asset page shows about co-authors, reviewers and sign-off; None for those
    who do not see the latest revision."""
    if not can(current_user, "view_latest", asset):
        return None
    given = review.approvals(asset)
    return {
        "collaborators": asset.collaborators,
        "approved_by": {approval.reviewer_id: approval for approval in given},
        "policy": review.policy(),
        "missing_sides": review.missing_sides(asset, given),
        "reviewers_missing": review.reviewers_missing_for_policy(asset),
        "role_labels": collaborators.ROLE_LABELS,
    }


def _back(asset_id: int):
    return redirect(url_for("content.show", asset_id=asset_id))


@bp.post("/assets/<id:asset_id>/transitions")
@login_required
def transition(asset_id: int):
    asset = get_visible_asset(current_user, asset_id)
    action = request.form.get("action", "")
    submission = press(
        EmptyForm(),
        lambda: machine.transition(asset, current_user, action, request.form.get("comment", "")),
        show=flash_summary,
    )
    if submission.saved:
        message = DONE_MESSAGES.get(action, "Done.")
        if action == "approve" and submission.result.to_state == "in_review":
            waiting = " and ".join(review.missing_sides(asset))
            message = f"Approved. Still waiting for a {waiting} approval."
        elif action == "approve":
            message = "Approved. Every sign-off is in: the owner can publish."
        flash(message, "success")
    return _back(asset.id)


@bp.post("/assets/<id:asset_id>/collaborators")
@login_required
def invite(asset_id: int):
    asset = get_visible_asset(current_user, asset_id)
    submission = press(
        EmptyForm(),
        lambda: collaborators.invite(
            asset, current_user, request.form.get("email", ""), request.form.get("role", "")
        ),
        refusals=(ValidationFailed, Conflict, PermissionDenied),
    )
    if submission.saved:
        collaborator = submission.result
        role = collaborators.ROLE_LABELS[collaborator.role].lower()
        flash(f"{collaborator.user.name} is now a {role} and has been told.", "success")
    return _back(asset.id)


@bp.post("/assets/<id:asset_id>/collaborators/<id:user_id>/remove")
@login_required
def remove_collaborator(asset_id: int, user_id: int):
    asset = get_visible_asset(current_user, asset_id)
    press(
        EmptyForm(),
        lambda: collaborators.remove(asset, current_user, user_id),
        refusals=(NotFound, PermissionDenied),
        show=flash_summary,
        done="Removed from the asset. Their revisions and comments stay.",
    )
    return _back(asset.id)
