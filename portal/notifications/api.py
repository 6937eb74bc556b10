"""JSON API for your notifications: list them and mark them all read."""

from flask import Blueprint

from portal.kernel import notifications
from portal.kernel.models import User
from portal.kernel.schemas import operation
from portal.notifications.schemas import (
    NotificationList,
    NotificationQuery,
    NotificationsMarkedRead,
)

bp = Blueprint("notifications_api", __name__)


@bp.get("/notifications")
@operation("Your notifications, newest first", answer="A page of notifications")
def list_notifications(query: NotificationQuery, user: User) -> NotificationList:
    page, per_page = query.pages()
    unread_only = query.unread in {"1", "true"}
    listed = notifications.notifications_for(user, page, per_page, unread_only=unread_only)
    return NotificationList.mine(listed, notifications.unread_count(user))


@bp.post("/notifications/read-all")
@operation("Mark all your notifications read", answer="How many were marked read")
def read_all(user: User) -> NotificationsMarkedRead:
    marked = notifications.mark_all_read(user)
    return NotificationsMarkedRead(marked_read=marked, unread=notifications.unread_count(user))
