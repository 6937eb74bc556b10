"""Domain errors raised by services, and how the web and the API present them."""

from typing import Any

from flask import Flask, flash, jsonify, make_response, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.kernel.extensions import db
from portal.kernel.urls import same_site_referrer


class DomainError(Exception):
    """A refusal a service explains to the user; views flash it, the API returns JSON."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


def check_text(
    errors: dict[str, str],
    name: str,
    value: str,
    max_length: int,
    too_long: str,
    missing: str | None = None,
) -> None:
    """Note in ``errors`` what is wrong with the cleaned text ``value`` of field ``name``:
    empty though required (``missing`` says so), or longer than ``max_length``."""
    if not value:
        if missing is not None:
            errors[name] = missing
    elif len(value) > max_length:
        errors[name] = too_long


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Gone(DomainError):
    """It existed but is no longer available (an expired or revoked share link)."""

    status = 410
    code = "gone"


class Conflict(DomainError):
    """The request clashes with the current state; ``allowed`` names what is possible now."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, allowed: list[str] | None = None, fields=None):
        super().__init__(message, fields)
        self.allowed = allowed


def stale_revision() -> Conflict:
    """The refusal of an edit based on a revision that is no longer the latest one."""
    return Conflict(
        "Someone saved a newer revision while you were editing. "
        "Review their changes, then apply yours on top.",
        fields={"base_revision": "This is not the latest revision."},
    )


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """The one JSON error shape used everywhere under /api."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return jsonify({"error": body}), status


_PAGE_TEXT = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("Not allowed", "Your role does not allow this action."),
    404: ("Not found", "There is nothing here. It may have been moved or you may not have access."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "The upload is larger than the limit."),
    429: ("Slow down", "Too many attempts. Please wait a minute and try again."),
    500: ("Something went wrong", "The error has been logged. Please try again."),
}


def register_error_handlers(app: Flask) -> None:
    """HTML error pages for the site, JSON errors under /api/.

    Every handler first rolls the request's database session back: a refused or failed
    request changes nothing, and the error page (whose layout reads the signed-in user's
    notifications) must not run its queries on a session a database error has broken.
    """

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            allowed = error.allowed if isinstance(error, Conflict) else None
            extra = {"allowed_actions": allowed} if allowed is not None else {}
            return json_error(error.status, error.code, error.message, error.fields, **extra)
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # Usually a form left open across a sign-out or a restart: send the user back to
        # the page they came from, with nothing changed.
        message = (
            "The form expired or was not sent from this site. Nothing was saved; please try again."
        )
        back = same_site_referrer()
        if wants_json() or back is None:
            return http_error(error)
        flash(message, "error")
        return redirect(back)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        if status == 413:
            limit_mb = app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)
            message = f"The upload is larger than the {limit_mb} MB limit. Nothing was saved."
        else:
            message = _PAGE_TEXT.get(status, (None, error.description or ""))[1]
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            response = make_response(json_error(status, code, message))
        else:
            response = make_response(render_error(status, message))
        # Keep the headers the error carries, such as Allow on a 405.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return json_error(500, "internal_error", _PAGE_TEXT[500][1])
        return render_error(500, _PAGE_TEXT[500][1])


def render_error(status: int, message: str):
    title = _PAGE_TEXT.get(status, ("Error", ""))[0]
    return render_template("errors/error.html", status=status, title=title, message=message), status
