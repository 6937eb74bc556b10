"""Registering endpoints and queueing deliveries. Services flush; callers commit.

The portal's features publish events (``portal.kernel.events``) inside their
transactions; :func:`queue_deliveries`, subscribed by this feature, writes one delivery
per endpoint that wants the event in that same transaction and asks for each endpoint's
drain job after the commit, so a rolled-back change sends nothing and a slow or failing
endpoint never slows or fails the change.
"""

import json
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from portal.kernel import outbound
from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed, check_text
from portal.kernel.events import EVENTS, PING, link
from portal.kernel.extensions import db
from portal.kernel.jobs import enqueue
from portal.kernel.models import User, utcnow
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can
from portal.webhooks import signing
from portal.webhooks.delivery import DRAIN
from portal.webhooks.models import (
    DESCRIPTION_MAX,
    URL_MAX,
    WAITING,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSubscription,
)

URL_MISSING = "Give the endpoint's address, starting with https://."
URL_TOO_LONG = f"Keep the address under {URL_MAX} characters."
DESCRIPTION_TOO_LONG = f"Keep the description under {DESCRIPTION_MAX} characters."
EVENTS_MISSING = "Choose at least one event to send to this endpoint."
EVENT_UNKNOWN = "Choose events from the list."
NOT_ALLOWED = "Only admins manage webhooks."


@dataclass
class EndpointInput:
    """What the admin's form sends."""

    url: str
    description: str = ""
    events: list[str] = field(default_factory=list)
    active: bool = True


def _check_admin(actor: User) -> None:
    if not can(actor, "manage_webhooks"):
        raise PermissionDenied(NOT_ALLOWED)


def _checked(data: EndpointInput) -> EndpointInput:
    """Trim and check the input, the address against the outbound rules included; raises
    ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    data.url = (data.url or "").strip()
    data.description = " ".join((data.description or "").split())
    check_text(errors, "url", data.url, URL_MAX, URL_TOO_LONG, URL_MISSING)
    check_text(errors, "description", data.description, DESCRIPTION_MAX, DESCRIPTION_TOO_LONG)
    if "url" not in errors:
        try:
            outbound.check(data.url)
        except outbound.Refused as refused:
            errors["url"] = str(refused)
    events = list(dict.fromkeys(data.events or []))
    if not events:
        errors["events"] = EVENTS_MISSING
    elif any(name not in EVENTS for name in events):
        errors["events"] = EVENT_UNKNOWN
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    data.events = [name for name in EVENTS if name in events]
    return data


def _subscribe(endpoint: WebhookEndpoint, events: list[str]) -> None:
    kept = {s.event: s for s in endpoint.subscriptions}
    endpoint.subscriptions = [kept.get(name) or WebhookSubscription(event=name) for name in events]


def create_endpoint(actor: User, data: EndpointInput) -> WebhookEndpoint:
    """Register an endpoint; its address is checked (https, no private or link-local
    host) and nothing is saved when it is refused."""
    _check_admin(actor)
    _checked(data)
    endpoint = WebhookEndpoint(
        url=data.url,
        description=data.description,
        active=data.active,
        secret_salt=signing.new_salt(),
        created_by=actor,
    )
    _subscribe(endpoint, data.events)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def update_endpoint(actor: User, endpoint: WebhookEndpoint, data: EndpointInput) -> None:
    """Save the admin's changes to an endpoint, checked as when it was made. Deliveries
    already queued go to it (at once); turned off, it sends nothing until turned on
    again."""
    _check_admin(actor)
    _checked(data)
    endpoint.url = data.url
    endpoint.description = data.description
    endpoint.active = data.active
    endpoint.updated_at = utcnow()
    _subscribe(endpoint, data.events)
    db.session.flush()
    if endpoint.active:
        _wake(endpoint)


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its delivery log; what was not sent is not sent."""
    _check_admin(actor)
    db.session.delete(endpoint)
    db.session.flush()


def rotate_secret(actor: User, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new signing secret (the old one stops at once); returns it."""
    _check_admin(actor)
    endpoint.secret_salt = signing.new_salt()
    endpoint.updated_at = utcnow()
    db.session.flush()
    return signing.endpoint_secret(endpoint.secret_salt)


def secret_of(actor: User, endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret, for admins only."""
    _check_admin(actor)
    return signing.endpoint_secret(endpoint.secret_salt)


# ---- queueing deliveries -----------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def envelope(event_id: str, name: str, created_at: datetime, data: dict[str, Any]) -> str:
    """The body of a delivery: the event's id, name, time and data, as JSON."""
    return json.dumps(
        {"id": event_id, "event": name, "created_at": created_at, "data": data},
        default=_json_value,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _delivery_rows(endpoint_ids: Sequence[int], name: str, body: str, event_id: str, now):
    return [
        {
            "endpoint_id": endpoint_id,
            "event_id": event_id,
            "event": name,
            "body": body,
            "created_at": now,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
        }
        for endpoint_id in endpoint_ids
    ]


def _savepoint() -> AbstractContextManager:
    """A savepoint around the deliveries' insert, so that its failure costs only them.

    SQLite's driver begins its transaction at the first write, not at a SAVEPOINT: a
    savepoint taken before the change wrote anything would be a transaction of its own,
    committed at once, and the deliveries would outlive a rollback. There the insert
    goes without one (it is the transaction's first write and begins it)."""
    raw = db.session.connection().connection.dbapi_connection
    if getattr(raw, "in_transaction", True):
        return db.session.begin_nested()
    return nullcontext()


def queue_deliveries(name: str, items: Sequence[dict[str, Any]]) -> None:
    """The events subscriber: one delivery of each event per active endpoint that
    subscribes to ``name``, written in the publishing transaction (in a savepoint, so a
    failure here costs only the deliveries), and each endpoint's drain asked for after
    the commit. One query when no endpoint wants the event."""
    endpoint_ids = list(
        db.session.scalars(
            select(WebhookSubscription.endpoint_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookSubscription.endpoint_id)
            .where(WebhookSubscription.event == name, WebhookEndpoint.active.is_(True))
            .order_by(WebhookSubscription.endpoint_id)
        )
    )
    if not endpoint_ids:
        return
    now = utcnow()
    rows = []
    for data in items:
        event_id = str(uuid.uuid4())
        body = envelope(event_id, name, now, data)
        rows += _delivery_rows(endpoint_ids, name, body, event_id, now)
    with _savepoint():
        db.session.execute(insert(WebhookDelivery), rows)
    for endpoint_id in endpoint_ids:
        enqueue(DRAIN, endpoint_id=endpoint_id)


def _wake(endpoint: WebhookEndpoint) -> None:
    """Make every waiting delivery of the endpoint due now, and ask for its drain.

    An admin who edits an endpoint, tries it or sends an event again has usually just
    fixed the receiver: what waits for its next attempt goes now rather than up to an
    hour later (still oldest first)."""
    now = utcnow()
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status.in_(WAITING),
            WebhookDelivery.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    enqueue(DRAIN, endpoint_id=endpoint.id)


def send_test(actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``ping`` event for the endpoint, whatever events it subscribes to."""
    _check_admin(actor)
    if not endpoint.active:
        raise Conflict("This endpoint is turned off; turn it on to send it a test event.")
    event_id, now = str(uuid.uuid4()), utcnow()
    data = {
        "message": "A test event sent from Tandem's webhook settings.",
        "endpoint": {"id": endpoint.id, "url": link(f"/admin/webhooks/{endpoint.id}")},
        "sent_by": actor.name,
    }
    delivery = WebhookDelivery(
        endpoint=endpoint,
        event_id=event_id,
        event=PING,
        body=envelope(event_id, PING, now, data),
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    _wake(endpoint)
    return delivery


def send_again(actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue the same event (same id, same body) again, after everything the endpoint
    has waiting, which is tried at once; the delivery it copies stays in the log as it
    was."""
    _check_admin(actor)
    endpoint = delivery.endpoint
    if not endpoint.active:
        raise Conflict("This endpoint is turned off; turn it on to send the event again.")
    now = utcnow()
    again = WebhookDelivery(
        endpoint=endpoint,
        event_id=delivery.event_id,
        event=delivery.event,
        body=delivery.body,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(again)
    db.session.flush()
    _wake(endpoint)
    return again


# ---- what the admin pages read -----------------------------------------------------------


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: WebhookEndpoint
    last: WebhookDelivery | None
    waiting: int
    failed: int


def endpoints_page(page: int, per_page: int) -> Page:
    """One page of endpoints, oldest first, each with its last delivery and its counts of
    waiting and failed deliveries (three queries for the page)."""
    listed = paginate(
        select(WebhookEndpoint),
        page,
        per_page,
        order=(WebhookEndpoint.created_at, WebhookEndpoint.id),
        options=(selectinload(WebhookEndpoint.subscriptions),),
    )
    ids = [endpoint.id for endpoint in listed.items]
    last_ids = (
        select(func.max(WebhookDelivery.id))
        .where(WebhookDelivery.endpoint_id.in_(ids))
        .group_by(WebhookDelivery.endpoint_id)
    )
    last = {
        delivery.endpoint_id: delivery
        for delivery in db.session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id.in_(last_ids))
        )
    }
    counts: dict[tuple[int, str], int] = {
        (endpoint_id, status): number
        for endpoint_id, status, number in db.session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
            .where(WebhookDelivery.endpoint_id.in_(ids))
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
        )
    }
    summaries = [
        EndpointSummary(
            endpoint,
            last.get(endpoint.id),
            counts.get((endpoint.id, DeliveryStatus.PENDING), 0)
            + counts.get((endpoint.id, DeliveryStatus.SENDING), 0),
            counts.get((endpoint.id, DeliveryStatus.FAILED), 0),
        )
        for endpoint in listed.items
    ]
    return replace(listed, items=summaries)


def deliveries_page(endpoint: WebhookEndpoint, page: int, per_page: int) -> Page:
    """One page of the endpoint's delivery log, newest first."""
    return paginate(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id),
        page,
        per_page,
        order=(WebhookDelivery.id.desc(),),
    )


def failed_count() -> int:
    """How many deliveries gave up, over every endpoint (kept until the log is pruned)."""
    query = select(func.count(WebhookDelivery.id)).where(
        WebhookDelivery.status == DeliveryStatus.FAILED
    )
    return db.session.scalar(query) or 0
