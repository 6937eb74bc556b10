"""JSON API for asset transitions."""

from flask import Blueprint, jsonify

from content.library.api import serialize_asset
from content.library.services import get_visible_asset
from portal.kernel.api import api_user, iso, json_body, token_required
from portal.kernel.errors import ValidationFailed
from workflows.review import collaborators, machine
from workflows.review import policy as review

bp = Blueprint("workflows_api", __name__, url_prefix="/api/v1")


@bp.post("/assets/<id:asset_id>/transitions")
@token_required
def transition(asset_id: int):
    user = api_user()
    asset = get_visible_asset(user, asset_id)
    data = json_body()
    action, comment = data.get("action"), data.get("comment", "")
    if not isinstance(action, str) or not action:
        raise ValidationFailed("Name the action.", {"action": "Required."})
    if not isinstance(comment, str):
        raise ValidationFailed("Wrong type.", {"comment": "Must be a string."})
    event = machine.transition(asset, user, action, comment)
    body = serialize_asset(asset, user)
    body["event"] = {
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "comment": event.comment,
        "at": iso(event.created_at),
    }
    body["allowed_actions"] = machine.allowed_actions(asset, user)
    body["review"] = review_state(asset)
    return jsonify(body)


def review_state(asset) -> dict:
    """Collaborators and sign-off of the latest revision, as the API shows them."""
    approved = {approval.reviewer_id for approval in review.approvals(asset)}
    return {
        "policy": review.policy(),
        "missing_sides": review.missing_sides(asset),
        "collaborators": [
            {
                "user": {"id": c.user.id, "name": c.user.name, "email": c.user.email},
                "role": c.role,
                "side": review.side_of(c.user),
                "approved_latest": c.user_id in approved,
            }
            for c in asset.collaborators
        ],
    }


@bp.post("/assets/<id:asset_id>/collaborators")
@token_required
def invite(asset_id: int):
    user = api_user()
    asset = get_visible_asset(user, asset_id)
    data = json_body()
    email, role = data.get("email"), data.get("role")
    if not isinstance(email, str) or not isinstance(role, str):
        fields = {
            name: "Must be a string."
            for name, value in (("email", email), ("role", role))
            if not isinstance(value, str)
        }
        raise ValidationFailed("Give an email and a role (author or reviewer).", fields)
    collaborators.invite(asset, user, email, role)
    return jsonify(review_state(asset)), 201
