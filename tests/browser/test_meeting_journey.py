"""A sales leader opens the meeting pack and adds an action item for a marketer; the
marketer finds it under My work and closes it with a note; the next pack shows it done."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.kernel.reporting import local_today
from tests.browser.helpers import open_nav
from tests.factories import SQLITE_ONLY, make_meeting

# What the pages read and write is checked on both databases by the HTTP tests.
pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_an_action_item_from_the_pack_is_closed_from_my_work_and_shown_done(page_signed_in, users):
    meeting = make_meeting(users["leader"], [users["marketer"]], name="Weekly revenue sync")
    due = local_today() + timedelta(days=2)

    leader = page_signed_in(users["leader"], "/my-work")
    open_nav(leader, "Alignment").get_by_role("link", name="Meetings").click()
    leader.get_by_role("link", name="Weekly revenue sync", exact=True).click()
    expect(leader.get_by_role("heading", name="Weekly revenue sync", level=1)).to_be_visible()
    expect(leader.get_by_role("heading", name="Headline numbers")).to_be_visible()
    expect(leader.get_by_role("button", name="Print / save as PDF")).to_be_visible()

    leader.get_by_role("button", name="Add an action item").click()
    leader.get_by_label("Action").fill("Refresh the ROI deck for retail")
    leader.get_by_label("Owner").select_option(label="Morgan Marketer (marketing, marketer)")
    leader.get_by_label("Due").fill(due.isoformat())
    leader.get_by_role("button", name="Add the action item").click()
    expect(leader.get_by_role("status")).to_have_text(
        f"Action item added for Morgan Marketer, due {due:%-d %b %Y}."
    )
    recorded = leader.locator("section", has=leader.get_by_role("heading", name="Action items"))
    expect(recorded.get_by_role("link", name="Refresh the ROI deck for retail")).to_be_visible()

    marketer = page_signed_in(users["marketer"], "/my-work")
    work = marketer.get_by_role("region", name=re.compile("My action items from meetings"))
    work.get_by_role("link", name="Refresh the ROI deck for retail").click()
    marketer.get_by_label("How was it done?").fill("New retail ROI deck is live in the library")
    marketer.get_by_role("button", name="Mark done").click()
    expect(marketer.get_by_role("status")).to_contain_text(
        "is done. The next pack shows it closed."
    )
    marketer.goto("/my-work")
    expect(marketer.get_by_text("No action items wait for you.")).to_be_visible()

    leader.goto(f"/meetings/{meeting.id}")
    leader.get_by_role("link", name=re.compile("Next meeting")).click()
    done = leader.locator(
        "ul", has=leader.get_by_text("New retail ROI deck is live in the library")
    )
    expect(
        leader.get_by_role("heading", name=re.compile("Done since the last meeting"))
    ).to_contain_text("1")
    expect(done.get_by_role("link", name="Refresh the ROI deck for retail")).to_be_visible()
