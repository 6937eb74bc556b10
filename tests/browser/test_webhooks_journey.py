"""An admin registers a webhook endpoint, sends it a test event and sees it delivered;
when the receiver fails once, the log says so and "Send again" delivers it."""

import pytest
from playwright.sync_api import expect

from portal.kernel.jobs import run_held
from tests.browser.helpers import open_nav
from tests.factories import SQLITE_ONLY
from tests.portal.helpers import receiving_posts

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def test_an_admin_registers_an_endpoint_tries_it_and_sends_a_failed_event_again(
    app, page_as, users
):
    app.config.update(ENV_NAME="development", OUTBOUND_ALLOW_PRIVATE=False)
    with receiving_posts() as receiver:
        admin = page_as(users["admin"])
        open_nav(admin, "Admin").get_by_role("link", name="Webhooks").click()
        expect(admin.get_by_text("No webhook endpoint yet.")).to_be_visible()
        admin.get_by_role("button", name="Add endpoint").click()

        admin.get_by_label("Endpoint address").fill("https://169.254.169.254/latest/")
        admin.get_by_label("deal.updated").check()
        admin.get_by_role("button", name="Add endpoint").click()
        expect(admin.locator("#url-error")).to_contain_text("a link-local address")

        admin.get_by_label("Endpoint address").fill(receiver.url())
        admin.get_by_label("Description").fill("Revenue ops bus")
        admin.get_by_role("button", name="Add endpoint").click()
        expect(admin.get_by_role("status")).to_contain_text("Endpoint added.")
        expect(admin.locator("#signing-secret")).to_contain_text("whsec_")

        admin.get_by_role("button", name="Send a test event").click()
        expect(admin.get_by_role("status")).to_contain_text("A test event is on its way")
        run_held(app)  # as a worker would
        admin.reload()
        expect(admin.get_by_role("row").filter(has_text="ping")).to_contain_text("Delivered")

        receiver.answers = [500]  # the receiver fails once
        admin.get_by_role("button", name="Send again").click()
        expect(admin.get_by_role("status")).to_contain_text("The ping event is queued again")
        run_held(app)
        admin.reload()
        failed = admin.get_by_role("row").filter(has_text="Pending")
        expect(failed).to_contain_text("HTTP 500: no")

        failed.get_by_role("button", name="Send again").click()
        expect(admin.get_by_role("status")).to_contain_text("The ping event is queued again")
        run_held(app)
        admin.reload()
        # What waited is retried at once, before the new copy: everything is delivered.
        expect(admin.get_by_role("row").filter(has_text="Delivered")).to_have_count(3)
        expect(admin.get_by_text("3 deliveries")).to_be_visible()
        assert [r.headers["Tandem-Webhook-Id"] for r in receiver.received][1:] == [
            receiver.received[0].headers["Tandem-Webhook-Id"]
        ] * 3
