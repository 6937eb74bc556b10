"""Helpers for the browser journeys."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD


def sign_in(page: Page, user, password: str = PASSWORD) -> Page:
    """Sign in through the login form, as a person would, and wait for the welcome."""
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").filter(has_text="Welcome back")).to_be_visible()
    return page


def choose(page: Page, label: str, *options: str) -> None:
    """Choose ``options`` in the searchable select labelled ``label`` (static/select-search.js)
    as a person does: type the start of each one's name in the box, then click it in the
    list of choices that the typing narrowed."""
    # The combobox is the box Tom Select adds: looked up by its role, the lookup waits for
    # the deferred script to have replaced the plain select (a listbox) with it.
    box = page.get_by_role("combobox", name=label)
    choices = page.locator(f"#{box.get_attribute('aria-controls')}")
    for option in options:
        box.fill(option[:3])
        choices.get_by_role("option", name=option, exact=True).click()
        expect(box).to_have_value("")  # the choice is made and the typing cleared
    box.press("Escape")


PHONE_BREAKPOINT = 768  # static/tandem.css: the header folds behind Menu at this width


def open_nav(page: Page, group: str) -> Locator:
    """Open the header's dropdown named ``group`` ("Library", "Alignment", "Admin", or the
    signed-in person's name), first opening the menu button on a narrow screen, and return
    the navigation so a test can click one of its links."""
    nav = page.get_by_role("navigation", name="Main")
    # Decided by the width the stylesheet's breakpoint uses, not by whether the button
    # shows: before the stylesheet has loaded, every summary shows.
    narrow = (page.viewport_size or {"width": 1280})["width"] <= PHONE_BREAKPOINT
    if narrow and nav.locator("details.nav-menu[open]").count() == 0:
        nav.locator(".nav-menu-button").click()
    summaries = nav.locator("details.nav-group > summary")
    account = page.locator(".nav-account-name").get_by_text(group, exact=True)
    summary = summaries.filter(has_text=re.compile(rf"^\s*{re.escape(group)}\b")).or_(
        summaries.filter(has=account)
    )
    if summary.locator("xpath=..").get_attribute("open") is None:
        summary.click()
    expect(summary.locator("xpath=..")).to_have_attribute("open", "")
    return nav
