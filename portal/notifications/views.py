"""Notification pages: the bell, the list, marking read."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.kernel import notifications
from portal.kernel.pagination import requested_page
from portal.kernel.templating import template_global
from portal.kernel.urls import safe_next

bp = Blueprint("notifications", __name__)


@template_global
def unread_notifications() -> int:
    """The number on the bell in the navigation."""
    return notifications.unread_count(current_user)


@bp.get("/notifications")
@login_required
def index():
    page, per_page = requested_page()
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
