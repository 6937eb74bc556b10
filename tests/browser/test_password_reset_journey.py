"""A rep who forgot their password asks for a link, follows it from the email and is in."""

import re

import pytest
from playwright.sync_api import expect

from portal.kernel.jobs import run_held
from tests.browser.helpers import open_nav, sign_in
from tests.factories import SQLITE_ONLY
from tests.portal.helpers import serving_inbox

# The database plays no part in the journey (the service and HTTP tests cover both).
pytestmark = [pytest.mark.browser, SQLITE_ONLY]

NEW_PASSWORD = "a brand new passphrase"


def test_forgot_password_email_link_sets_a_new_password(app, page, live_server, users):
    rep = users["rep"]
    with serving_inbox(app, base_url=live_server) as inbox:
        page.goto("/login")
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Email").fill("rep@example.com")
        page.get_by_role("button", name="Send me a link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        run_held(app)  # as the job thread or a worker would

    ((_rcpt, message),) = inbox.messages
    link = re.search(r"http://127\.0\.0\.1:\d+/reset/\S+", message.get_content()).group(0)

    page.goto(link)
    page.get_by_role("textbox", name="New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    open_nav(page, rep.name).get_by_role("button", name="Sign out").click()
    sign_in(page, rep, NEW_PASSWORD)
