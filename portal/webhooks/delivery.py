"""Sending deliveries: each endpoint's queue, oldest first, with growing delays.

One ``webhooks.drain`` job at a time works on an endpoint: it claims the endpoint with
one conditional UPDATE (a second drain finds it claimed and leaves), then posts the
endpoint's waiting deliveries oldest first. A 2xx answer delivers one and the next
follows. Any other answer, a refusal by the outbound rules or no answer at all records
the error, schedules the next attempt after a delay that doubles from 30 seconds up to
an hour, and stops the drain, so a later event never overtakes an earlier one. Once a
delivery is a day old and its attempt fails, it is marked failed (given up) and the
next one goes.

Nothing waits in a job's message: the ``webhooks.sweep`` job on the schedule asks for
the drain of every endpoint with a delivery due (a retry whose time came, a drain lost
with a process), takes back claims left by a drain that died, and prunes the log.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from portal.kernel import outbound
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue, job
from portal.kernel.models import utcnow
from portal.kernel.sql import rows_changed
from portal.webhooks import signing
from portal.webhooks.models import (
    ERROR_MAX,
    WAITING,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
# Deliveries one drain sends before it hands on to a new drain job, so that a job stays
# well inside its time limit even when every call takes its whole timeout.
DRAIN_BATCH = 20
DRAIN = "webhooks.drain"
Clock = Callable[[], datetime]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, …
    at most an hour."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


def claim_timeout() -> timedelta:
    """How long a drain may hold an endpoint: a batch of calls that each take their
    whole timeout (to connect and to read), with a margin."""
    seconds = float(current_app.config.get("OUTBOUND_TIMEOUT_SECONDS", 10))
    return timedelta(seconds=DRAIN_BATCH * 2 * seconds + 60)


def _free(now: datetime):
    return or_(
        WebhookEndpoint.claimed_at.is_(None),
        WebhookEndpoint.claimed_at < now - claim_timeout(),
    )


def _claim(endpoint_id: int, now: datetime) -> bool:
    """Claim the endpoint for this drain, and commit the claim; False when another drain
    holds it or it is gone or turned off."""
    claimed = rows_changed(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.active.is_(True), _free(now))
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed == 1


def _release(endpoint_id: int, claimed_at: datetime) -> None:
    """End this drain's claim, unless another drain took it over meanwhile."""
    db.session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.claimed_at == claimed_at)
        .values(claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass(frozen=True)
class Attempt:
    """One delivery as it is sent, read before the call so no transaction stays open."""

    delivery_id: int
    url: str
    secret: str
    event_id: str
    body: bytes
    created_at: datetime
    attempts: int


def _oldest_waiting(endpoint_id: int) -> WebhookDelivery | None:
    return db.session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status.in_(WAITING))
        .order_by(WebhookDelivery.id)
        .limit(1)
    )


def _start(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> Attempt:
    """Mark the delivery as being sent, and commit, so the log shows it."""
    delivery.status = DeliveryStatus.SENDING
    delivery.attempts += 1
    delivery.last_attempt_at = now
    attempt = Attempt(
        delivery.id,
        endpoint.url,
        signing.endpoint_secret(endpoint.secret_salt),
        delivery.event_id,
        delivery.body.encode(),
        delivery.created_at,
        delivery.attempts,
    )
    db.session.commit()
    return attempt


def _post(attempt: Attempt, now: datetime) -> tuple[int | None, str]:
    """Send one attempt; returns (the answer's status, the error) — no error when 2xx."""
    timestamp = int(now.replace(tzinfo=UTC).timestamp())
    headers = signing.headers(attempt.secret, attempt.event_id, timestamp, attempt.body)
    try:
        answer = outbound.post(attempt.url, attempt.body, headers)
    except (outbound.Refused, outbound.Unreachable) as error:
        return None, str(error)
    if answer.ok:
        return answer.status, ""
    said = " ".join(answer.body.split())
    return answer.status, f"HTTP {answer.status}" + (f": {said}" if said else "")


def _record(attempt: Attempt, status: int | None, error: str, now: datetime) -> bool:
    """Write the attempt's outcome and commit; True when the drain may go on to the next
    delivery (this one was delivered or given up)."""
    delivery = db.session.get(WebhookDelivery, attempt.delivery_id)
    if delivery is None:  # the endpoint was deleted meanwhile
        db.session.commit()
        return False
    delivery.last_status = status
    delivery.last_error = error[:ERROR_MAX]
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        go_on = True
    elif now - attempt.created_at >= GIVE_UP_AFTER:
        delivery.status = DeliveryStatus.FAILED
        log.warning("Webhook delivery %s gave up: %s", attempt.delivery_id, error)
        go_on = True
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + retry_delay(attempt.attempts)
        go_on = False
    db.session.commit()
    return go_on


def _send_due(endpoint_id: int, clock: Clock) -> tuple[int, bool]:
    """Send the claimed endpoint's due deliveries, oldest first, at most a batch; returns
    how many were delivered and whether the batch ran out before the work did."""
    delivered = 0
    for _ in range(DRAIN_BATCH):
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        delivery = _oldest_waiting(endpoint_id)
        if endpoint is None or not endpoint.active or delivery is None:
            return delivered, False
        if delivery.next_attempt_at > clock():
            return delivered, False  # its retry is not due: the later ones wait behind it
        attempt = _start(endpoint, delivery, clock())
        status, error = _post(attempt, clock())
        if not error:
            delivered += 1
        if not _record(attempt, status, error, clock()):
            return delivered, False
    return delivered, True


def drain_endpoint(endpoint_id: int, clock: Clock = utcnow) -> int:
    """Send the endpoint's due deliveries in order, as described in the module docstring;
    returns how many were delivered. ``clock`` gives the time (tests move it on)."""
    claimed_at = clock()
    if not _claim(endpoint_id, claimed_at):
        return 0
    try:
        delivered, more = _send_due(endpoint_id, clock)
    finally:
        db.session.rollback()
        _release(endpoint_id, claimed_at)
    if more:
        # A fresh job goes on with the rest, once the job's own commit sends it.
        enqueue(DRAIN, endpoint_id=endpoint_id)
    return delivered


@job(DRAIN)
def drain(endpoint_id: int) -> None:
    """Send an endpoint's due deliveries, oldest first (safe to run twice)."""
    drain_endpoint(endpoint_id)


def due_endpoints(now: datetime) -> list[int]:
    """Active endpoints with a delivery due and no live drain."""
    return list(
        db.session.scalars(
            select(WebhookEndpoint.id)
            .where(
                WebhookEndpoint.active.is_(True),
                _free(now),
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.endpoint_id == WebhookEndpoint.id,
                    WebhookDelivery.status.in_(WAITING),
                    WebhookDelivery.next_attempt_at <= now,
                )
                .exists(),
            )
            .order_by(WebhookEndpoint.id)
        )
    )


def prune(now: datetime) -> int:
    """Delete delivered and failed deliveries older than WEBHOOK_LOG_DAYS; returns how many."""
    days = int(current_app.config.get("WEBHOOK_LOG_DAYS", 30))
    return rows_changed(
        delete(WebhookDelivery).where(
            and_(
                WebhookDelivery.status.in_((DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)),
                WebhookDelivery.created_at < now - timedelta(days=days),
            )
        )
    )


@job("webhooks.sweep")
def sweep() -> None:
    """Ask for the drain of every endpoint with a delivery due, and prune the log."""
    now = utcnow()
    for endpoint_id in due_endpoints(now):
        enqueue(DRAIN, endpoint_id=endpoint_id)
    prune(now)
