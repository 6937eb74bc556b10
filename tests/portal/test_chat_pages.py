"""The chat pages: each person's notification settings and the admins' Slack and Teams
page (configuration, test message, delivery log).

Slack and Teams cannot run here; a real HTTP server on loopback (``receiving_posts``)
stands in for them and records what Tandem sends.
"""

import pytest
from sqlalchemy import select

from portal.chat.groups import Group
from portal.chat.models import ChatDelivery, ChatIdentity, ChatRoute
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.kernel.notifications import notify
from tests.factories import SQLITE_ONLY
from tests.portal.helpers import flashes, outcome, receiving_posts, redirect_path

pytestmark = SQLITE_ONLY
SETTINGS = "/settings/notifications"
TOKEN = "xoxb-very-secret-token"


@pytest.fixture
def configured(app):
    app.config.update(
        SLACK_BOT_TOKEN=TOKEN,
        TEAMS_WEBHOOK_URL="https://example.webhook.office.com/secret-path",
        SLACK_SIGNING_SECRET="signing-secret-value",
    )
    return app


def routes_of(user) -> set[tuple[str, str]]:
    rows = db.session.execute(
        select(ChatRoute.kind_group, ChatRoute.channel).where(ChatRoute.user_id == user.id)
    )
    return {(row.kind_group, row.channel) for row in rows}


def test_without_chat_configured_the_settings_page_says_so(app, users, client_as):
    page = client_as("rep").get(SETTINGS)

    assert page.status_code == 200
    assert "Chat delivery is not set up for this Tandem yet" in page.text
    assert 'name="route_slack_reviews"' not in page.text


def test_a_person_routes_groups_to_slack_and_teams(configured, users, client_as):
    rep = client_as("rep")
    page = rep.get(SETTINGS)
    assert 'aria-label="Reviews and invitations in Tandem (always)"' in page.text
    assert 'name="route_slack_buyers"' in page.text
    assert 'name="route_teams_buyers"' in page.text

    saved = rep.form(
        SETTINGS,
        {"route_slack_buyers": "y", "route_slack_reviews": "y", "route_teams_posts": "y"},
    )

    assert redirect_path(saved) == SETTINGS
    assert flashes(rep.get(SETTINGS)) == ["Your notification settings are saved."]
    assert routes_of(users["rep"]) == {
        (Group.BUYERS, "slack"),
        (Group.REVIEWS, "slack"),
        (Group.POSTS, "teams"),
    }
    again = rep.get(SETTINGS).text
    assert 'in Slack" checked id="route_slack_buyers"' in again
    assert 'in Microsoft Teams" id="route_teams_buyers"' in again


def test_only_the_channels_the_admin_configured_are_offered_and_kept(app, users, client_as):
    app.config.update(SLACK_WEBHOOK_URL="https://hooks.slack.com/services/T/B/x")
    db.session.add(ChatRoute(user_id=users["rep"].id, kind_group="buyers", channel="teams"))
    db.session.commit()
    rep = client_as("rep")

    page = rep.get(SETTINGS)
    rep.form(SETTINGS, {"route_slack_replies": "y"})

    assert 'name="route_slack_replies"' in page.text
    assert "route_teams" not in page.text
    assert "Teams workflow" not in page.text
    # Turned off by the admin, kept for when Teams comes back.
    assert routes_of(users["rep"]) == {("replies", "slack"), ("buyers", "teams")}


def test_wrong_member_ids_and_refused_teams_addresses_are_explained(configured, users, client_as):
    db.session.add(ChatIdentity(user=users["leader"], slack_member_id="U0LEADER1"))
    db.session.commit()
    rep = client_as("rep")

    typo = rep.form(SETTINGS, {"slack_member_id": "riley", "route_slack_buyers": "y"})
    taken = rep.form(SETTINGS, {"slack_member_id": "u0leader1"})
    private = rep.form(SETTINGS, {"teams_url": "https://10.1.2.3/workflows/x"})

    assert typo.status_code == taken.status_code == private.status_code == 422
    assert "A Slack member ID looks like U01AB2CD3E" in typo.text
    assert "linked to another Tandem account" in taken.text
    assert "points at a private network address, which Tandem does not call" in private.text
    assert routes_of(users["rep"]) == set()


def test_a_member_id_and_an_own_teams_url_are_saved(configured, users, client_as):
    rep = client_as("rep")
    configured.config["ENV_NAME"] = "development"

    rep.form(SETTINGS, {"slack_member_id": " u0riley42 ", "teams_url": "http://127.0.0.1:8/own"})

    identity = db.session.scalar(
        select(ChatIdentity).where(ChatIdentity.user_id == users["rep"].id)
    )
    assert (identity.slack_member_id, identity.teams_url) == ("U0RILEY42", "http://127.0.0.1:8/own")


def test_the_settings_need_the_forms_csrf_token_and_a_sign_in(configured, users, client_as, client):
    refused = client_as("rep").post(SETTINGS, data={"route_slack_buyers": "y"})
    anonymous = client.get(SETTINGS)

    assert refused.status_code == 400
    assert outcome(anonymous) == "login"
    assert routes_of(users["rep"]) == set()


# ---- the admins' page ------------------------------------------------------------------


def test_only_admins_know_the_chat_page_exists(configured, users, client_as):
    for role in ("rep", "marketer", "leader"):
        client = client_as(role)
        assert client.get("/admin/chat").status_code == 404
        assert client.form("/admin/chat/test", {"channel": "slack"}).status_code == 404
        assert client.form("/admin/chat/deliveries/1/retry").status_code == 404


def test_the_admin_page_shows_what_is_configured_but_never_the_secrets(configured, client_as):
    page = client_as("admin").get("/admin/chat")

    assert page.status_code == 200
    assert "Direct messages from the Slack app" in page.text
    assert "Request URL for the Slack app: <code>http" in page.text
    assert "/integrations/slack/command</code>" in page.text
    for secret in (TOKEN, "secret-path", "signing-secret-value"):
        assert secret not in page.text
    assert "Nothing has been sent to chat yet" in page.text


def test_a_failed_delivery_is_listed_and_can_be_sent_again(app, users, client_as):
    rep = users["rep"]
    with receiving_posts(answers=[503]) as teams:
        app.config.update(ENV_NAME="development", TEAMS_WEBHOOK_URL=teams.url("/wf"))
        db.session.add(ChatRoute(user_id=rep.id, kind_group="replies", channel="teams"))
        db.session.commit()
        notify(rep, "mentioned", "Morgan mentioned you on “Pricing”", "/assets/1")
        db.session.commit()
        run_held(app)
        admin = client_as("admin")

        log = admin.get("/admin/chat?status=failed")
        (delivery,) = db.session.scalars(select(ChatDelivery)).all()
        again = admin.form(f"/admin/chat/deliveries/{delivery.id}/retry")
        run_held(app)
        delivered = admin.get("/admin/chat?status=delivered")

    assert "Failed (1)" in log.text
    assert "Teams answered HTTP 503: no" in log.text
    assert "Morgan mentioned you on “Pricing”" in log.text
    assert "Riley Rep" in log.text
    assert redirect_path(again) == "/admin/chat?status=failed"
    assert flashes(delivered) == ["The message is queued to be sent again."]
    assert f'id="delivery-{delivery.id}"' in delivered.text
    assert "Delivered (1)" in delivered.text
    assert len(teams.received) == 2


def test_a_bad_status_filter_is_flashed_and_the_log_is_paged(app, users, client_as):
    rep = users["rep"]
    app.config.update(SLACK_WEBHOOK_URL="https://hooks.example/x")
    db.session.add(ChatRoute(user_id=rep.id, kind_group="replies", channel="slack"))
    db.session.commit()
    for number in range(7):
        notify(rep, "mentioned", f"Mention {number}", "/assets/1")
    db.session.commit()
    admin = client_as("admin")

    odd = admin.get("/admin/chat?status=lost")
    second = admin.get("/admin/chat?page=2")

    assert "Some filters were not understood." in flashes(odd)
    assert "7 deliveries" in odd.text
    assert "Mention 1" in second.text
    assert "Mention 6" not in second.text
    assert "Page 2 of 2" in second.text


def test_the_admin_sends_a_test_message(app, users, client_as):
    with receiving_posts() as slack:
        app.config.update(ENV_NAME="development", SLACK_WEBHOOK_URL=slack.url("/hook"))
        admin = client_as("admin")

        sent = admin.form("/admin/chat/test", {"channel": "slack"})
        page = admin.get("/admin/chat")
        app.config["SLACK_WEBHOOK_URL"] = "https://10.0.0.5/hook"
        admin.form("/admin/chat/test", {"channel": "slack"})
        refused = admin.get("/admin/chat")

    assert redirect_path(sent) == "/admin/chat"
    assert "The test message went to the Slack channel." in flashes(page)
    assert b"Test message from Tandem, sent by Ada Admin" in slack.received[0].body
    assert len(slack.received) == 1
    (message,) = flashes(refused)
    assert message.startswith("The test message did not get through: The host 10.0.0.5")


def test_the_admins_buttons_need_the_forms_csrf_token(app, users, client_as):
    with receiving_posts() as slack:
        app.config.update(ENV_NAME="development", SLACK_WEBHOOK_URL=slack.url("/hook"))
        admin = client_as("admin")

        test = admin.post("/admin/chat/test", data={"channel": "slack"})
        retry = admin.post("/admin/chat/deliveries/1/retry")

    assert (test.status_code, retry.status_code) == (400, 400)
    assert slack.received == []
