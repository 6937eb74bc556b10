"""Co-authoring and dual sign-off, as the people involved click through it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import choose
from tests.factories import POSTGRES_ONLY, make_user

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

FIRST_BODY = "Fernhill cut the month-end close from eleven days to five."
SECOND_BODY = "Fernhill cut the month-end close from eleven days to five, says the CFO."


def flash(page: Page):
    return page.get_by_role("status").first


def act(page: Page, button: str, comment: str = "") -> None:
    if comment:
        page.get_by_label(re.compile("^Comment")).fill(comment)
    page.get_by_role("button", name=button, exact=True).click()


def test_draft_review_changes_dual_sign_off_and_publish(page_signed_in, users):
    marketer, rep = users["marketer"], users["rep"]
    brand = make_user("marketer", "brand@example.com", "Bea Brand", department="marketing")

    # The marketer drafts an asset and invites a sales and a marketing reviewer.
    author = page_signed_in(marketer, "/assets/new")
    author.get_by_label("Title").fill("Halvorsen close story")
    author.get_by_label("Body (Markdown)").fill(FIRST_BODY)
    choose(author, "Buyer stages", "Decision")
    author.get_by_role("button", name="Save draft").click()
    asset_url = re.sub(r"^https?://[^/]+", "", author.url)
    hint = "Before submitting, invite a sales and a marketing reviewer (dual sign-off)."
    expect(author.get_by_text(hint)).to_be_visible()
    for who in (rep, brand):
        author.locator("#invite-email").fill(who.email)
        author.locator("#invite-role").select_option("reviewer")
        author.get_by_role("button", name="Invite", exact=True).click()
        expect(flash(author)).to_have_text(f"{who.name} is now a reviewer and has been told.")
    act(author, "Submit for review")
    expect(flash(author)).to_contain_text("Submitted for review")

    # The rep finds the review in My work and asks for a change.
    reviewer = page_signed_in(rep, "/my-work")
    waiting = reviewer.get_by_role("region", name=re.compile("Reviews waiting for me"))
    waiting.get_by_role("link", name="Halvorsen close story").click()
    expect(reviewer.get_by_text(FIRST_BODY)).to_be_visible()
    act(reviewer, "Request changes", "Quote the CFO: reps get asked who said it.")
    expect(flash(reviewer)).to_contain_text("Changes requested")

    # The marketer sees the request, revises and submits again.
    author.goto(asset_url)
    expect(author.get_by_text("Changes requested").first).to_be_visible()
    expect(author.get_by_text("Quote the CFO: reps get asked who said it.")).to_be_visible()
    author.get_by_role("button", name="Edit").click()
    author.get_by_label("Body (Markdown)").fill(SECOND_BODY)
    author.get_by_label("What changed").fill("CFO quote")
    author.get_by_role("button", name="Save revision").click()
    expect(flash(author)).to_have_text("Saved as revision 2.")
    act(author, "Submit for review")

    # Both teams approve; the first approval alone is not enough.
    reviewer.goto(asset_url)
    expect(reviewer.get_by_text(SECOND_BODY)).to_be_visible()
    act(reviewer, "Approve")
    expect(flash(reviewer)).to_have_text("Approved. Still waiting for a marketing approval.")
    expect(reviewer.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    brand_page = page_signed_in(brand, asset_url)
    act(brand_page, "Approve")
    expect(flash(brand_page)).to_have_text("Approved. Every sign-off is in: the owner can publish.")

    # The marketer publishes; the rep now reads revision 2 as the live asset.
    author.goto(asset_url)
    act(author, "Publish")
    expect(flash(author)).to_contain_text("Published")
    reviewer.goto(asset_url)
    expect(reviewer.get_by_text(SECOND_BODY)).to_be_visible()
    expect(reviewer.get_by_text("Revision 2 · live")).to_be_visible()
