"""The messages themselves: Slack's blocks (mrkdwn) and a Teams Adaptive Card.

People's text (titles, names, comments quoted in a notification) is escaped so it reads
as typed: in Slack ``&``, ``<`` and ``>`` would otherwise start entities, links and
mentions; in Teams the text goes in a ``TextRun``, which Adaptive Cards never read as
Markdown.
"""

from typing import Any

OPEN_LABEL = "Open in Tandem"


def slack_escape(text: str) -> str:
    """Text for Slack's mrkdwn, shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str, label: str) -> str:
    """A mrkdwn link; ``|`` would end the address early, so it is percent-encoded."""
    return f"<{slack_escape(url).replace('|', '%7C')}|{slack_escape(label)}>"


def slack_message(text: str, url: str, heading: str | None = None) -> dict[str, Any]:
    """A Slack message (chat.postMessage or an incoming webhook) with the notification's
    text and a link; ``heading`` (already mrkdwn) goes first, e.g. whom it is for."""
    line = slack_escape(text)
    if heading:
        line = f"{heading} {line}"
    body = f"{line}\n{slack_link(url, OPEN_LABEL)}"
    return {
        "text": body,
        "unfurl_links": False,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": body}}],
    }


def teams_message(text: str, url: str, heading: str | None = None) -> dict[str, Any]:
    """A Teams message with one Adaptive Card, as incoming webhooks and workflows take it."""
    body: list[dict[str, Any]] = []
    if heading:
        heading_run = {"type": "TextRun", "text": heading, "weight": "Bolder"}
        body.append({"type": "RichTextBlock", "inlines": [heading_run]})
    body.append({"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text}]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": OPEN_LABEL, "url": url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
