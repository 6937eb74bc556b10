"""Helpers for the browser journeys."""

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def sign_in(page: Page, user, password: str = PASSWORD) -> Page:
    """Sign in through the login form, as a person would, and wait for the welcome."""
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").filter(has_text="Welcome back")).to_be_visible()
    return page
