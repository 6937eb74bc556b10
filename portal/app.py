"""The composition root: the application built from the kernel and every feature.

Nothing imports this module but ``portal.create_app``; it is the one place that knows every
feature. Each feature adds itself through its ``feature.register(app)``.
"""

from pathlib import Path

from flask import Flask

from content.crm import feature as crm
from content.deals import feature as deals
from content.library import feature as library
from content.rooms import feature as rooms
from content.taxonomy import feature as taxonomy
from content.usage import feature as usage
from portal import cli
from portal.accounts import feature as accounts
from portal.alignment import feature as alignment
from portal.chat import feature as chat
from portal.digest import feature as digest
from portal.export import feature as export
from portal.jobs import feature as jobs
from portal.kernel import config, job_schedule, logs, metrics, openapi, reporting, web
from portal.kernel.api import mount_api
from portal.kernel.errors import register_error_handlers
from portal.kernel.extensions import csrf, db, limiter, login_manager, migrate
from portal.kernel.job_queues import init_jobs
from portal.kernel.templating import register_template_helpers
from portal.kernel.transaction import Portal
from portal.kernel.wiring import install
from portal.notifications import feature as notifications
from portal.operations import feature as operations
from portal.reports import feature as reports
from portal.webhooks import feature as webhooks
from search import feature as search
from workflows.audit import feature as audit
from workflows.campaigns import feature as campaigns
from workflows.collections import feature as collections
from workflows.comments import feature as comments
from workflows.dashboard import feature as dashboard
from workflows.feedback import feature as feedback
from workflows.glossary import feature as glossary
from workflows.posts import feature as posts
from workflows.requests import feature as requests
from workflows.review import feature as review

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# In the order they are added; see docs/architecture.md for what each one is.
FEATURES = (
    accounts,
    notifications,
    library,
    taxonomy,
    usage,
    deals,
    rooms,
    crm,
    review,
    comments,
    audit,
    dashboard,
    requests,
    posts,
    campaigns,
    feedback,
    glossary,
    collections,
    search,
    reports,
    digest,
    jobs,
    webhooks,
    operations,
    export,
    chat,
    alignment,
)


def create_app(settings: dict | None = None) -> Flask:
    """Build the application. ``settings`` override those read from the environment."""
    values = config.from_environment()
    values.update(settings or {})
    app = Portal(
        "portal",
        instance_path=values["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(values)
    config.check_secret_key(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logs.install(app)
    metrics.install(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    web.install(app)
    init_jobs(app)
    for feature in FEATURES:
        feature.register(app)
    mount_api(app, openapi.bp)
    openapi.check_declared(app)
    cli.register_cli(app)
    register_error_handlers(app)
    register_template_helpers(app)
    install(app, reporting)
    job_schedule.check(app)
    return app
