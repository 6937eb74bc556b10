"""Who may do what with campaign briefs. Registered with portal.kernel.permissions."""

from sqlalchemy import Select, select

from portal.kernel.models import AUTHORS, OVERSEERS, Role, User
from portal.kernel.permissions import can, rule
from portal.kernel.role_rules import roles_may
from workflows.campaigns.models import Campaign

# Marketers (and admins) brief the field; who has read the brief and the feedback on it
# is marketing's view of the field.
_authors_may = roles_may(AUTHORS, "write_campaigns", ("view_responses", Campaign))


@rule("view", Campaign)
def _may_view(user: User, campaign: Campaign) -> bool:
    """Published briefs are for everyone; drafts stay within marketing until published."""
    return campaign.status == "published" or user.role in AUTHORS


@rule("view_results", Campaign)
def _may_view_results(user: User, campaign: Campaign) -> bool:
    """What a published campaign produced is for those who follow the field's work:
    marketers, leaders and admins."""
    return campaign.status == "published" and user.role in OVERSEERS


@rule("edit", Campaign)
def _may_edit(user: User, campaign: Campaign) -> bool:
    """Its owner while still a marketer (a changed role takes the right away), or an admin."""
    return user.is_admin or (user.role == Role.MARKETER and campaign.owner_id == user.id)


@rule("publish", Campaign)
def _may_publish(user: User, campaign: Campaign) -> bool:
    return campaign.status == "draft" and _may_edit(user, campaign)


@rule("acknowledge", Campaign)
def _may_acknowledge(user: User, campaign: Campaign) -> bool:
    """Reps are the field the brief is for; "Read by N of M reps" counts only them."""
    return campaign.status == "published" and user.is_rep


def visible_campaigns(user: User) -> Select:
    """Campaigns this user may know exist; the list, the board and any API start here."""
    query = select(Campaign)
    if can(user, "write_campaigns"):
        return query
    return query.where(Campaign.status == "published")
