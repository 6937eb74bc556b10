"""On a phone (375 × 812): the board is a few screens long, each stage a row of cards
that scrolls sideways; the asset page keeps its actions in a bar at the bottom of the
first screen, and "Share" there reaches the share form; a report's wide table scrolls
inside its own box instead of widening the page."""

import pytest
from playwright.sync_api import expect

from tests.factories import SQLITE_ONLY, make_asset, pdf_bytes

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

PHONE = {"width": 375, "height": 812}
LONG_SUMMARY = "A one-page answer to the questions buyers ask first, with the figures. " * 3


def horizontal_overflow(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "el => ({scroll: el.scrollWidth, client: el.clientWidth,"
        " overflow: getComputedStyle(el).overflowX})"
    )


def test_a_rep_on_a_phone_swipes_the_board_shares_from_the_bar_and_a_leader_reads_a_report(
    page_signed_in, users
):
    marketer = users["marketer"]
    make_asset(
        marketer,
        "Payback one-pager",
        summary=LONG_SUMMARY,
        file=("payback.pdf", pdf_bytes("Payback in months")),
    )
    for number in range(1, 6):
        make_asset(marketer, f"Awareness primer {number}", summary=LONG_SUMMARY)
    for stage in ("consideration", "decision", "onboarding", "expansion"):
        make_asset(marketer, f"{stage.title()} guide", summary=LONG_SUMMARY, stages=(stage,))

    rep = page_signed_in(users["rep"], "/library")
    rep.set_viewport_size(PHONE)

    awareness = rep.get_by_role("region", name="Awareness")
    expect(awareness.get_by_role("article")).to_have_count(6)
    assert rep.evaluate("document.documentElement.scrollHeight") < 3500
    assert rep.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = horizontal_overflow(rep, ".stage-cards")
    assert row["overflow"] == "auto"
    assert row["scroll"] > 2 * row["client"]
    # The last card of the row is off to the right until the row is scrolled to it.
    last = awareness.get_by_role("heading", name="Awareness primer 1")
    expect(last).not_to_be_in_viewport()
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    assert rep.evaluate("window.scrollX") == 0  # the row scrolled, not the page

    awareness.get_by_role("link", name="Payback one-pager").click()
    expect(rep.get_by_role("heading", name="Payback one-pager", level=1)).to_be_visible()
    bar = rep.get_by_role("navigation", name="Asset actions")
    expect(bar).to_be_in_viewport()
    box = bar.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE["height"]
    expect(bar.get_by_role("button")).to_have_count(4)
    for action in ("Open the PDF", "Share", "Use in deal", "Rate"):
        expect(bar.get_by_role("button", name=action)).to_be_in_viewport()
    share_form = rep.get_by_role("form", name="New share link")
    expect(share_form).not_to_be_in_viewport()

    bar.get_by_role("button", name="Share").click()

    expect(share_form.get_by_label("Recipient")).to_be_in_viewport()
    expect(bar).to_be_in_viewport()  # still at hand after the jump

    # The rep's views above are the report's rows.
    leader = page_signed_in(users["leader"], "/reports/content-usage")
    leader.set_viewport_size(PHONE)
    table = leader.get_by_role("table", name="Content usage")
    expect(table.get_by_role("link", name="Payback one-pager")).to_be_visible()
    box = leader.get_by_role("region", name="Content usage")
    scroller = box.evaluate("el => ({scroll: el.scrollWidth, client: el.clientWidth})")
    assert scroller["scroll"] > scroller["client"]
    assert leader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(box).to_have_attribute("tabindex", "0")
