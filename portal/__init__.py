"""Tandem's Flask application factory."""

import logging
from pathlib import Path

from flask import Flask, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal import config as config_module
from portal.errors import DomainError
from portal.extensions import csrf, db, limiter, login_manager, migrate
from portal.ids import ID_MAX, NOT_AN_ID

PROJECT_ROOT = Path(__file__).resolve().parent.parent

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


def create_app(config: dict | None = None) -> Flask:
    """Build the application. ``config`` overrides settings read from the environment."""
    settings = config_module.from_environment()
    settings.update(config or {})
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings)
    # Say the encoding of every JSON response, so clients that do not assume UTF-8 for
    # application/json still read names and text correctly.
    app.json.mimetype = "application/json; charset=utf-8"
    if app.config["TRUSTED_PROXIES"] > 0:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _check_secret_key(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    app.url_map.converters["id"] = IdConverter
    _register_blueprints(app)
    from portal.errors import register_error_handlers
    from portal.templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    from search.indexing import init_search

    init_search(app)

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

    return app


def _keep_private_responses_out_of_caches(response):
    """Pages for a signed-in person and API answers to a token hold that person's data: no
    shared proxy or shared computer's back button may keep them. Static files and pages
    that set their own rules (downloads, buyers' share pages) keep them."""
    if request.endpoint == "static" or "Cache-Control" in response.headers:
        return response
    with_token = request.path.startswith("/api/") and "Authorization" in request.headers
    if with_token or current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def _refuse_nul_characters() -> None:
    """Refuse NUL in query, form and JSON text with a 400: PostgreSQL cannot store it and
    would otherwise fail the request with a 500."""
    pending = [*request.args.listvalues(), *request.form.listvalues()]
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


def _check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError(
            "SECRET_KEY is not set. Tandem refuses to start in production without it: "
            "export SECRET_KEY to a long random value."
        )
    # Development and tests: a per-process key, so sessions end when the server restarts.
    import secrets

    app.config["SECRET_KEY"] = secrets.token_hex(32)


def _register_blueprints(app: Flask) -> None:
    # Rules register themselves on import; views use them through portal.permissions.
    import content.markdown  # noqa: F401 - registers the markdown template filter
    import content.rules  # noqa: F401
    import content.taxonomy_views  # noqa: F401 - routes on the content blueprint
    import content.usage_rules  # noqa: F401 - ratings, usage, deals and share links
    import workflows.notices  # noqa: F401 - registers who hears about review steps
    import workflows.rules  # noqa: F401
    from content.api import bp as content_api
    from content.views import bp as content_bp
    from portal.admin import bp as admin_bp
    from portal.api import bp as api_bp
    from portal.auth import bp as auth_bp
    from portal.cli import register_cli
    from portal.notification_views import api_bp as notifications_api
    from portal.notification_views import bp as notifications_bp
    from search.api import bp as search_api
    from search.cli import register_cli as register_search_cli
    from search.views import bp as search_bp
    from workflows.api import bp as workflows_api
    from workflows.audit import bp as audit_bp
    from workflows.comment_views import bp as comments_bp
    from workflows.dashboard import bp as dashboard_bp
    from workflows.views import bp as workflows_bp

    for blueprint in (
        auth_bp,
        admin_bp,
        audit_bp,
        content_bp,
        workflows_bp,
        comments_bp,
        dashboard_bp,
        search_bp,
    ):
        app.register_blueprint(blueprint)
    for blueprint in (api_bp, content_api, workflows_api, search_api):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    # Notifications: the bell, the list page and /api/v1/notifications.
    app.register_blueprint(notifications_bp)
    csrf.exempt(notifications_api)
    app.register_blueprint(notifications_api)
    # Content requests; importing them registers the model, its rules and the hook that
    # fulfils a request when its draft is published.
    from workflows.request_api import bp as requests_api
    from workflows.request_views import bp as requests_bp

    app.register_blueprint(requests_bp)
    csrf.exempt(requests_api)
    app.register_blueprint(requests_api)
    # Ghost-written posts; importing the rules registers who may see and work on them.
    import workflows.post_rules  # noqa: F401
    from workflows.post_api import bp as posts_api
    from workflows.post_views import bp as posts_bp

    app.register_blueprint(posts_bp)
    csrf.exempt(posts_api)
    app.register_blueprint(posts_api)
    # Ratings, usage, deals, CRM imports and share links (the share pages are public).
    from content.cli import register_cli as register_deal_cli
    from content.deal_api import bp as deals_api
    from content.deal_import_views import bp as deal_imports_bp
    from content.deal_views import bp as deals_bp
    from content.share_views import bp as share_bp
    from content.usage_api import bp as usage_api
    from content.usage_views import bp as usage_bp

    # Reports: importing the package registers every report.
    from portal.reports import api_bp as reports_api
    from portal.reports import bp as reports_bp

    for blueprint in (deals_bp, deal_imports_bp, usage_bp, share_bp, reports_bp):
        app.register_blueprint(blueprint)
    for blueprint in (deals_api, usage_api, reports_api):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    # The alignment loop: field feedback, campaign briefs, the glossary, onboarding paths
    # and the weekly digest. Importing the models registers them.
    import workflows.alignment_models  # noqa: F401
    from portal.digest import bp as digest_bp
    from workflows.campaign_api import bp as campaigns_api
    from workflows.campaign_views import bp as campaigns_bp
    from workflows.collection_views import bp as collections_bp
    from workflows.feedback_api import bp as feedback_api
    from workflows.feedback_views import bp as feedback_bp
    from workflows.glossary_views import bp as glossary_bp

    for blueprint in (feedback_bp, campaigns_bp, glossary_bp, collections_bp, digest_bp):
        app.register_blueprint(blueprint)
    for blueprint in (feedback_api, campaigns_api):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    register_cli(app)
    register_search_cli(app)
    register_deal_cli(app)
