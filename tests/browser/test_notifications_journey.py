"""A rep follows the bell: opens a notification, lands on the asset, then clears the rest."""

import re

import pytest
from playwright.sync_api import expect

from portal.kernel.extensions import db
from portal.kernel.notifications import notify
from tests.factories import SQLITE_ONLY, make_asset

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_rep_opens_a_notification_and_marks_the_rest_read(page_signed_in, users):
    marketer, rep = users["marketer"], users["rep"]
    battle_card = make_asset(marketer, "Battle card: Acme vs. Initech", stages=("decision",))
    pricing = make_asset(marketer, "Pricing one-pager")
    notify(
        rep,
        "review_requested",
        "Morgan Marketer asked for your review of “Battle card: Acme vs. Initech”",
        f"/assets/{battle_card.id}",
        actor=marketer,
    )
    notify(rep, "published", "“Pricing one-pager” is published", f"/assets/{pricing.id}")
    db.session.commit()

    page = page_signed_in(rep, "/library")
    nav = page.get_by_role("navigation", name="Main")
    bell = nav.get_by_role("link", name="Notifications: 2 unread")
    expect(bell).to_have_text("2")

    bell.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    page.get_by_role("button", name=re.compile("asked for your review")).click()

    expect(page).to_have_url(re.compile(rf"/assets/{battle_card.id}$"))
    expect(
        page.get_by_role("heading", name="Battle card: Acme vs. Initech", level=1)
    ).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications: 1 unread")).to_have_text("1")

    nav.get_by_role("link", name="Notifications: 1 unread").click()
    expect(page.get_by_role("link", name=re.compile("asked for your review"))).to_be_visible()
    page.get_by_role("button", name="Mark all read").click()

    expect(page.get_by_role("status")).to_have_text("All caught up.")
    expect(nav.get_by_role("link", name="Notifications: 0 unread")).to_have_text("0")
    expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
    expect(page.get_by_role("link", name="“Pricing one-pager” is published")).to_be_visible()
