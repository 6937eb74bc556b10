"""The site shell every page shares: the header's links for each role, grouped into
dropdowns; the favicon, app icons and manifest; and the formatting filters."""

from datetime import date, datetime
from html.parser import HTMLParser

import pytest

from portal.accounts.services import create_user
from portal.kernel.extensions import db
from portal.kernel.templating import format_days, format_number, format_percent, initials
from tests.factories import PASSWORD, SQLITE_ONLY, login
from workflows.feedback.models import FieldFeedback


class _Header(HTMLParser):
    """The main navigation as text: the links outside any dropdown, and each dropdown's
    summary with the links and buttons inside it (the account's under "account")."""

    def __init__(self) -> None:
        super().__init__()
        self.in_nav = False
        self.group: str | None = None
        self.reading: str | None = None  # "summary", "a" or "button"
        self.text = ""
        self.top: list[str] = []
        self.groups: dict[str, list[str]] = {}
        self.skip_link = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "a" and attributes.get("href") == "#main":
            self.skip_link = True
        if tag == "nav" and attributes.get("aria-label") == "Main":
            self.in_nav = True
        if not self.in_nav:
            return
        if tag == "details" and "nav-group" in classes:
            self.group = "account" if "nav-account" in classes else "?"
        elif tag == "summary" and self.group == "?":
            self.reading, self.text = "summary", ""
        elif tag in ("a", "button") and "bell" not in classes and "brand" not in classes:
            self.reading, self.text = tag, ""

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_nav = False
        if tag == "details" and self.group:
            self.group = None
        if not self.reading or tag != self.reading:
            return
        words = " ".join(self.text.split())
        if tag == "summary":
            self.group = words
            self.groups[words] = []
        elif self.group:
            self.groups.setdefault(self.group, []).append(words)
        else:
            self.top.append(words)
        self.reading = None

    def handle_data(self, data):
        if self.reading:
            self.text += data


def header(page) -> _Header:
    parsed = _Header()
    parsed.feed(page.text)
    return parsed


LIBRARY = ["Content library", "All assets", "Campaigns", "Collections", "Glossary"]
ADMIN = ["Users", "Taxonomy", "Audit log", "Jobs", "Webhooks", "Slack and Teams"]
# For each role: the links in the row, then each dropdown's links (the account's last).
EXPECTED = {
    "rep": (
        ["My work", "Deals", "Posts"],
        {
            "Library": LIBRARY,
            "Alignment": ["Requests", "My feedback", "Weekly digest", "Send feedback"],
            "account": ["Your profile", "Sign out"],
        },
    ),
    "marketer": (
        ["My work", "Posts", "Reports", "New asset"],
        {
            "Library": LIBRARY,
            "Alignment": ["Requests", "Feedback", "Weekly digest"],
            "account": ["Your profile", "Sign out"],
        },
    ),
    "leader": (
        ["My work", "Deals", "Reports"],
        {
            "Library": LIBRARY,
            "Alignment": ["Requests", "Feedback", "Weekly digest", "Meetings", "Send feedback"],
            "account": ["Your profile", "Export all data", "Sign out"],
        },
    ),
    "marketing leader": (
        ["My work", "Deals", "Posts", "Reports"],
        {
            "Library": LIBRARY,
            "Alignment": ["Requests", "Feedback", "Weekly digest", "Meetings", "Send feedback"],
            "account": ["Your profile", "Export all data", "Sign out"],
        },
    ),
    "admin": (
        ["My work", "Deals", "Posts", "Reports", "New asset"],
        {
            "Library": LIBRARY,
            "Alignment": ["Requests", "Feedback", "Weekly digest", "Meetings"],
            "Admin": [*ADMIN, "Export all data"],
            "account": ["Your profile", "Sign out"],
        },
    ),
}


@SQLITE_ONLY
def test_each_role_gets_one_header_with_its_links_grouped(app, users):
    people = dict(users)
    people["marketing leader"] = create_user(
        "mo@example.com", "Mo Marketing", "leader", PASSWORD, department="marketing"
    )
    db.session.commit()

    found = {}
    for role, user in people.items():
        parsed = header(login(app.test_client(), user).get("/library"))
        found[role] = (parsed.top, parsed.groups)
        assert parsed.skip_link, role

    assert found == EXPECTED
    # Nothing a rep may not use is in their page at all, hidden in a dropdown or not.
    rep_page = login(app.test_client(), users["rep"]).get("/library").text
    for admin_only in ('href="/admin/users"', 'href="/admin/webhooks"', "Audit log", "New asset"):
        assert admin_only not in rep_page


@SQLITE_ONLY
def test_the_header_keeps_the_bell_and_the_new_feedback_count_in_sight(client_as, users):
    db.session.add(FieldFeedback(author_id=users["rep"].id, kind="content_gap", text="A CFO deck"))
    db.session.commit()

    page = client_as("marketer").get("/library").text

    assert 'aria-label="Notifications: 0 unread"' in page
    # On the Menu button (narrow screens), on "Alignment" and on the link itself.
    assert page.count('aria-label="1 new feedback"') == 2
    assert 'aria-label="1 new"' in page


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


@pytest.mark.parametrize(
    ("days", "shown"),
    [
        (None, "—"),
        (0.0, "under a day"),
        (0.96, "under a day"),
        (1.2, "1 day"),
        (3.4, "3.5 days"),
        (12.0, "12 days"),
        (45.7, "46 days"),
        (1234.0, "1,234 days"),
    ],
)
def test_durations_read_in_days_without_false_precision(days, shown):
    assert format_days(days) == shown


def test_numbers_and_shares_read_alike_everywhere():
    assert format_number(1234567) == "1,234,567"
    assert format_number(2.345, 1) == "2.3"
    assert format_number(None) == "—"
    assert format_percent(0.6666) == "67%"
    assert format_percent(0.125, 1) == "12.5%"
    assert format_percent(None) == "—"
    assert initials("Riley Chen") == "RC"
    assert initials("Ana María de la Cruz") == "AC"
    assert initials("Cher") == "C"


@SQLITE_ONLY
def test_the_date_filters_say_the_day_the_same_way(app):
    render = app.jinja_env.from_string(
        "{{ d|date }} / {{ t|datetime }} / {{ t|day }} / {{ n|number }} / {{ s|percent }}"
    ).render
    shown = render(d=date(2027, 3, 15), t=datetime(2027, 3, 15, 14, 30), n=4321, s=0.67)
    assert shown == "15 Mar 2027 / 15 Mar 2027 14:30 UTC / 15 Mar 2027 / 4,321 / 67%"
