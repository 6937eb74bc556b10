"""Who may move an asset through its workflow. Registered with portal.permissions."""

from content.models import Asset
from portal.permissions import rule


def _owner_or_admin(user, asset: Asset) -> bool:
    return user.role == "admin" or (user.role == "marketer" and asset.owner_id == user.id)


for _action in ("publish", "archive", "restore"):
    rule(_action, Asset)(_owner_or_admin)
