"""Signing in and out: credentials, redirects, session ends, remember-me, passwords."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from portal.kernel.extensions import db
from tests.factories import PASSWORD, login, make_app, token_headers
from tests.portal.helpers import client_with_cookie, deactivate, flashes, outcome, redirect_path

NO_MATCH = "That email and password do not match an active account."
NEW_PASSWORD = "a brand new passphrase"


def sign_in(client, email: str, password: str = PASSWORD, remember: bool = False, **kwargs):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.form("/login", data, **kwargs)


def set_cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_email_is_case_insensitive_at_sign_in(client, users):
    response = sign_in(client, "  REP@Example.COM ")

    assert redirect_path(response) == "/library"
    assert client.get("/library").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_message(client, users):
    wrong_password = sign_in(client, "rep@example.com", "not the password")
    unknown_email = sign_in(client, "nobody@example.com", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert flashes(wrong_password) == flashes(unknown_email) == [NO_MATCH]
    assert outcome(client.get("/library")) == "login"


def test_deactivated_user_cannot_sign_in_or_use_api_tokens(app, client, users):
    rep = users["rep"]
    headers = token_headers(rep)
    deactivate(rep)

    response = sign_in(client, rep.email)

    assert response.status_code == 200
    assert flashes(response) == [NO_MATCH]
    api = app.test_client().get("/api/v1/assets", headers=headers)
    assert api.status_code == 401
    assert api.json["error"]["code"] == "unauthorized"


# Where sign-in sends you for a given ?next=: only paths on this site are followed.
NEXT_TARGETS = {
    "/assets": "/assets",
    "/assets?stage=decision": "/assets?stage=decision",
    "https://evil.example": "/library",
    "//evil.example": "/library",
    "///evil.example": "/library",
    "/\\evil": "/library",
    "/\nenv;": "/library",
    "javascript:alert(1)": "/library",
    "assets": "/library",
}


def test_next_only_redirects_within_the_site(app, users):
    landed = {}
    for target in NEXT_TARGETS:
        response = sign_in(app.test_client(), "rep@example.com", query_string={"next": target})
        landed[target] = response.headers.get("Location", response.status_code)

    assert landed == NEXT_TARGETS


def test_signed_in_visit_to_login_ignores_an_off_site_next(client_as):
    response = client_as("rep").get("/login", query_string={"next": "//evil.example"})

    assert response.headers["Location"] == "/library"


def test_protected_page_sends_anonymous_visitors_to_sign_in_and_back(client, users):
    response = client.get("/assets?stage=decision")

    assert redirect_path(response) == "/login?next=%2Fassets%3Fstage%3Ddecision"
    back = sign_in(client, "rep@example.com", query_string={"next": "/assets?stage=decision"})
    assert back.headers["Location"] == "/assets?stage=decision"


def test_sign_out_ends_copies_of_the_session_cookie(app, client_as):
    browser = client_as("rep")
    copy = client_with_cookie(app, "session", browser.get_cookie("session").value)
    assert copy.get("/library").status_code == 200

    response = browser.form("/logout", follow_redirects=True)

    assert "You are signed out." in flashes(response)
    assert outcome(browser.get("/library")) == "login"
    assert outcome(copy.get("/library")) == "login"


def test_sign_out_ends_the_remember_me_cookie(app, users):
    browser = app.test_client()
    sign_in(browser, "rep@example.com", remember=True)
    remember = browser.get_cookie("remember_token").value
    assert client_with_cookie(app, "remember_token", remember).get("/library").status_code == 200

    browser.form("/logout")

    assert browser.get_cookie("remember_token") is None
    replay = client_with_cookie(app, "remember_token", remember).get("/library")
    assert outcome(replay) == "login"


def test_remember_me_cookie_is_http_only_lax_and_lasts_14_days(client, users):
    response = sign_in(client, "rep@example.com", remember=True)

    header = set_cookie_header(response, "remember_token")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=1)
    session = set_cookie_header(response, "session")
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session


def test_without_remember_me_no_remember_cookie_is_set(client, users):
    response = sign_in(client, "rep@example.com")

    assert not any(h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie"))


def change_password(browser, current: str, new: str = NEW_PASSWORD, confirm: str | None = None):
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    return browser.form("/profile/password", data, follow_redirects=True)


def test_wrong_current_password_is_refused_and_nothing_changes(app, client_as, users):
    browser = client_as("rep")

    response = change_password(browser, "not my password")

    assert "Your current password is not correct." in flashes(response)
    assert browser.get("/profile").status_code == 200
    login(app.test_client(), users["rep"])  # the old password still works


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short", "short", "New password: Use at least 10 characters."),
        (NEW_PASSWORD, "something else entirely", "Repeat new password: The passwords differ."),
    ],
)
def test_weak_or_mistyped_new_password_is_refused(app, client_as, users, new, confirm, message):
    response = change_password(client_as("rep"), PASSWORD, new, confirm)

    assert message in flashes(response)
    login(app.test_client(), users["rep"])


def test_password_change_signs_out_other_sessions_but_keeps_this_one(app, client_as, users):
    here, elsewhere = client_as("rep"), client_as("rep")

    response = change_password(here, PASSWORD)

    assert "Your password is changed. Other devices have been signed out." in flashes(response)
    assert here.get("/profile").status_code == 200
    assert outcome(elsewhere.get("/profile")) == "login"
    assert flashes(sign_in(app.test_client(), "rep@example.com", PASSWORD)) == [NO_MATCH]
    assert outcome(sign_in(app.test_client(), "rep@example.com", NEW_PASSWORD)) == 302


def test_password_change_keeps_this_browsers_remember_me(app, users):
    browser = app.test_client()
    sign_in(browser, "rep@example.com", remember=True)
    old_remember = browser.get_cookie("remember_token").value

    change_password(browser, PASSWORD)

    new_remember = browser.get_cookie("remember_token").value
    assert new_remember != old_remember
    revisit = client_with_cookie(app, "remember_token", new_remember).get("/library")
    assert revisit.status_code == 200
    stale = client_with_cookie(app, "remember_token", old_remember).get("/library")
    assert outcome(stale) == "login"


def test_login_rate_limit_answers_429_with_a_clear_page(database_url, tmp_path):
    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        try:
            client = app.test_client()
            attempts = [sign_in(client, "nobody@example.com", "guessing") for _ in range(4)]

            assert [r.status_code for r in attempts] == [200, 200, 200, 429]
            assert "Too many attempts. Please wait a minute and try again." in attempts[-1].text
            assert 0 < int(attempts[-1].headers["Retry-After"]) <= 60
            assert client.get("/login").status_code == 200  # only attempts are limited
        finally:
            db.session.remove()
            db.engine.dispose()
