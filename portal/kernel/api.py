"""JSON API wiring: bearer-token auth and the blueprints mounted under /api/v1."""

from datetime import date, timedelta
from functools import wraps

from flask import Blueprint, Flask, g, request
from sqlalchemy import select

from portal.kernel.errors import DomainError, ValidationFailed, json_error
from portal.kernel.extensions import csrf, db
from portal.kernel.models import ApiToken, User, hash_token, utcnow


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


def token_required(view):
    """Require ``Authorization: Bearer <token>``; session cookies are not accepted here,
    which is why the API needs no CSRF token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            response = json_error(401, "unauthorized", "A valid API token is required.")
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="tandem"'
            return response
        # Its own transaction: the token's last-used time is kept even when the request
        # is then refused, and the request's own commit comes only at its end.
        db.session.commit()
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def api_user():
    return g.api_user


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what was wrong."""
    if not request.is_json:
        raise BadRequest("Send a JSON object with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


def refuse_unknown_fields(data: dict, known: set[str]) -> None:
    """A 422 naming every field of ``data`` the endpoint does not take."""
    unknown = set(data) - known
    if unknown:
        raise ValidationFailed("Unknown fields.", dict.fromkeys(sorted(unknown), "Unknown field."))


def json_text(data: dict, name: str, default: str = "") -> str:
    """A text field of a JSON body: null reads as empty, any other type is a 422."""
    value = data.get(name, default)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed("Wrong type.", {name: "Must be a string."})
    return value


def page_body(page, serialize) -> dict:
    """The list shape every API list uses."""
    return {
        "items": [serialize(item) for item in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


def parse_date(value, field: str) -> date | None:
    """A YYYY-MM-DD string from a JSON body (empty: None); anything else is a 422 naming
    the field."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            "Dates are YYYY-MM-DD.", {field: "Use the form YYYY-MM-DD."}
        ) from None


def iso(value):
    return value.isoformat() if value is not None else None
