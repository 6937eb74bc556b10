"""Wiring: Deal rooms: the rep's pages, the buyer's page and its beacons, the API and who
may make and see rooms."""

from flask import Flask

from content.library.panels import register_panel
from content.rooms import api, public_views, rules, views
from portal.kernel.api import register_api
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, views)
    app.register_blueprint(views.bp)
    app.register_blueprint(public_views.bp)
    register_api(app, api.bp)
    register_panel("engagement", lambda asset, _revision: views.engagement_box(asset))
