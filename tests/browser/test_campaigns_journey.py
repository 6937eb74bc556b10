"""A marketer briefs the field on a campaign with a linked asset and publishes it; a rep
finds it on the library home, reads it and acknowledges it; the marketer sees who has."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.kernel.reporting import local_today
from tests.browser.helpers import choose
from tests.factories import POSTGRES_ONLY, make_asset

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]


def test_marketer_publishes_rep_acknowledges_marketer_sees_the_reader(page_signed_in, users):
    make_asset(users["marketer"], "Month-end ROI calculator")
    today = local_today()

    marketer = page_signed_in(users["marketer"], "/campaigns")
    expect(marketer.get_by_text("No campaign is running today.")).to_be_visible()
    marketer.get_by_role("button", name="New campaign").click()
    marketer.get_by_label("Campaign name").fill("Close faster in Q2")
    marketer.get_by_label("Starts on").fill(today.isoformat())
    marketer.get_by_label("Ends on").fill((today + timedelta(days=30)).isoformat())
    marketer.get_by_label("Audience").fill("CFOs of mid-market retailers")
    marketer.get_by_label("Key messages").fill("- Close the books **six days** faster")
    marketer.get_by_label("Talking points for reps").fill("Ask how long their close takes.")
    choose(marketer, "Linked assets", "Month-end ROI calculator")
    marketer.get_by_role("button", name="Save draft").click()

    expect(marketer.get_by_role("status")).to_contain_text("Campaign saved as a draft.")
    expect(marketer.get_by_role("heading", name="Close faster in Q2", level=1)).to_be_visible()
    marketer.get_by_role("button", name="Publish to reps").click()
    expect(marketer.get_by_role("status")).to_contain_text("Every active rep has been told.")
    expect(marketer.get_by_text("Read by 0 of 1 active rep.")).to_be_visible()
    brief_url = marketer.url

    rep = page_signed_in(users["rep"], "/library")
    board = rep.get_by_role("region", name="Campaigns now and next")
    board.get_by_role("link", name=re.compile("Read the brief")).click()
    expect(rep).to_have_url(brief_url)
    expect(rep.locator(".markdown strong")).to_have_text("six days")
    expect(rep.get_by_role("link", name="Month-end ROI calculator")).to_be_visible()
    rep.get_by_role("button", name="I have read this brief").click()
    expect(rep.get_by_role("status")).to_contain_text("marketing can see you have read")
    expect(rep.get_by_text(re.compile("You read this brief on"))).to_be_visible()
    expect(rep.get_by_role("button", name="I have read this brief")).to_have_count(0)
    rep.goto("/library")
    expect(board.get_by_text("Read ✓")).to_be_visible()

    marketer.reload()
    expect(marketer.get_by_text("Read by 1 of 1 active rep.")).to_be_visible()
    expect(marketer.get_by_role("list", name="Read")).to_contain_text("Riley Rep")
