"""Logs: one format for every line (text for people, JSON for log collectors), a request id
on every record, and one access line per request.

The request id comes from the client's ``X-Request-ID`` when it is a sane token (a proxy or
load balancer in front usually sets one), or is made here; the response echoes it, so a
person reporting a failure can quote it and the lines of that request can be found on
every host. Work done outside a request (a background job) carries an id through
``bound_request_id``; ``current_request_id`` is the id a record gets.

Configuring is idempotent: the portal adds one handler of its own to the root logger and
only ever changes that one's format, however many applications a process builds.
"""

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

HEADER = "X-Request-ID"
# Letters, digits, dots, dashes and underscores, as most proxies' ids are: a header that
# could break a log line (a newline, a quote) or fill it is replaced, never echoed.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ID_KEY = "tandem.request_id"
_STARTED_KEY = "tandem.request_started"
_bound: ContextVar[str | None] = ContextVar("tandem_request_id", default=None)

access_log = logging.getLogger("portal.requests")


def current_request_id() -> str | None:
    """The id log records get now: the one bound by ``bound_request_id`` (the innermost
    wins), else the current request's, else None."""
    bound = _bound.get()
    if bound is not None:
        return bound
    if has_request_context():
        return request.environ.get(_ID_KEY)
    return None


@contextmanager
def bound_request_id(value: str) -> Iterator[str]:
    """Make every record logged inside the block carry ``value`` as its request id (a
    background job binds the id of the request that queued it)."""
    token = _bound.set(value)
    try:
        yield value
    finally:
        _bound.reset(token)


def sane_request_id(incoming: str | None) -> str:
    """``incoming`` when it is a short token of safe characters, else a new random id."""
    if incoming and _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record that reaches the portal's handler ("-" for none
    in the text format, null in JSON)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class _TextFormatter(logging.Formatter):
    """The text format, with "-" where a record has no request id."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is not None:
            return super().format(record)
        record.request_id = "-"
        try:
            return super().format(record)
        finally:
            record.request_id = None


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"
# Built once per process: a formatter per application (or per request) would be waste.
_FORMATTERS: dict[str, logging.Formatter] = {
    "text": _TextFormatter(TEXT_FORMAT),
    "json": JsonFormatter(
        JSON_FIELDS,
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    ),
}


def configure(log_format: str) -> logging.Handler:
    """Send the root logger's records to stderr in ``log_format`` ("text" or "json").

    Calling it again changes the format of the same handler, never adds another.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, PortalHandler)), None)
    if handler is None:
        # INFO, as basicConfig(level=INFO) would: only when nothing configured logging
        # before (a test runner's capture keeps its own level).
        if not root.handlers:
            root.setLevel(logging.INFO)
        handler = PortalHandler(sys.stderr)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(_FORMATTERS[log_format])
    return handler


class PortalHandler(logging.StreamHandler):
    """The one handler the portal adds; found again by its class on the next configure."""


def install(app: Flask) -> None:
    """Configure logging for ``app`` (``LOG_FORMAT``) and give each of its requests an id,
    an ``X-Request-ID`` response header and an access line."""
    configure(app.config["LOG_FORMAT"])
    # First of all hooks, so a record logged by any other hook has the id, and last of
    # the after-request hooks (they run in reverse), so the line sees the final answer.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish_request)


def _start_request() -> None:
    request.environ[_ID_KEY] = sane_request_id(request.headers.get(HEADER))
    request.environ[_STARTED_KEY] = time.perf_counter()


def request_seconds() -> float | None:
    """Seconds since the current request's first hook ran (None if it did not): the
    access line and the request metrics time the same span."""
    started = request.environ.get(_STARTED_KEY)
    return None if started is None else time.perf_counter() - started


def _finish_request(response: Response) -> Response:
    request_id = request.environ.get(_ID_KEY)
    if request_id is None:  # a hook before ours answered (none does today)
        return response
    response.headers[HEADER] = request_id
    if access_log.isEnabledFor(logging.INFO):
        duration_ms = (request_seconds() or 0.0) * 1000
        status, path = response.status_code, request.path
        if not path.isprintable():
            # A %0A in the URL would otherwise start a forged line in the text format.
            path = path.encode("unicode_escape").decode("ascii")
        access_log.info(
            "%s %s %s %.1f ms",
            request.method,
            path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": round(duration_ms, 1),
                "user_id": _signed_in_user_id(),
            },
        )
    return response


def _signed_in_user_id() -> int | None:
    """The id of the user this request signed in, if it loaded one, without a query: the
    user was loaded only if the request needed it, and after the commit its attributes
    are expired, so the id is read from the session's identity map key."""
    # Not ``is_authenticated``: a User's reads ``active``, a query once expired. The
    # anonymous user is not mapped, so it has no state.
    state = inspect(g.get("_login_user"), raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None
