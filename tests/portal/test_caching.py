"""Responses that hold one person's data are never stored by a shared cache or a browser's
history; public pages and static files keep their own rules."""

import pytest

from tests.factories import make_asset, token_headers


def get_routes(app, prefix: str) -> list[str]:
    """Every GET route under ``prefix`` that takes no URL argument."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.rule.startswith(prefix)
        and rule.endpoint not in ("static", "favicon")
    )


@pytest.mark.parametrize("role", ["rep", "admin"])
def test_every_page_for_a_signed_in_person_is_no_store(app, client_as, users, role):
    make_asset(users["marketer"], "Battlecard")
    browser = client_as(role)
    pages = [url for url in get_routes(app, "/") if not url.startswith("/api/")]
    pages.append(f"/assets/{make_asset(users['marketer'], 'Security FAQ').id}")

    stored = {
        url: response.headers.get("Cache-Control")
        for url in pages
        if "no-store" not in ((response := browser.get(url)).headers.get("Cache-Control") or "")
    }

    assert len(pages) > 20
    assert stored == {}


def test_every_api_answer_to_a_token_is_no_store(app, client, users):
    headers = token_headers(users["admin"])
    urls = get_routes(app, "/api/v1/")

    stored = [
        url
        for url in urls
        if "no-store" not in (client.get(url, headers=headers).headers.get("Cache-Control") or "")
    ]
    refused = client.get("/api/v1/assets", headers={"Authorization": "Bearer wrong"})

    assert "/api/v1/assets" in urls
    assert "/api/v1/openapi.json" in urls
    assert stored == []
    assert refused.status_code == 401
    assert refused.headers["Cache-Control"] == "no-store"


def test_public_pages_and_static_files_keep_their_own_rules(client, users):
    sign_in = client.get("/login")
    stylesheet = client.get("/static/tandem.css")
    document = client.get("/api/v1/openapi.json")

    assert "Cache-Control" not in sign_in.headers
    assert "no-store" not in (stylesheet.headers.get("Cache-Control") or "")
    assert "Cache-Control" not in document.headers
