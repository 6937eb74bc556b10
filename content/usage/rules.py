"""Who may rate, record usage, share with buyers and work on deals. Registered with
portal.kernel.permissions.

Reps own deals: they see and edit only their own, and only they attach content to deals.
Leaders and admins read every deal; only admins import deals from the CRM. Ratings come
from the people who use content, never from its authors.
"""

from sqlalchemy import Select

from content.deals.models import Deal
from content.library.models import Asset
from content.usage.models import ShareLink
from portal.kernel.models import ADMINS, Role, User
from portal.kernel.permissions import can, rule
from portal.kernel.role_rules import own_or_all, owner_or_roles_may, roles_may

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
@rule("view_usage", Asset)
def _view_feedback_on_use(user: User, asset: Asset) -> bool:
    """The rating comments and how an asset is used are feedback for the people who wrote
    it, and for leaders and admins."""
    return user.role in DEAL_READERS or _authored(user, asset)


@rule("attach_to_deal", Asset)
def _attach_to_deal(user: User, asset: Asset) -> bool:
    """A rep records that a live asset was used in one of their deals."""
    return user.role in DEAL_OWNERS and asset.is_live


@rule("share", Asset)
def _share(user: User, asset: Asset) -> bool:
    """Anyone who can read a live asset may send it to a buyer; an archived or expired
    asset gets no new links, and an internal one is never sent outside."""
    return asset.is_live and not asset.internal and can(user, "view", asset)


@rule("revoke_links", Asset)
def _revoke_links(user: User, asset: Asset) -> bool:
    """The owner (or an admin) may take back every link to their asset at once."""
    return user.is_admin or asset.owner_id == user.id


@rule("view", ShareLink)
@rule("revoke", ShareLink)
def _manage_link(user: User, link: ShareLink) -> bool:
    return user.is_admin or user.id in (link.created_by_id, link.asset.owner_id)


# Reps keep their deals in the portal ("My deals").
_owners_may = roles_may(DEAL_OWNERS, "track_deals")
_readers_may = roles_may(DEAL_READERS, "view_all_deals")
# Importing a CRM export writes everyone's deals: admins only.
_admins_may = roles_may(ADMINS, "import_deals")


_deal_readers_may = owner_or_roles_may("owner_id", DEAL_READERS, ("view", Deal))


@rule("edit", Deal)
def _edit_deal(user: User, deal: Deal) -> bool:
    """Only the rep who owns a deal changes it; leaders read all deals."""
    return deal.owner_id == user.id and user.role in DEAL_OWNERS


def visible_deals(user: User) -> Select:
    """Deals this user may know exist; the list page and the API start from this."""
    return own_or_all(user, Deal, Deal.owner_id, "view_all_deals")
