"""The admins' webhook pages: endpoints registered with their address checked, the
secret, a test event, the delivery log, Send again; nobody else knows they exist."""

import json

import pytest
from sqlalchemy import func, select

from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import SQLITE_ONLY
from tests.portal.helpers import flashes, receiving_posts, redirect_path

pytestmark = SQLITE_ONLY


@pytest.fixture
def receiver(app):
    app.config.update(ENV_NAME="development", OUTBOUND_ALLOW_PRIVATE=False)
    with receiving_posts() as receiver:
        yield receiver


def _count(model=WebhookEndpoint) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _add(admin, url: str, events=("deal.updated",), **extra):
    return admin.form(
        "/admin/webhooks/new",
        {"url": url, "description": "CRM sync", "events": list(events), "active": "y", **extra},
    )


@pytest.mark.parametrize("role", ["rep", "marketer", "leader"])
def test_only_admins_know_the_webhook_pages_exist(client_as, role):
    client = client_as(role)
    assert client.get("/admin/webhooks").status_code == 404
    assert client.get("/admin/webhooks/new").status_code == 404
    assert client.form("/admin/webhooks/new", {"url": "https://a.example/"}).status_code == 404
    assert _count() == 0


def test_the_empty_list_says_what_webhooks_are_for(client_as):
    page = client_as("admin").get("/admin/webhooks")
    assert page.status_code == 200
    assert "No webhook endpoint yet" in page.text
    assert 'href="/admin/webhooks"' in page.text  # the admin navigation links to it


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://10.0.0.5/hook", "a private network address"),
        ("https://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://93.184.215.14/hook", "must use https://"),
        ("ftp://example.com/hook", "must start with https://"),
    ],
)
def test_a_refused_address_is_named_beside_the_field_and_nothing_is_saved(client_as, url, reason):
    page = _add(client_as("admin"), url)
    assert page.status_code == 422
    assert reason in page.text.split('id="url-error"', 1)[1].split("</small>", 1)[0]
    assert _count() == 0


def test_events_must_be_chosen_from_the_list(client_as):
    admin = client_as("admin")
    assert "Choose at least one event" in _add(admin, "https://93.184.215.14/", events=()).text
    assert "Choose events from the list" in _add(admin, "https://93.184.215.14/", ["x.y"]).text
    assert _count() == 0


def test_an_admin_registers_tries_and_reads_the_log_of_an_endpoint(client_as, app, receiver):
    admin = client_as("admin")
    added = _add(admin, receiver.url(), events=("deal.updated", "asset.published"))
    assert added.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    path = f"/admin/webhooks/{endpoint.id}"
    assert redirect_path(added) == path
    assert endpoint.events == ["asset.published", "deal.updated"]

    page = admin.get(path)
    assert "Endpoint added." in " ".join(flashes(page))
    secret = page.text.split('<code id="signing-secret">', 1)[1].split("</code>", 1)[0]
    assert secret.startswith("whsec_")
    assert "Nothing was sent to this endpoint yet" in page.text

    tested = admin.form(f"{path}/test")
    assert redirect_path(tested) == path
    run_held(app)
    [ping] = receiver.received
    assert json.loads(ping.body)["event"] == "ping"
    log = admin.get(path)
    assert "A test event is on its way" in " ".join(flashes(log))
    assert "Delivered" in log.text
    assert "ping" in log.text
    assert "HTTP 200" in log.text

    receiver.answers = [500]
    delivery = db.session.scalar(select(WebhookDelivery))
    admin.form(f"{path}/deliveries/{delivery.id}/again")
    run_held(app)
    assert "Pending" in admin.get(path).text
    assert "HTTP 500: no" in admin.get(path).text

    rotated = admin.form(f"{path}/rotate")
    assert "new signing secret" in " ".join(flashes(admin.get(redirect_path(rotated))))
    assert secret not in admin.get(path).text

    listed = admin.get("/admin/webhooks")
    assert receiver.url() in listed.text
    assert "CRM sync" in listed.text
    assert "Pending" in listed.text


def test_an_admin_edits_turns_off_and_deletes_an_endpoint(client_as, app, receiver):
    admin = client_as("admin")
    _add(admin, receiver.url())
    endpoint = db.session.scalar(select(WebhookEndpoint))
    path = f"/admin/webhooks/{endpoint.id}"
    form = admin.get(f"{path}/edit")
    assert 'value="deal.updated" checked' in form.text

    refused = admin.form(f"{path}/edit", {"url": "https://192.168.1.4/", "events": ["ping"]})
    assert refused.status_code == 422
    saved = admin.form(f"{path}/edit", {"url": receiver.url("/v2"), "events": ["share.opened"]})
    assert redirect_path(saved) == path
    db.session.refresh(endpoint)
    assert (endpoint.url, endpoint.events, endpoint.active) == (
        receiver.url("/v2"),
        ["share.opened"],
        False,
    )
    off = admin.form(f"{path}/test")
    assert "turned off" in " ".join(flashes(admin.get(redirect_path(off))))
    assert _count(WebhookDelivery) == 0

    deleted = admin.form(f"{path}/delete")
    assert redirect_path(deleted) == "/admin/webhooks"
    assert "is deleted" in " ".join(flashes(admin.get("/admin/webhooks")))
    assert _count() == 0
    assert admin.get(path).status_code == 404


def test_a_delivery_of_another_endpoint_is_not_found_there(client_as, app, receiver):
    admin = client_as("admin")
    _add(admin, receiver.url("/a"))
    _add(admin, receiver.url("/b"))
    first, second = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))
    admin.form(f"/admin/webhooks/{first.id}/test")
    delivery = db.session.scalar(select(WebhookDelivery))

    answer = admin.form(f"/admin/webhooks/{second.id}/deliveries/{delivery.id}/again")
    assert answer.status_code == 404
    assert _count(WebhookDelivery) == 1


def test_the_log_is_paginated_newest_first(client_as, app, receiver):
    admin = client_as("admin")
    _add(admin, receiver.url())
    endpoint = db.session.scalar(select(WebhookEndpoint))
    for _ in range(7):
        admin.form(f"/admin/webhooks/{endpoint.id}/test")
    ids = list(db.session.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id)))

    first = admin.get(f"/admin/webhooks/{endpoint.id}")
    second = admin.get(f"/admin/webhooks/{endpoint.id}?page=2")
    assert f'id="delivery-{ids[-1]}"' in first.text
    assert f'id="delivery-{ids[0]}"' not in first.text
    assert f'id="delivery-{ids[0]}"' in second.text
    assert "7 deliveries" in first.text
