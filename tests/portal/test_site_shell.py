"""The site shell every page shares: the favicon, app icons and manifest."""

from tests.factories import SQLITE_ONLY


@SQLITE_ONLY
def test_the_favicon_icons_and_manifest_are_served_and_linked(client, users):
    favicon = client.get("/favicon.ico")
    manifest = client.get("/static/manifest.webmanifest")
    sign_in = client.get("/login").text

    assert favicon.status_code == 200
    assert favicon.mimetype == "image/vnd.microsoft.icon"
    assert favicon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert favicon.cache_control.public
    assert favicon.cache_control.max_age >= 86400
    assert manifest.status_code == 200
    assert manifest.mimetype == "application/manifest+json"
    icons = {icon["src"]: icon for icon in manifest.json["icons"]}
    assert manifest.json["name"] == "Tandem"
    assert manifest.json["theme_color"] == "#2c6e9b"
    for src in icons:
        icon = client.get(f"/static/{src}")
        assert icon.status_code == 200, src
        assert icon.mimetype == icons[src]["type"], src
    assert '<link rel="icon" href="/static/icons/icon.svg" type="image/svg+xml">' in sign_in
    assert 'rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png"' in sign_in
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in sign_in
    assert client.get("/static/icons/apple-touch-icon.png").status_code == 200
