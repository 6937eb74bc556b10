"""Wiring: Ratings, usage and share links: the asset page's boxes, buyers' public pages, the API
and who may rate, record usage and share."""

from flask import Flask

from content.library.panels import register_panel
from content.library.services import on_audience_change
from content.usage import api, rules, share_links, share_views, views
from portal.kernel.api import register_api
from portal.kernel.wiring import install


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules)
    app.register_blueprint(views.bp)
    app.register_blueprint(share_views.bp)
    register_api(app, api.bp)
    # An asset made internal stops reaching buyers at once.
    on_audience_change(share_links.stop_links_to_internal)
    register_panel("ratings", lambda asset, _revision: views.rating_box(asset))
    register_panel("rating_feedback", lambda asset, _revision: views.rating_feedback(asset))
    register_panel("deal_usage", lambda asset, _revision: views.deal_box(asset))
    register_panel("share", lambda asset, _revision: views.share_box(asset))
    register_panel("revocable_links", lambda asset, _revision: views.revocable_links(asset))
    register_panel("usage", lambda asset, _revision: views.usage_box(asset))
