"""A marketer builds "New rep: first 30 days" from two assets with notes and assigns it to
a rep; the rep finds the path on My work and marks the first item done; a leader sees the
rep at 1 of 2 on the progress page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import choose
from tests.factories import POSTGRES_ONLY, make_asset

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]

TITLE = "New rep: first 30 days"


def test_marketer_builds_and_assigns_a_path_rep_follows_leader_watches(page_signed_in, users):
    make_asset(users["marketer"], "Pricing one-pager")
    make_asset(users["marketer"], "Security FAQ")

    marketer = page_signed_in(users["marketer"], "/collections")
    expect(marketer.get_by_text("No collections yet")).to_be_visible()
    marketer.get_by_role("button", name="New collection").click()
    marketer.get_by_label("Title").fill(TITLE)
    marketer.get_by_label("Description").fill("Read these in your first month.")
    marketer.get_by_role("button", name="Create collection").click()
    expect(marketer.get_by_role("heading", name=TITLE, level=1)).to_be_visible()

    for asset, note in (("Pricing one-pager", "Read first"), ("Security FAQ", "For IT calls")):
        marketer.get_by_role("combobox", name="Asset").select_option(label=asset)
        marketer.get_by_label("Note", exact=True).fill(note)
        marketer.get_by_role("button", name="Add to collection").click()
        expect(marketer.get_by_role("status")).to_contain_text(f"“{asset}” added")
    items = marketer.locator("ol.collection-items > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Pricing one-pager")
    expect(items.nth(0)).to_contain_text("Read first")

    marketer.get_by_role("button", name="Assign to reps").click()
    choose(marketer, "Reps", "Riley Rep (rep@example.com)")
    marketer.get_by_role("button", name="Assign path").click()
    expect(marketer.get_by_role("status")).to_contain_text("Path assigned to Riley Rep")

    rep = page_signed_in(users["rep"], "/my-work")
    paths = rep.get_by_role("region", name=re.compile("My onboarding paths"))
    expect(paths).to_contain_text("0 of 2 done")
    expect(paths).to_contain_text("Next: Pricing one-pager")
    paths.get_by_role("link", name=TITLE).click()
    rep.get_by_role("button", name="Mark done: Pricing one-pager").click()
    expect(rep.get_by_role("status").first).to_contain_text("marked done")
    expect(rep.get_by_text("Your progress: 1 of 2 done")).to_be_visible()
    expect(rep.get_by_role("button", name="Mark not done: Pricing one-pager")).to_be_visible()

    leader = page_signed_in(users["leader"], "/collections")
    expect(leader.get_by_role("row", name=re.compile(TITLE))).to_contain_text("assigned to 1 rep")
    leader.get_by_role("link", name="assigned to 1 rep").click()
    row = leader.get_by_role("row", name=re.compile("Riley Rep"))
    expect(row).to_contain_text("1 of 2 done")
    expect(row).to_contain_text("In progress")
