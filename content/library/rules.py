"""Who may do what in the content library. Registered with portal.kernel.permissions."""

from datetime import date

from sqlalchemy import ColumnElement, Select, or_, select

from content.library.models import Asset, AssetCollaborator
from portal.kernel.models import ADMINS, AUTHORS, Role, User
from portal.kernel.permissions import can, rule
from portal.kernel.role_rules import roles_may

# Marketers and admins see every asset in any state; others only live ones.
_authors_may = roles_may(AUTHORS, "view_drafts", "create_asset")
_admins_may = roles_may(ADMINS, "manage_taxonomy")


@rule("view", Asset)
def _view_asset(user: User, asset: Asset) -> bool:
    """Marketers see everything; others see live assets and those they were invited to."""
    return can(user, "view_drafts") or asset.is_live or asset.collaborator_role(user) is not None


@rule("view_latest", Asset)
def _view_latest(user: User, asset: Asset) -> bool:
    """Who sees work in progress (the latest revision) rather than only what is live."""
    return can(user, "view_drafts") or asset.collaborator_role(user) is not None


@rule("download", Asset)
def _download_asset(user: User, asset: Asset) -> bool:
    return _view_asset(user, asset)


@rule("edit", Asset)
def _edit_asset(user: User, asset: Asset) -> bool:
    """The owner, an admin and invited collaborators; each save is a revision by its author."""
    if asset.status == "archived":
        return False
    if user.is_admin or (user.role == Role.MARKETER and asset.owner_id == user.id):
        return True
    return asset.collaborator_role(user) is not None


def live_or_invited(user: User) -> ColumnElement[bool]:
    """Assets that are live, or that ``user`` was invited to work on."""
    invited = select(AssetCollaborator.asset_id).where(AssetCollaborator.user_id == user.id)
    return or_(Asset.live_clause(), Asset.id.in_(invited))


def visible_assets(user: User, live_only: bool = False, today: date | None = None) -> Select:
    """Assets this user may know exist; the list, board and API all start from this.
    ``live_only`` keeps the live ones (on ``today``, by default the current day), which
    every reader may see: a plain condition the databases plan better than the reader's
    "live or invited"."""
    if live_only:
        return select(Asset).where(Asset.live_clause(today))
    query = select(Asset)
    if can(user, "view_drafts"):
        return query
    return query.where(live_or_invited(user))
