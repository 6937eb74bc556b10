"""HTML route for asset transitions (publish, archive, restore)."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from content.assets import get_visible_asset
from portal.errors import Conflict, ValidationFailed
from portal.extensions import db
from portal.forms import EmptyForm
from portal.templating import template_global
from workflows import machine

bp = Blueprint("workflows", __name__)

DONE_MESSAGES = {
    "publish": "Published. Reps now see this revision.",
    "archive": "Archived. Reps no longer see this asset.",
    "restore": "Restored as a draft. Publish it to make it visible again.",
}


@template_global
def asset_actions(asset) -> list[tuple[str, str]]:
    """(action, label) pairs for the buttons on an asset page."""
    return [(a, machine.ACTION_LABELS[a]) for a in machine.allowed_actions(asset, current_user)]


@template_global
def asset_history(asset):
    return machine.asset_history(asset)


@bp.post("/assets/<id:asset_id>/transitions")
@login_required
def transition(asset_id: int):
    asset = get_visible_asset(current_user, asset_id)
    if not EmptyForm().validate_on_submit():
        flash("The form expired or was not sent from this site. Please try again.", "error")
        return redirect(url_for("content.show", asset_id=asset.id))
    action = request.form.get("action", "")
    try:
        machine.transition(asset, current_user, action, request.form.get("comment", ""))
    except (Conflict, ValidationFailed) as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(DONE_MESSAGES.get(action, "Done."), "success")
    return redirect(url_for("content.show", asset_id=asset.id))
