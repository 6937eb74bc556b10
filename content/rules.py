"""Who may do what in the content library. Registered with portal.permissions."""

from sqlalchemy import Select, and_, select

from content.models import Asset
from portal.permissions import can, rule

AUTHORS = {"marketer", "admin"}


@rule("view_drafts")
def _view_drafts(user, _obj) -> bool:
    """Marketers and admins see every asset in any state; others only live ones."""
    return user.role in AUTHORS


@rule("create_asset")
def _create_asset(user, _obj) -> bool:
    return user.role in AUTHORS


@rule("manage_taxonomy")
def _manage_taxonomy(user, _obj) -> bool:
    return user.role == "admin"


@rule("view", Asset)
def _view_asset(user, asset: Asset) -> bool:
    return can(user, "view_drafts") or asset.is_live


@rule("download", Asset)
def _download_asset(user, asset: Asset) -> bool:
    return _view_asset(user, asset)


@rule("edit", Asset)
def _edit_asset(user, asset: Asset) -> bool:
    if asset.status == "archived":
        return False
    return user.role == "admin" or (user.role == "marketer" and asset.owner_id == user.id)


def visible_assets(user) -> Select:
    """Assets this user may know exist; the list, board and API all start from this."""
    query = select(Asset)
    if can(user, "view_drafts"):
        return query
    return query.where(and_(Asset.live_revision_id.is_not(None), Asset.status != "archived"))
