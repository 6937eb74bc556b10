"""A rep rates an asset, shares it with a buyer, the buyer opens it without signing in,
and the rep sees the open under "My share links"."""

import re

import pytest
from playwright.sync_api import expect

from tests.content.usage_helpers import BROWSER
from tests.factories import POSTGRES_ONLY, make_asset

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]


def test_rep_rates_shares_and_sees_the_buyer_open_it(page_signed_in, new_page, users):
    asset = make_asset(
        users["marketer"], "Security whitepaper", body="We encrypt **everything** at rest."
    )
    rep = page_signed_in(users["rep"], f"/assets/{asset.id}")

    ratings = rep.get_by_role("form", name="Rate this asset")
    ratings.get_by_label("4 stars", exact=True).check()
    ratings.get_by_label("Comment for the authors (optional)").fill("Buyers love page 2.")
    ratings.get_by_role("button", name="Save rating").click()
    expect(rep.get_by_role("status")).to_have_text("Thanks — your rating is saved.")
    expect(rep.get_by_text("Rated 4.0 of 5")).to_be_visible()

    sharing = rep.get_by_role("form", name="New share link")
    sharing.get_by_label("Recipient (optional)").fill("Pat at Acme")
    sharing.get_by_role("button", name="Create share link").click()
    expect(rep.get_by_role("heading", name="Your share link", level=1)).to_be_visible()
    link = rep.get_by_label("Share link", exact=True)
    expect(link).to_have_attribute("readonly", "")
    url = link.input_value()
    rep.get_by_role("button", name="Copy", exact=True).click()
    expect(rep.locator(".copy-status")).to_have_text(re.compile("Copied|Press Ctrl"))
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{43}", url)

    buyer = new_page()  # a fresh context: no portal session
    buyer.context.set_extra_http_headers({"User-Agent": BROWSER})  # not a headless robot
    buyer.goto(url)
    expect(buyer.get_by_role("heading", name="Security whitepaper", level=1)).to_be_visible()
    expect(buyer.get_by_text("Shared by Riley Rep")).to_be_visible()
    expect(buyer.get_by_text("We encrypt everything at rest.")).to_be_visible()
    expect(buyer.get_by_role("navigation")).to_have_count(0)
    assert buyer.context.cookies() == []

    rep.get_by_role("link", name="My share links").click()
    expect(rep.get_by_role("heading", name="My share links", level=1)).to_be_visible()
    row = rep.get_by_role("row", name=re.compile("Pat at Acme"))
    expect(row.get_by_role("cell").nth(5)).to_have_text("Active")
    expect(row.get_by_role("cell").nth(6)).to_have_text("1")
