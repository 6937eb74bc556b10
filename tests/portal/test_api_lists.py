"""One rule for every API list: 200 with the items the caller may open, which may be none;
an item the caller may not open is 404, like one that does not exist."""

from datetime import date, timedelta

import pytest

from tests.factories import make_asset, make_user, token_headers

_SOON = (date.today() + timedelta(days=30)).isoformat()
# list path, who makes the item, what they send, who may not open it
CASES = {
    "posts": (
        "/api/v1/posts",
        "marketer",
        {"title": "Why deals stall", "body": "Buyers stall.", "rep": "rep@example.com"},
        "leader",
    ),
    "deals": (
        "/api/v1/deals",
        "rep",
        {"name": "Acme renewal", "account": "Acme", "stage": "decision"},
        "marketer",
    ),
    "requests": ("/api/v1/requests", "rep", {"need": "A FAQ", "stage": "decision"}, "other_rep"),
    "feedback": ("/api/v1/feedback", "rep", {"kind": "objection", "text": "Dear"}, "other_rep"),
    "campaigns": (
        "/api/v1/campaigns",
        "marketer",
        {"name": "Spring", "starts_on": date.today().isoformat(), "ends_on": _SOON},
        "rep",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_list_is_200_without_what_you_may_not_open_and_the_item_is_404(client, users, name):
    path, maker, body, outsider = CASES[name]
    users = {**users, "other_rep": make_user("rep", "other.rep@example.com")}
    created = client.post(path, json=body, headers=token_headers(users[maker]))
    assert created.status_code == 201, created.text
    headers = token_headers(users[outsider])

    listed = client.get(path, headers=headers)
    one = client.get(f"{path}/{created.json['id']}", headers=headers)

    assert (listed.status_code, listed.json["items"], listed.json["total"]) == (200, [], 0)
    assert one.status_code == 404


def test_a_draft_asset_is_left_out_of_a_reps_list_and_is_404(client, users):
    draft = make_asset(users["marketer"], "Unfinished", publish=False)
    live = make_asset(users["marketer"], "Finished")
    headers = token_headers(users["rep"])

    listed = client.get("/api/v1/assets?status=all", headers=headers)
    one = client.get(f"/api/v1/assets/{draft.id}", headers=headers)

    assert [item["id"] for item in listed.json["items"]] == [live.id]
    assert one.status_code == 404


def test_share_links_list_only_your_own(client, users):
    asset = make_asset(users["marketer"])
    made = client.post(
        f"/api/v1/assets/{asset.id}/share-links", json={}, headers=token_headers(users["rep"])
    )
    assert made.status_code == 201

    listed = client.get("/api/v1/share-links", headers=token_headers(users["leader"]))

    assert (listed.status_code, listed.json["items"]) == (200, [])
