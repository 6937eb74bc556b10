"""A rep sends their buyer opens and reviews to Slack, and is told in Slack when a
marketer invites them to review.

Slack's Web API cannot run here: a real HTTP server on loopback stands in for it,
answering as Slack does and recording what Tandem sends.
"""

import json

import pytest
from playwright.sync_api import expect

from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from tests.factories import SQLITE_ONLY, make_asset
from tests.portal.helpers import receiving_posts
from workflows.review.collaborators import invite

pytestmark = [pytest.mark.browser, SQLITE_ONLY]
SLACK = {
    "/api/users.lookupByEmail": '{"ok":true,"user":{"id":"U0RILEY42"}}',
    "/api/chat.postMessage": '{"ok":true}',
}


def test_a_rep_routes_reviews_to_slack_and_gets_the_invitation_there(app, users, page_signed_in):
    rep, marketer = users["rep"], users["marketer"]
    draft = make_asset(marketer, "Renewal playbook", publish=False)
    with receiving_posts(replies=SLACK) as slack:
        app.config.update(
            ENV_NAME="development",
            BASE_URL="https://tandem.example.com",
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_API_URL=slack.url("/api"),
        )
        page = page_signed_in(rep, "/notifications")
        page.get_by_role("link", name="Notification settings").click()
        expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
        expect(page.get_by_role("columnheader", name="Microsoft Teams")).to_have_count(0)
        page.get_by_role("checkbox", name="Reviews and invitations in Slack").check()
        page.get_by_role("checkbox", name="Buyer opens and share links in Slack").check()
        page.get_by_role("button", name="Save settings").click()

        expect(page.get_by_role("status")).to_have_text("Your notification settings are saved.")
        expect(
            page.get_by_role("checkbox", name="Reviews and invitations in Slack")
        ).to_be_checked()
        expect(
            page.get_by_role("checkbox", name="Ghost-written posts in Slack")
        ).not_to_be_checked()

        invite(draft, marketer, rep.email, "reviewer")
        db.session.commit()
        run_held(app)

    message = json.loads(slack.received[-1].body)
    assert slack.received[-1].path == "/api/chat.postMessage"
    assert message["channel"] == "U0RILEY42"
    assert message["text"].startswith("Morgan Marketer invited you as reviewer on “Renewal")
    assert f"<https://tandem.example.com/assets/{draft.id}" in message["text"]
