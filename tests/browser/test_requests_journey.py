"""A rep asks marketing for missing content; a marketer takes it on as a draft; the rep
sees the request accepted and opens the draft they were invited to review."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_nav
from tests.factories import POSTGRES_ONLY
from workflows.requests.models import today

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

NEED = "An ROI one-pager for a CFO who compares us with spreadsheets."


def test_rep_asks_marketer_accepts_rep_follows_the_draft(page_signed_in, users):
    rep = page_signed_in(users["rep"], "/library")
    open_nav(rep, "Alignment").get_by_role("link", name="Requests").click()
    expect(rep.get_by_role("heading", name="My requests", level=1)).to_be_visible()
    expect(rep.get_by_text("You have not asked for any content yet")).to_be_visible()

    rep.get_by_role("button", name="Ask for content").click()
    rep.get_by_label("What do you need, and why?").fill(NEED)
    rep.get_by_label("Buyer stage").select_option(label="Decision")
    rep.get_by_label("Persona").select_option(label="CFO")
    rep.get_by_label("Deal context").fill("Acme, 120k ARR, board meets next week")
    rep.get_by_label("Needed by").fill((today() + timedelta(days=10)).isoformat())
    rep.get_by_role("button", name="Send to marketing").click()

    expect(rep.get_by_role("status")).to_have_text("Request sent to marketing.")
    expect(rep.get_by_role("heading", level=1)).to_contain_text("An ROI one-pager for a CFO")
    expect(rep.get_by_text("Open", exact=True)).to_be_visible()

    marketer = page_signed_in(users["marketer"], "/requests")
    expect(marketer.get_by_role("heading", name="Content requests", level=1)).to_be_visible()
    marketer.get_by_role("link", name=re.compile("An ROI one-pager")).click()
    marketer.get_by_label("Draft title").fill("ROI one-pager: Acme")
    marketer.get_by_role("button", name="Accept and start a draft").click()

    expect(marketer).to_have_url(re.compile(r"/assets/\d+$"))
    expect(marketer.get_by_role("heading", name="ROI one-pager: Acme", level=1)).to_be_visible()
    expect(marketer.get_by_role("status")).to_contain_text("Riley Rep is invited to review it.")
    draft_url = marketer.url

    rep.goto("/requests")
    row = rep.get_by_role("row", name=re.compile("An ROI one-pager"))
    expect(row.get_by_text("Accepted", exact=True)).to_be_visible()
    row.get_by_role("link", name=re.compile("Open the draft")).click()

    expect(rep).to_have_url(draft_url)
    expect(rep.get_by_role("heading", name="ROI one-pager: Acme", level=1)).to_be_visible()
    expect(rep.get_by_text("Acme, 120k ARR, board meets next week")).to_be_visible()
