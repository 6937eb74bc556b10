"""A sales leader signs in through the company's provider for the first time and lands in
the library with the role their group maps to."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_nav
from tests.factories import SQLITE_ONLY
from tests.oidc.helpers import PROVIDER_NAME

# The database plays no part in the journey (the HTTP tests cover both).
pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_a_first_sign_in_through_the_provider_lands_in_the_library(page, sso):
    sso.set_account(
        "bea",
        email="bea@example.com",
        email_verified=True,
        name="Bea Boss",
        groups=["sales-leaders"],
    )

    # The provider's development page loads a web font; the test machine stays offline.
    page.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    page.goto("/login")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    # The provider's own development login page.
    page.get_by_placeholder("Enter any login").fill("bea")
    page.get_by_placeholder("and password").fill("anything")
    page.get_by_role("button", name="Sign-in").click()

    expect(page.get_by_role("status")).to_contain_text("Welcome, Bea Boss.")
    expect(page).to_have_url(r"/library")
    open_nav(page, "Bea Boss").get_by_role("link", name="Your profile").click()
    expect(page.get_by_text("bea@example.com · Leader, sales")).to_be_visible()
    expect(page.get_by_text(f"You sign in with {PROVIDER_NAME}")).to_be_visible()
