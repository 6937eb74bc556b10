"""Each event the portal publishes, from the real action to the request a receiver gets:
publishing and archiving an asset, recording usage, a buyer opening a share link or a
deal room, approving a post, changing a deal through the API or a CRM import, sending
feedback."""

import json

import pytest
from sqlalchemy import select

from content.crm.imports import create_import, run_import
from content.deals.models import Deal
from content.usage import share_links
from portal.kernel.events import EVENTS
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.webhooks.services import EndpointInput, create_endpoint
from tests.content.crm_exports import export, opportunity
from tests.content.rooms_helpers import BUYER, make_room
from tests.factories import SQLITE_ONLY, make_asset, token_headers
from tests.portal.helpers import receiving_posts
from tests.workflows.helpers import deal_of, send
from tests.workflows.post_factories import draft, take
from workflows.review.machine import transition

pytestmark = SQLITE_ONLY
BASE = "https://tandem.example.com"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"


@pytest.fixture
def received(app, users):
    """What the receiver got, by event name, once the held jobs have run."""
    app.config.update(ENV_NAME="development", OUTBOUND_ALLOW_PRIVATE=False, BASE_URL=BASE)
    with receiving_posts() as receiver:
        create_endpoint(users["admin"], EndpointInput(url=receiver.url(), events=list(EVENTS)))
        db.session.commit()

        def read() -> dict[str, list[dict]]:
            run_held(app)
            found: dict[str, list[dict]] = {}
            for request in receiver.received:
                body = json.loads(request.body)
                assert request.headers["Tandem-Webhook-Id"] == body["id"]
                found.setdefault(body["event"], []).append(body["data"])
            receiver.received.clear()
            return found

        yield read


def test_every_action_sends_its_event_with_its_data(app, users, client, received):
    rep, marketer = users["rep"], users["marketer"]
    asset = make_asset(marketer, "Retail ROI study")
    published = received()
    [data] = published["asset.published"]
    assert data["asset"]["id"] == asset.id
    assert data["asset"]["title"] == "Retail ROI study"
    assert data["asset"]["url"] == f"{BASE}/assets/{asset.id}"
    assert data["actor"]["name"] == marketer.name

    link, token = share_links.create_link(asset, rep, recipient="cfo@buyer.example")
    db.session.commit()
    [usage] = received()["usage.recorded"]
    assert (usage["usage"]["kind"], usage["usage"]["evidence"]) == ("share", "verified")
    assert usage["asset"] == {"id": asset.id, "url": f"{BASE}/assets/{asset.id}"}

    assert client.get(f"/s/{token}", headers={"User-Agent": BROWSER}).status_code == 200
    opened = received()
    [share] = opened["share.opened"]
    assert share["kind"] == "share_link"
    assert share["share_link"] == {"id": link.id, "url": f"{BASE}/share-links/{link.id}"}
    assert "cfo@buyer.example" not in json.dumps(share)
    assert [u["usage"]["kind"] for u in opened["usage.recorded"]] == ["buyer_view"]
    assert "visitor_hash" not in json.dumps(opened)

    post = draft(marketer, rep)
    take(post, "send_to_rep")
    assert "post.approved" not in received()
    take(post, "approve")
    [approved] = received()["post.approved"]
    assert approved["post"]["id"] == post.id
    assert approved["post"]["url"] == f"{BASE}/posts/{post.id}"
    assert approved["rep"]["name"] == rep.name

    deal = deal_of(rep)
    [created] = received()["deal.updated"]
    assert (created["change"], created["deal"]["name"]) == ("created", "Acme renewal")
    path = f"/api/v1/deals/{deal.id}"
    changed = client.patch(path, json={"status": "won"}, headers=token_headers(rep))
    assert changed.status_code == 200, changed.text
    [updated] = received()["deal.updated"]
    assert updated["change"] == "updated"
    assert (updated["deal"]["id"], updated["deal"]["status"]) == (deal.id, "won")
    assert updated["deal"]["stage"] == "Decision"
    assert updated["deal"]["url"] == f"{BASE}/deals/{deal.id}"
    unchanged = client.patch(path, json={"status": "won"}, headers=token_headers(rep))
    assert unchanged.status_code == 200
    assert received() == {}

    feedback = send(rep, asset_id=asset.id)
    [sent] = received()["feedback.created"]
    assert (sent["feedback"]["id"], sent["feedback"]["kind"]) == (feedback.id, "objection")
    assert sent["feedback"]["asset_id"] == asset.id
    assert sent["author"]["name"] == rep.name

    transition(asset, marketer, "archive")
    db.session.commit()
    [archived] = received()["asset.archived"]
    assert archived["asset"]["id"] == asset.id
    assert archived["asset"]["status"] == "archived"


def test_a_crm_import_sends_one_event_per_deal_it_created_or_changed(users, received):
    admin = users["admin"]
    first = export([opportunity(1), opportunity(2)])
    deal_import, _plan = create_import(admin, first, "q3.csv")
    run_import(admin, deal_import)
    db.session.commit()
    created = received()["deal.updated"]
    assert sorted(d["deal"]["external_id"] for d in created) == ["0060000001", "0060000002"]
    assert {d["change"] for d in created} == {"created"}
    assert {d["deal"]["owner_email"] for d in created} == {"rep@example.com"}
    ids = dict(db.session.execute(select(Deal.external_id, Deal.id)).all())
    assert {d["deal"]["id"] for d in created} == set(ids.values())

    again = export([opportunity(1), opportunity(2, stage="Closed Won")])
    deal_import, _plan = create_import(admin, again, "q3-again.csv")
    run_import(admin, deal_import)
    db.session.commit()
    [changed] = received()["deal.updated"]
    assert (changed["change"], changed["deal"]["id"]) == ("updated", ids["0060000002"])
    assert changed["deal"]["status"] == "won"


def test_a_buyer_opening_a_deal_room_sends_share_opened(users, client, received):
    rep = users["rep"]
    asset = make_asset(users["marketer"], "Pitch deck")
    room, token = make_room(rep, deal_of(rep), [asset], title="Acme: the plan")
    received()

    assert client.get(f"/r/{token}", headers=BUYER).status_code == 200
    [opened] = received()["share.opened"]
    assert opened["kind"] == "deal_room"
    assert opened["room"] == {
        "id": room.id,
        "title": "Acme: the plan",
        "url": f"{BASE}/rooms/{room.id}",
    }
    assert opened["new_visitor"] is True
