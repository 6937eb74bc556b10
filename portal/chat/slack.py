"""Slack's Web API and its signed requests.

Every call goes through ``portal.kernel.outbound``. Slack answers 200 with ``"ok": false``
and an error code when it refuses a call, so the JSON is read, not only the status. The
outbound answer keeps only the start of a long body: a user object can pass that limit,
so the one field needed is also looked for in the start of the text.
"""

import hashlib
import hmac
import json
import re
import time
from urllib.parse import urlencode

from flask import current_app

from portal.chat.workspace import slack_api_url
from portal.kernel import outbound

# Slack's own limit: a request signed longer ago than this is refused as a replay.
MAX_AGE_SECONDS = 5 * 60
_MEMBER_ID = re.compile(r'"user"\s*:\s*\{\s*"id"\s*:\s*"([A-Z0-9]+)"')
_EMAIL = re.compile(r'"email"\s*:\s*"([^"\\]+)"')
_OK = re.compile(r'"ok"\s*:\s*(true|false)')
_ERROR = re.compile(r'"error"\s*:\s*"([^"\\]+)"')


class SlackRefused(Exception):
    """Slack did not do what was asked; the message says what it answered."""


def signature_ok(secret: str, timestamp: str, signature: str, body: bytes) -> bool:
    """Whether a request carries Slack's signature of ``body`` with ``secret`` (the
    ``v0`` HMAC-SHA256 of ``v0:<timestamp>:<body>``) and was signed within five minutes."""
    try:
        signed_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(time.time() - signed_at) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + str(signed_at).encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (signature or "").encode())


def _call(method: str, body: bytes, content_type: str) -> str:
    """Call a Web API method; returns the answer's text, or raises SlackRefused (and
    outbound's Refused or Unreachable)."""
    token = current_app.config["SLACK_BOT_TOKEN"]
    answer = outbound.post(
        slack_api_url(method),
        body,
        {"Content-Type": content_type, "Authorization": f"Bearer {token}"},
    )
    if not answer.ok:
        raise SlackRefused(f"Slack answered {method} with HTTP {answer.status}.")
    ok = _field(answer.body, "ok", _OK)
    if ok not in (True, "true"):
        if ok is None:
            raise SlackRefused(f"Slack's answer to {method} was not understood.")
        code = _field(answer.body, "error", _ERROR) or "unknown"
        raise SlackRefused(f"Slack refused {method}: {code}.")
    return answer.body


def _field(text: str, name: str, pattern: re.Pattern, *path: str):
    """A field of a Slack answer: read from the JSON when it is whole, else found by
    ``pattern`` in the start that was kept."""
    try:
        value = json.loads(text)
    except ValueError:
        found = pattern.search(text)
        return found.group(1) if found else None
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value.get(name) if isinstance(value, dict) else None


def post_message(member_id: str, message: dict) -> None:
    """Send ``message`` to a member as a direct message from the Slack app."""
    body = json.dumps({"channel": member_id, **message}).encode()
    _call("chat.postMessage", body, "application/json; charset=utf-8")


def member_id_by_email(email: str) -> str:
    """The Slack member id of the workspace member with this email (SlackRefused with
    ``users_not_found`` when there is none)."""
    text = _call("users.lookupByEmail", urlencode({"email": email}).encode(), _FORM)
    member_id = _field(text, "id", _MEMBER_ID, "user")
    if not isinstance(member_id, str) or not member_id:
        raise SlackRefused("Slack's answer to users.lookupByEmail named no member.")
    return member_id


def email_of(member_id: str) -> str | None:
    """The email Slack holds for a member, or None when Slack does not share it."""
    text = _call("users.info", urlencode({"user": member_id}).encode(), _FORM)
    email = _field(text, "email", _EMAIL, "user", "profile")
    return email if isinstance(email, str) and email else None


_FORM = "application/x-www-form-urlencoded"
