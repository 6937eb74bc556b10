"""Each person's chat settings, the routing of new notifications to chat, and what the
admins' page reads and does."""

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from portal.chat.groups import Group, group_of
from portal.chat.models import (
    MAX_URL,
    Channel,
    ChatDelivery,
    ChatIdentity,
    ChatRoute,
    DeliveryStatus,
)
from portal.chat.sending import DeliveryFailed, identity_of, send
from portal.chat.workspace import workspace
from portal.kernel import outbound
from portal.kernel.errors import NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue
from portal.kernel.models import User
from portal.kernel.notifications import Notification
from portal.kernel.pagination import Page, paginate

# Slack member ids: U… for people, W… for members of an Enterprise Grid.
MEMBER_ID = re.compile(r"^[UW][A-Z0-9]{5,19}$")


@dataclass(frozen=True)
class ChatSettings:
    """What a person chose: the (group, channel) pairs they route, and who they are in chat."""

    routes: frozenset[tuple[Group, Channel]]
    slack_member_id: str = ""
    teams_url: str = ""


def settings_of(user: User) -> ChatSettings:
    """``user``'s current chat settings."""
    rows = db.session.execute(
        select(ChatRoute.kind_group, ChatRoute.channel).where(ChatRoute.user_id == user.id)
    ).all()
    identity = identity_of(user)
    return ChatSettings(
        routes=frozenset((Group(group), Channel(channel)) for group, channel in rows),
        slack_member_id=(identity.slack_member_id or "") if identity else "",
        teams_url=(identity.teams_url or "") if identity else "",
    )


def save_settings(user: User, chosen: ChatSettings) -> None:
    """Replace ``user``'s routes to the channels offered now (routes to a channel the
    admin turned off are kept for when it comes back) and their chat identity."""
    offered = workspace().channels
    member_id = chosen.slack_member_id.strip().upper()
    teams_url = chosen.teams_url.strip()
    errors = {}
    if member_id:
        if not MEMBER_ID.match(member_id):
            errors["slack_member_id"] = (
                "A Slack member ID looks like U01AB2CD3E: in Slack, open your profile, "
                "choose ⋮ and “Copy member ID”."
            )
        elif _member_id_taken(member_id, user):
            errors["slack_member_id"] = "That Slack member ID is linked to another Tandem account."
    if teams_url:
        errors.update(_teams_url_errors(teams_url))
    if errors:
        raise ValidationFailed("Your chat settings were not saved.", errors)
    db.session.execute(
        delete(ChatRoute).where(ChatRoute.user_id == user.id, ChatRoute.channel.in_(offered))
    )
    db.session.add_all(
        ChatRoute(user_id=user.id, kind_group=group, channel=channel)
        for group, channel in sorted(chosen.routes)
        if channel in offered
    )
    identity = identity_of(user)
    if identity is None:
        identity = ChatIdentity(user=user)
        db.session.add(identity)
    if Channel.SLACK in offered:
        identity.slack_member_id = member_id or None
    if Channel.TEAMS in offered:
        identity.teams_url = teams_url or None
    db.session.flush()


def _member_id_taken(member_id: str, user: User) -> bool:
    holder = db.session.scalar(
        select(ChatIdentity.user_id).where(ChatIdentity.slack_member_id == member_id)
    )
    return holder is not None and holder != user.id


def _teams_url_errors(url: str) -> dict[str, str]:
    if len(url) > MAX_URL:
        return {"teams_url": f"Use an address of at most {MAX_URL} characters."}
    try:
        outbound.check(url)
    except outbound.Refused as refused:
        return {"teams_url": str(refused)}
    return {}


# ---- routing ----------------------------------------------------------------------------


def route_to_chat(created: list[Notification]) -> None:
    """For each new notification whose recipient routes its group to a channel offered
    now, write a pending delivery in the same transaction and ask for the delivery job
    after the commit (a rollback leaves neither). Installed as a notify() listener."""
    offered = workspace().channels
    if not offered or not created:
        return
    by_user: dict[int, list[Notification]] = {}
    for notification in created:
        by_user.setdefault(notification.user_id, []).append(notification)
    groups = {group_of(notification.kind) for notification in created}
    routes = db.session.execute(
        select(ChatRoute.user_id, ChatRoute.kind_group, ChatRoute.channel).where(
            ChatRoute.user_id.in_(by_user),
            ChatRoute.kind_group.in_(groups),
            ChatRoute.channel.in_(offered),
        )
    ).all()
    deliveries = [
        ChatDelivery(notification=notification, channel=channel)
        for user_id, group, channel in routes
        for notification in by_user[user_id]
        if group_of(notification.kind) == group
    ]
    if not deliveries:
        return
    db.session.add_all(deliveries)
    db.session.flush()
    enqueue("chat.deliver", ids=sorted(delivery.id for delivery in deliveries))


# ---- the admins' page -------------------------------------------------------------------

STATUS_FILTERS = ("all", *DeliveryStatus)


def deliveries(page: int, per_page: int, status: str = "all") -> Page:
    """One page of the delivery log, newest first, optionally of one status."""
    query = select(ChatDelivery)
    if status != "all":
        query = query.where(ChatDelivery.status == status)
    return paginate(
        query,
        page,
        per_page,
        order=(ChatDelivery.created_at.desc(), ChatDelivery.id.desc()),
        options=(selectinload(ChatDelivery.notification).selectinload(Notification.user),),
    )


def status_counts() -> dict[str, int]:
    """How many deliveries are in each status."""
    counted = dict(
        db.session.execute(
            select(ChatDelivery.status, func.count(ChatDelivery.id)).group_by(ChatDelivery.status)
        ).all()
    )
    return {status: counted.get(status, 0) for status in DeliveryStatus}


def retry_delivery(delivery_id: int) -> ChatDelivery:
    """Ask the delivery job again for a failed delivery (after the commit)."""
    delivery = db.session.get(ChatDelivery, delivery_id)
    if delivery is None:
        raise NotFound("There is no such chat delivery.")
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationFailed("Only a failed delivery can be tried again.")
    enqueue("chat.deliver", ids=[delivery.id])
    return delivery


def send_test(admin: User, channel: str) -> str:
    """Post a test message for ``admin`` on ``channel`` now; returns where it went, or
    raises ValidationFailed with what the chat tool answered."""
    configured = workspace()
    if channel not in configured.channels:
        raise ValidationFailed("That chat tool is not configured.")
    text = f"Test message from Tandem, sent by {admin.name}: chat notifications work."
    try:
        send(channel, admin, text, "/settings/notifications")
    except DeliveryFailed as error:
        raise ValidationFailed(f"The test message did not get through: {error}") from None
    if channel == Channel.TEAMS:
        identity = identity_of(admin)
        return "your own Teams workflow" if identity and identity.teams_url else "the Teams channel"
    return "your Slack direct messages" if configured.slack_bot else "the Slack channel"
