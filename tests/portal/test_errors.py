"""Error pages and JSON errors, odd input that must never be a 500, headers, start-up checks."""

import pytest

from portal import create_app
from portal.kernel.extensions import db
from portal.kernel.models import User, find_user
from tests.factories import PASSWORD, login, make_app, make_asset, token_headers
from tests.portal.helpers import assert_json_error, assert_portal_500_page


def test_unknown_page_is_a_friendly_html_404(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Not found</h1>" in response.text
    assert "Back to the library" in response.text


def test_unknown_api_path_is_a_json_404(client):
    for url in ("/api/v1/no-such-thing", "/api/nothing", "/api/v1/assets/x"):
        assert_json_error(client.get(url), 404, "not_found")


def test_wrong_method_under_api_is_a_json_405_naming_the_allowed_methods(client):
    response = client.delete("/api/v1/assets")

    assert_json_error(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "POST"}


def test_wrong_method_on_a_page_is_an_html_405(client):
    response = client.get("/logout")

    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "POST" in response.headers["Allow"]


def test_ids_too_large_for_the_database_are_404_never_500(app, users):
    asset = make_asset(users["marketer"])
    headers = token_headers(users["marketer"])
    browser = app.test_client()
    browser.form("/login", {"email": "marketer@example.com", "password": PASSWORD})
    pages = [
        "/assets/99999999999999999999",
        "/assets/0",
        "/assets/99999999999999999999/edit",
        f"/assets/{asset.id}/revisions/99999999999999999999",
        f"/assets/{asset.id}/file?revision=99999999999999999999",
        f"/assets/{asset.id}/diff?from=99999999999999999999",
        f"/assets/{asset.id}/diff?from=1&to=99999999999999999999",
        f"/assets/{asset.id}/diff?from=7",
    ]

    assert {url: browser.get(url).status_code for url in pages} == dict.fromkeys(pages, 404)
    big = "/api/v1/assets/1718517882687944654848"
    assert_json_error(browser.get(big, headers=headers), 404, "not_found")
    assert_json_error(
        browser.post(f"{big}/transitions", headers=headers, json={"action": "publish"}),
        404,
        "not_found",
    )
    assert browser.form("/profile/tokens/99999999999999999999/revoke").status_code == 404


NOT_JSON_OBJECTS = [
    ("title=Deck&body=x", "application/x-www-form-urlencoded"),
    ('["a", "list"]', "application/json"),
    ('{"title": "unterminated', "application/json"),
    ("", "application/json"),
]


def test_api_refuses_a_body_that_is_not_a_json_object(client, users):
    headers = token_headers(users["marketer"])

    for body, content_type in NOT_JSON_OBJECTS:
        response = client.post(
            "/api/v1/assets", data=body, content_type=content_type, headers=headers
        )
        assert_json_error(response, 400, "bad_request")


def test_too_large_a_request_is_a_413_that_names_the_limit(app, client, users):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    headers = token_headers(users["marketer"])

    api = client.post(
        "/api/v1/assets", data=too_big, content_type="application/json", headers=headers
    )

    error = assert_json_error(api, 413, "request_entity_too_large")
    assert "2 MB limit" in error["message"]


def test_text_with_nul_characters_is_refused_not_a_500(client, client_as, users):
    headers = token_headers(users["marketer"])
    sign_in = client.form("/login", {"email": "rep\x00@example.com", "password": PASSWORD})
    admin = client_as("admin")

    assert sign_in.status_code == 400
    assert "Text may not contain NUL characters." in sign_in.text
    assert admin.get("/admin/users", query_string={"q": "a\x00b"}).status_code == 400
    assert admin.get("/assets", query_string={"stage": "a\x00b"}).status_code == 400
    listing = client.get("/api/v1/assets", query_string={"stage": "a\x00b"}, headers=headers)
    assert_json_error(listing, 400, "bad_request")
    created = client.post(
        "/api/v1/assets",
        headers=headers,
        json={"title": "Deck\x00", "body": "x", "stages": ["awareness"]},
    )
    assert_json_error(created, 400, "bad_request")


def test_api_refusals_match_the_documented_error_shape(client, users):
    marketer = token_headers(users["marketer"])
    rep = token_headers(users["rep"])
    asset = make_asset(users["marketer"])
    url = f"/api/v1/assets/{asset.id}"

    assert_json_error(client.get("/api/v1/assets"), 401, "unauthorized")
    whole = {"title": "Guide", "stages": ["awareness"], "body": "Words."}
    assert_json_error(client.post("/api/v1/assets", headers=rep, json=whole), 403, "forbidden")
    invalid = assert_json_error(
        client.post("/api/v1/assets", headers=marketer, json={"title": ""}),
        422,
        "validation_failed",
    )
    assert set(invalid["fields"]) >= {"title", "stages"}
    refused = assert_json_error(
        client.post(f"{url}/transitions", headers=marketer, json={"action": "publish"}),
        409,
        "conflict",
    )
    assert refused["allowed_actions"] == ["archive"]
    stale = assert_json_error(
        client.patch(url, headers=marketer, json={"base_revision": 7, "title": "New"}),
        409,
        "conflict",
    )
    assert "base_revision" in stale["fields"]


def test_security_headers_are_on_every_response(client):
    for url in ("/login", "/no-such-page", "/api/v1/openapi.json", "/api/v1/assets"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"], url
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["X-Frame-Options"] == "DENY", url


def test_unexpected_errors_show_a_generic_page_without_details(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'boom.db'}", tmp_path)

    def explode():
        raise RuntimeError("internal detail that must not leak")

    app.add_url_rule("/boom", "boom", explode)
    app.add_url_rule("/api/v1/boom", "api_boom", explode)
    client = app.test_client()

    page = client.get("/boom")
    api = client.get("/api/v1/boom")

    assert page.status_code == 500
    assert "Something went wrong" in page.text
    assert "internal detail" not in page.text
    assert_json_error(api, 500, "internal_error")
    assert "internal detail" not in api.text


def test_a_database_error_still_gets_the_portals_own_error_page(app, users):
    """A failed flush leaves the session unusable until it is rolled back; the error page's
    layout queries the signed-in user's notifications, so the handler must roll back first.
    """

    def duplicate_account():
        for _ in range(2):
            db.session.add(User(email="twin@example.com", name="Twin", role="rep"))
        db.session.flush()  # the unique email refuses the second row

    app.add_url_rule("/duplicate", "duplicate", duplicate_account)
    app.add_url_rule("/api/v1/duplicate", "api_duplicate", duplicate_account)
    browser = login(app.test_client(), users["rep"])

    page = browser.get("/duplicate")
    api = app.test_client().get("/api/v1/duplicate")

    assert_portal_500_page(page)
    assert "IntegrityError" not in page.text
    assert_json_error(api, 500, "internal_error")
    assert find_user("twin@example.com") is None


def test_hsts_is_sent_in_production_only(tmp_path, monkeypatch):
    monkeypatch.delenv("TANDEM_HSTS_MAX_AGE", raising=False)
    production = create_app(production_settings(tmp_path, SECRET_KEY="k" * 64))
    development = make_app(f"sqlite:///{tmp_path / 'dev.db'}", tmp_path)
    monkeypatch.setenv("TANDEM_HSTS_MAX_AGE", "600")
    shorter = create_app(production_settings(tmp_path, SECRET_KEY="k" * 64))
    monkeypatch.setenv("TANDEM_HSTS_MAX_AGE", "0")
    switched_off = create_app(production_settings(tmp_path, SECRET_KEY="k" * 64))

    def hsts(app, url="/login"):
        return app.test_client().get(url).headers.get("Strict-Transport-Security")

    assert hsts(production) == "max-age=31536000; includeSubDomains"
    assert hsts(production, "/no-such-page") == "max-age=31536000; includeSubDomains"
    assert hsts(shorter) == "max-age=600; includeSubDomains"
    assert hsts(development) is None
    assert hsts(switched_off) is None


def production_settings(tmp_path, **overrides) -> dict:
    return {
        "ENV_NAME": "production",
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
        # No job thread: it would outlive the test and its database.
        "JOBS": "held",
        **overrides,
    }


@pytest.mark.parametrize("key", [None, ""])
def test_production_refuses_to_start_without_a_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set.*export SECRET_KEY"):
        create_app(production_settings(tmp_path, SECRET_KEY=key))


def test_production_starts_with_a_secret_key(tmp_path):
    app = create_app(production_settings(tmp_path, SECRET_KEY="k" * 64))

    assert app.secret_key == "k" * 64


def test_production_from_the_environment_uses_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("TANDEM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "e" * 64)
    monkeypatch.delenv("TANDEM_SECURE_COOKIES", raising=False)
    settings = production_settings(tmp_path)
    del settings["ENV_NAME"], settings["SECRET_KEY"]

    app = create_app(settings)

    assert app.secret_key == "e" * 64
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_development_without_a_key_gets_a_random_one(tmp_path):
    settings = production_settings(tmp_path, ENV_NAME="development")

    first, second = create_app(settings), create_app(settings)

    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key
