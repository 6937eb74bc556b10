"""Notification pages (the bell, the list, marking read) and their JSON API."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from portal.kernel import notifications
from portal.kernel.api import api_user, iso, page_body, token_required
from portal.kernel.errors import ValidationFailed
from portal.kernel.pagination import page_args
from portal.kernel.templating import template_global
from portal.kernel.urls import safe_next

bp = Blueprint("notifications", __name__)
api_bp = Blueprint("notifications_api", __name__)


@template_global
def unread_notifications() -> int:
    """The number on the bell in the navigation."""
    return notifications.unread_count(current_user)


@bp.get("/notifications")
@login_required
def index():
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    listed = notifications.notifications_for(current_user, page, per_page)
    return render_template("notifications/index.html", page=listed)


@bp.post("/notifications/<id:notification_id>/read")
@login_required
def read(notification_id: int):
    notification = notifications.mark_read(current_user, notification_id)
    # Links were checked when the notification was made; check again before redirecting.
    return redirect(safe_next(notification.link) or url_for(".index"))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    notifications.mark_all_read(current_user)
    flash("All caught up.", "success")
    return redirect(url_for(".index"))


def serialize_notification(notification: notifications.Notification) -> dict:
    actor = notification.actor
    return {
        "id": notification.id,
        "kind": notification.kind,
        "label": notification.label,
        "text": notification.text,
        "link": notification.link,
        "actor": {"id": actor.id, "name": actor.name} if actor is not None else None,
        "created_at": iso(notification.created_at),
        "read_at": iso(notification.read_at),
    }


def _unread_only(raw: str | None) -> bool:
    value = (raw or "").strip().lower()
    if value in {"", "0", "false"}:
        return False
    if value in {"1", "true"}:
        return True
    message = "unread must be 1 (only unread notifications) or 0."
    raise ValidationFailed(message, {"unread": message})


@api_bp.get("/notifications")
@token_required
def api_list():
    unread_only = _unread_only(request.args.get("unread"))
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    listed = notifications.notifications_for(api_user(), page, per_page, unread_only=unread_only)
    body = page_body(listed, serialize_notification)
    body["unread"] = notifications.unread_count(api_user())
    return jsonify(body)


@api_bp.post("/notifications/read-all")
@token_required
def api_read_all():
    marked = notifications.mark_all_read(api_user())
    return jsonify({"marked_read": marked, "unread": notifications.unread_count(api_user())})
