"""JSON API wiring: bearer-token auth, the blueprints mounted under /api/v1, and
`require`, the 403 of an endpoint whose caller may not take its action."""

from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask
from sqlalchemy import select

from portal.kernel.errors import DomainError, PermissionDenied
from portal.kernel.extensions import csrf, db
from portal.kernel.models import ApiToken, User, hash_token, utcnow
from portal.kernel.permissions import can


def register_api(app: Flask, *blueprints: Blueprint) -> None:
    """Add a feature's JSON API blueprints to ``app``; ``mount_api`` nests them under
    /api/v1. They authenticate with a bearer token, never a session cookie, so they need
    no CSRF token."""
    for blueprint in blueprints:
        csrf.exempt(blueprint)
        app.extensions.setdefault("tandem.api", []).append(blueprint)


def mount_api(app: Flask, *blueprints: Blueprint) -> None:
    """Nest ``blueprints`` and every feature's API blueprint in one /api/v1 blueprint."""
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    for blueprint in (*blueprints, *app.extensions.pop("tandem.api", [])):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(api)


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


def user_for_token(clear: str) -> User | None:
    """The active user owning this unrevoked token, or None."""
    if not clear or len(clear) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(clear)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    # Recorded at most every few minutes, so reads do not all become writes.
    if token.last_used_at is None or token.last_used_at < utcnow() - timedelta(minutes=5):
        token.last_used_at = utcnow()
    return token.user


def require(user: User, action: str, obj: Any = None, *, refusal: str) -> None:
    """Refuse with a 403 saying ``refusal`` unless ``user`` may take ``action`` (on
    ``obj``), as ``can()`` decides."""
    if not can(user, action, obj):
        raise PermissionDenied(refusal)
