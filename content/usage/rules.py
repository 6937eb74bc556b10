"""Who may rate, record usage, share with buyers and work on deals. Registered with
portal.kernel.permissions.

Reps own deals: they see and edit only their own, and only they attach content to deals.
Leaders and admins read every deal; only admins import deals from the CRM. Ratings come
from the people who use content, never from its authors.
"""

from sqlalchemy import Select, select

from content.deals.models import Deal
from content.library.models import Asset
from content.usage.models import ShareLink
from portal.kernel.models import Role, User
from portal.kernel.permissions import can, rule

DEAL_OWNERS = frozenset({Role.REP})
# Leaders and admins read every deal, and how every asset is used and rated.
DEAL_READERS = frozenset({Role.LEADER, Role.ADMIN})
RATERS = frozenset({Role.REP, Role.LEADER, Role.MARKETER})


def _authored(user: User, asset: Asset) -> bool:
    """The owner or an invited co-author: their view of the asset is not a reader's."""
    return asset.owner_id == user.id or asset.collaborator_role(user) == "author"


@rule("rate", Asset)
def _rate(user: User, asset: Asset) -> bool:
    """Reps, leaders and marketers rate live assets they did not write."""
    return user.role in RATERS and asset.is_live and not _authored(user, asset)


@rule("view_rating_comments", Asset)
def _view_rating_comments(user: User, asset: Asset) -> bool:
    """The comments are feedback for the people who wrote the asset, and for leaders."""
    return user.role in DEAL_READERS or _authored(user, asset)


@rule("view_usage", Asset)
def _view_usage(user: User, asset: Asset) -> bool:
    """How an asset is used: for its authors, leaders and admins."""
    return user.role in DEAL_READERS or _authored(user, asset)


@rule("attach_to_deal", Asset)
def _attach_to_deal(user: User, asset: Asset) -> bool:
    """A rep records that a live asset was used in one of their deals."""
    return user.role in DEAL_OWNERS and asset.is_live


@rule("share", Asset)
def _share(user: User, asset: Asset) -> bool:
    """Anyone who can read a live asset may send it to a buyer; an archived or expired
    asset gets no new links."""
    return asset.is_live and can(user, "view", asset)


@rule("revoke_links", Asset)
def _revoke_links(user: User, asset: Asset) -> bool:
    """The owner (or an admin) may take back every link to their asset at once."""
    return user.is_admin or asset.owner_id == user.id


@rule("view", ShareLink)
@rule("revoke", ShareLink)
def _manage_link(user: User, link: ShareLink) -> bool:
    return user.is_admin or user.id in (link.created_by_id, link.asset.owner_id)


@rule("track_deals")
def _track_deals(user: User, _nothing) -> bool:
    """Reps keep their deals in the portal ("My deals")."""
    return user.role in DEAL_OWNERS


@rule("view_all_deals")
def _view_all_deals(user: User, _nothing) -> bool:
    return user.role in DEAL_READERS


@rule("import_deals")
def _import_deals(user: User, _nothing) -> bool:
    """Importing a CRM export writes everyone's deals: admins only."""
    return user.is_admin


@rule("view", Deal)
def _view_deal(user: User, deal: Deal) -> bool:
    return deal.owner_id == user.id or user.role in DEAL_READERS


@rule("edit", Deal)
def _edit_deal(user: User, deal: Deal) -> bool:
    """Only the rep who owns a deal changes it; leaders read all deals."""
    return deal.owner_id == user.id and user.role in DEAL_OWNERS


def visible_deals(user: User) -> Select:
    """Deals this user may know exist; the list page and the API start from this."""
    query = select(Deal)
    if can(user, "view_all_deals"):
        return query
    return query.where(Deal.owner_id == user.id)
