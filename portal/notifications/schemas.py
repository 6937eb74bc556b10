"""The API's schemas for notifications: the list's filter, a notification, and the
answer to marking them all read."""

from typing import Literal

from pydantic import Field

from portal.kernel.notifications import MAX_TEXT
from portal.kernel.notifications import Notification as NotificationRow
from portal.kernel.schemas import Output, Page, Paging, Timestamp


class NotificationQuery(Paging):
    unread: Literal["0", "1", "false", "true"] | None = Field(
        None, description="1 or true for unread notifications only"
    )


class NotificationActor(Output):
    id: int
    name: str


class Notification(Output):
    id: int
    kind: str
    label: str
    text: str = Field(max_length=MAX_TEXT, description="Plain text")
    link: str = Field(description="Path on this site")
    actor: NotificationActor | None
    created_at: Timestamp
    read_at: Timestamp | None

    @classmethod
    def shown(cls, notification: NotificationRow) -> "Notification":
        return cls.model_validate(notification)


class NotificationList(Page):
    items: list[Notification]
    unread: int = Field(description="All your unread notifications")

    @classmethod
    def mine(cls, page, unread: int) -> "NotificationList":
        """``page`` (a ``portal.kernel.pagination.Page`` of notifications) with the count
        of every unread one."""
        return cls.of(page, Notification.shown, unread=unread)


class NotificationsMarkedRead(Output):
    marked_read: int
    unread: int
