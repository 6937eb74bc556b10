"""Wiring: review and publishing, its transitions and collaborators, who may do what and
who hears of it."""

from flask import Flask

from content.library.panels import register_panel
from content.library.services import on_revise
from portal.kernel.api import register_api
from portal.kernel.wiring import install
from workflows.review import api, collaborators, machine, notices, rules, views


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, rules, views)
    on_revise(machine.review_again)
    on_revise(notices.tell_about_edit)
    machine.after_transition(notices.tell_about_transition)
    collaborators.on_invite(notices.tell_the_invited)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    register_panel("review", lambda asset, _revision: views.review_panel(asset))
    register_panel("actions", lambda asset, _revision: views.asset_actions(asset))
