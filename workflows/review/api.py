"""JSON API for review: an asset's transitions and collaborators."""

from flask import Blueprint

from content.library.services import get_visible_asset
from portal.kernel.models import User
from portal.kernel.schemas import operation
from workflows.review import collaborators, machine
from workflows.review.schemas import AssetTransitionInput, CollaboratorInput, Review, ReviewedAsset

bp = Blueprint("workflows_api", __name__)


@bp.post("/assets/<id:asset_id>/transitions")
@operation(
    "Move the asset through its workflow (submit, approve, request_changes, publish, "
    "archive, restore); request_changes needs a comment",
    answer="The asset after the transition, the event written and what is allowed now",
    errors=(409,),
)
def transition(asset_id: int, body: AssetTransitionInput, user: User) -> ReviewedAsset:
    asset = get_visible_asset(user, asset_id)
    event = machine.transition(asset, user, body.action, body.comment)
    return ReviewedAsset.moved(asset, user, event)


@bp.post("/assets/<id:asset_id>/collaborators")
@operation(
    "Invite a co-author or reviewer (owner or admin); again to change the role",
    response=Review,
    status=201,
    answer="The asset's collaborators and sign-off",
    errors=(403, 409),
)
def invite(asset_id: int, body: CollaboratorInput, user: User):
    asset = get_visible_asset(user, asset_id)
    collaborators.invite(asset, user, body.email, body.role)
    return Review.of(asset), 201
