"""In-app notifications, and the optional email sent for each one.

Other packages call :func:`notify` inside their own transaction. The rows are flushed
with the caller's changes; emails go out only after that transaction commits, from the
``notifications.email`` job, so a rollback never mails about something that did not happen
and a slow mail server never slows the request that caused the notification. The email's
state is kept on the notification (pending, sending, sent, failed): a job claims the rows
it sends, so no email goes twice, and the schedule's sweep sends those a lost job left.
Features that deliver notifications elsewhere (chat) hear of each new one through
:func:`on_notify`, in the same transaction.
"""

import logging
import smtplib
import ssl
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid, parseaddr
from enum import StrEnum

from flask import Flask, current_app
from sqlalchemy import ForeignKey, Index, String, and_, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from portal.kernel.errors import NotFound
from portal.kernel.extensions import Entity, db
from portal.kernel.jobs import enqueue, job
from portal.kernel.models import User, utcnow
from portal.kernel.pagination import Page, paginate
from portal.kernel.sql import one_of, rows_changed
from portal.kernel.urls import safe_next

log = logging.getLogger(__name__)

# Every kind of notification and how it is named to people. A kind that is not here is
# a programming error, refused by notify().
KINDS = {
    "review_requested": "Review requested",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "published": "Published",
    "mentioned": "Mentioned",
    "comment": "New comment",
    "request_submitted": "Content request submitted",
    "request_accepted": "Content request accepted",
    "request_declined": "Content request declined",
    "request_fulfilled": "Content request fulfilled",
    "invited": "Invited to collaborate",
    "draft_edited": "Draft edited",
    "post_sent": "Post to review",
    "post_approved": "Post approved",
    "post_changes_requested": "Post changes requested",
    "post_declined": "Post declined",
    "post_published": "Post published",
    "post_comment": "Comment on a post",
    "feedback_received": "Field feedback",
    "feedback_replied": "Reply to your feedback",
    "campaign_published": "Campaign brief",
    "term_to_sign": "Glossary term to sign off",
    "term_agreed": "Glossary term agreed",
    "path_assigned": "Onboarding path assigned",
    "deals_imported": "Deals imported",
    "links_stopped": "Share links stopped",
    "buyer_opened": "Buyer opened a deal room",
    "action_item_assigned": "Action item for you",
    "action_item_due": "Action item due",
    "action_item_closed": "Action item closed",
    "meeting_pack": "Meeting pack",
}


class EmailStatus(StrEnum):
    """NONE: no email is sent for it; PENDING: one goes out after the commit; SENDING:
    a job has claimed it; FAILED: the mail server refused it or could not be reached (the
    job retries it, then lists itself among the failed jobs)."""

    NONE = "none"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


EMAIL_STATUSES = tuple(EmailStatus)
MAX_TEXT = 300
MAX_LINK = 500

# Where features hear of new notifications (see on_notify).
_LISTENERS = "notification_listeners"

# A claim older than this belongs to a job that died: the sweep sends the email again.
CLAIM_TIMEOUT = timedelta(minutes=10)
# A pending email older than this lost its job (the sweep sends it).
LOST_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 50
# Python 3.11 drops the space between two encoded words when it wraps a long non-ASCII
# subject; with RFC 5322's hard limit of 998 characters a capped subject never wraps.
WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)
MAX_SUBJECT = 200


class Notification(Entity):
    __tablename__ = "notifications"
    # The bell counts a user's unread rows on every page.
    __table_args__ = (
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        one_of("email_status", EmailStatus),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(MAX_TEXT))
    link: Mapped[str] = mapped_column(String(MAX_LINK))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    email_status: Mapped[str] = mapped_column(String(20), default=EmailStatus.NONE)
    email_claimed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _plain_text(text: str) -> str:
    """One line of at most MAX_TEXT characters: it is shown in lists and email subjects."""
    line = " ".join((text or "").split())
    if len(line) > MAX_TEXT:
        line = line[: MAX_TEXT - 1].rstrip() + "…"
    return line


def _recipient_list(recipients) -> list[User]:
    if recipients is None:
        return []
    if isinstance(recipients, User):
        return [recipients]
    if not isinstance(recipients, Iterable) or isinstance(recipients, str | bytes):
        raise TypeError("recipients must be a User or an iterable of Users")
    return list(recipients)


def _identity(user: User):
    # Users not flushed yet have no id; they are told apart by the object itself.
    return user.id if user.id is not None else ("unsaved", id(user))


def notify(
    recipients, kind: str, text: str, link: str, actor: User | None = None
) -> list[Notification]:
    """Create one in-app notification per recipient (a User or an iterable of Users) in
    the current session (flush, never commit: the caller commits). The actor (the user who
    caused it) is never notified of their own action; duplicates and inactive users are
    skipped. Emails are sent only AFTER the surrounding transaction commits, and only when
    MAIL_SERVER is configured; a rollback sends nothing.

    ``kind`` must be a key of KINDS and ``link`` a path on this site such as
    "/assets/3#comment-7"; anything else raises ValueError. ``text`` is plain text (it is
    escaped wherever it is shown), folded to one line and cut to 300 characters.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}; known kinds: {sorted(KINDS)}")
    if not isinstance(link, str) or len(link) > MAX_LINK or safe_next(link) is None:
        raise ValueError(f"A notification link must be a path on this site, got {link!r}")
    line = _plain_text(text)
    if not line:
        raise ValueError("A notification needs some text")
    mail = bool(current_app.config.get("MAIL_SERVER"))
    seen: set = set()
    created = []
    for user in _recipient_list(recipients):
        key = _identity(user)
        if not user.active or key in seen or (actor is not None and key == _identity(actor)):
            continue
        seen.add(key)
        created.append(
            Notification(
                user=user,
                actor=actor,
                kind=kind,
                text=line,
                link=link,
                email_status=EmailStatus.PENDING if mail else EmailStatus.NONE,
            )
        )
    if not created:
        return []
    db.session.add_all(created)
    db.session.flush()
    for listener in current_app.extensions.get(_LISTENERS, ()):
        listener(created)
    if mail:
        enqueue("notifications.email", ids=[n.id for n in created])
    return created


def on_notify(app: Flask, listener: Callable[[list[Notification]], None]) -> None:
    """Call ``listener`` with the notifications each :func:`notify` creates in ``app``,
    flushed and inside the caller's transaction: a listener writes its own rows there and
    asks for its jobs with ``enqueue``, so a rollback leaves nothing of either. Features
    install theirs in ``register(app)``; the kernel knows none of them."""
    app.extensions.setdefault(_LISTENERS, []).append(listener)


def _own_unread(user: User):
    return (Notification.user_id == user.id, Notification.read_at.is_(None))


def unread_count(user) -> int:
    """How many notifications ``user`` has not read yet (0 for anonymous users)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    query = select(func.count(Notification.id)).where(*_own_unread(user))
    return db.session.scalar(query) or 0


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read and return it.

    Someone else's notification is a NotFound, as if it did not exist. Reading it again
    keeps the first read time.
    """
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notification is None:
        raise NotFound("There is no such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read in one UPDATE; returns how many."""
    return rows_changed(update(Notification).where(*_own_unread(user)).values(read_at=utcnow()))


def notifications_for(user: User, page: int, per_page: int, unread_only: bool = False) -> Page:
    """One page of ``user``'s notifications, newest first."""
    conditions = list(_own_unread(user)) if unread_only else [Notification.user_id == user.id]
    return paginate(
        select(Notification).where(*conditions),
        page,
        per_page,
        order=(Notification.created_at.desc(), Notification.id.desc()),
        options=(selectinload(Notification.actor),),
    )


# ---- email after commit ------------------------------------------------------------------


@job("notifications.email")
def send_emails(ids: list[int]) -> None:
    """Email the notifications ``ids`` that no other job has claimed, over one connection.

    A refused recipient is marked failed and the others go on. When the mail server cannot
    be reached, every unsent one is marked failed and the error raised, so the job is
    tried again later; a retry takes back its own failed rows.
    """
    claimed = _claim(ids)
    if not claimed:
        return
    config = current_app.config
    try:
        with connect_mail(config) as smtp:
            for notification in claimed:
                _send_one(smtp, notification, config)
                db.session.commit()
    except (OSError, smtplib.SMTPException) as error:
        log.error(
            "Could not send %d notification email(s) through %s:%s (%s); the job is tried again",
            len(claimed),
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            error,
        )
        for notification in claimed:
            if notification.email_status == EmailStatus.SENDING:
                notification.email_status = EmailStatus.FAILED
        db.session.commit()
        raise


@job("notifications.email_sweep")
def send_lost_emails() -> None:
    """Send the emails whose job was lost: pending for a while, or claimed by a job that
    died. Failed ones are left to their own jobs' retries."""
    now = utcnow()
    lost = or_(
        and_(
            Notification.email_status == EmailStatus.PENDING,
            Notification.created_at < now - LOST_AFTER,
        ),
        _abandoned_claim(now),
    )
    ids = list(db.session.scalars(select(Notification.id).where(lost).order_by(Notification.id)))
    for start in range(0, len(ids), SWEEP_BATCH):
        enqueue("notifications.email", ids=ids[start : start + SWEEP_BATCH])


def _abandoned_claim(now: datetime):
    """Emails claimed by a job that has surely died: sending for longer than a send takes."""
    return and_(
        Notification.email_status == EmailStatus.SENDING,
        Notification.email_claimed_at < now - CLAIM_TIMEOUT,
    )


def _claim(ids: list[int]) -> list[Notification]:
    """Claim, and commit the claim of, the rows of ``ids`` waiting for their email."""
    now = utcnow()
    claimable = or_(
        Notification.email_status.in_((EmailStatus.PENDING, EmailStatus.FAILED)),
        _abandoned_claim(now),
    )
    mine = []
    for notification_id in sorted(ids):
        statement = (
            update(Notification)
            .where(Notification.id == notification_id, claimable)
            .values(email_status=EmailStatus.SENDING, email_claimed_at=now)
        )
        if rows_changed(statement):
            mine.append(notification_id)
    db.session.commit()
    if not mine:
        return []
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.id.in_(mine))
            .options(selectinload(Notification.user))
            .order_by(Notification.id)
        )
    )


def _send_one(smtp: smtplib.SMTP, notification: Notification, config) -> None:
    message = _message(notification, config)
    try:
        send_email(smtp, message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
        log.exception(
            "The mail server refused the email for notification %s to %s",
            notification.id,
            notification.user.email,
        )
        notification.email_status = EmailStatus.FAILED
    else:
        notification.email_status = EmailStatus.SENT


def connect_mail(config) -> smtplib.SMTP:
    """An SMTP connection, upgraded to TLS and signed in when configured."""
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def absolute_link(link: str, base_url: str) -> str:
    """The full address of a site path, for places outside the site such as emails."""
    return base_url.rstrip("/") + link


def machine_email(config, to: str, subject: str) -> EmailMessage:
    """An email from the portal to ``to``, headers only: the caller sets its content."""
    sender = config["MAIL_FROM"]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    # Passing the domain avoids a DNS lookup of this host's name for every message.
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    # Tells mail servers and auto-responders this is a machine-sent message.
    message["Auto-Submitted"] = "auto-generated"
    return message


def send_email(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    """Send a ``machine_email`` to its one recipient over an open connection."""
    smtp.sendmail(
        parseaddr(message["From"])[1], [message["To"]], message.as_bytes(policy=WIRE_POLICY)
    )


def _message(notification: Notification, config) -> EmailMessage:
    base_url = config["BASE_URL"]
    subject = f"{notification.label}: {notification.text}"[:MAX_SUBJECT]
    message = machine_email(config, notification.user.email, subject)
    message.set_content(
        f"{notification.text}\n\n"
        f"Open it in Tandem: {absolute_link(notification.link, base_url)}\n\n"
        f"--\n"
        f"You get this email because you have a Tandem account and this is about you "
        f"({notification.label.lower()}). All your notifications: "
        f"{absolute_link('/notifications', base_url)}\n",
        # Quoted-printable keeps non-ASCII text (names, quotes) safe on servers without
        # 8BITMIME while leaving the message readable as sent.
        cte="quoted-printable",
    )
    return message
