"""See before you send, end to end: a marketer uploads a deck and its thumbnail appears on
the board; a rep makes a deal room for a Decision deal with the deck (view only) and a
downloadable sheet; the buyer opens the room in a browser of their own and pages through
the deck; the rep is notified and reads on the deal page which pages were read, and the
deck's file cannot be downloaded from the room."""

import io
import re
import time

import pptx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from content.library.models import Asset, Stage
from content.rooms.models import RoomPageView, RoomVisit
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from tests.browser.helpers import choose
from tests.content.rooms_helpers import BROWSER
from tests.content.usage_helpers import make_deal
from tests.factories import login, make_asset, pdf_bytes, reviewers, sign_off_and_publish

pytestmark = pytest.mark.browser


def _deck(slides: int) -> bytes:
    deck = pptx.Presentation()
    for number in range(1, slides + 1):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Platform overview, part {number}"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _wait_until(count_rows, what: str) -> None:
    """Visits are written just after the buyer's page has gone out, and beacons leave the
    browser on their own schedule."""
    for _ in range(50):
        db.session.rollback()
        if count_rows():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} was not recorded")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# Once, on PostgreSQL: converting the deck is most of its cost, and the rooms' rules and
# beacons are tested on both databases in tests/content.
@pytest.mark.parametrize("database", ["postgres"])
def test_a_deck_becomes_a_room_the_buyer_reads_and_the_rep_sees_what_was_read(
    app, page_signed_in, new_page, users, tmp_path
):
    marketer, rep = users["marketer"], users["rep"]
    deck_file = tmp_path / "platform-overview.pptx"
    deck_file.write_bytes(_deck(3))

    author = page_signed_in(marketer, "/assets/new")
    author.get_by_label("Title").fill("Platform overview")
    choose(author, "Buyer stages", "Decision")
    author.get_by_label("File", exact=True).set_input_files(deck_file)
    author.get_by_role("button", name="Save draft").click()
    expect(author.get_by_role("status")).to_contain_text("Draft saved")
    run_held()  # LibreOffice and PDFium, as the job thread would run them
    author.goto("/library?status=draft")
    card = author.get_by_role("article", name="Platform overview")
    expect(card.locator("img.thumb")).to_be_visible()

    deck = db.session.scalar(select(Asset).where(Asset.owner_id == marketer.id))
    sign_off_and_publish(deck, marketer, reviewers())
    sheet = make_asset(
        marketer, "Security sheet", stages=("decision",), file=("security.pdf", pdf_bytes("Keys"))
    )
    run_held()
    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    deal = make_deal(rep, "Acme platform")
    deal.stage = decision
    db.session.commit()
    client = login(app.test_client(), rep)
    for asset in (deck, sheet):
        client.form(f"/deals/{deal.id}/assets", {"asset_id": asset.id, "note": ""})

    seller = page_signed_in(rep, f"/deals/{deal.id}")
    form = seller.get_by_role("form", name="New deal room")
    form.get_by_label("Title").fill("Acme: the platform")
    form.get_by_label("Note to the buyer (optional)").fill("As promised, **both** documents.")
    form.get_by_label("Platform overview").check()
    form.get_by_label("Security sheet").check()
    form.get_by_role("button", name="Make the room").click()
    url = seller.get_by_label("Room link").input_value()

    buyer = new_page()  # a fresh context: no portal session
    buyer.context.set_extra_http_headers({"User-Agent": BROWSER})
    buyer.goto(url)
    expect(buyer.get_by_role("heading", name="Acme: the platform", level=1)).to_be_visible()
    expect(buyer.get_by_text("As promised, both documents.")).to_be_visible()
    viewer = buyer.get_by_role("region", name="Pages of Platform overview")
    expect(viewer.get_by_text("Page 1 of 3")).to_be_visible()
    viewer.focus()
    buyer.wait_for_timeout(300)
    buyer.keyboard.press("ArrowRight")
    expect(viewer.get_by_text("Page 2 of 3")).to_be_visible()
    buyer.wait_for_timeout(300)
    buyer.keyboard.press("ArrowRight")
    expect(viewer.get_by_text("Page 3 of 3")).to_be_visible()
    buyer.wait_for_timeout(300)
    deck_section = buyer.locator("section.room-item", has=viewer)
    expect(deck_section.get_by_role("button", name=re.compile("Download"))).to_have_count(0)
    sheet_section = buyer.locator("section.room-item", has_text="Security sheet")
    expect(sheet_section.get_by_role("button", name=re.compile("Download"))).to_be_visible()
    assert buyer.context.cookies() == []
    _wait_until(lambda: _count(RoomVisit), "the visit")
    buyer.evaluate("window.dispatchEvent(new Event('pagehide'))")  # the buyer leaves
    _wait_until(lambda: _count(RoomPageView) >= 3, "the pages read")

    # The deck is view only: its file is refused, the sheet's is served.
    deck_item = deck_section.get_attribute("id")
    assert deck_item is not None
    item_id = deck_item.rsplit("-", 1)[1]
    refused = buyer.request.get(f"{url}/items/{item_id}/file")
    assert refused.status == 403
    assert not refused.body().startswith(b"PK")

    seller.goto(f"/deals/{deal.id}")
    bell = seller.get_by_role("link", name="Notifications: 1 unread")
    expect(bell).to_be_visible()
    visits = seller.get_by_role("region", name="Latest buyer visits")
    row = visits.get_by_role("row", name=re.compile("Platform overview"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("3 of 3")
    bell.click()
    expect(seller.get_by_text(re.compile("opened .*Acme: the platform"))).to_be_visible()
