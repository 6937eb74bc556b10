"""Delivery after the commit: the ``chat.deliver`` job and the sweep for lost ones.

A job claims its rows with a conditional update, so no message goes twice; each row is
marked delivered or failed (with what the chat tool answered) and committed at once. When
any failed, the job raises: the queue tries it again with a growing delay, and the retry
claims its failed rows again. Once the retries are spent the rows stay failed, listed on
the admins' chat page, and the job among the failed jobs.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from portal.chat.models import MAX_ERROR, ChatDelivery, DeliveryStatus
from portal.chat.sending import DeliveryFailed, send
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue, job
from portal.kernel.models import utcnow
from portal.kernel.notifications import Notification
from portal.kernel.sql import rows_changed

log = logging.getLogger(__name__)

# A claim older than this belongs to a job that died; a pending row older than LOST_AFTER
# lost its job. The sweep sends both again.
CLAIM_TIMEOUT = timedelta(minutes=10)
LOST_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 50


class ChatNotDelivered(Exception):
    """Raised by a job some of whose messages failed, so the queue tries it again."""


@job("chat.deliver", max_retries=8)
def deliver(ids: list[int]) -> None:
    """Post the chat messages ``ids`` that no other job holds; raise when any failed."""
    failed = []
    for delivery in _claim(ids):
        try:
            send(
                delivery.channel,
                delivery.notification.user,
                delivery.notification.text,
                delivery.notification.link,
            )
        except DeliveryFailed as error:
            failed.append(_failed(delivery, str(error)))
        except Exception as error:  # noqa: BLE001 - recorded on the row, the job retries
            log.exception("Chat delivery %s failed unexpectedly", delivery.id)
            failed.append(_failed(delivery, f"{type(error).__name__}: {error}"))
        else:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = utcnow()
            delivery.last_error = None
        db.session.commit()
    if failed:
        raise ChatNotDelivered(f"{len(failed)} chat message(s) not delivered: {failed[0]}")


def _failed(delivery: ChatDelivery, reason: str) -> str:
    log.warning(
        "Chat delivery %s to %s failed (attempt %s): %s",
        delivery.id,
        delivery.channel,
        delivery.attempts,
        reason,
    )
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = reason[:MAX_ERROR]
    return reason


@job("chat.sweep")
def deliver_lost() -> None:
    """Ask again for the deliveries whose job was lost: pending for a while, or claimed by
    a job that died. Failed ones are left to their own job's retries."""
    now = utcnow()
    lost = or_(
        and_(
            ChatDelivery.status == DeliveryStatus.PENDING,
            ChatDelivery.created_at < now - LOST_AFTER,
        ),
        _abandoned(now),
    )
    ids = list(db.session.scalars(select(ChatDelivery.id).where(lost).order_by(ChatDelivery.id)))
    for start in range(0, len(ids), SWEEP_BATCH):
        enqueue("chat.deliver", ids=ids[start : start + SWEEP_BATCH])


def _abandoned(now: datetime):
    return and_(
        ChatDelivery.status == DeliveryStatus.SENDING,
        ChatDelivery.claimed_at < now - CLAIM_TIMEOUT,
    )


def _claim(ids: list[int]) -> list[ChatDelivery]:
    """Claim, and commit the claim of, the rows of ``ids`` still to be sent."""
    now = utcnow()
    claimable = or_(
        ChatDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.FAILED)),
        _abandoned(now),
    )
    mine = []
    for delivery_id in sorted(ids):
        statement = (
            update(ChatDelivery)
            .where(ChatDelivery.id == delivery_id, claimable)
            .values(
                status=DeliveryStatus.SENDING,
                claimed_at=now,
                attempts=ChatDelivery.attempts + 1,
            )
        )
        if rows_changed(statement):
            mine.append(delivery_id)
    db.session.commit()
    if not mine:
        return []
    return list(
        db.session.scalars(
            select(ChatDelivery)
            .where(ChatDelivery.id.in_(mine))
            .options(selectinload(ChatDelivery.notification).selectinload(Notification.user))
            .order_by(ChatDelivery.id)
        )
    )
