"""Co-authoring: the owner invites people from either team as co-authors or reviewers.

Services flush; the caller commits. Invited users see the asset's work in progress, may
edit it (each save a revision authored by them) and comment; reviewers also sign off.
"""

from sqlalchemy import select

from content.library.models import COLLABORATOR_ROLES, Asset, AssetCollaborator
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, find_user
from portal.kernel.permissions import can
from workflows.review.machine import withdraw

ROLE_LABELS = {"author": "Co-author", "reviewer": "Reviewer"}
_invited_callbacks: list = []


def on_invite(callback):
    """Register ``callback(collaborator, actor)``, called when someone is invited."""
    if callback not in _invited_callbacks:
        _invited_callbacks.append(callback)
    return callback


def invite(asset: Asset, actor: User, email: str, role: str) -> AssetCollaborator:
    """Invite the user with ``email`` as ``role``; inviting someone again changes their role."""
    if not can(actor, "manage_collaborators", asset):
        raise PermissionDenied("Only the owner or an admin invites collaborators.")
    errors = {}
    if role not in COLLABORATOR_ROLES:
        errors["role"] = "Choose co-author or reviewer."
    user = find_user(email or "")
    if user is None or not user.active:
        errors["email"] = "No active user has that email address."
    elif user.id == asset.owner_id:
        errors["email"] = "The owner already works on this asset."
    if errors or user is None:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    existing = next((c for c in asset.collaborators if c.user_id == user.id), None)
    if existing is not None:
        if existing.role == role:
            raise Conflict(f"{user.name} is already a {ROLE_LABELS[role].lower()}.")
        existing.role = role
        if role != "reviewer":
            withdraw(asset, user, actor)
        db.session.flush()
        return existing
    collaborator = AssetCollaborator(asset=asset, user=user, role=role, invited_by=actor)
    db.session.add(collaborator)
    db.session.flush()
    for callback in _invited_callbacks:
        callback(collaborator, actor)
    return collaborator


def remove(asset: Asset, actor: User, user_id: int) -> None:
    """Take someone off the asset; their revisions and comments stay."""
    if not can(actor, "manage_collaborators", asset):
        raise PermissionDenied("Only the owner or an admin removes collaborators.")
    collaborator = db.session.scalar(
        select(AssetCollaborator).where(
            AssetCollaborator.asset_id == asset.id, AssetCollaborator.user_id == user_id
        )
    )
    if collaborator is None:
        raise NotFound("That person is not a collaborator on this asset.")
    asset.collaborators.remove(collaborator)
    withdraw(asset, collaborator.user, actor)
    db.session.flush()
