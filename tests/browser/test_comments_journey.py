"""A marketer asks an invited rep about a draft; the rep answers; the marketer resolves it."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import SQLITE_ONLY, make_asset, make_user

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

QUESTION = "@riley is the discount table right for mid-market deals?"
ANSWER = "Row 3 should say 12%, not 15%."


def test_marketer_and_invited_rep_discuss_a_draft_and_resolve_it(page_signed_in, users):
    marketer = users["marketer"]
    riley = make_user("rep", "riley@example.com", "Riley Rivera")
    draft = make_asset(marketer, "Mid-market pricing guide", publish=False)
    asset_url = f"/assets/{draft.id}"

    page = page_signed_in(marketer, asset_url)
    discussion = page.get_by_role("region", name="Discussion")
    expect(discussion).to_contain_text("No comments yet. Ask a question or @mention someone.")
    page.locator("#invite-email").fill(riley.email)
    page.locator("#invite-role").select_option("reviewer")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_contain_text("Riley Rivera is now a reviewer")

    page.get_by_label("Add a comment").fill(QUESTION)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_have_text("Comment posted. Notified: Riley Rivera.")
    expect(page).to_have_url(re.compile(rf"{asset_url}#comment-\d+$"))

    rep = page_signed_in(riley, "/notifications")
    rep.get_by_role("button", name=re.compile("Morgan Marketer mentioned you")).click()
    expect(rep).to_have_url(re.compile(rf"{asset_url}#comment-\d+$"))
    thread = rep.get_by_role("article", name="Comment by Morgan Marketer")
    expect(thread).to_contain_text(QUESTION)
    expect(thread.locator(".mention")).to_have_text("@riley")
    thread.get_by_label("Reply to Morgan Marketer").fill(ANSWER)
    thread.get_by_role("button", name="Reply").click()
    expect(rep.get_by_role("status")).to_have_text("Reply posted.")
    expect(rep.get_by_role("article", name="Comment by Morgan Marketer")).to_contain_text(ANSWER)

    page.reload()
    thread = page.get_by_role("article", name="Comment by Morgan Marketer")
    expect(thread).to_contain_text(ANSWER)
    thread.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Thread resolved.")
    expect(page.get_by_text("Resolved by Morgan Marketer")).to_be_visible()
    expect(page.get_by_text(ANSWER)).to_be_hidden()  # collapsed until opened

    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Morgan Marketer commented on revision 1 (1 reply, resolved)")
