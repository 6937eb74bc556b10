"""Wiring: The library's pages and API, who may do what with assets, and the markdown filter."""

from flask import Flask

from content.library import api, markdown, rules, views
from portal.kernel.api import register_api
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, markdown)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
