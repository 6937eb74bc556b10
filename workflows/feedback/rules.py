"""Who may send, read and triage field feedback. Registered with portal.kernel.permissions."""

from sqlalchemy import Select, select

from content.deals.models import Deal
from content.library.models import Asset
from portal.kernel.models import AUTHORS, OVERSEERS, Role, User
from portal.kernel.permissions import can, rule
from workflows.campaigns.models import Campaign
from workflows.feedback.models import FieldFeedback

SENDERS = frozenset({Role.REP, Role.LEADER})
TRIAGERS = AUTHORS
READERS = OVERSEERS


@rule("send_feedback")
def _may_send(user: User, _nothing) -> bool:
    """The field sends feedback; marketing receives and triages it."""
    return user.role in SENDERS


@rule("send_feedback", Asset)
def _may_send_about_asset(user: User, asset: Asset) -> bool:
    return user.role in SENDERS and can(user, "view", asset)


@rule("send_feedback", Deal)
def _may_send_about_deal(user: User, deal: Deal) -> bool:
    """Only the deal's owner: a leader reads every deal but speaks for none."""
    return user.role in SENDERS and deal.owner_id == user.id


@rule("send_feedback", Campaign)
def _may_send_about_campaign(user: User, campaign: Campaign) -> bool:
    return user.role in SENDERS and campaign.status == "published"


@rule("view_all_feedback")
def _reads_all(user: User, _nothing) -> bool:
    """Marketers and admins work the inbox; leaders read it."""
    return user.role in READERS


@rule("triage_feedback")
def _triages(user: User, _nothing) -> bool:
    return user.role in TRIAGERS


@rule("view", FieldFeedback)
def _may_view(user: User, feedback: FieldFeedback) -> bool:
    return feedback.author_id == user.id or user.role in READERS


@rule("triage", FieldFeedback)
def _may_triage(user: User, _feedback: FieldFeedback) -> bool:
    return user.role in TRIAGERS


@rule("view_feedback", Asset)
def _may_view_on_asset(user: User, asset: Asset) -> bool:
    """The asset's page shows what the field said about it to its owner and to everyone
    who reads the whole inbox anyway."""
    return asset.owner_id == user.id or user.role in READERS


def visible_feedback(user: User) -> Select:
    """Feedback this user may know exists; the inbox, the counts and any API start here."""
    query = select(FieldFeedback)
    if can(user, "view_all_feedback"):
        return query
    return query.where(FieldFeedback.author_id == user.id)
