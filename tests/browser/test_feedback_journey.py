"""A rep on a deal's page tells marketing about an objection to an asset; a marketer finds
it in the feedback inbox, acknowledges it and replies; the rep reads the reply under
"My feedback"."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import POSTGRES_ONLY, make_asset
from tests.workflows.helpers import deal_of

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

HEARD = "Procurement says the ROI deck overstates payback for retailers."
REPLY = "Thanks: we are adding a retail payback example this week."


def test_rep_sends_feedback_from_a_deal_and_reads_marketings_reply(page_signed_in, users):
    make_asset(users["marketer"], "Retail ROI deck", stages=("decision",))
    deal = deal_of(users["rep"], "decision")

    rep = page_signed_in(users["rep"], f"/deals/{deal.id}")
    rep.get_by_role("complementary", name="About this deal").get_by_role(
        "button", name="Send feedback"
    ).click()
    expect(rep.get_by_role("heading", name="Send feedback", level=1)).to_be_visible()
    expect(rep.get_by_label("Deal")).to_have_value(str(deal.id))
    expect(rep.get_by_label("Buyer stage").locator("option:checked")).to_have_text("Decision")
    rep.get_by_label("Kind").select_option(label="Objection")
    rep.get_by_label("What did you hear?").fill(HEARD)
    rep.get_by_label("About an asset").select_option(label="Retail ROI deck")
    rep.get_by_role("button", name="Send feedback").click()

    expect(rep).to_have_url(re.compile(rf"/deals/{deal.id}$"))
    expect(rep.get_by_role("status")).to_have_text("Thanks — marketing will see this.")
    sent = rep.get_by_role("region", name="Feedback sent")
    expect(sent).to_contain_text("Procurement says the ROI deck")
    expect(sent).to_contain_text("Objection · New")

    marketer = page_signed_in(users["marketer"], "/feedback")
    expect(marketer.get_by_role("heading", name="Field feedback", level=1)).to_be_visible()
    tabs = marketer.get_by_role("navigation", name="Feedback status")
    expect(tabs.get_by_role("link", name=re.compile(r"^New 1"))).to_be_visible()
    row = marketer.get_by_role("row", name=re.compile("Procurement says the ROI deck"))
    expect(row).to_contain_text("Retail ROI deck")
    expect(row).to_contain_text("Riley Rep")
    row.get_by_role("link", name=re.compile("Procurement says")).click()
    form = marketer.get_by_role("form", name="Triage")
    form.get_by_label("Status").select_option(label="Acknowledged")
    form.get_by_label("Reply to the rep").fill(REPLY)
    form.get_by_role("button", name="Save").click()

    expect(marketer.get_by_role("status")).to_have_text(
        "Saved. Riley Rep has been told about your reply."
    )
    expect(marketer.get_by_role("region", name="Marketing’s reply")).to_contain_text(REPLY)
    marketer.goto("/feedback")
    expect(marketer.get_by_text("No feedback is new right now.")).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile(r"^Acknowledged 1"))).to_be_visible()

    rep.goto("/feedback")
    expect(rep.get_by_role("heading", name="My feedback", level=1)).to_be_visible()
    mine = rep.get_by_role("row", name=re.compile("Procurement says the ROI deck"))
    expect(mine.get_by_text("Acknowledged", exact=True)).to_be_visible()
    expect(mine).to_contain_text(REPLY)
