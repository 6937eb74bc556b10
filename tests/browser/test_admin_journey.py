"""An admin adds a user, who can then sign in."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_nav, sign_in
from tests.factories import POSTGRES_ONLY

pytestmark = [pytest.mark.browser, POSTGRES_ONLY]


# Typed with capitals: sign-in must still find the account, stored lower-cased.
NEW_USER = SimpleNamespace(name="Sam Seller", email="Sam.Seller@Example.com")


def test_admin_adds_user_who_then_signs_in(page_as, new_page, users):
    admin = page_as(users["admin"])
    open_nav(admin, "Admin").get_by_role("link", name="Users").click()
    admin.get_by_role("button", name="Add user").click()
    expect(admin.get_by_role("heading", name="Add user", level=1)).to_be_visible()
    admin.get_by_label("Name").fill(NEW_USER.name)
    admin.get_by_label("Email").fill(NEW_USER.email)
    admin.get_by_label("Role").select_option("Rep")
    admin.get_by_label("Department").select_option("Sales")
    admin.get_by_label("Password").fill("a long first password")
    expect(admin.get_by_label("Active")).to_be_checked()
    admin.get_by_role("button", name="Create user").click()

    expect(admin.get_by_role("status")).to_have_text(
        "Sam Seller can now sign in as sam.seller@example.com."
    )
    row = admin.get_by_role("row").filter(has_text="sam.seller@example.com")
    expect(row.get_by_role("cell")).to_have_text(
        ["Sam Seller", "sam.seller@example.com", "Rep", "Sales", "Active", "Password", "never"]
    )

    newcomer = sign_in(new_page(), NEW_USER, "a long first password")
    expect(newcomer.get_by_role("status")).to_have_text("Welcome back, Sam Seller.")
    expect(newcomer.get_by_role("heading", name="Content library")).to_be_visible()
    nav = newcomer.get_by_role("navigation", name="Main")
    # Counted hidden or not: a closed dropdown's links are in the page all the same.
    expect(nav.get_by_role("link", name="Users", include_hidden=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="New asset", include_hidden=True)).to_have_count(0)
    expect(nav.locator("summary").filter(has_text="Admin")).to_have_count(0)
