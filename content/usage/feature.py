"""Wiring: Ratings, usage and share links: the asset page's boxes, buyers' public pages, the API
and who may rate, record usage and share."""

from flask import Flask

from content.library.panels import register_panel
from content.usage import api, rules, share_views, views
from portal.kernel.api import register_api
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules)
    app.register_blueprint(views.bp)
    app.register_blueprint(share_views.bp)
    register_api(app, api.bp)
    register_panel("ratings", lambda asset, _revision: views.rating_box(asset))
    register_panel("rating_feedback", lambda asset, _revision: views.rating_feedback(asset))
    register_panel("deal_usage", lambda asset, _revision: views.deal_box(asset))
    register_panel("share", lambda asset, _revision: views.share_box(asset))
    register_panel("revocable_links", lambda asset, _revision: views.revocable_links(asset))
    register_panel("usage", lambda asset, _revision: views.usage_box(asset))
