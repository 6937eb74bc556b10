"""What every request and response of the portal gets, whatever feature serves it: ids in
URLs, refusal of NUL characters, security headers, HSTS in production, and no caching of
private pages, and the favicon at the address browsers ask for it."""

import mimetypes
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request, send_from_directory
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal.kernel.errors import DomainError
from portal.kernel.ids import ID_MAX, NOT_AN_ID

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    ),
}


class IdConverter(IntegerConverter):
    """A database id in a URL: a positive integer that fits a 32-bit column.

    An id out of that range still matches the route but reads as NOT_AN_ID, which no row
    has, so every method answers 404. Refusing it while matching would make Werkzeug answer 405
    for a PATCH or POST whenever another method's route has the same path.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if 1 <= number <= ID_MAX else NOT_AN_ID


def install(app: Flask) -> None:
    """Add the request and response rules above to ``app``."""
    # Say the encoding of every JSON response, so clients that do not assume UTF-8 for
    # application/json still read names and text correctly.
    assert isinstance(app.json, DefaultJSONProvider)  # the provider that has a mimetype
    app.json.mimetype = "application/json; charset=utf-8"
    if app.config["TRUSTED_PROXIES"] > 0:
        hops = app.config["TRUSTED_PROXIES"]
        # Flask's documented way to add WSGI middleware, though its types call wsgi_app a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.url_map.converters["id"] = IdConverter
    app.before_request(_refuse_nul_characters)

    headers = dict(SECURITY_HEADERS)
    if app.config["ENV_NAME"] == "production" and app.config["HSTS_MAX_AGE"] > 0:
        hsts = f"max-age={app.config['HSTS_MAX_AGE']}; includeSubDomains"
        headers["Strict-Transport-Security"] = hsts

    @app.after_request
    def _security_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.after_request(_keep_private_responses_out_of_caches)
    # Not every system's MIME table knows the web app manifest's type.
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


# A week: the icons change rarely, and a browser asks for /favicon.ico on its own.
FAVICON_MAX_AGE = 7 * 24 * 3600


def _favicon() -> Response:
    """The icon of static/icons/, for clients that ask for /favicon.ico whatever the
    page's <link rel=icon> says, instead of a 404 on every first visit."""
    assert current_app.static_folder is not None  # the app is built with one
    response = send_from_directory(
        Path(current_app.static_folder) / "icons", "favicon.ico", max_age=FAVICON_MAX_AGE
    )
    response.cache_control.public = True
    return response


def _keep_private_responses_out_of_caches(response):
    """Pages for a signed-in person and API answers to a token hold that person's data: no
    shared proxy or shared computer's back button may keep them. Static files and pages
    that set their own rules (downloads, buyers' share pages) keep them."""
    if request.endpoint == "static" or "Cache-Control" in response.headers:
        return response
    with_token = request.path.startswith("/api/") and "Authorization" in request.headers
    # Whether someone is signed in, not whether their account is still active: the request
    # has committed, and reading ``active`` again would load the user a second time.
    if with_token or not current_user.is_anonymous:
        response.headers["Cache-Control"] = "no-store"
    return response


def _refuse_nul_characters() -> None:
    """Refuse NUL in query, form and JSON text with a 400: PostgreSQL cannot store it and
    would otherwise fail the request with a 500."""
    pending: list[Any] = [*request.args.listvalues(), *request.form.listvalues()]
    if request.is_json:
        pending.append(request.get_json(silent=True))
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            raise DomainError("Text may not contain NUL characters.")
        if isinstance(value, dict):
            pending.extend([*value.keys(), *value.values()])
        elif isinstance(value, list):
            pending.extend(value)
