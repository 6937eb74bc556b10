"""Posting one message for one person to Slack or Teams, for the delivery job and the
admins' test message."""

import json

from flask import current_app
from sqlalchemy import select

from portal.chat import slack
from portal.chat.messages import slack_escape, slack_message, teams_message
from portal.chat.models import Channel, ChatIdentity
from portal.chat.workspace import absolute, workspace
from portal.kernel import outbound
from portal.kernel.extensions import db
from portal.kernel.models import User

JSON = {"Content-Type": "application/json; charset=utf-8"}


class DeliveryFailed(Exception):
    """The message did not get through; the message says why, for the admins' log."""


def identity_of(user: User) -> ChatIdentity | None:
    return db.session.scalar(select(ChatIdentity).where(ChatIdentity.user_id == user.id))


def send(channel: str, user: User, text: str, path: str) -> None:
    """Post ``text`` and a link to ``path`` for ``user`` on ``channel``; raises
    DeliveryFailed with the reason."""
    url = absolute(path)
    try:
        if channel == Channel.SLACK:
            _to_slack(user, text, url)
        else:
            _to_teams(user, text, url)
    except (outbound.Refused, outbound.Unreachable, slack.SlackRefused) as error:
        raise DeliveryFailed(str(error) or type(error).__name__) from None


def _to_slack(user: User, text: str, url: str) -> None:
    configured = workspace()
    identity = identity_of(user)
    if configured.slack_bot:
        slack.post_message(slack_member_id(user, identity), slack_message(text, url))
        return
    if not configured.slack_webhook:
        raise DeliveryFailed("Slack is no longer configured for this Tandem.")
    # A channel everyone reads: the message names whom it is for.
    member_id = identity.slack_member_id if identity else None
    heading = f"<@{member_id}>" if member_id else f"*For {slack_escape(user.name)}:*"
    _post_json(current_app.config["SLACK_WEBHOOK_URL"], slack_message(text, url, heading), "Slack")


def _to_teams(user: User, text: str, url: str) -> None:
    identity = identity_of(user)
    if identity is not None and identity.teams_url:
        _post_json(identity.teams_url, teams_message(text, url), "Teams")
        return
    shared = current_app.config.get("TEAMS_WEBHOOK_URL")
    if not shared:
        raise DeliveryFailed("Microsoft Teams is no longer configured for this Tandem.")
    _post_json(shared, teams_message(text, url, f"For {user.name}:"), "Teams")


def _post_json(url: str, message: dict, tool: str) -> None:
    answer = outbound.post(url, json.dumps(message).encode(), JSON)
    if not answer.ok:
        said = " ".join(answer.body.split())[:120]
        ending = f": {said}" if said else "."
        raise DeliveryFailed(f"{tool} answered HTTP {answer.status}{ending}")


def slack_member_id(user: User, identity: ChatIdentity | None) -> str:
    """The person's Slack member id: the one they entered, else the one Slack gives for
    their email, kept for next time (and for the slash command) unless another account
    already holds it."""
    if identity is not None and identity.slack_member_id:
        return identity.slack_member_id
    try:
        member_id = slack.member_id_by_email(user.email)
    except slack.SlackRefused as error:
        raise DeliveryFailed(
            f"{error} No Slack member has the email {user.email}: the person can enter "
            "their Slack member ID in their notification settings."
        ) from None
    taken = db.session.scalar(
        select(ChatIdentity.id).where(ChatIdentity.slack_member_id == member_id)
    )
    if taken is None:
        if identity is None:
            identity = ChatIdentity(user=user)
            db.session.add(identity)
        identity.slack_member_id = member_id
        db.session.flush()
    return member_id
