"""The portal's pages pass axe-core's WCAG 2.1 A and AA rules with no serious or critical
violation, on a laptop (1366 px) and on a phone (375 px), for every role and signed out.

Each role's test walks its pages in one browser page, checking each at both widths
(resizing instead of reloading), over the demo library, so the pages hold what people
see rather than empty states. Every role checks the pages whose header, actions and
contents depend on the role (board, library, asset page, search results, my work,
notifications, profile) and the pages of its own work; the pages every role sees alike
(campaigns, collections, glossary, digest, meetings) are checked once, by the role that
uses them most. A test reports every page's violations at once.
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import func, select

from content.deals.models import Deal
from content.library.models import Asset, Stage
from content.rooms import services as rooms
from content.taxonomy.services import ensure_defaults
from content.usage.share_links import create_link
from portal.alignment.models import Meeting
from portal.demo.seed import seed_demo
from portal.kernel.extensions import db
from portal.kernel.models import find_user
from tests.browser.accessibility import describe, serious_violations
from tests.content.usage_helpers import BROWSER
from tests.factories import PASSWORD, SQLITE_ONLY, make_app
from tests.search.helpers import index_now
from workflows.campaigns.models import Campaign
from workflows.collections.models import Collection
from workflows.feedback.models import FieldFeedback
from workflows.glossary.models import GlossaryTerm
from workflows.posts.models import GhostPost
from workflows.requests.models import ContentRequest
from workflows.requests.services import submit_request

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
REP = "rep@example.com"
KINDS = {
    "asset": Asset,
    "post": GhostPost,
    "request": ContentRequest,
    "campaign": Campaign,
    "collection": Collection,
    "term": GlossaryTerm,
    "feedback": FieldFeedback,
    "meeting": Meeting,
}


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory) -> Path:
    """The demo library seeded and indexed once per worker (about three seconds), which
    each test of this module copies as the ``app`` fixture copies the empty schema
    elsewhere."""
    folder = tmp_path_factory.mktemp("demo")
    app = make_app(f"sqlite:///{folder / 'template.db'}", folder)
    with app.app_context():
        db.create_all()
        ensure_defaults()
        seed_demo(password=PASSWORD)
        rep = find_user(REP)
        submit_request(rep, "A TCO calculator for CFOs", db.session.scalars(select(Stage)).first())
        db.session.commit()
        index_now()
        db.session.remove()
        db.engine.dispose()
    return folder / "template.db"


@pytest.fixture
def demo(app, sqlite_template, tmp_path) -> dict:
    """Ids of the demo's first record of each kind, the rep's deal, its room and a share
    link; the demo's files and search index in place for this test's app."""
    for folder in ("uploads", "search-index"):
        shutil.copytree(sqlite_template.parent / folder, tmp_path / folder, dirs_exist_ok=True)
    ids: dict = {
        kind: db.session.scalar(select(func.min(model.id))) for kind, model in KINDS.items()
    }
    rep = find_user(REP)
    deal = db.session.scalars(select(Deal).where(Deal.owner_id == rep.id).order_by(Deal.id)).first()
    asset = db.session.get(Asset, ids["asset"])
    room, ids["room_token"] = rooms.create_room(
        rep, deal, "Acme: the platform", "What we discussed.", [rooms.NewItem(asset)]
    )
    _link, ids["share_token"] = create_link(asset, rep, recipient="Pat at Acme")
    db.session.commit()
    ids.update(deal=deal.id, room=room.id)
    return ids


def role_pages(role: str, ids: dict) -> list[str]:
    """The pages ``role`` is checked on."""
    varying = [
        "/library",
        "/assets",
        f"/assets/{ids['asset']}",
        "/search?q=expense",
        "/my-work",
        "/notifications",
        "/profile",
    ]
    own = {
        "rep": [
            "/posts",
            f"/posts/{ids['post']}",
            "/requests",
            "/requests/new",
            f"/requests/{ids['request']}",
            "/deals",
            "/deals/new",
            f"/deals/{ids['deal']}",
            f"/rooms/{ids['room']}",
            "/feedback/new",
            "/share-links",
            "/collections",
            f"/collections/{ids['collection']}",
            "/glossary",
        ],
        "marketer": [
            "/assets/new",
            f"/assets/{ids['asset']}/edit",
            "/posts",
            "/posts/new",
            f"/posts/{ids['post']}",
            "/requests",
            f"/requests/{ids['request']}",
            "/feedback",
            f"/feedback/{ids['feedback']}",
            "/campaigns",
            "/campaigns/new",
            f"/campaigns/{ids['campaign']}",
            "/collections/new",
            f"/glossary/{ids['term']}",
            "/glossary/new",
        ],
        "leader": [
            "/reports",
            "/reports/content-usage",
            "/reports/deal-stages",
            "/deals",
            "/digest",
            "/meetings",
            "/meetings/new",
            f"/meetings/{ids['meeting']}",
        ],
        "admin": [
            "/admin/users",
            "/admin/users/new",
            "/admin/jobs",
            "/admin/webhooks",
            "/admin/webhooks/new",
            "/admin/taxonomy/stages",
            "/admin/audit",
            "/export",
            "/deals/import",
        ],
    }
    return varying + own[role]


def violations_on(page: Page, paths: list[str]) -> list[str]:
    """Each path at both widths; a description of every page and width that failed."""
    failures = []
    widths = [LAPTOP, PHONE]
    for path in paths:
        response = page.goto(path)
        assert response is not None, path
        assert response.ok, f"{path}: {response.status}"
        for size in widths:
            if page.viewport_size != size:
                page.set_viewport_size(size)
            found = serious_violations(page)
            if found:
                failures.append(describe(found, f"on {path} at {size['width']} px"))
        # The next page starts at the width this one ended at: one resize per page.
        widths.reverse()
    return failures


@pytest.mark.parametrize(
    ("role", "email"),
    [
        ("rep", REP),
        ("marketer", "marketer@example.com"),
        ("leader", "leader@example.com"),
        ("admin", "admin@example.com"),
    ],
)
def test_the_pages_of_each_role_pass_wcag_21_aa(page_signed_in, demo, role, email):
    page = page_signed_in(find_user(email), "/library")
    failures = violations_on(page, role_pages(role, demo))
    assert not failures, "\n\n".join(failures)


def test_the_signed_out_and_buyer_pages_pass_wcag_21_aa(new_page, demo):
    page = new_page()
    page.context.set_extra_http_headers({"User-Agent": BROWSER})  # a buyer, not a robot
    paths = ["/login", "/reset", f"/s/{demo['share_token']}", f"/r/{demo['room_token']}"]
    failures = violations_on(page, paths)
    assert not failures, "\n\n".join(failures)
