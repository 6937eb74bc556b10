"""A body with several wrong fields is refused with one 422 naming every one of them, on
every endpoint that creates or changes something: a client fixes its payload in one go."""

from datetime import date, timedelta

import pytest

from content.deals.models import Deal
from portal.kernel.extensions import db
from tests.factories import SQLITE_ONLY, make_asset, make_meeting, token_headers
from workflows.posts import services as posts

pytestmark = SQLITE_ONLY

LONG = "x" * 20_001
PAST = (date.today() - timedelta(days=3)).isoformat()


@pytest.fixture
def world(users):
    """What the payloads point at: a rep's deal, a live asset, a post and a meeting."""
    rep, marketer = users["rep"], users["marketer"]
    deal = Deal(name="Acme", account="Acme Inc.", owner_id=rep.id, status="open")
    db.session.add(deal)
    asset = make_asset(marketer, "Pricing guide")
    post = posts.create_post(marketer, posts.PostInput(title="Post", body="Words.", rep=rep.email))
    meeting = make_meeting(users["leader"], [rep, marketer])
    db.session.commit()
    return {"deal": deal.id, "asset": asset.id, "post": post.id, "meeting": meeting.id}


# (who calls, method, path with {ids}, body, the fields it must name). Checks of one field
# alone run as the body is read, those that need other fields or the user in the
# service; each step names everything it refuses.
CASES = {
    "create asset": (
        "marketer", "POST", "/assets",
        {"title": " ", "stages": ["nope"], "personas": ["nope"], "content_type": "nope",
         "audience": "everyone"},
        {"title", "stages", "personas", "content_type", "audience", "body"},
    ),
    "create asset, after reading": (
        "marketer", "POST", "/assets", {"title": "Guide"}, {"stages", "body"},
    ),
    "revise asset": (
        "marketer", "PATCH", "/assets/{asset}",
        {"base_revision": 1, "title": " ", "stages": ["nope"], "tags": ["nope"], "note": LONG},
        {"title", "stages", "tags", "note"},
    ),
    "create deal": (
        "rep", "POST", "/deals",
        {"name": " ", "account": " ", "stage": "nope", "amount": "lots", "status": "maybe"},
        {"name", "account", "stage", "amount", "status"},
    ),
    "change deal": (
        "rep", "PATCH", "/deals/{deal}",
        {"name": " ", "account": " ", "stage": "nope", "close_date": "soon"},
        {"name", "account", "stage", "close_date"},
    ),
    "sync deal": (
        "rep", "PUT", "/deals/external/crm-1",
        {"name": " ", "account": " ", "stage": "nope"},
        {"name", "account", "stage"},
    ),
    "make room": (
        "rep", "POST", "/rooms",
        {"deal_id": "{deal}", "title": " ", "note": LONG, "expires_in_days": 0},
        {"title", "note", "expires_in_days"},
    ),
    "rate": ("rep", "POST", "/assets/{asset}/ratings", {"stars": 9, "comment": LONG},
             {"stars", "comment"}),
    "record usage": (
        "rep", "POST", "/assets/{asset}/usage", {"kind": "nope", "deal_id": 0, "note": LONG},
        {"kind", "deal_id", "note"},
    ),
    "share": (
        "rep", "POST", "/assets/{asset}/share-links",
        {"deal_id": "x", "expires_in_days": 0, "recipient": LONG},
        {"deal_id", "expires_in_days", "recipient"},
    ),
    "send feedback": (
        "rep", "POST", "/feedback",
        {"kind": "nope", "text": " ", "stage": "nope", "deal_id": "x"},
        {"kind", "text", "stage", "deal_id"},
    ),
    "send feedback, after reading": (
        "rep", "POST", "/feedback",
        {"kind": "question", "text": "Price?", "asset_id": 999999, "deal_id": 999999},
        {"asset", "deal"},
    ),
    "invite": (
        "marketer", "POST", "/assets/{asset}/collaborators",
        {"email": LONG, "role": "boss"},
        {"email", "role"},
    ),
    "create post": (
        "marketer", "POST", "/posts",
        {"title": " ", "body": " ", "rep": "rep@example.com", "channel": "fax", "due_on": "x"},
        {"title", "body", "channel", "due_on"},
    ),
    "create post, after reading": (
        "marketer", "POST", "/posts",
        {"title": "T", "body": "B", "rep": "nobody@example.com", "due_on": PAST},
        {"rep", "due_on"},
    ),
    "revise post": (
        "marketer", "PATCH", "/posts/{post}",
        {"base_revision": 1, "title": " ", "body": " ", "channel": "fax"},
        {"title", "body", "channel"},
    ),
    "request content": (
        "rep", "POST", "/requests",
        {"need": " ", "stage": "nope", "persona": "nope", "due_on": "x"},
        {"need", "stage", "persona", "due_on"},
    ),
    "create campaign": (
        "marketer", "POST", "/campaigns",
        {"name": " ", "starts_on": "2027-03-10", "ends_on": "2027-03-01", "assets": [999999]},
        {"name", "ends_on", "asset_ids"},
    ),
    "add action item": (
        "leader", "POST", "/meetings/{meeting}/action-items",
        {"title": " ", "owner": "nobody@example.com", "due_on": PAST, "link_kind": "asset"},
        {"title", "owner", "due_on", "link_kind", "link_id"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_every_bad_field_is_named_in_one_422(client, users, world, case):
    role, method, path, body, bad = CASES[case]
    if body.get("deal_id") == "{deal}":
        body = {**body, "deal_id": world["deal"]}

    response = client.open(
        "/api/v1" + path.format(**world),
        method=method,
        json=body,
        headers=token_headers(users[role]),
    )

    assert response.status_code == 422, response.json
    assert set(response.json["error"]["fields"]) == bad
    if len(bad) > 1:  # the message sums up; each field has its own sentence
        assert all(response.json["error"]["fields"].values())


def test_a_choice_names_the_values_a_client_writes(client, users, world):
    response = client.post(
        f"/api/v1/assets/{world['asset']}/collaborators",
        json={"email": "rep@example.com", "role": "boss"},
        headers=token_headers(users["marketer"]),
    )

    assert response.json["error"]["fields"] == {"role": "Must be one of 'author' or 'reviewer'."}
