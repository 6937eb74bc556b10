"""Helpers for the portal tests: reading flashes, redirects and JSON schemas, a
stand-in SMTP server, signing a user out everywhere."""

import html
import re
import socket
from email import message_from_bytes
from email.policy import default as default_policy
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.accounts.services import update_user
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.openapi import openapi_document

_FLASH = re.compile(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', re.S)


def flashes(response) -> list[str]:
    """The flash messages a page shows, as plain text."""
    return [html.unescape(message.strip()) for message in _FLASH.findall(response.text)]


def redirect_path(response) -> str:
    """The path (and query) a redirect points to."""
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def outcome(response):
    """A response's status, with a redirect to the sign-in page named "login"."""
    if response.status_code == 302 and redirect_path(response).startswith("/login"):
        return "login"
    return response.status_code


def client_with_cookie(app, name: str, value: str):
    """A new client holding only one cookie, as someone who copied it would."""
    client = app.test_client()
    client.set_cookie(name, value)
    return client


def deactivate(user) -> None:
    """Deactivate ``user`` the way an admin does, and commit."""
    admin = db.session.scalar(select(User).where(User.role == "admin", User.id != user.id))
    fields = {"email": user.email, "name": user.name, "role": user.role}
    update_user(admin, user, **fields, department=user.department, active=False)
    db.session.commit()


_JSON_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def schema_problems(value, schema: dict, where: str = "$") -> list[str]:
    """Where ``value`` breaks a JSON schema (type, enum, required, properties, items)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi_document()["components"]["schemas"][name]
    types = schema.get("type")
    if types is not None:
        allowed = tuple(_JSON_TYPES[t] for t in ([types] if isinstance(types, str) else types))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            return [f"{where}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    problems = []
    if isinstance(value, dict):
        missing = [key for key in schema.get("required", []) if key not in value]
        problems += [f"{where}.{key}: missing" for key in missing]
        for key, item in value.items():
            if key in schema.get("properties", {}):
                problems += schema_problems(item, schema["properties"][key], f"{where}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += schema_problems(item, schema["additionalProperties"], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += schema_problems(item, schema["items"], f"{where}[{index}]")
    return problems


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert schema_problems(response.json, ERROR_SCHEMA) == []
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]


def assert_portal_500_page(page) -> None:
    """The portal's own 500 page, in its layout, whose queries of the signed-in user's
    notifications need a session that works again."""
    assert page.status_code == 500
    assert "<h1>Something went wrong</h1>" in page.text
    assert 'aria-label="Notifications (0 unread)"' in page.text
