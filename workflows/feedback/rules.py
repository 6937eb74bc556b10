"""Who may send, read and triage field feedback. Registered with portal.kernel.permissions."""

from sqlalchemy import Select

from content.deals.models import Deal
from content.library.models import Asset
from portal.kernel.models import AUTHORS, OVERSEERS, Role, User
from portal.kernel.permissions import can, rule
from portal.kernel.role_rules import own_or_all, owner_or_roles_may, roles_may
from workflows.campaigns.models import Campaign
from workflows.feedback.models import FieldFeedback

SENDERS = frozenset({Role.REP, Role.LEADER})
TRIAGERS = AUTHORS
READERS = OVERSEERS


# The field sends feedback; marketing receives and triages it.
_senders_may = roles_may(SENDERS, "send_feedback")


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


# Marketers and admins work the inbox; leaders read it.
_readers_may = roles_may(READERS, "view_all_feedback")
_triagers_may = roles_may(TRIAGERS, "triage_feedback", ("triage", FieldFeedback))


_author_may = owner_or_roles_may("author_id", READERS, ("view", FieldFeedback))
# The asset's page shows what the field said about it to its owner and to everyone who
# reads the whole inbox anyway.
_asset_owner_may = owner_or_roles_may("owner_id", READERS, ("view_feedback", Asset))


def visible_feedback(user: User) -> Select:
    """Feedback this user may know exists; the inbox, the counts and any API start here."""
    return own_or_all(user, FieldFeedback, FieldFeedback.author_id, "view_all_feedback")
