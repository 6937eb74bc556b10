"""Internal-only content: an asset is external (buyers may see it) or internal (reps and
marketers only). New assets take their content type's default; internal assets are never
shared, and turning one internal stops its links for good."""

import html
import re

import pytest
from sqlalchemy import select, update

from content.library.models import Asset, Audience, ContentType, Stage
from content.library.services import AssetInput, create_asset
from content.taxonomy.services import terms_by_slugs
from content.usage import share_links
from content.usage.models import ShareLink
from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.notifications import Notification
from portal.kernel.permissions import can
from tests.content.helpers import asset_form, flashes
from tests.content.usage_helpers import BROWSER, share, signed_in
from tests.factories import SQLITE_ONLY, make_asset, make_user, token_headers
from tests.search.helpers import index_now

BUYER = {"User-Agent": BROWSER}


def text_of(page: str) -> str:
    """The page's words without tags, whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def content_type(slug: str) -> ContentType:
    return terms_by_slugs(ContentType, [slug], "content_type")[0]


def new_asset(owner, type_slug: str | None, audience: str | None = None) -> Asset:
    data = AssetInput(
        title=f"A {type_slug}",
        body="Words.",
        content_type=content_type(type_slug) if type_slug else None,
        stages=terms_by_slugs(Stage, ["awareness"], "stages"),
        audience=audience,
    )
    asset = create_asset(owner, data)
    db.session.commit()
    return asset


def revise_audience(client, asset: Asset, audience: str, headers: dict):
    """Save a revision through the API that only changes the audience."""
    db.session.expire_all()
    number = db.session.get(Asset, asset.id).latest_revision.number
    return client.patch(
        f"/api/v1/assets/{asset.id}",
        json={"base_revision": number, "audience": audience},
        headers=headers,
    )


# ---- the rules -----------------------------------------------------------------------------


@SQLITE_ONLY
def test_a_new_asset_takes_its_content_types_default_unless_the_author_chooses(users):
    marketer = users["marketer"]

    assert content_type("battlecard").default_audience == Audience.INTERNAL
    assert content_type("demo-script").default_audience == Audience.INTERNAL
    assert new_asset(marketer, "battlecard").audience == "internal"
    assert new_asset(marketer, "demo-script").audience == "internal"
    assert new_asset(marketer, "case-study").audience == "external"
    assert new_asset(marketer, None).audience == "external"
    chosen = new_asset(marketer, "battlecard", audience="external")
    assert chosen.audience == "external"
    assert chosen.latest_revision.audience == "external"


@SQLITE_ONLY
def test_an_internal_asset_cannot_be_shared_on_the_page_or_through_the_api(app, users):
    internal = make_asset(users["marketer"], "Battlecard vs Acme", content_type="battlecard")
    rep = users["rep"]

    assert internal.audience == "internal"
    assert internal.is_live
    assert not can(rep, "share", internal)
    with pytest.raises(Conflict, match=re.escape(share_links.INTERNAL_ONLY)):
        share_links.create_link(internal, rep)
    answer = app.test_client().post(
        f"/api/v1/assets/{internal.id}/share-links", json={}, headers=token_headers(rep)
    )
    page = signed_in(app, rep).get(f"/assets/{internal.id}").text

    assert answer.status_code == 409
    assert answer.json["error"]["message"] == share_links.INTERNAL_ONLY
    assert "This asset is internal only: it cannot be shared with buyers." in page
    assert 'aria-label="New share link"' not in page
    assert db.session.scalar(select(ShareLink.id)) is None


def test_turning_an_asset_internal_stops_its_links_and_tells_each_maker_once(app, users):
    marketer, rep = users["marketer"], users["rep"]
    other_rep = make_user("rep", "other.rep@example.com", "Olive Other")
    asset = make_asset(marketer, "Pricing sheet")
    _first, token = share(asset, rep)
    share(asset, rep)
    share(asset, other_rep)
    revoked, _token = share(asset, other_rep)
    share_links.revoke(revoked, other_rep)
    share(asset, marketer)  # the marketer's own link: no notice about their own change
    db.session.commit()
    client, headers = app.test_client(), token_headers(marketer)

    assert revise_audience(client, asset, "internal", headers).json["audience"] == "internal"

    db.session.expire_all()
    assert db.session.scalars(select(ShareLink).where(ShareLink.revoked_at.is_(None))).all() == []
    notices = db.session.scalars(
        select(Notification).where(Notification.kind == "links_stopped").order_by("user_id")
    ).all()
    assert [(n.user_id, n.link) for n in notices] == [
        (rep.id, f"/assets/{asset.id}"),
        (other_rep.id, f"/assets/{asset.id}"),
    ]
    assert "“Pricing sheet” is now internal only: 2 of your share links" in notices[0].text
    assert "1 of your share link to it" in notices[1].text
    assert client.get(f"/s/{token}", headers=BUYER).status_code == 410
    assert client.get(f"/s/{token}/file", headers=BUYER).status_code == 410

    # Back to external: the links stay stopped, nobody is told again, new links work.
    assert revise_audience(client, asset, "external", headers).json["audience"] == "external"
    db.session.expire_all()
    assert client.get(f"/s/{token}", headers=BUYER).status_code == 410
    assert db.session.scalars(select(ShareLink).where(ShareLink.revoked_at.is_(None))).all() == []
    stopped = select(Notification.id).where(Notification.kind == "links_stopped")
    assert len(db.session.scalars(stopped).all()) == len(notices)
    _link, fresh = share(db.session.get(Asset, asset.id), rep)
    assert client.get(f"/s/{fresh}", headers=BUYER).status_code == 200


@SQLITE_ONLY
def test_a_link_to_an_asset_made_internal_any_other_way_is_gone(client, users):
    asset = make_asset(users["marketer"])
    _link, token = share(asset, users["rep"])
    db.session.execute(update(Asset).where(Asset.id == asset.id).values(audience="internal"))
    db.session.commit()

    assert client.get(f"/s/{token}", headers=BUYER).status_code == 410
    assert client.get(f"/s/{token}/file?inline=1", headers=BUYER).status_code == 410


# ---- pages ---------------------------------------------------------------------------------


@SQLITE_ONLY
def test_the_author_chooses_the_audience_on_the_form(app, client_as, users):
    marketer = client_as("marketer")
    battlecard = str(content_type("battlecard").id)

    form = marketer.get("/assets/new").text
    created = marketer.form("/assets/new", asset_form("Win against Acme", content_type=battlecard))
    asset = db.session.scalar(select(Asset).order_by(Asset.id.desc()))
    by_type = asset.audience
    edit = marketer.get(f"/assets/{asset.id}/edit").text
    saved = marketer.form(
        f"/assets/{asset.id}/edit",
        asset_form(
            "Win against Acme",
            content_type=battlecard,
            audience="external",
            base_revision=str(asset.latest_revision_id),
        ),
    )
    refused = marketer.form(
        f"/assets/{asset.id}/edit",
        asset_form(audience="everyone", base_revision=str(asset.latest_revision_id)),
    )

    assert "Buyers may see it (external)" in form
    assert "Internal only" in form
    assert f'data-internal-types="{battlecard}' in form
    assert created.status_code == 302
    assert by_type == "internal"  # the battlecard's default
    assert re.search(r'value="internal"[^>]*checked|checked[^>]*value="internal"', edit)
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Asset, asset.id).audience == "external"
    assert "Not a valid choice" in refused.text


@SQLITE_ONLY
def test_internal_assets_carry_a_badge_on_their_page_the_board_and_search(app, users):
    internal = make_asset(users["marketer"], "Battlecard vs Acme", content_type="battlecard")
    make_asset(users["marketer"], "Acme case study", content_type="case-study")
    index_now()
    rep = signed_in(app, users["rep"])

    page = text_of(rep.get(f"/assets/{internal.id}").text)
    board = rep.get("/library").text
    found = rep.get("/search?q=acme").text
    filtered = text_of(rep.get("/assets?audience=internal").text)

    assert "Internal only" in page
    assert board.count("badge-internal") == 1
    assert found.count("badge-internal") == 1
    assert "Battlecard vs Acme" in filtered
    assert "Acme case study" not in filtered


@SQLITE_ONLY
def test_reviewers_see_an_audience_change_in_the_diff(app, users):
    asset = make_asset(users["marketer"], "Pricing sheet")
    revise_audience(app.test_client(), asset, "internal", token_headers(users["marketer"]))
    db.session.expire_all()
    asset = db.session.get(Asset, asset.id)
    reviewer = signed_in(app, users["marketer"])

    page = reviewer.get(f"/assets/{asset.id}").text
    diff = text_of(reviewer.get(f"/assets/{asset.id}/diff?from=1&to=2").text)
    same = text_of(reviewer.get(f"/assets/{asset.id}/diff?from=1&to=1").text)

    assert "Changes since live" in page
    assert "Audience: external → internal" in diff
    assert "Audience:" not in same


@SQLITE_ONLY
def test_an_admin_sets_the_default_audience_of_a_content_type(app, client_as, users):
    admin = client_as("admin")
    case_study = content_type("case-study")

    listing = admin.get("/admin/taxonomy/content-types").text
    saved = admin.form(
        f"/admin/taxonomy/content-types/{case_study.id}",
        {"name": "Case Study", "slug": "case-study", "default_audience": "internal"},
    )
    refused = admin.form(
        f"/admin/taxonomy/content-types/{case_study.id}",
        {"name": "Case Study", "slug": "case-study", "default_audience": "secret"},
        follow_redirects=True,
    )

    assert 'aria-label="Audience of new Battlecard assets"' in listing
    assert saved.status_code == 302
    db.session.expire_all()
    assert content_type("case-study").default_audience == "internal"
    assert flashes(refused.text)
    assert new_asset(users["marketer"], "case-study").audience == "internal"


# ---- the API -------------------------------------------------------------------------------


@SQLITE_ONLY
def test_the_api_reads_writes_and_filters_the_audience(app, users):
    client, headers = app.test_client(), token_headers(users["marketer"])
    body = {"title": "Acme battlecard", "body": "Words.", "stages": ["awareness"]}

    by_type = client.post(
        "/api/v1/assets", json={**body, "content_type": "battlecard"}, headers=headers
    )
    chosen = client.post(
        "/api/v1/assets",
        json={**body, "content_type": "battlecard", "audience": "external"},
        headers=headers,
    )
    refused = client.post("/api/v1/assets", json={**body, "audience": "buyers"}, headers=headers)
    internal = client.get("/api/v1/assets?audience=internal", headers=headers).json
    kept = revise_audience(client, db.session.get(Asset, by_type.json["id"]), "", headers)

    assert by_type.status_code == 201
    assert by_type.json["audience"] == "internal"
    assert chosen.json["audience"] == "external"
    assert refused.status_code == 422
    assert "audience" in refused.json["error"]["fields"]
    assert [item["id"] for item in internal["items"]] == [by_type.json["id"]]
    assert kept.status_code == 422  # "" is not an audience; leaving it out keeps it


@SQLITE_ONLY
def test_openapi_documents_the_audience_and_view_only_links(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]

    assert schemas["Asset"]["properties"]["audience"]["enum"] == ["external", "internal"]
    assert "audience" in schemas["Asset"]["required"]
    assert "audience" in schemas["AssetInput"]["properties"]
    assert "audience" in schemas["AssetRevisionInput"]["properties"]
    assert "view_only" in schemas["ShareLinkInput"]["properties"]
    assert "view_only" in schemas["ShareLink"]["required"]
