"""Notifications: who is told, what they see, and the email that follows a commit."""

import html
import logging

import pytest
from sqlalchemy import func, select

from portal.accounts.services import create_user
from portal.kernel.errors import NotFound
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.kernel.models import User
from portal.kernel.notifications import (
    KINDS,
    Notification,
    mark_all_read,
    mark_read,
    notifications_for,
    notify,
    unread_count,
)
from tests.factories import PASSWORD, token_headers
from tests.portal.helpers import (
    deactivate,
    flashes,
    free_port,
    outcome,
    redirect_path,
    schema_problems,
    serving_inbox,
)
from workflows.posts.machine import transition as post_transition
from workflows.posts.services import PostInput, create_post

EMPTY_STATE = (
    "Nothing yet — you'll hear here when someone asks for your review, mentions you or "
    "answers your request."
)


@pytest.fixture(autouse=True)
def mail_off_unless_asked(app):
    """No email unless a test starts a mail server."""
    app.config["MAIL_SERVER"] = ""


@pytest.fixture
def inbox(app):
    """A real SMTP server on 127.0.0.1 that the app sends its notification emails to."""
    with serving_inbox(app) as handler:
        yield handler


def notify_and_commit(recipients, text="Morgan asked for your review", link="/assets/3", **kw):
    created = notify(recipients, kw.pop("kind", "review_requested"), text, link, **kw)
    db.session.commit()
    return created


def stored(notification_id: int) -> Notification:
    """The row as committed, read past this session's identity map."""
    db.session.rollback()
    return db.session.get(Notification, notification_id, populate_existing=True)


# ---- who is notified ---------------------------------------------------------------------


def test_each_recipient_is_told_once_but_not_the_actor_or_a_deactivated_user(users):
    rep, marketer, leader, admin = (users[r] for r in ("rep", "marketer", "leader", "admin"))
    deactivate(leader)

    created = notify_and_commit(
        [rep, admin, marketer, rep, leader],
        "Morgan asked for your review of “Pricing one-pager”",
        "/assets/3#comment-7",
        actor=marketer,
    )

    rows = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert rows == sorted(created, key=lambda row: row.user_id)
    assert [row.user_id for row in rows] == sorted([rep.id, admin.id])
    for row in rows:
        assert (row.kind, row.link, row.actor_id) == (
            "review_requested",
            "/assets/3#comment-7",
            marketer.id,
        )
        assert row.text == "Morgan asked for your review of “Pricing one-pager”"
        assert row.read_at is None
        assert row.email_status == "none"
        assert row.created_at.tzinfo is not None


def test_a_single_user_is_a_recipient_and_acting_alone_notifies_nobody(users):
    rep = users["rep"]

    assert len(notify_and_commit(rep, kind="approved")) == 1
    assert notify_and_commit(rep, kind="comment", actor=rep) == []
    assert unread_count(rep) == 1


def test_every_registered_kind_has_a_label_and_an_unknown_kind_is_refused(users):
    assert {"review_requested", "changes_requested", "approved", "published", "mentioned"} <= set(
        KINDS
    )
    assert {"comment", "invited"} | {
        f"request_{s}" for s in ("submitted", "accepted", "declined", "fulfilled")
    } <= set(KINDS)
    assert all(label.strip() for label in KINDS.values())

    with pytest.raises(ValueError, match="kind"):
        notify(users["rep"], "reviewed_maybe", "Text", "/assets/1")

    assert db.session.scalar(select(func.count(Notification.id))) == 0


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "assets/3",
        "javascript:alert(1)",
        "/assets/3\nSet-Cookie: x",
        "",
        "/" + "a" * 500,
    ],
)
def test_a_link_that_is_not_a_path_on_this_site_is_refused(users, link):
    with pytest.raises(ValueError, match="link"):
        notify(users["rep"], "comment", "New comment", link)

    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_text_is_folded_to_one_line_and_capped_at_300_characters(users):
    (row,) = notify_and_commit(users["rep"], "First line\n\nsecond   line " + "x" * 400)

    assert row.text.startswith("First line second line xxx")
    assert len(row.text) == 300
    assert row.text.endswith("…")


# ---- reading -----------------------------------------------------------------------------


def test_marking_read_touches_only_the_users_own_notifications(users):
    rep, marketer = users["rep"], users["marketer"]
    first, _second = notify_and_commit(rep) + notify_and_commit(rep, kind="approved")
    (theirs,) = notify_and_commit(marketer)

    assert mark_read(rep, first.id).read_at is not None
    db.session.commit()
    assert (unread_count(rep), unread_count(marketer)) == (1, 1)
    with pytest.raises(NotFound):
        mark_read(rep, theirs.id)

    assert mark_all_read(rep) == 1
    db.session.commit()
    assert (unread_count(rep), unread_count(marketer)) == (0, 1)
    assert stored(theirs.id).read_at is None
    assert mark_all_read(rep) == 0


def test_notifications_for_pages_newest_first_and_can_leave_out_read_ones(users):
    rep = users["rep"]
    rows = [notify_and_commit(rep, f"Note {n}")[0] for n in range(7)]
    mark_read(rep, rows[6].id)
    db.session.commit()

    first = notifications_for(rep, 1, 5)
    second = notifications_for(rep, 2, 5)
    unread = notifications_for(rep, 1, 5, unread_only=True)

    assert [n.text for n in first.items] == [f"Note {n}" for n in (6, 5, 4, 3, 2)]
    assert [n.text for n in second.items] == ["Note 1", "Note 0"]
    assert (first.total, first.pages, second.has_next) == (7, 2, False)
    assert [n.text for n in unread.items] == [f"Note {n}" for n in (5, 4, 3, 2, 1)]
    assert unread.total == 6


# ---- email -------------------------------------------------------------------------------


def test_without_a_mail_server_nothing_is_sent(app, inbox, users):
    app.config["MAIL_SERVER"] = ""

    (row,) = notify_and_commit(users["rep"])
    run_held()

    assert inbox.messages == []
    assert stored(row.id).email_status == "none"


def test_email_goes_only_after_commit_with_the_absolute_link(inbox, users):
    rep, leader, marketer = users["rep"], users["leader"], users["marketer"]

    created = notify(
        [rep, leader],
        "review_requested",
        "Morgan Marketer asked for your review of “Pricing one-pager”",
        "/assets/3#comment-7",
        actor=marketer,
    )
    run_held()
    assert inbox.messages == []  # nothing leaves before the commit
    assert {row.email_status for row in created} == {"pending"}

    db.session.commit()
    run_held()

    assert sorted(rcpt for rcpt, _message in inbox.messages) == sorted(
        [[rep.email], [leader.email]]
    )
    recipients, message = next(m for m in inbox.messages if m[0] == [rep.email])
    assert message["To"] == rep.email
    assert message["From"] == "tandem@example.com"
    assert message["Subject"] == (
        "Review requested: Morgan Marketer asked for your review of “Pricing one-pager”"
    )
    body = message.get_content()
    assert "Morgan Marketer asked for your review of “Pricing one-pager”" in body
    assert "https://tandem.example.com/assets/3#comment-7" in body
    assert "You get this email because" in body
    assert {stored(row.id).email_status for row in created} == {"sent"}


def test_a_rolled_back_notification_sends_no_email(inbox, users):
    rep, admin = users["rep"], users["admin"]

    notify(rep, "approved", "Your asset was approved", "/assets/1")
    db.session.rollback()
    savepoint = db.session.begin_nested()
    notify(rep, "published", "Your asset was published", "/assets/1")
    savepoint.rollback()
    notify_and_commit(admin, "Riley commented", "/assets/1", kind="comment")
    run_held()

    assert [rcpt for rcpt, _message in inbox.messages] == [[admin.email]]
    assert db.session.scalars(select(Notification.user_id)).all() == [admin.id]


def test_a_failing_mail_server_is_logged_and_the_action_is_kept(app, users, caplog):
    admin = users["admin"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    caplog.set_level(logging.ERROR, logger="portal.kernel.notifications")

    newcomer = create_user("nia@example.com", "Nia Newcomer", "rep", PASSWORD)
    (row,) = notify(newcomer, "invited", "Ada Admin added you to Tandem", "/library", actor=admin)
    db.session.commit()
    run_held()

    assert stored(row.id).email_status == "failed"
    assert db.session.scalar(select(User.name).where(User.email == "nia@example.com")) == (
        "Nia Newcomer"
    )
    failures = [r for r in caplog.records if r.name == "portal.kernel.notifications"]
    assert any("Could not send" in r.getMessage() for r in failures)


# ---- pages -------------------------------------------------------------------------------


def bell_label(response) -> str:
    return html.unescape(response.text).split('aria-label="Notifications: ')[1].split('"')[0]


def test_the_list_shows_newest_first_escapes_text_and_marks_unread(client_as, users):
    rep = users["rep"]
    (older,) = notify_and_commit(rep, "Older <b>news</b>", "/assets/1", kind="comment")
    (newer,) = notify_and_commit(rep, "Newer news", "/assets/2", kind="mentioned")
    mark_read(rep, older.id)
    notify_and_commit(users["marketer"], "Not for Riley", "/assets/9")

    page = client_as("rep").get("/notifications")

    assert page.status_code == 200
    assert page.text.index("Newer news") < page.text.index("Older &lt;b&gt;news&lt;/b&gt;")
    assert "<b>news</b>" not in page.text
    assert "Not for Riley" not in page.text
    assert bell_label(page) == "1 unread"
    assert page.text.count("notification notification-unread") == 1
    assert f'action="/notifications/{newer.id}/read"' in page.text
    assert 'href="/assets/1"' in page.text  # read ones are plain links
    assert "Mentioned" in page.text
    assert "New comment" in page.text


def test_the_list_is_paginated(client_as, users):
    rep = users["rep"]
    for n in range(7):
        notify_and_commit(rep, f"Note number {n}")
    browser = client_as("rep")

    first = browser.get("/notifications").text
    second = browser.get("/notifications?page=2").text
    beyond = browser.get("/notifications?page=9").text

    assert [f"Note number {n}" in first for n in range(7)] == [False, False] + [True] * 5
    assert [f"Note number {n}" in second for n in range(7)] == [True, True] + [False] * 5
    assert 'rel="next"' in first
    assert 'rel="prev"' in second
    assert "There are only 2 pages of notifications." in beyond


def test_an_empty_list_says_what_will_appear_here(client_as):
    page = client_as("rep").get("/notifications")

    assert EMPTY_STATE in html.unescape(page.text)
    assert bell_label(page) == "0 unread"
    assert "Mark all read" not in page.text


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(client_as, users):
    rep = users["rep"]
    (row,) = notify_and_commit(rep, "Riley commented", "/assets/3#comment-7", kind="comment")
    notify_and_commit(rep, "Another one")
    browser = client_as("rep")

    response = browser.form(f"/notifications/{row.id}/read")

    assert response.status_code == 302
    assert redirect_path(response) == "/assets/3"  # the fragment stays in the Location
    assert response.headers["Location"].endswith("/assets/3#comment-7")
    assert stored(row.id).read_at is not None
    assert bell_label(browser.get("/notifications")) == "1 unread"


def test_mark_all_read_flashes_and_leaves_other_users_alone(client_as, users):
    rep, marketer = users["rep"], users["marketer"]
    notify_and_commit(rep)
    notify_and_commit(rep, kind="approved")
    (theirs,) = notify_and_commit(marketer)
    browser = client_as("rep")

    response = browser.form("/notifications/read-all")
    assert redirect_path(response) == "/notifications"
    page = browser.get("/notifications")

    assert "All caught up." in flashes(page)
    assert bell_label(page) == "0 unread"
    assert unread_count(rep) == 0
    assert stored(theirs.id).read_at is None


def test_someone_elses_notification_is_not_found(client_as, users):
    (theirs,) = notify_and_commit(users["marketer"])

    response = client_as("rep").form(f"/notifications/{theirs.id}/read")

    assert response.status_code == 404
    assert stored(theirs.id).read_at is None


def test_marking_read_needs_the_forms_csrf_token(client_as, users):
    (row,) = notify_and_commit(users["rep"])
    browser = client_as("rep")

    one = browser.post(f"/notifications/{row.id}/read")
    every = browser.post("/notifications/read-all")

    assert (one.status_code, every.status_code) == (400, 400)
    assert stored(row.id).read_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, users):
    (row,) = notify_and_commit(users["rep"])

    assert outcome(client.get("/notifications")) == "login"
    assert outcome(client.form(f"/notifications/{row.id}/read")) == "login"
    assert outcome(client.form("/notifications/read-all")) == "login"
    assert stored(row.id).read_at is None


# ---- JSON API ----------------------------------------------------------------------------


def test_api_lists_the_users_notifications_and_filters_unread(client, users):
    rep, marketer = users["rep"], users["marketer"]
    (first,) = notify_and_commit(rep, "First", "/assets/1", actor=marketer)
    notify_and_commit(rep, "Second", "/assets/2", kind="approved")
    notify_and_commit(rep, "Third", "/assets/3", kind="mentioned")
    notify_and_commit(marketer, "Not Riley's")
    mark_read(rep, first.id)
    db.session.commit()
    headers = token_headers(rep)

    everything = client.get("/api/v1/notifications", headers=headers).json
    unread = client.get("/api/v1/notifications?unread=1&per_page=1", headers=headers).json

    assert schema_problems(everything, {"$ref": "#/components/schemas/NotificationList"}) == []
    assert [item["text"] for item in everything["items"]] == ["Third", "Second", "First"]
    assert (everything["total"], everything["unread"]) == (3, 2)
    oldest = everything["items"][-1]
    assert oldest["actor"] == {"id": marketer.id, "name": marketer.name}
    assert oldest["read_at"] is not None
    assert oldest["link"] == "/assets/1"
    assert (unread["total"], unread["per_page"]) == (2, 1)
    assert [item["text"] for item in unread["items"]] == ["Third"]


def test_api_refuses_missing_tokens_and_bad_arguments(client, users):
    headers = token_headers(users["rep"])

    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
    bad = client.get("/api/v1/notifications?unread=maybe", headers=headers)
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {"unread": bad.json["error"]["message"]}


def test_api_marks_all_read(client, users):
    rep, marketer = users["rep"], users["marketer"]
    notify_and_commit(rep)
    notify_and_commit(rep, kind="approved")
    (theirs,) = notify_and_commit(marketer)

    response = client.post("/api/v1/notifications/read-all", headers=token_headers(rep))

    assert response.status_code == 200
    assert response.json == {"marked_read": 2, "unread": 0}
    assert unread_count(rep) == 0
    assert stored(theirs.id).read_at is None


def test_a_post_sent_to_the_rep_reaches_them_by_email(inbox, users):
    marketer, rep = users["marketer"], users["rep"]
    post = create_post(
        marketer, PostInput(title="Close in three days", body="Words.", rep=rep.email)
    )
    post_transition(post, marketer, "send_to_rep")
    db.session.commit()

    run_held()
    [(recipients, message)] = inbox.messages
    assert recipients == [rep.email]
    assert message["Subject"].startswith("Post to review: ")
    assert "Close in three days" in message["Subject"]
    assert f"https://tandem.example.com/posts/{post.id}" in message.get_content()
