"""Webhook deliveries: written with the change that publishes them, sent signed in order
per endpoint to a real receiver on loopback, retried with growing delays, given up after
a day, sent again on request."""

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.kernel import events
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.kernel.models import utcnow
from portal.webhooks import delivery, services
from portal.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.webhooks.signing import endpoint_secret
from tests.factories import SQLITE_ONLY
from tests.portal.helpers import receiving_posts

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def receiver(app):
    app.config.update(
        ENV_NAME="development", OUTBOUND_ALLOW_PRIVATE=False, BASE_URL="https://tandem.example.com"
    )
    with receiving_posts() as receiver:
        yield receiver


def register(admin, url: str, *names: str, active: bool = True) -> WebhookEndpoint:
    data = services.EndpointInput(url=url, events=list(names), active=active)
    endpoint = services.create_endpoint(admin, data)
    db.session.commit()
    return endpoint


def deliveries(endpoint=None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if endpoint is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint.id)
    return list(db.session.scalars(query))


def readme_verify():
    """The ``verify`` function of the README's Webhooks section, exactly as printed."""
    section = README.read_text().split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "the README's Webhooks section shows a Python snippet"
    namespace: dict = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own README's snippet
    return namespace["verify"]


def test_an_event_goes_only_to_active_endpoints_subscribed_to_it_signed(app, users, receiver):
    admin = users["admin"]
    deals = register(admin, receiver.url("/deals"), "deal.updated")
    register(admin, receiver.url("/assets"), "asset.published")
    register(admin, receiver.url("/off"), "deal.updated", active=False)

    events.publish("deal.updated", {"deal": {"id": 7, "name": "Acme"}})
    db.session.commit()
    assert [d.endpoint_id for d in deliveries()] == [deals.id]
    run_held(app)

    [received] = receiver.received
    assert received.path == "/deals"
    body = json.loads(received.body)
    assert body["event"] == "deal.updated"
    assert body["data"] == {"deal": {"id": 7, "name": "Acme"}}
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["Tandem-Webhook-Id"] == body["id"]
    verify = readme_verify()
    secret = services.secret_of(admin, deals)
    assert verify(secret, received.headers, received.body)
    assert not verify(secret, received.headers, received.body.replace(b"Acme", b"Acne"))
    assert not verify("whsec_other", received.headers, received.body)
    sent_at = int(received.headers["Tandem-Webhook-Timestamp"])
    assert not verify(secret, received.headers, received.body, now=sent_at + 301)
    [sent] = deliveries(deals)
    assert (sent.status, sent.attempts, sent.last_status) == ("delivered", 1, 200)


@SQLITE_ONLY
def test_a_rolled_back_change_sends_nothing(app, users, receiver):
    register(users["admin"], receiver.url(), "feedback.created")

    events.publish("feedback.created", {"feedback": {"id": 1}})
    db.session.rollback()

    assert run_held(app) == 0
    assert deliveries() == []
    assert receiver.received == []


def test_order_is_kept_behind_a_failing_delivery_with_growing_delays(app, users, receiver):
    endpoint = register(users["admin"], receiver.url(), "deal.updated")
    receiver.answers = [500, 503]
    events.publish("deal.updated", {"n": 1})
    events.publish("deal.updated", {"n": 2})
    db.session.commit()
    start = utcnow()
    run_held(app)

    first, second = deliveries(endpoint)
    assert (first.status, first.attempts, first.last_status) == ("pending", 1, 500)
    assert first.last_error == "HTTP 500: no"
    assert first.next_attempt_at >= start + timedelta(seconds=30)
    assert (second.status, second.attempts) == ("pending", 0)

    # Not due yet: nothing is sent, and the second one does not overtake the first.
    assert delivery.drain_endpoint(endpoint.id, clock=lambda: start + timedelta(seconds=10)) == 0
    later = start + timedelta(minutes=1)
    assert delivery.drain_endpoint(endpoint.id, clock=lambda: later) == 0
    db.session.refresh(first)
    assert (first.attempts, first.last_status) == (2, 503)
    assert first.next_attempt_at == later + timedelta(minutes=1)

    assert delivery.drain_endpoint(endpoint.id, clock=lambda: later + timedelta(minutes=2)) == 2
    assert [json.loads(r.body)["data"]["n"] for r in receiver.received] == [1, 1, 1, 2]
    assert [d.status for d in deliveries(endpoint)] == ["delivered", "delivered"]
    db.session.refresh(endpoint)
    assert endpoint.claimed_at is None


def test_the_retry_delays_double_from_30_seconds_up_to_an_hour():
    delays = [delivery.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


@SQLITE_ONLY
def test_a_delivery_failing_for_a_day_gives_up_and_the_next_goes(app, users, receiver):
    endpoint = register(users["admin"], receiver.url(), "deal.updated")
    events.publish("deal.updated", {"n": 1})
    events.publish("deal.updated", {"n": 2})
    db.session.commit()
    receiver.answers = [500]

    day_later = utcnow() + timedelta(hours=24, seconds=1)
    assert delivery.drain_endpoint(endpoint.id, clock=lambda: day_later) == 1

    first, second = deliveries(endpoint)
    assert (first.status, first.last_status) == ("failed", 500)
    assert second.status == "delivered"
    assert services.failed_count() == 1


@SQLITE_ONLY
def test_send_again_queues_the_same_event_after_what_waits(app, users, receiver):
    admin = users["admin"]
    endpoint = register(admin, receiver.url(), "post.approved")
    events.publish("post.approved", {"post": {"id": 3}})
    db.session.commit()
    run_held(app)
    [sent] = deliveries(endpoint)

    again = services.send_again(admin, sent)
    db.session.commit()
    run_held(app)

    assert again.id > sent.id
    assert again.status == "delivered"
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["Tandem-Webhook-Id"] == second.headers["Tandem-Webhook-Id"]
    assert sent.status == "delivered"  # the copied delivery stays in the log as it was


@SQLITE_ONLY
def test_the_sweep_sends_what_a_lost_job_left_and_takes_over_a_dead_claim(app, users, receiver):
    endpoint = register(users["admin"], receiver.url(), "deal.updated")
    events.publish("deal.updated", {"n": 1})
    db.session.commit()
    app.extensions["job_queue"].held.clear()  # the drain's message was lost
    endpoint.claimed_at = utcnow() - delivery.claim_timeout() - timedelta(seconds=1)
    db.session.commit()

    delivery.sweep()
    db.session.commit()
    run_held(app)

    assert len(receiver.received) == 1
    assert deliveries(endpoint)[0].status == "delivered"


@SQLITE_ONLY
def test_a_drain_leaves_an_endpoint_another_drain_holds(app, users, receiver):
    endpoint = register(users["admin"], receiver.url(), "deal.updated")
    events.publish("deal.updated", {"n": 1})
    endpoint.claimed_at = utcnow()
    db.session.commit()

    run_held(app)
    assert delivery.due_endpoints(utcnow()) == []
    assert receiver.received == []


@SQLITE_ONLY
def test_the_sweep_prunes_old_sent_deliveries_and_keeps_waiting_ones(app, users, receiver):
    endpoint = register(users["admin"], receiver.url(), "deal.updated", active=False)
    old = utcnow() - timedelta(days=31)
    db.session.add_all(
        WebhookDelivery(
            endpoint=endpoint, event_id="e", event="deal.updated", body="{}", status=status,
            created_at=old,
        )
        for status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.PENDING)
    )  # fmt: skip
    db.session.commit()

    assert delivery.prune(utcnow()) == 2
    assert [d.status for d in deliveries(endpoint)] == ["pending"]


@SQLITE_ONLY
def test_an_address_refused_at_send_time_is_an_error_in_the_log(app, users, receiver):
    endpoint = register(users["admin"], receiver.url(), "deal.updated")
    events.publish("deal.updated", {"n": 1})
    db.session.commit()
    app.config["ENV_NAME"] = "production"

    run_held(app)

    [waiting] = deliveries(endpoint)
    assert waiting.status == "pending"
    assert "loopback" in waiting.last_error
    assert waiting.last_status is None
    assert receiver.received == []


@SQLITE_ONLY
def test_a_failing_subscriber_never_fails_the_change_but_fails_a_test(app, users, caplog):
    def broken(_name, _items):
        raise RuntimeError("the subscriber broke")

    events.subscribe(app, broken)
    with pytest.raises(RuntimeError):
        events.publish("deal.updated", {"n": 1})

    app.config["TESTING"] = False
    with caplog.at_level(logging.ERROR):
        events.publish("deal.updated", {"n": 1})
    assert "A subscriber of deal.updated failed" in caplog.text
    with pytest.raises(ValueError, match="Unknown event"):
        events.publish("deal.deleted", {})


@SQLITE_ONLY
def test_the_secret_is_derived_from_the_secret_key_and_rotates(app, users):
    admin = users["admin"]
    endpoint = register(admin, "https://93.184.215.14/hook", "deal.updated")
    secret = services.secret_of(admin, endpoint)
    assert secret.startswith("whsec_")
    stored = db.session.execute(select(WebhookEndpoint.__table__)).one()._mapping
    assert secret not in stored.values()

    app.config["SECRET_KEY"] = "another-secret"
    assert services.secret_of(admin, endpoint) != secret
    app.config["SECRET_KEY"] = "test-secret"

    rotated = services.rotate_secret(admin, endpoint)
    assert rotated != secret
    assert rotated == endpoint_secret(endpoint.secret_salt)
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 1


@SQLITE_ONLY
def test_a_drain_hands_the_rest_to_a_new_job_after_a_batch(app, users, receiver, monkeypatch):
    monkeypatch.setattr(delivery, "DRAIN_BATCH", 2)
    endpoint = register(users["admin"], receiver.url(), "deal.updated")
    for number in range(3):
        events.publish("deal.updated", {"n": number})
    db.session.commit()

    run_held(app)
    assert [json.loads(r.body)["data"]["n"] for r in receiver.received] == [0, 1, 2]
    assert {d.status for d in deliveries(endpoint)} == {"delivered"}
