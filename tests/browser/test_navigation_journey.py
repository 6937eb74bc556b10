"""The header on a phone and on a laptop: a menu button that opens without JavaScript's
help on a narrow screen, and every role's links in one row from 1024 px."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_nav
from tests.factories import SQLITE_ONLY

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1024, "height": 768}


def test_an_admin_finds_a_page_through_the_phone_menu_and_the_one_row_header(page_signed_in, users):
    admin = page_signed_in(users["admin"], "/library")
    admin.set_viewport_size(PHONE)
    nav = admin.get_by_role("navigation", name="Main")
    header = admin.locator(".site-header")

    # Folded: the brand, the bell, the menu button and the search box, in a small band.
    expect(nav.get_by_role("link", name="My work")).to_be_hidden()
    expect(nav.get_by_role("combobox", name="Search the library")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications: 0 unread")).to_be_visible()
    assert header.bounding_box()["height"] < PHONE["height"] / 4

    open_nav(admin, "Library").get_by_role("link", name="Campaigns").click()
    expect(admin.get_by_role("heading", name="Campaigns", level=1)).to_be_visible()
    expect(nav.get_by_role("link", name="Campaigns")).to_be_hidden()  # a new page, folded

    admin.set_viewport_size(LAPTOP)
    row = [
        nav.get_by_role("link", name="Tandem"),
        nav.get_by_role("combobox", name="Search the library"),
        nav.get_by_text("Library", exact=True),
        nav.get_by_role("link", name="Reports"),
        nav.get_by_text("Admin", exact=True),
        nav.get_by_role("link", name="New asset"),
        nav.locator(".nav-account > summary"),
        nav.get_by_role("link", name="Notifications: 0 unread"),
    ]
    expect(nav.locator(".nav-menu-button")).to_be_hidden()
    boxes = [item.bounding_box() for item in row]
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 8, middles  # one row
    assert boxes[-1]["x"] + boxes[-1]["width"] <= LAPTOP["width"]  # nothing pushed off
    assert header.bounding_box()["height"] < 80

    # A dropdown opens below the row, and Escape closes it again (static/nav.js).
    open_nav(admin, "Admin")
    users_link = nav.get_by_role("link", name="Users")
    expect(users_link).to_be_visible()
    admin.keyboard.press("Escape")
    expect(users_link).to_be_hidden()
    expect(nav.get_by_text("Admin", exact=True)).to_be_focused()
