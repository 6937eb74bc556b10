"""Helpers for the portal tests: reading flashes, redirects and JSON schemas, a
real SMTP server and a real HTTP receiver on loopback, signing a user out everywhere."""

import html
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import jsonschema_rs
from sqlalchemy import select

from portal.accounts.services import update_user
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.openapi import openapi_document
from portal.kernel.schemas import Error

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


def schema_problems(value, schema: dict) -> list[str]:
    """Where ``value`` breaks ``schema``, a JSON schema that may refer to the API
    document's components (``{"$ref": "#/components/schemas/Asset"}``)."""
    root = {**schema, "components": openapi_document()["components"]}
    return [
        f"${''.join(f'[{part!r}]' for part in error.instance_path)}: {error.message}"
        for error in jsonschema_rs.validator_for(root).iter_errors(value)
    ]


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


@contextmanager
def serving_inbox(
    app, base_url: str = "https://tandem.example.com/", handler: Inbox | None = None
) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 that ``app`` sends its emails to, while in use;
    ``handler`` (an Inbox by default) receives them."""
    from aiosmtpd.controller import Controller

    handler = handler if handler is not None else Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_FROM="tandem@example.com",
        MAIL_TIMEOUT=5,
        BASE_URL=base_url,
    )
    try:
        yield handler
    finally:
        controller.stop()


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 standing in for a webhook endpoint or a chat tool.

    It keeps every POST it gets and answers each with the next of ``answers`` (a status
    code), then 200 once they run out; ``url(path)`` is its address. A path named in
    ``replies`` is answered with that JSON text (a Web API's answer) instead of "ok".
    """

    port: int
    answers: list[int] = field(default_factory=list)
    replies: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def receiving_posts(
    answers: list[int] | None = None, replies: dict[str, str] | None = None
) -> Iterator[Receiver]:
    """Serve a :class:`Receiver` on a free loopback port while in use."""
    receiver = Receiver(port=0, answers=list(answers or []), replies=dict(replies or {}))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with lock:
                receiver.received.append(Received(self.path, dict(self.headers), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            reply = receiver.replies.get(self.path)
            self.send_header("Content-Type", "application/json" if reply else "text/plain")
            self.end_headers()
            if reply is not None:
                self.wfile.write(reply.encode())
            else:
                self.wfile.write(b"ok" if status < 300 else b"no")

        def log_message(self, format, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


ERROR_SCHEMA = Error.model_json_schema(mode="serialization")


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert jsonschema_rs.validator_for(ERROR_SCHEMA).is_valid(response.json)
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]


def assert_portal_500_page(page) -> None:
    """The portal's own 500 page, in its layout, whose queries of the signed-in user's
    notifications need a session that works again."""
    assert page.status_code == 500
    assert "<h1>Something went wrong</h1>" in page.text
    assert 'aria-label="Notifications: 0 unread"' in page.text
