"""A rep adds a deal at the Decision stage from "My deals", sees the content recommended
for that stage, attaches one with a note and finds it under the content used."""

import pytest
from playwright.sync_api import expect

from tests.factories import POSTGRES_ONLY, make_asset

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]


def test_rep_adds_a_deal_and_attaches_recommended_content(page_signed_in, users):
    marketer = users["marketer"]
    make_asset(marketer, "Security whitepaper", stages=("decision",))
    make_asset(marketer, "ROI calculator", stages=("decision",), summary="Payback in months.")
    make_asset(marketer, "Intro video", stages=("awareness",))
    page = page_signed_in(users["rep"], "/library")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").click()
    expect(page.get_by_role("heading", name="My deals", level=1)).to_be_visible()
    expect(page.get_by_text("You have no open deals.")).to_be_visible()
    page.get_by_role("button", name="Add a deal").click()
    page.get_by_label("Deal name").fill("Acme expansion")
    page.get_by_label("Account").fill("Acme Corp")
    page.get_by_label("Buyer stage").select_option(label="Decision")
    page.get_by_label("Amount").fill("$48,000")
    page.get_by_label("Close date").fill("2030-06-30")
    page.get_by_role("button", name="Add deal").click()

    expect(page.get_by_role("status").filter(has_text="added")).to_have_text(
        "Deal “Acme expansion” added. Here is content for its stage."
    )
    expect(page.get_by_role("heading", name="Acme expansion", level=1)).to_be_visible()
    expect(page.get_by_role("complementary", name="About this deal")).to_contain_text("$48,000")
    recommended = page.get_by_role("region", name="Recommended for Decision")
    cards = recommended.get_by_role("article")
    expect(cards).to_have_count(2)  # the awareness video is not for this stage
    card = recommended.get_by_role("article", name="ROI calculator")
    card.get_by_label("Note").fill("Sent after the pricing call")
    card.get_by_role("button", name="Attach to this deal").click()

    expect(page.get_by_role("status").filter(has_text="attached")).to_have_text(
        "“ROI calculator” is attached to this deal."
    )
    used = page.get_by_role("region", name="Content used in this deal")
    expect(used.get_by_role("link", name="ROI calculator", exact=True)).to_be_visible()
    expect(used.get_by_role("link", name="Share with the buyer “ROI calculator”")).to_be_visible()
    expect(used.get_by_text("Sent after the pricing call")).to_be_visible()
    expect(used.get_by_text("Self-reported")).to_be_visible()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Security whitepaper")
