"""Who may move an asset through review and publishing. Registered with
portal.kernel.permissions."""

from content.library.models import Asset
from portal.kernel.models import Role, User
from portal.kernel.permissions import rule
from workflows.review import policy as review


def _owner_or_admin(user: User, asset: Asset) -> bool:
    return user.is_admin or (user.role == Role.MARKETER and asset.owner_id == user.id)


def _reviewer(user: User, asset: Asset) -> bool:
    return asset.collaborator_role(user) == "reviewer"


def _wrote_latest(user: User, asset: Asset) -> bool:
    latest = asset.latest_revision
    return latest is not None and latest.author_id == user.id


@rule("submit", Asset)
def _submit(user: User, asset: Asset) -> bool:
    """The owner, an admin or a co-author sends the latest revision for review."""
    return _owner_or_admin(user, asset) or asset.collaborator_role(user) == "author"


@rule("approve", Asset)
def _approve(user: User, asset: Asset) -> bool:
    """An invited reviewer who did not write the revision and has not approved it yet."""
    return (
        _reviewer(user, asset)
        and not _wrote_latest(user, asset)
        and not review.has_approved(asset, user)
    )


@rule("request_changes", Asset)
def _request_changes(user: User, asset: Asset) -> bool:
    return _reviewer(user, asset) and not _wrote_latest(user, asset)


@rule("manage_collaborators", Asset)
def _manage_collaborators(user: User, asset: Asset) -> bool:
    return asset.status != "archived" and _owner_or_admin(user, asset)


for _action in ("publish", "archive", "restore"):
    rule(_action, Asset)(_owner_or_admin)
