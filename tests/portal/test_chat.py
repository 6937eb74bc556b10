"""Slack and Teams: routing notifications by group, delivery after the commit, failures
and retries, and the /tandem slash command.

Slack's Web API and Teams' workflows are services on the internet that cannot run here;
a real HTTP server on loopback (``receiving_posts``) stands in for them and records what
Tandem sends, and answers as Slack's Web API does where a test needs an answer.
"""

import hashlib
import hmac
import json
import re
import time
from urllib.parse import parse_qs, urlencode

import pytest
from sqlalchemy import select

from portal.chat.groups import KINDS_BY_GROUP, Group
from portal.chat.models import ChatDelivery, ChatIdentity, ChatRoute, DeliveryStatus
from portal.kernel.extensions import db
from portal.kernel.jobs import FailedJob, job_queue, retry_failed, run_held
from portal.kernel.notifications import KINDS, notify
from tests.factories import SQLITE_ONLY, make_asset
from tests.portal.helpers import receiving_posts
from tests.search.helpers import index_now

BASE = "https://tandem.example.com"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_OK = {
    "/api/chat.postMessage": '{"ok":true,"channel":"D0123","ts":"1.2"}',
    "/api/users.lookupByEmail": '{"ok":true,"user":{"id":"U0RILEY42","team_id":"T1"}}',
}


def configure(app, receiver, **settings):
    """Chat settings pointing at the loopback receiver (http to loopback: development)."""
    app.config.update(ENV_NAME="development", BASE_URL=BASE, **settings)


def route(user, *pairs):
    db.session.add_all(ChatRoute(user_id=user.id, kind_group=g, channel=c) for g, c in pairs)
    db.session.commit()


def deliveries():
    return list(db.session.scalars(select(ChatDelivery).order_by(ChatDelivery.id)))


def held_jobs(app) -> list[str]:
    return [queued.name for queued in job_queue(app).held]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_notification_kind_is_in_exactly_one_group(kind):
    assert [group for group, kinds in KINDS_BY_GROUP.items() if kind in kinds] != []
    assert sum(kind in kinds for kinds in KINDS_BY_GROUP.values()) == 1


def test_the_groups_name_only_kinds_that_exist():
    assert set().union(*KINDS_BY_GROUP.values()) <= set(KINDS)


def test_a_notification_goes_to_the_channels_its_group_is_routed_to(app, users):
    rep = users["rep"]
    app.config.update(SLACK_BOT_TOKEN="xoxb-test", TEAMS_WEBHOOK_URL="https://teams.example")
    route(rep, (Group.BUYERS, "slack"), (Group.REVIEWS, "teams"), (Group.REVIEWS, "slack"))

    opened = notify(rep, "buyer_opened", "Your buyer opened the room", "/rooms/1")[0]
    review = notify(rep, "review_requested", "Review “Pricing”", "/assets/1")[0]
    notify(rep, "comment", "A comment", "/assets/1")
    notify(users["leader"], "buyer_opened", "Not routed by this person", "/rooms/2")
    db.session.commit()

    sent = {(d.notification_id, d.channel, d.status) for d in deliveries()}
    assert sent == {
        (opened.id, "slack", "pending"),
        (review.id, "slack", "pending"),
        (review.id, "teams", "pending"),
    }
    assert held_jobs(app).count("chat.deliver") == 2


@SQLITE_ONLY
def test_a_channel_the_admin_has_not_configured_gets_nothing(app, users):
    rep = users["rep"]
    app.config.update(SLACK_BOT_TOKEN="xoxb-test")
    route(rep, (Group.BUYERS, "teams"))

    notify(rep, "buyer_opened", "Your buyer opened the room", "/rooms/1")
    db.session.commit()

    assert deliveries() == []
    assert "chat.deliver" not in held_jobs(app)


@SQLITE_ONLY
def test_a_rolled_back_action_writes_and_sends_nothing(app, users):
    rep = users["rep"]
    with receiving_posts(replies=SLACK_OK) as slack:
        configure(app, slack, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url("/api"))
        route(rep, (Group.BUYERS, "slack"))

        notify(rep, "buyer_opened", "Your buyer opened the room", "/rooms/1")
        db.session.rollback()
        run_held(app)

        assert deliveries() == []
        assert slack.received == []


@SQLITE_ONLY
def test_slack_with_a_bot_token_sends_a_direct_message_to_the_member_found_by_email(app, users):
    rep = users["rep"]
    with receiving_posts(replies=SLACK_OK) as slack:
        configure(app, slack, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url("/api"))
        route(rep, (Group.BUYERS, "slack"))
        notify(rep, "buyer_opened", "Buyer <b>opened</b> “Q3 & more”", "/rooms/7")
        db.session.commit()

        run_held(app)

    lookup, message = slack.received
    assert lookup.path == "/api/users.lookupByEmail"
    assert parse_qs(lookup.body.decode()) == {"email": ["rep@example.com"]}
    assert lookup.headers["Authorization"] == "Bearer xoxb-test"
    assert message.path == "/api/chat.postMessage"
    assert message.headers["Authorization"] == "Bearer xoxb-test"
    assert message.headers["Content-Type"].startswith("application/json")
    sent = json.loads(message.body)
    assert sent["channel"] == "U0RILEY42"
    expected = f"Buyer &lt;b&gt;opened&lt;/b&gt; “Q3 &amp; more”\n<{BASE}/rooms/7|Open in Tandem>"
    assert sent["text"] == expected
    assert sent["blocks"][0]["text"] == {"type": "mrkdwn", "text": expected}
    (delivery,) = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 1, None)
    # Found once by email, then kept: the slash command knows the member too.
    identity = db.session.scalar(select(ChatIdentity).where(ChatIdentity.user_id == rep.id))
    assert identity.slack_member_id == "U0RILEY42"


@SQLITE_ONLY
def test_a_slack_webhook_posts_to_its_channel_naming_the_person(app, users):
    rep = users["rep"]
    with receiving_posts() as slack:
        configure(app, slack, SLACK_WEBHOOK_URL=slack.url("/services/T1/B2/x"))
        route(rep, (Group.REVIEWS, "slack"))
        notify(rep, "invited", "Morgan invited you as reviewer", "/assets/3")
        db.session.commit()

        run_held(app)

    (post,) = slack.received
    assert post.path == "/services/T1/B2/x"
    assert "Authorization" not in post.headers
    text = json.loads(post.body)["text"]
    assert (
        text == f"*For Riley Rep:* Morgan invited you as reviewer\n<{BASE}/assets/3|Open in Tandem>"
    )
    assert deliveries()[0].status == "delivered"


@SQLITE_ONLY
def test_teams_gets_an_adaptive_card_on_the_shared_or_the_persons_own_workflow(app, users):
    rep, leader = users["rep"], users["leader"]
    with receiving_posts() as teams:
        configure(app, teams, TEAMS_WEBHOOK_URL=teams.url("/workflows/shared"))
        route(rep, (Group.POSTS, "teams"))
        route(leader, (Group.POSTS, "teams"))
        db.session.add(ChatIdentity(user=leader, teams_url=teams.url("/workflows/lee")))
        notify([rep, leader], "post_sent", "A post **to review**", "/posts/4")
        db.session.commit()

        run_held(app)

    by_path = {post.path: json.loads(post.body) for post in teams.received}
    shared = by_path["/workflows/shared"]["attachments"][0]
    assert shared["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = shared["content"]
    assert card["type"] == "AdaptiveCard"
    texts = [inline["text"] for block in card["body"] for inline in block["inlines"]]
    assert texts == ["For Riley Rep:", "A post **to review**"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in Tandem", "url": f"{BASE}/posts/4"}
    ]
    own = by_path["/workflows/lee"]["attachments"][0]["content"]
    assert [i["text"] for b in own["body"] for i in b["inlines"]] == ["A post **to review**"]
    assert {d.status for d in deliveries()} == {"delivered"}


@SQLITE_ONLY
def test_a_failed_delivery_keeps_the_action_is_retried_and_stays_listed(app, users):
    rep = users["rep"]
    with receiving_posts(answers=[500, 500]) as teams:
        configure(app, teams, TEAMS_WEBHOOK_URL=teams.url("/workflows/shared"))
        route(rep, (Group.REPLIES, "teams"))
        notify(rep, "mentioned", "Morgan mentioned you", "/assets/1#comment-1")
        db.session.commit()

        run_held(app)  # the job raises: a worker retries it with backoff, held lists it

        (delivery,) = deliveries()
        assert (delivery.status, delivery.attempts) == ("failed", 1)
        assert delivery.last_error == "Teams answered HTTP 500: no"
        (failed,) = db.session.scalars(select(FailedJob)).all()
        assert failed.name == "chat.deliver"
        assert "1 chat message(s) not delivered: Teams answered HTTP 500" in failed.error

        retry_failed(failed)
        db.session.commit()
        run_held(app)
        db.session.refresh(delivery)
        assert (delivery.status, delivery.attempts) == ("failed", 2)

        retry_failed(db.session.scalars(select(FailedJob)).one())
        db.session.commit()
        run_held(app)

    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, None)
    assert len(teams.received) == 3


@SQLITE_ONLY
def test_a_refused_address_fails_the_delivery_with_the_reason(app, users):
    rep = users["rep"]
    app.config.update(TEAMS_WEBHOOK_URL="http://127.0.0.1:9/hook", ENV_NAME="production")
    route(rep, (Group.REPLIES, "teams"))
    notify(rep, "mentioned", "Morgan mentioned you", "/assets/1")
    db.session.commit()

    run_held(app)

    (delivery,) = deliveries()
    assert delivery.status == DeliveryStatus.FAILED
    assert "loopback address, which Tandem does not call" in delivery.last_error


@SQLITE_ONLY
def test_the_sweep_asks_again_for_deliveries_whose_job_was_lost(app, users):
    rep = users["rep"]
    app.config.update(SLACK_WEBHOOK_URL="https://hooks.example/x")
    route(rep, (Group.REPLIES, "slack"))
    notify(rep, "mentioned", "Morgan mentioned you", "/assets/1")
    db.session.commit()
    job_queue(app).held.clear()  # the job is lost
    (delivery,) = deliveries()
    delivery.created_at = delivery.created_at.replace(year=2020)
    db.session.commit()

    job_queue(app).spec("chat.sweep").function()
    db.session.commit()

    assert [(q.name, q.arguments) for q in job_queue(app).held] == [
        ("chat.deliver", {"ids": [delivery.id]})
    ]


# ---- the slash command ----------------------------------------------------------------


def signed(body: str, secret: str = SECRET, at: int | None = None) -> dict:
    stamp = str(int(time.time()) if at is None else at)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command(client, member_id: str, text: str, **signing):
    body = urlencode({"command": "/tandem", "text": text, "user_id": member_id, "team_id": "T1"})
    return client.post("/integrations/slack/command", data=body, headers=signed(body, **signing))


@pytest.fixture
def slash(app):
    app.config.update(SLACK_SIGNING_SECRET=SECRET, BASE_URL=BASE)
    return app.test_client()


@SQLITE_ONLY
def test_the_slash_command_answers_the_top_three_assets_the_person_may_see(app, users, slash):
    rep, marketer = users["rep"], users["marketer"]
    db.session.add(ChatIdentity(user=rep, slack_member_id="U0RILEY42"))
    db.session.commit()
    titles = ["Pricing objections playbook", "Pricing objections FAQ", "Pricing objections deck"]
    live = [make_asset(marketer, title, stages=("decision",)) for title in titles]
    make_asset(marketer, "Pricing objections: unreleased draft", publish=False)
    board = make_asset(marketer, "Pricing objections for the board", stages=("awareness",))
    index_now()

    answer = command(slash, "U0RILEY42", "pricing objections")

    assert answer.status_code == 200
    assert answer.json["response_type"] == "ephemeral"
    text = answer.json["text"]
    assert text.startswith("Top 3 of 4 for “pricing objections”:")
    assert "draft" not in text
    shown = [block["text"]["text"] for block in answer.json["blocks"][1:4]]
    assert all("\nStage: " in line for line in shown)
    assert "Stage: Decision" in "".join(shown)
    linked = re.findall(rf"<{BASE}/assets/(\d+)\|([^>]+)>", text)
    assert len(linked) == 3
    assert {int(asset_id) for asset_id, _title in linked} <= {a.id for a in [*live, board]}
    assert {title for _id, title in linked} <= {*titles, "Pricing objections for the board"}
    assert f"<{BASE}/search?q=pricing+objections|See every result in Tandem>" in text


@SQLITE_ONLY
def test_a_slash_command_with_a_bad_signature_or_an_old_timestamp_is_refused(app, users, slash):
    db.session.add(ChatIdentity(user=users["rep"], slack_member_id="U0RILEY42"))
    db.session.commit()

    wrong = command(slash, "U0RILEY42", "pricing", secret="not-the-secret")
    old = command(slash, "U0RILEY42", "pricing", at=int(time.time()) - 6 * 60)
    unsigned = slash.post("/integrations/slack/command", data={"text": "pricing"})

    assert [wrong.status_code, old.status_code, unsigned.status_code] == [401, 401, 401]
    assert "valid Slack signature" in wrong.text
    app.config["SLACK_SIGNING_SECRET"] = ""
    assert command(slash, "U0RILEY42", "pricing").status_code == 404


@SQLITE_ONLY
def test_an_unknown_slack_user_is_told_how_to_link_their_account(app, users, slash):
    answer = command(slash, "U0NOBODY1", "pricing")

    assert answer.status_code == 200
    assert answer.json["response_type"] == "ephemeral"
    assert "Your Slack account is not linked to Tandem" in answer.json["text"]
    assert f"<{BASE}/settings/notifications|your notification settings>" in answer.json["text"]


@SQLITE_ONLY
def test_with_a_bot_token_the_slack_member_is_found_by_email_and_empty_asks_help(app, users, slash):
    profile = {"ok": True, "user": {"id": "U0ADA", "profile": {"email": "ADMIN@example.com"}}}
    with receiving_posts(replies={"/api/users.info": json.dumps(profile)}) as slack:
        configure(app, slack, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url("/api"))

        answer = command(slash, "U0ADA", "  ")

    assert "e.g. `/tandem pricing objections`" in answer.json["text"]
    assert parse_qs(slack.received[0].body.decode()) == {"user": ["U0ADA"]}
    identity = db.session.scalar(
        select(ChatIdentity).where(ChatIdentity.user_id == users["admin"].id)
    )
    assert identity.slack_member_id == "U0ADA"
    nothing = command(slash, "U0ADA", "zebra")
    assert "Nothing in Tandem matches “zebra”" in nothing.json["text"]
