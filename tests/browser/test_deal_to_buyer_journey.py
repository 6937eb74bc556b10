"""The whole loop of verified usage: a rep opens a deal at the Decision stage, picks a
recommended asset and attaches it, shares it with the buyer for that deal, the buyer opens
the link without signing in, and the rep sees the open on the deal."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.deals import services as deals
from content.library.models import Stage
from portal.kernel.extensions import db
from tests.content.usage_helpers import BROWSER
from tests.factories import POSTGRES_ONLY, make_asset

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]


def test_rep_attaches_recommended_content_shares_it_and_sees_the_buyer_open_it(
    page_signed_in, new_page, users
):
    marketer, rep = users["marketer"], users["rep"]
    make_asset(marketer, "Procurement ROI calculator", stages=("decision",), body="Payback.")
    make_asset(marketer, "Brand story", stages=("awareness",))
    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    deals.create_deal(rep, deals.DealInput("Acme cards", "Acme Corp", 4_800_000, decision))
    db.session.commit()
    page = page_signed_in(rep, "/deals")

    page.get_by_role("link", name="Acme cards").click()
    expect(page.get_by_role("heading", name="Acme cards", level=1)).to_be_visible()
    recommended = page.get_by_role("region", name="Recommended for Decision")
    expect(recommended.get_by_role("article")).to_have_count(1)
    card = recommended.get_by_role("article", name="Procurement ROI calculator")
    card.get_by_label("Note").fill("For the CFO's business case")
    card.get_by_role("button", name="Attach to this deal").click()
    expect(page.get_by_role("status").filter(has_text="attached")).to_be_visible()

    used = page.get_by_role("region", name="Content used in this deal")
    used.get_by_role("link", name=re.compile("Share with the buyer")).click()
    sharing = page.get_by_role("form", name="New share link")
    expect(sharing.get_by_label("For which deal (optional)")).to_have_value(re.compile(r"\d+"))
    sharing.get_by_label("Recipient (optional)").fill("Dana, CFO at Acme")
    sharing.get_by_role("button", name="Create share link").click()
    url = page.get_by_label("Share link", exact=True).input_value()

    buyer = new_page()  # a fresh context: no portal session
    buyer.context.set_extra_http_headers({"User-Agent": BROWSER})
    buyer.goto(url)
    expect(buyer.get_by_role("heading", name="Procurement ROI calculator")).to_be_visible()
    expect(buyer.get_by_role("navigation")).to_have_count(0)

    page.goto("/deals")
    page.get_by_role("link", name="Acme cards").click()
    links = page.get_by_role("region", name="Share links for this deal")
    row = links.get_by_role("row", name=re.compile("Dana, CFO at Acme"))
    expect(row).to_contain_text("Procurement ROI calculator")
    expect(row.get_by_role("cell").nth(4)).to_contain_text("1")
    expect(row.get_by_role("cell").nth(5)).not_to_have_text("Not opened yet")
