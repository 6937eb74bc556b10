"""The ``/tandem`` slash command: who is asking, and the three best assets they may see.

Slack shows the answer only to the person who typed the command (``ephemeral``). The
search is the search page's own, run as the Tandem user the Slack member is linked to,
so the answer never names an asset that person could not open.
"""

from typing import Any
from urllib.parse import urlencode

from flask import url_for
from sqlalchemy import select

from content.library.models import Stage
from portal.chat import slack
from portal.chat.messages import slack_escape, slack_link
from portal.chat.models import ChatIdentity
from portal.chat.workspace import absolute, workspace
from portal.kernel import outbound
from portal.kernel.extensions import db
from portal.kernel.models import User, find_user
from search import service

SHOWN = 3
MAX_QUERY = 300


def ephemeral(text: str) -> dict[str, Any]:
    """An answer only the person who typed the command sees."""
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def answer(member_id: str, query: str) -> dict[str, Any]:
    """Slack's answer to ``/tandem <query>`` typed by the Slack member ``member_id``."""
    user = linked_user(member_id)
    settings = absolute(url_for("chat.settings"))
    if user is None:
        return ephemeral(
            "Your Slack account is not linked to Tandem, so I cannot tell what you may see. "
            f"Sign in to Tandem and enter your Slack member ID in "
            f"{slack_link(settings, 'your notification settings')}, then try again."
        )
    words = " ".join(query.split())[:MAX_QUERY]
    if not words or words.lower() == "help":
        return ephemeral(
            "Ask for content by what it is about, e.g. `/tandem pricing objections`: "
            f"I answer with the {SHOWN} best assets you may see in Tandem."
        )
    found = service.search(user, words, {}, per_page=SHOWN, highlight=False)
    hits = found.result.hits[:SHOWN]
    search_url = absolute(url_for("search.results") + "?" + urlencode({"q": words}))
    if not hits:
        return ephemeral(
            f"Nothing in Tandem matches “{slack_escape(words)}”. "
            f"{slack_link(search_url, 'Search in Tandem')} to try other words or filters."
        )
    return _results(words, hits, found.result.total, search_url)


def _results(words: str, hits, total: int, search_url: str) -> dict[str, Any]:
    names = _stage_names({slug for hit in hits for slug in hit.stages})
    lines = []
    for hit in hits:
        title = slack_escape(hit.title.striptags())
        stages = ", ".join(names.get(slug, slug) for slug in hit.stages) or "No stage"
        link = slack_link(absolute(f"/assets/{hit.asset_id}"), title)
        lines.append(f"*{link}*\nStage: {slack_escape(stages)}")
    heading = f"Top {len(hits)} of {total} for “{slack_escape(words)}”:"
    more = f"{slack_link(search_url, 'See every result in Tandem')}"
    text = "\n".join([heading, *lines, more])
    answer = ephemeral(text)
    answer["blocks"] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": heading}},
        *({"type": "section", "text": {"type": "mrkdwn", "text": line}} for line in lines),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": more}]},
    ]
    return answer


def _stage_names(slugs: set[str]) -> dict[str, str]:
    if not slugs:
        return {}
    rows = db.session.execute(select(Stage.slug, Stage.name).where(Stage.slug.in_(slugs)))
    return {row.slug: row.name for row in rows}


def linked_user(member_id: str) -> User | None:
    """The active Tandem user a Slack member is: the one who linked that member id, or,
    with the Slack app's bot token, the one whose email Slack holds for the member (the
    link is then kept)."""
    if not member_id:
        return None
    identity = db.session.scalar(
        select(ChatIdentity).where(ChatIdentity.slack_member_id == member_id)
    )
    if identity is not None:
        return identity.user if identity.user.active else None
    if not workspace().slack_bot:
        return None
    try:
        email = slack.email_of(member_id)
    except (slack.SlackRefused, outbound.Refused, outbound.Unreachable):
        return None
    user = find_user(email) if email else None
    if user is None or not user.active:
        return None
    _link(user, member_id)
    return user


def _link(user: User, member_id: str) -> None:
    identity = db.session.scalar(select(ChatIdentity).where(ChatIdentity.user_id == user.id))
    if identity is None:
        db.session.add(ChatIdentity(user=user, slack_member_id=member_id))
    elif not identity.slack_member_id:
        identity.slack_member_id = member_id
    db.session.flush()
