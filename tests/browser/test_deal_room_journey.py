"""A rep makes a deal room of two assets from the deal page, the buyer opens it in a
browser of their own, and the rep's room page shows the visit with what was read.

The viewer's script posts reading time as the buyer reads; this journey posts one beacon
from the buyer's page with fetch, in the protocol's shape, so it does not depend on how
long the viewer waits before sending."""

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from content.rooms.models import RoomVisit
from portal.kernel.extensions import db
from tests.content.rooms_helpers import BROWSER, previewed_asset
from tests.content.usage_helpers import make_deal
from tests.factories import login

pytestmark = pytest.mark.browser

POST_BEACON = """async ([seq, ms]) => {
  const room = document.querySelector("[data-beacon-url]");
  const item = Number(document.querySelector("[data-item]").dataset.item);
  const body = {visit: room.dataset.visit, seq, views: [{item, page: 2, ms}, {item, page: 1, ms}]};
  const answer = await fetch(room.dataset.beaconUrl, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  return answer.status;
}"""


def _wait_for_visit() -> None:
    """The visit is written just after the buyer's page has gone out."""
    for _ in range(50):
        db.session.expire_all()
        if db.session.scalar(select(func.count()).select_from(RoomVisit)):
            return
        db.session.rollback()
        time.sleep(0.1)
    raise AssertionError("the visit was not recorded")


def test_rep_makes_a_room_the_buyer_reads_it_and_the_rep_sees_the_visit(
    app, page_signed_in, new_page, users
):
    deal = make_deal(users["rep"])
    deck = previewed_asset(users["marketer"], "Pricing deck", pages=3)
    sheet = previewed_asset(users["marketer"], "Security sheet", pages=2)
    client = login(app.test_client(), users["rep"])
    for asset in (deck, sheet):
        client.form(f"/deals/{deal.id}/assets", {"asset_id": asset.id, "note": ""})

    rep = page_signed_in(users["rep"], f"/deals/{deal.id}")
    form = rep.get_by_role("form", name="New deal room")
    form.get_by_label("Title").fill("Acme: pricing and security")
    form.get_by_label("Note to the buyer (optional)").fill("As promised, **both** documents.")
    form.get_by_label("Pricing deck").check()
    form.get_by_label("Security sheet").check()
    form.get_by_role("button", name="Make the room").click()
    expect(
        rep.get_by_role("heading", name="The link to “Acme: pricing and security”")
    ).to_be_visible()
    url = rep.get_by_label("Room link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43}", url)

    buyer = new_page()  # a fresh context: no portal session
    buyer.context.set_extra_http_headers({"User-Agent": BROWSER})
    buyer.goto(url)
    expect(buyer.get_by_role("heading", name="Acme: pricing and security", level=1)).to_be_visible()
    expect(buyer.get_by_text("As promised, both documents.")).to_be_visible()
    expect(buyer.get_by_role("heading", name="Pricing deck", level=2)).to_be_visible()
    expect(buyer.get_by_role("heading", name="Security sheet", level=2)).to_be_visible()
    expect(buyer.get_by_role("img", name="Page 1 of 3 of Pricing deck")).to_be_visible()
    assert buyer.context.cookies() == []
    _wait_for_visit()
    assert buyer.evaluate(POST_BEACON, [1, 6000]) == 204

    rep.get_by_role("link", name="Go to the room").click()
    expect(rep.get_by_role("heading", name="Acme: pricing and security", level=1)).to_be_visible()
    visits = rep.locator("#visits")
    expect(visits.get_by_text("Visitor 1")).to_be_visible()
    # The first viewer on the buyer's page is the room's first item: the deal's newest.
    row = visits.get_by_role("row", name=re.compile("Security sheet"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("2 of 2")
    expect(row.get_by_role("cell").nth(2)).to_have_text("12 s")
