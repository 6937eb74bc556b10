"""Password reset: the signed single-use link, the pages, the limits and the email."""

import logging
import re
from datetime import timedelta

import pytest

from portal.accounts import reset, signed_links
from portal.accounts.signed_links import LinkInvalid
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.jobs import run_held
from portal.kernel.models import utcnow
from tests.factories import PASSWORD, SQLITE_ONLY, login, make_app, make_user
from tests.portal.helpers import deactivate, flashes, outcome, redirect_path, serving_inbox

NEW_PASSWORD = "a brand new passphrase"
ANSWER = "If an account exists for that address, we have sent a link"
LINK = re.compile(r"https://tandem\.example\.com/reset/(\S+)")


@pytest.fixture(autouse=True)
def development_without_mail(app):
    """No mail server, in development: links are logged, never mailed, unless a test
    starts an inbox."""
    app.config.update(MAIL_SERVER="", ENV_NAME="development")


@pytest.fixture
def inbox(app):
    with serving_inbox(app) as handler:
        yield handler


def shift_clock(monkeypatch, delta: timedelta) -> None:
    later = utcnow() + delta
    monkeypatch.setattr(signed_links, "utcnow", lambda: later)


def ask(client, email: str):
    return client.form("/reset", {"email": email})


def link_in(message) -> str:
    return "/reset/" + LINK.search(message.get_content()).group(1)


# ---- the token ---------------------------------------------------------------------------


@SQLITE_ONLY
def test_a_fresh_token_finds_its_user_until_it_expires(users, monkeypatch):
    rep = users["rep"]
    token = reset.make_token(rep)

    assert reset.user_for_token(token) == rep
    shift_clock(monkeypatch, timedelta(minutes=59))
    assert reset.user_for_token(token) == rep
    shift_clock(monkeypatch, timedelta(minutes=61))
    with pytest.raises(LinkInvalid):
        reset.user_for_token(token)


@SQLITE_ONLY
@pytest.mark.parametrize(
    "tamper",
    [lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), lambda t: "x" + t, lambda t: "abc"],
)
def test_a_tampered_token_is_refused(users, tamper):
    with pytest.raises(LinkInvalid):
        reset.user_for_token(tamper(reset.make_token(users["rep"])))


@SQLITE_ONLY
def test_a_token_works_once_and_ends_every_session(users):
    rep = users["rep"]
    version = rep.session_version
    token = reset.make_token(rep)

    reset.reset_password(token, NEW_PASSWORD)
    db.session.commit()

    assert rep.check_password(NEW_PASSWORD)
    assert rep.session_version == version + 1
    with pytest.raises(LinkInvalid, match="used or replaced"):
        reset.reset_password(token, "yet another passphrase")
    assert rep.check_password(NEW_PASSWORD)


@SQLITE_ONLY
def test_a_password_change_voids_earlier_tokens_and_bad_input_changes_nothing(users):
    rep = users["rep"]
    token = reset.make_token(rep)
    with pytest.raises(ValidationFailed):
        reset.reset_password(token, "short")
    assert rep.check_password(PASSWORD)

    rep.set_password(NEW_PASSWORD)
    db.session.commit()

    with pytest.raises(LinkInvalid):
        reset.user_for_token(token)


@SQLITE_ONLY
def test_a_deactivated_user_cannot_reset(users):
    token = reset.make_token(users["rep"])
    deactivate(users["rep"])
    with pytest.raises(LinkInvalid):
        reset.user_for_token(token)


@SQLITE_ONLY
def test_in_development_without_mail_the_link_is_logged_and_in_production_nothing(
    app, users, caplog
):
    caplog.set_level(logging.WARNING, logger="portal.accounts.reset")
    reset.request_reset("REP@example.com ")
    reset.request_reset("nobody@example.com")
    db.session.commit()
    run_held()

    logged = [r.getMessage() for r in caplog.records if r.name == "portal.accounts.reset"]
    assert len(logged) == 1
    assert "rep@example.com" in logged[0]
    assert "/reset/" in logged[0]

    caplog.clear()
    app.config["ENV_NAME"] = "production"
    reset.request_reset("rep@example.com")
    db.session.commit()
    assert run_held() == 0
    assert not [r for r in caplog.records if r.name == "portal.accounts.reset"]


# ---- the pages ---------------------------------------------------------------------------


@SQLITE_ONLY
def test_the_sign_in_page_links_to_the_form_and_the_answer_is_the_same_for_anyone(
    client, users, inbox
):
    assert 'href="/reset"' in client.get("/login").text
    deactivate(users["leader"])

    answers = [
        ask(client, e) for e in ("rep@example.com", "nobody@example.com", users["leader"].email)
    ]
    run_held()

    assert {a.status_code for a in answers} == {200}
    assert ANSWER in answers[0].text
    assert len({a.text for a in answers}) == 1
    assert [rcpt for rcpt, _message in inbox.messages] == [["rep@example.com"]]


def test_the_emailed_link_works_once_and_ends_other_sessions(app, client, users, inbox):
    rep = users["rep"]
    elsewhere = login(app.test_client(), rep)

    ask(client, "rep@example.com")
    run_held()
    ((_rcpt, message),) = inbox.messages
    assert message["Subject"] == "Reset your Tandem password"
    link = link_in(message)

    form = client.get(link)
    assert form.status_code == 200
    assert form.headers["Cache-Control"] == "no-store"
    done = client.form(link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert redirect_path(done) == "/library"
    assert client.get("/library").status_code == 200  # signed in
    assert outcome(elsewhere.get("/library")) == "login"  # the other session ended
    again = client.get(link)
    assert again.status_code == 400
    assert 'href="/reset"' in again.text
    db.session.refresh(rep)
    assert rep.check_password(NEW_PASSWORD)


@SQLITE_ONLY
def test_the_reset_form_checks_the_passwords_and_a_bad_link_changes_nothing(client, users):
    rep = users["rep"]
    link = f"/reset/{reset.make_token(rep)}"

    differ = client.form(link, {"new_password": NEW_PASSWORD, "confirm": "something else!"})
    short = client.form(link, {"new_password": "short", "confirm": "short"})
    forged = client.form(link + "x", {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert differ.status_code == short.status_code == 200
    assert "The passwords differ." in differ.text
    assert "Use at least 10 characters." in short.text
    assert forged.status_code == 400
    assert "Ask for a new link" in forged.text
    db.session.refresh(rep)
    assert rep.check_password(PASSWORD)


@SQLITE_ONLY
def test_requests_are_limited_per_client_and_emails_per_address(database_url, tmp_path):
    app = make_app(
        database_url,
        tmp_path,
        RATELIMIT_ENABLED=True,
        PASSWORD_RESET_RATE_LIMIT="5 per 15 minutes",
        PASSWORD_RESET_EMAIL_LIMIT="3 per hour",
        MAIL_SERVER="",
        ENV_NAME="development",
    )
    with app.app_context():
        db.create_all()
        try:
            make_user("rep", "rep@example.com")
            client = app.test_client()
            answers = [ask(client, "rep@example.com") for _ in range(5)]
            refused = ask(client, "other@example.com")

            assert [a.status_code for a in answers] == [200] * 5
            assert all(ANSWER in a.text for a in answers)
            assert refused.status_code == 429
            # Only three of the five answers sent anything.
            assert run_held(app) == 3
        finally:
            db.session.remove()
            db.engine.dispose()


# ---- admins ------------------------------------------------------------------------------


@SQLITE_ONLY
def test_an_admin_sends_a_reset_link_but_not_to_a_deactivated_user(client_as, users, inbox):
    admin = client_as("admin")
    rep, leader = users["rep"], users["leader"]
    page = admin.get(f"/admin/users/{rep.id}")
    assert f'action="/admin/users/{rep.id}/reset-link"' in page.text

    sent = admin.form(f"/admin/users/{rep.id}/reset-link")
    run_held()
    assert redirect_path(sent) == f"/admin/users/{rep.id}"
    assert flashes(admin.get(f"/admin/users/{rep.id}")) == ["Reset link sent to rep@example.com."]
    assert [rcpt for rcpt, _m in inbox.messages] == [["rep@example.com"]]

    deactivate(leader)
    assert "reset-link" not in admin.get(f"/admin/users/{leader.id}").text
    refused = admin.form(f"/admin/users/{leader.id}/reset-link")
    run_held()
    assert flashes(admin.get(f"/admin/users/{leader.id}")) == [
        "Deactivated users cannot reset their password."
    ]
    assert len(inbox.messages) == 1
    assert admin.post(f"/admin/users/{rep.id}/reset-link").status_code == 400  # no CSRF
    run_held()
    assert len(inbox.messages) == 1
    assert outcome(client_as("rep").form(f"/admin/users/{rep.id}/reset-link")) == 404
    assert refused.status_code == 302
