"""The single sign-on settings, checked at startup, and the break-glass way in for admins."""

from datetime import timedelta

import pytest

from portal import create_app
from portal.accounts import break_glass, reset, signed_links, sso
from portal.accounts.signed_links import LinkInvalid
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import Role, find_user, utcnow
from tests.factories import SQLITE_ONLY, login, make_user


def test_the_mapping_format_and_the_most_privileged_role_wins():
    rules = sso.parse_group_mapping(
        " reps = rep:Sales ; marketing=marketer:marketing;sales-leaders=leader; ops=admin ;"
    )

    assert [(rule.group, rule.role, rule.department) for rule in rules] == [
        ("reps", Role.REP, "sales"),
        ("marketing", Role.MARKETER, "marketing"),
        ("sales-leaders", Role.LEADER, "sales"),
        ("ops", Role.ADMIN, "sales"),
    ]
    assert sso.resolve(rules, ["marketing", "reps", "other"]).role == Role.MARKETER
    assert sso.resolve(rules, ["reps", "ops", "sales-leaders"]).role == Role.ADMIN
    assert sso.resolve(rules, ["other"]) is None
    # Two groups with the winning role: the first in the setting's order names the team.
    both = sso.parse_group_mapping("field=marketer:sales;brand=marketer:marketing")
    assert sso.resolve(both, ["brand", "field"]).department == "sales"


@pytest.mark.parametrize(
    ("mapping", "complaint"),
    [
        ("reps", "'reps' is not group=role"),
        ("reps=owner", "the role must be one of admin, leader, marketer, rep"),
        ("reps=rep:finance", "the department must be one of sales, marketing"),
        ("reps=rep;reps=leader", "the group 'reps' is mapped twice"),
    ],
)
def test_a_bad_mapping_stops_the_start_saying_why(tmp_path, mapping, complaint):
    with pytest.raises(RuntimeError, match="TANDEM_OIDC_GROUPS is not valid") as refused:
        create_app({"INSTANCE_PATH": str(tmp_path), "OIDC_GROUPS": mapping})

    assert complaint in str(refused.value)


def test_single_sign_on_needs_its_provider_settings(tmp_path):
    with pytest.raises(RuntimeError, match="TANDEM_OIDC_ISSUER, TANDEM_OIDC_CLIENT_ID"):
        create_app({"INSTANCE_PATH": str(tmp_path), "AUTH_MODE": "oidc"})


@SQLITE_ONLY
def test_break_glass_prints_a_single_use_link_for_an_active_admin(app, users, client, caplog):
    runner = app.test_cli_runner()

    printed = runner.invoke(args=["users", "break-glass", users["admin"].email])

    assert printed.exit_code == 0, printed.output
    link = printed.output.strip().splitlines()[-1]
    path = link.removeprefix(app.config["BASE_URL"])
    assert path.startswith("/signin/break-glass/")
    assert "Break-glass sign-in link made for admin@example.com" in caplog.text
    # Opening the link (as a mail scanner might) signs nobody in.
    assert "Sign in as admin@example.com" in client.get(path).text
    assert client.get("/admin/users").status_code == 302

    signed_in = client.form(path)

    assert signed_in.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200
    assert "Break-glass sign-in used by admin@example.com" in caplog.text
    again = app.test_client().form(path)
    assert again.status_code == 400
    assert "has been used" in again.text


@SQLITE_ONLY
def test_break_glass_is_for_active_admins_and_expires(app, users, client, monkeypatch):
    runner = app.test_cli_runner()

    for email in (users["rep"].email, "nobody@example.com"):
        refused = runner.invoke(args=["users", "break-glass", email])
        assert refused.exit_code != 0
        assert "is not an active admin's email" in refused.output

    _, token = break_glass.make_link_token(users["admin"].email)
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(signed_links, "utcnow", lambda: later)
    assert client.form(f"/signin/break-glass/{token}").status_code == 400
    monkeypatch.undo()

    _, token = break_glass.make_link_token(users["admin"].email)
    users["admin"].active = False
    db.session.commit()
    assert client.form(f"/signin/break-glass/{token}").status_code == 400
    assert client.get("/admin/users").status_code == 302


@SQLITE_ONLY
def test_an_account_with_sso_only_has_no_password_to_reset(app, users):
    user = make_user("rep", "sso-only@example.com")
    user.password_hash, user.oidc_issuer, user.oidc_subject = "", "https://idp", "s-1"
    db.session.commit()

    with pytest.raises(ValidationFailed, match="single sign-on only"):
        reset.send_reset_for(user)
    with pytest.raises(LinkInvalid):
        reset.user_for_token(reset.make_token(user))
    assert not user.check_password("")


@SQLITE_ONLY
def test_with_single_sign_on_only_an_admin_adds_people_without_a_password(app, users, client):
    login(client, users["admin"])
    app.config.update(AUTH_MODE="oidc", OIDC_PROVIDER_NAME="Okta")

    page = client.get("/admin/users/new")
    assert 'name="password"' not in page.text
    assert "They sign in with Okta: passwords are not used here." in page.text
    fields = {"name": "Nia Rep", "email": "Nia@Example.com", "role": "rep", "department": "sales"}
    response = client.form("/admin/users/new", {**fields, "active": "y"})

    assert response.status_code == 302
    created = find_user("nia@example.com")
    assert created is not None
    assert created.active
    assert not created.has_password
    assert not created.check_password("")
    edit = client.get(f"/admin/users/{created.id}")
    assert 'name="password"' not in edit.text
    # A password posted anyway is not set: passwords are not used.
    client.form(f"/admin/users/{created.id}", {**fields, "active": "y", "password": "a" * 12})
    db.session.refresh(created)
    assert not created.has_password
