"""User administration: create, edit, deactivate, find and page through users."""

import re

import pytest
from sqlalchemy import func, select

from portal.kernel.extensions import db
from portal.kernel.models import User, find_user
from tests.factories import login, make_user, token_headers
from tests.portal.helpers import flashes, outcome, redirect_path

IN_USE = "That email is already in use."
SELF_LOCKOUT = "You cannot remove your own admin rights or deactivate yourself."
_ROW_NAME = re.compile(r'<td><a href="/admin/users/\d+">([^<]+)</a></td>')


def user_fields(user: User, **changes) -> dict:
    """The edit form as the page would submit it, with ``changes`` applied."""
    fields = {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "department": user.department,
        "active": "y" if user.active else None,
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def listed_names(response) -> list[str]:
    return _ROW_NAME.findall(response.text)


def test_admin_creates_a_user_who_can_sign_in(app, client_as):
    admin = client_as("admin")
    new_user = {
        "email": "Nia.New@Example.com",
        "name": "Nia New",
        "role": "rep",
        "department": "sales",
        "password": "a long first password",
        "active": "y",
    }

    response = admin.form("/admin/users/new", new_user, follow_redirects=True)

    assert "Nia New can now sign in as nia.new@example.com." in flashes(response)
    assert "Nia New" in listed_names(admin.get("/admin/users"))
    login(app.test_client(), find_user("nia.new@example.com"), "a long first password")


def test_new_user_needs_a_first_password(client_as):
    admin = client_as("admin")
    before = user_count()

    response = admin.form(
        "/admin/users/new",
        {"email": "pat@example.com", "name": "Pat", "role": "rep", "department": "sales"},
    )

    assert response.status_code == 200
    assert "Set a first password of at least 10 characters." in response.text
    assert user_count() == before


def test_admin_changes_role_and_department(client_as, users):
    rep = users["rep"]

    response = client_as("admin").form(
        f"/admin/users/{rep.id}", user_fields(rep, role="marketer", department="marketing")
    )

    assert redirect_path(response) == "/admin/users"
    db.session.refresh(rep)
    assert (rep.role, rep.department) == ("marketer", "marketing")


def test_deactivating_a_user_ends_their_session_and_tokens(app, client_as, users):
    rep = users["rep"]
    rep_browser = client_as("rep")
    headers = token_headers(rep)
    assert rep_browser.get("/library").status_code == 200
    admin = client_as("admin")

    response = admin.form(
        f"/admin/users/{rep.id}", user_fields(rep, active=None), follow_redirects=True
    )

    assert "Saved Riley Rep. The account is deactivated and signed out." in flashes(response)
    assert outcome(rep_browser.get("/library")) == "login"
    assert app.test_client().get("/api/v1/assets", headers=headers).status_code == 401
    assert "Deactivated" in admin.get("/admin/users?q=riley").text


def test_admin_can_set_a_new_password_for_a_user(app, client_as, users):
    rep = users["rep"]

    client_as("admin").form(f"/admin/users/{rep.id}", user_fields(rep, password="reset by admin"))

    login(app.test_client(), rep, "reset by admin")


def test_new_user_with_a_taken_email_is_refused(client_as):
    admin = client_as("admin")
    before = user_count()
    copy = {
        "email": "MARKETER@example.com",
        "name": "Copy Cat",
        "role": "rep",
        "department": "sales",
        "password": "a long first password",
        "active": "y",
    }

    response = admin.form("/admin/users/new", copy)

    assert response.status_code == 200
    assert IN_USE in response.text
    assert user_count() == before


def test_changing_email_to_a_taken_one_is_refused(client_as, users):
    rep = users["rep"]

    response = client_as("admin").form(
        f"/admin/users/{rep.id}", user_fields(rep, email="Marketer@Example.com", name="Renamed")
    )

    assert response.status_code == 200
    assert IN_USE in response.text
    db.session.refresh(rep)
    assert (rep.email, rep.name) == ("rep@example.com", "Riley Rep")


@pytest.mark.parametrize(
    "change", [{"role": "rep"}, {"active": None}], ids=["demote", "deactivate"]
)
def test_admin_cannot_demote_or_deactivate_themself(client_as, users, change):
    me = users["admin"]
    admin = client_as("admin")

    response = admin.form(f"/admin/users/{me.id}", user_fields(me, **change))

    assert response.status_code == 200
    assert SELF_LOCKOUT in response.text
    db.session.refresh(me)
    assert (me.role, me.active) == ("admin", True)
    assert admin.get("/admin/users").status_code == 200


def test_admin_pages_do_not_exist_for_other_roles(client_as, users):
    urls = [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{users['rep'].id}",
        "/admin/taxonomy",
        "/admin/taxonomy/stages",
    ]
    sneaky = {
        "email": "sneaky@example.com",
        "name": "Sneaky",
        "role": "admin",
        "department": "sales",
        "password": "a long password",
        "active": "y",
    }

    for role in ("rep", "marketer", "leader"):
        browser = client_as(role)
        seen = {url: browser.get(url).status_code for url in urls}
        assert seen == dict.fromkeys(urls, 404), role
        assert browser.form("/admin/users/new", sneaky).status_code == 404, role
    assert find_user("sneaky@example.com") is None


def test_admin_pages_send_anonymous_visitors_to_sign_in(client):
    assert outcome(client.get("/admin/users")) == "login"
    assert outcome(client.get("/admin/taxonomy")) == "login"


def test_user_list_is_paged_five_at_a_time(client_as, users):
    for n in range(4):
        make_user("rep", name=f"Zed {n}")
    admin = client_as("admin")

    first, second = admin.get("/admin/users"), admin.get("/admin/users?page=2")

    assert len(listed_names(first)) == 5
    assert len(listed_names(second)) == 3
    everyone = {user.name for user in db.session.scalars(select(User))}
    assert set(listed_names(first)) | set(listed_names(second)) == everyone
    assert "Page 1 of 2" in first.text
    assert "8 users" in first.text
    assert 'rel="next"' in first.text
    assert 'rel="next"' not in second.text


def test_user_list_refuses_a_nonsense_page_number(client_as):
    response = client_as("admin").get("/admin/users?page=99999999999999999999")

    assert response.status_code == 422
    assert "Page must be a whole number from 1 to 100,000." in response.text


SEARCHES = {
    "riley": ["Riley Rep"],
    "LEADER@EXAMPLE": ["Lee Leader"],
    "  Morgan  ": ["Morgan Marketer"],
    "example.com": ["Ada Admin", "Lee Leader", "Morgan Marketer", "Riley Rep"],
}


def test_user_search_matches_name_or_email(client_as, users):
    admin = client_as("admin")

    found = {
        query: sorted(listed_names(admin.get("/admin/users", query_string={"q": query})))
        for query in SEARCHES
    }

    assert found == SEARCHES


def test_user_search_without_matches_says_so(client_as):
    response = client_as("admin").get("/admin/users?q=nobody")

    assert listed_names(response) == []
    assert "No users match “nobody”." in response.text
