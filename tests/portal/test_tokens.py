"""API tokens on the profile page: shown once, stored hashed, revocable by their owner."""

import hashlib
import re

from sqlalchemy import select, text

from portal.accounts.services import issue_token
from portal.kernel.extensions import db
from portal.kernel.models import ApiToken
from tests.portal.helpers import flashes

_NEW_TOKEN = re.compile(r'<code id="new-token">([^<]+)</code>')


def create_token(browser, name: str = "CRM sync") -> str:
    response = browser.form("/profile/tokens", {"name": name})
    assert response.status_code == 200
    return _NEW_TOKEN.search(response.text).group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_new_token_is_shown_once_and_stored_only_as_a_hash(client_as, users):
    browser = client_as("marketer")

    token = create_token(browser)

    row = db.session.scalars(select(ApiToken)).one()
    assert (row.user_id, row.name) == (users["marketer"].id, "CRM sync")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.execute(text("SELECT * FROM api_tokens")).one()
    assert not any(token in str(value) for value in stored)
    profile = browser.get("/profile")
    assert token not in profile.text
    assert row.hint in profile.text  # enough to tell tokens apart


def test_token_authenticates_api_requests_until_revoked(app, client_as):
    browser = client_as("rep")
    token = create_token(browser, "Laptop script")
    api = app.test_client()
    assert api.get("/api/v1/assets", headers=bearer(token)).status_code == 200
    token_id = db.session.scalars(select(ApiToken.id)).one()

    response = browser.form(f"/profile/tokens/{token_id}/revoke", follow_redirects=True)

    assert "Token “Laptop script” revoked." in flashes(response)
    refused = api.get("/api/v1/assets", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "unauthorized"


def test_token_records_when_it_was_last_used(app, users):
    token = issue_token(users["rep"], "Sync")
    db.session.commit()

    app.test_client().get("/api/v1/assets", headers=bearer(token))

    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_a_refused_request_still_records_that_the_token_was_used(app, users):
    token = issue_token(users["rep"], "Sync")
    db.session.commit()

    refused = app.test_client().post("/api/v1/assets", json={"title": 5}, headers=bearer(token))

    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_user_cannot_revoke_someone_elses_token(app, client_as, users):
    token = issue_token(users["marketer"], "Marketing sync")
    db.session.commit()
    token_id = db.session.scalars(select(ApiToken.id)).one()

    response = client_as("rep").form(f"/profile/tokens/{token_id}/revoke")

    assert response.status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None
    assert app.test_client().get("/api/v1/assets", headers=bearer(token)).status_code == 200


def test_token_needs_a_name(client_as):
    browser = client_as("rep")

    response = browser.form("/profile/tokens", {"name": ""}, follow_redirects=True)

    assert "Token name: Name the token, e.g. “CRM sync”." in flashes(response)
    assert db.session.scalars(select(ApiToken)).all() == []


def test_api_ignores_a_signed_in_browser_session(client_as):
    response = client_as("marketer").get("/api/v1/assets")

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_refuses_missing_or_unknown_tokens(client, users):
    headers = ["", "Bearer", "Bearer tdm_not-a-real-token", "Basic cmVwQGV4YW1wbGUuY29tOng="]

    responses = [client.get("/api/v1/assets", headers={"Authorization": h}) for h in headers]

    assert [r.status_code for r in responses] == [401] * len(headers)
    assert {r.json["error"]["code"] for r in responses} == {"unauthorized"}
