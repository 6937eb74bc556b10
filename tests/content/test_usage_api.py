"""The JSON API for ratings, usage and share links: same rules as the pages, JSON errors."""

import pytest

from content.usage import ratings, share_links
from content.usage.models import Rating, ShareLink, UsageEvent
from portal.kernel.extensions import db
from tests.content.usage_helpers import BROWSER, count, make_deal, share
from tests.factories import make_asset, make_user, token_headers
from tests.portal.helpers import schema_problems
from workflows.review.machine import transition


@pytest.fixture
def asset(users):
    return make_asset(users["marketer"], "Battlecard")


@pytest.fixture
def rep_api(client, users):
    headers = token_headers(users["rep"])

    def call(method: str, path: str, body=None):
        return client.open(f"/api/v1{path}", method=method, headers=headers, json=body)

    return call


def error(response) -> tuple:
    body = response.json["error"]
    return response.status_code, body["code"], body.get("fields", {})


# ---- ratings -------------------------------------------------------------------------------


def test_a_rep_rates_and_reads_the_summary(rep_api, asset, users):
    ratings.rate(asset, users["leader"], 2)
    db.session.commit()

    saved = rep_api("POST", f"/assets/{asset.id}/ratings", {"stars": 5, "comment": "Great."})
    changed = rep_api("POST", f"/assets/{asset.id}/ratings", {"stars": 4})
    listed = rep_api("GET", f"/assets/{asset.id}/ratings")

    assert saved.status_code == 200
    assert saved.json["rating"]["stars"] == 5
    assert saved.json["rating"]["comment"] == "Great."
    assert saved.json["summary"] == {"average": 3.5, "count": 2}
    assert changed.json["summary"] == {"average": 3.0, "count": 2}
    assert listed.json["summary"]["stars"] == {"5": 0, "4": 1, "3": 0, "2": 1, "1": 0}
    assert listed.json["your_rating"]["stars"] == 4
    assert listed.json["your_rating"]["comment"] == "Great."  # new stars keep the comment
    assert listed.json["comments"] is None  # for the authors and leaders
    assert (
        schema_problems(listed.json["your_rating"], {"$ref": "#/components/schemas/Rating"}) == []
    )


def test_a_rep_removes_their_rating_comment_on_purpose(rep_api, asset, users):
    ratings.rate(asset, users["rep"], 2, "Outdated pricing.")
    db.session.commit()

    both = rep_api(
        "POST",
        f"/assets/{asset.id}/ratings",
        {"stars": 4, "comment": "Fixed.", "remove_comment": True},
    )
    removed = rep_api("POST", f"/assets/{asset.id}/ratings", {"stars": 4, "remove_comment": True})

    assert error(both) == (422, "validation_failed", {"comment": ratings.COMMENT_AND_REMOVAL})
    assert (removed.json["rating"]["stars"], removed.json["rating"]["comment"]) == (4, "")


def test_rating_refusals_are_json_errors(client, rep_api, asset, users):
    draft = make_asset(users["marketer"], "Draft", publish=False)
    owner = token_headers(users["marketer"])

    own = client.post(f"/api/v1/assets/{asset.id}/ratings", headers=owner, json={"stars": 5})

    assert own.status_code == 403
    assert own.json["error"]["message"] == "You wrote this asset, so you cannot rate it."
    assert error(rep_api("POST", f"/assets/{draft.id}/ratings", {"stars": 5}))[0] == 404
    assert error(rep_api("POST", f"/assets/{asset.id}/ratings", {"stars": 6})) == (
        422,
        "validation_failed",
        {"stars": ratings.STARS_INVALID},
    )
    assert error(rep_api("POST", f"/assets/{asset.id}/ratings", {"stars": 3, "x": 1}))[2] == {
        "x": "Unknown field."
    }
    assert error(rep_api("POST", f"/assets/{asset.id}/ratings", [5]))[0] == 400
    assert count(Rating) == 0


def test_the_owner_reads_the_comments_page(client, asset, users):
    ratings.rate(asset, users["rep"], 4, "Needs a pricing slide.")
    db.session.commit()

    body = client.get(
        f"/api/v1/assets/{asset.id}/ratings", headers=token_headers(users["marketer"])
    ).json

    assert [c["comment"] for c in body["comments"]["items"]] == ["Needs a pricing slide."]
    assert body["comments"]["items"][0]["by"]["name"] == "Riley Rep"
    assert body["comments"]["total"] == 1
    assert body["your_rating"] is None


# ---- usage ---------------------------------------------------------------------------------


def test_a_rep_records_a_deal_once(rep_api, asset, users):
    deal = make_deal(users["rep"])
    body = {"kind": "used_in_deal", "deal_id": deal.id, "note": "Won the security review."}

    first = rep_api("POST", f"/assets/{asset.id}/usage", body)
    again = rep_api("POST", f"/assets/{asset.id}/usage", body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json["created"], again.json["created"]) == (True, False)
    assert first.json["evidence"] == "self_reported"
    assert first.json["id"] == again.json["id"]
    assert schema_problems(first.json, {"$ref": "#/components/schemas/UsageEvent"}) == []


def test_usage_refusals(client, rep_api, asset, users):
    others = make_deal(make_user("rep"))
    own = make_deal(users["rep"])
    url = f"/assets/{asset.id}/usage"

    automatic = rep_api("POST", url, {"kind": "view"})
    unknown = rep_api("POST", url, {"kind": "liked", "deal_id": own.id})
    no_deal = rep_api("POST", url, {"kind": "used_in_deal"})
    huge = rep_api("POST", url, {"kind": "used_in_deal", "deal_id": 10**30})
    foreign = rep_api("POST", url, {"kind": "used_in_deal", "deal_id": others.id})
    long_note = rep_api("POST", url, {"kind": "used_in_deal", "deal_id": own.id, "note": "x" * 501})
    marketer = client.post(
        f"/api/v1{url}",
        headers=token_headers(users["marketer"]),
        json={"kind": "used_in_deal", "deal_id": own.id},
    )

    assert error(automatic)[0] == 422
    assert "recorded automatically" in error(automatic)[2]["kind"]
    assert error(unknown)[2] == {"kind": "The kind is used_in_deal."}
    assert error(no_deal)[:2] == (422, "validation_failed")
    assert "deal_id" in error(no_deal)[2]
    assert error(huge)[:2] == (422, "validation_failed")
    assert "deal_id" in error(huge)[2]
    assert (foreign.status_code, marketer.status_code) == (404, 404)
    assert error(long_note)[2] == {"note": "Keep the note under 500 characters."}
    assert db.session.query(UsageEvent).filter_by(kind="used_in_deal").count() == 0


# ---- share links ---------------------------------------------------------------------------


def test_a_rep_makes_a_link_and_the_buyer_opens_its_url(client, rep_api, asset, users):
    deal = make_deal(users["rep"], "Acme")

    made = rep_api(
        "POST",
        f"/assets/{asset.id}/share-links",
        {"deal_id": deal.id, "expires_in_days": 7, "recipient": "Pat"},
    )
    client.get(made.json["url"], headers={"User-Agent": BROWSER})
    listed = rep_api("GET", "/share-links")

    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "private, no-store"
    assert made.json["url"].startswith("http://localhost/s/")
    assert made.json["deal"] == {"id": deal.id, "name": "Acme"}
    assert (made.json["recipient"], made.json["state"]) == ("Pat", "active")
    assert made.json["expires_at"] > made.json["created_at"]
    assert [(i["id"], i["opens"], i["visitors"]) for i in listed.json["items"]] == [
        (made.json["id"], 1, 1)
    ]
    assert schema_problems(listed.json, {"$ref": "#/components/schemas/ShareLinkList"}) == []
    assert "url" not in listed.json["items"][0]  # the address is shown once


def test_share_link_refusals(rep_api, asset, users):
    draft = make_asset(users["marketer"], "Draft", publish=False)
    url = f"/assets/{asset.id}/share-links"

    too_long = rep_api("POST", url, {"expires_in_days": 366})
    text_days = rep_api("POST", url, {"expires_in_days": "30"})
    foreign = rep_api("POST", url, {"deal_id": make_deal(make_user("rep")).id})

    assert error(too_long) == (
        422,
        "validation_failed",
        {"expires_in_days": share_links.DAYS_INVALID},
    )
    assert error(text_days)[0] == 422
    assert foreign.status_code == 404
    assert rep_api("POST", f"/assets/{draft.id}/share-links", {}).status_code == 404
    assert count(ShareLink) == 0


def test_an_archived_asset_is_a_409_for_its_owner(client, users):
    archived = make_asset(users["marketer"], "Old")
    transition(archived, users["marketer"], "archive")
    db.session.commit()

    refused = client.post(
        f"/api/v1/assets/{archived.id}/share-links",
        headers=token_headers(users["marketer"]),
        json={},
    )

    assert error(refused)[:2] == (409, "conflict")


def test_revoking_a_link_by_api(client, rep_api, asset, users):
    link, token = share(asset, users["rep"])
    other = token_headers(make_user("rep"))

    foreign = client.post(f"/api/v1/share-links/{link.id}/revoke", headers=other)
    revoked = rep_api("POST", f"/share-links/{link.id}/revoke")
    again = rep_api("POST", f"/share-links/{link.id}/revoke")

    assert foreign.status_code == 404
    assert (revoked.json["state"], revoked.json["revoked_now"]) == ("revoked", True)
    assert again.json["revoked_now"] is False
    assert client.get(f"/s/{token}", headers={"User-Agent": BROWSER}).status_code == 410
