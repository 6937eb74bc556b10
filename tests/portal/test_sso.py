"""Single sign-on against a real OpenID Connect provider run on loopback (tests/oidc)."""

import pytest

from portal.accounts import sso as portal_sso
from portal.kernel.extensions import db
from portal.kernel.models import Role, find_user
from tests.factories import PASSWORD, SQLITE_ONLY, login, make_app, make_user
from tests.oidc.helpers import (
    CLIENT_ID,
    PROVIDER_NAME,
    callback_path,
    id_token_claims,
    sign_in,
    start,
    through_provider,
)


def fresh(app):
    """A client with cookies of its own (a second browser)."""
    return app.test_client()


def test_a_first_sign_in_creates_the_account_and_the_next_one_updates_it(app, client, sso):
    sso.set_account(
        "alice",
        email="alice@example.com",
        email_verified=True,
        name="Alice Archer",
        groups=["sales-leaders", "unrelated"],
    )

    landing = sign_in(client, "alice", next_url="/profile")

    assert landing.status_code == 302
    assert landing.headers["Location"] == "/profile"
    alice = find_user("alice@example.com")
    assert (alice.name, alice.role, alice.department) == ("Alice Archer", "leader", "sales")
    assert alice.uses_sso
    assert not alice.has_password
    assert alice.oidc_issuer == sso.issuer
    assert alice.oidc_subject == "alice"
    assert "Welcome, Alice Archer." in client.get("/library").text

    # Marketer beats rep; the department is that of the marketer's group.
    sso.set_account(
        "alice",
        email="alice@example.com",
        email_verified=True,
        name="Alice Baker",
        groups=["reps", "marketing"],
    )
    again = sign_in(fresh(app), "alice")

    assert again.status_code == 302
    db.session.expire_all()
    alice = find_user("alice@example.com")
    assert (alice.name, alice.role, alice.department) == ("Alice Baker", "marketer", "marketing")
    # The new role ended the first browser's session.
    assert client.get("/library").status_code == 302


@SQLITE_ONLY
def test_next_never_leaves_the_site(client, sso):
    sso.set_account("olaf", email="olaf@example.com", email_verified=True, groups=["reps"])

    landing = sign_in(client, "olaf", next_url="https://evil.example/")

    assert landing.headers["Location"] == "/library"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("changes", "why"),
    [
        # For another client, even when it names this one as the authorized party.
        ({"aud": "someone-else", "azp": CLIENT_ID}, "Invalid claim: 'aud'"),
        ({"iat": 1_600_000_000, "exp": 1_600_000_600}, "The token is expired"),
    ],
)
def test_an_id_token_for_another_client_or_expired_is_refused(
    app, client, sso, monkeypatch, caplog, changes, why
):
    authorize_url = start(client)
    returned = through_provider(authorize_url, "mallory")
    forged = sso.sign(id_token_claims(sso, authorize_url, "mallory", **changes))
    # The provider's own key signs it; only the token endpoint's answer is replaced.
    provider_client = _portal_client(app)
    monkeypatch.setattr(
        provider_client,
        "fetch_access_token",
        lambda **_: {"access_token": "at", "token_type": "Bearer", "id_token": forged},
    )

    refused = client.get(callback_path(returned))

    assert refused.status_code == 400
    assert "could not be verified" in refused.text
    assert why in caplog.text
    assert find_user("mallory@example.com") is None
    assert client.get("/library").status_code == 302


def _portal_client(app):
    with app.test_request_context():
        return portal_sso.client()


@SQLITE_ONLY
def test_a_replayed_callback_is_refused(client, sso):
    sso.set_account("rita", email="rita@example.com", email_verified=True, groups=["reps"])
    returned = through_provider(start(client), "rita")
    assert client.get(callback_path(returned)).status_code == 302
    client.post("/logout", data={"csrf_token": client.csrf_token()})

    replayed = client.get(callback_path(returned))

    assert replayed.status_code == 400
    assert "already used or has expired" in replayed.text
    assert client.get("/library").status_code == 302


@SQLITE_ONLY
def test_someone_in_no_mapped_group_is_refused_and_a_known_one_deactivated(app, client, sso):
    sso.set_account("nina", email="nina@example.com", email_verified=True, groups=["guests"])

    refused = sign_in(client, "nina")

    assert refused.status_code == 403
    assert "not in any group that may use Tandem" in refused.text
    assert find_user("nina@example.com") is None

    sso.set_account("gus", email="gus@example.com", email_verified=True, groups=["reps"])
    other_device = fresh(app)
    assert sign_in(other_device, "gus").status_code == 302
    assert other_device.get("/library").status_code == 200
    sso.set_account("gus", email="gus@example.com", email_verified=True, groups=[])

    refused = sign_in(client, "gus")

    assert refused.status_code == 403
    db.session.expire_all()
    assert find_user("gus@example.com").active is False
    assert other_device.get("/library").status_code == 302
    # Back in a group, the account stays off until an admin turns it on.
    sso.set_account("gus", email="gus@example.com", email_verified=True, groups=["reps"])
    assert "deactivated" in sign_in(fresh(app), "gus").text


@SQLITE_ONLY
def test_a_local_account_is_linked_only_by_a_verified_email(app, client, sso):
    local = make_user("rep", "vera@example.com", "Vera Local")
    sso.set_account(
        "vera-unverified", email="VERA@example.com", email_verified=False, groups=["reps"]
    )

    refused = sign_in(client, "vera-unverified")

    assert refused.status_code == 403
    assert "not verified" in refused.text
    db.session.expire_all()
    assert local.oidc_subject is None

    sso.set_account("vera", email="vera@example.com", email_verified=True, groups=["tandem-admins"])
    assert sign_in(fresh(app), "vera").status_code == 302

    db.session.expire_all()
    assert (local.oidc_subject, local.role) == ("vera", Role.ADMIN)
    assert local.has_password  # the password still works where passwords are allowed
    login(fresh(app), local, PASSWORD)


@SQLITE_ONLY
def test_a_provider_error_shows_a_page_and_changes_nothing(client, sso):
    start(client)

    denied = client.get("/signin/oidc/callback?error=access_denied&state=whatever")

    assert denied.status_code == 403
    assert f"{PROVIDER_NAME} did not sign you in" in denied.text
    assert client.get("/library").status_code == 302


@SQLITE_ONLY
def test_both_offers_the_provider_beside_the_password_form(client, sso):
    page = client.get("/login").text

    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'name="password"' in page


@SQLITE_ONLY
def test_oidc_only_hides_the_password_form_and_refuses_passwords(app, client, users, sso):
    app.config["AUTH_MODE"] = "oidc"

    page = client.get("/login").text
    posted = client.form("/login", {"email": users["rep"].email, "password": PASSWORD})

    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'name="password"' not in page
    assert "Forgot your password" not in page
    assert posted.status_code == 403
    assert "Passwords are not used here" in posted.text
    assert client.get("/library").status_code == 302
    assert client.get("/reset").status_code == 404
    assert client.get("/reset/anything").status_code == 404
    # Signed in before the switch: the profile offers no password change, nor takes one.
    app.config["AUTH_MODE"] = "both"
    rep = login(fresh(app), users["rep"])
    app.config["AUTH_MODE"] = "oidc"
    changed = rep.form(
        "/profile/password",
        {"current_password": PASSWORD, "new_password": "x" * 12, "confirm": "x" * 12},
        follow_redirects=True,
    )
    assert "Passwords are not used here." in changed.text
    assert 'name="current_password"' not in changed.text


@SQLITE_ONLY
def test_local_mode_offers_no_provider(client, users):
    assert "Sign in with" not in client.get("/login").text
    assert client.get("/signin/oidc").status_code == 404
    assert client.get("/signin/oidc/callback?code=x&state=y").status_code == 404


@SQLITE_ONLY
def test_the_admin_pages_say_who_signs_in_with_sso(app, client, client_as, sso):
    sso.set_account("sam", email="sam@example.com", email_verified=True, groups=["reps"])
    sign_in(client, "sam")
    admin = client_as("admin")

    listing = admin.get("/admin/users?q=sam").text
    edit = admin.get(f"/admin/users/{find_user('sam@example.com').id}").text

    assert "Single sign-on" in listing
    assert f"Signs in with {PROVIDER_NAME} only" in edit
    assert "Send password reset link" not in edit


@SQLITE_ONLY
def test_provider_returns_are_limited_like_the_password_form(database_url, tmp_path):
    app = make_app(
        database_url,
        tmp_path,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        AUTH_MODE="both",
        OIDC_ISSUER="http://127.0.0.1:9",
        OIDC_CLIENT_ID="id",
        OIDC_CLIENT_SECRET="secret",  # noqa: S106 - never sent anywhere
        OIDC_GROUPS="reps=rep",
    )
    client = app.test_client()
    answers = [
        client.get("/signin/oidc/callback?error=access_denied").status_code for _ in range(3)
    ]

    assert answers == [403, 403, 429]
