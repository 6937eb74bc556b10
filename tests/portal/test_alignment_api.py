"""The meetings' JSON API: the same rules and messages as the pages, in the documented
shapes."""

from datetime import timedelta

from sqlalchemy import func, select

from portal.alignment.models import ActionItem
from portal.kernel.extensions import db
from portal.kernel.reporting import local_today
from tests.factories import make_asset, make_meeting, token_headers
from tests.portal.helpers import assert_json_error, schema_problems


def test_people_of_a_meeting_record_and_close_action_items(client, users):
    meeting = make_meeting(users["leader"], [users["marketer"]])
    deck = make_asset(users["marketer"], "ROI deck")
    leader, marketer = token_headers(users["leader"]), token_headers(users["marketer"])
    due = (local_today() + timedelta(days=3)).isoformat()
    body = {"title": "Refresh the ROI deck", "owner": "Marketer@example.com", "due_on": due,
            "link_kind": "asset", "link_id": deck.id}  # fmt: skip

    made = client.post(f"/api/v1/meetings/{meeting.id}/action-items", json=body, headers=leader)
    listed = client.get(f"/api/v1/meetings/{meeting.id}/action-items", headers=marketer)
    closed = client.post(f"/api/v1/action-items/{made.json['id']}/close",
                         json={"note": "Live in the library"}, headers=marketer)  # fmt: skip
    shown = client.get(f"/api/v1/meetings/{meeting.id}", headers=marketer)

    assert made.status_code == 201
    assert made.headers["Location"].endswith(f"/api/v1/action-items/{made.json['id']}")
    assert schema_problems(made.json, {"$ref": "#/components/schemas/ActionItemOut"}) == []
    assert (made.json["owner"]["email"], made.json["link_kind"], made.json["link_id"]) == (
        "marketer@example.com", "asset", deck.id)  # fmt: skip
    assert made.json["meeting_on"] == meeting.starts_on.isoformat()
    assert [item["id"] for item in listed.json["items"]] == [made.json["id"]]
    assert schema_problems(listed.json, {"$ref": "#/components/schemas/ActionItemList"}) == []
    assert (closed.json["status"], closed.json["close_note"]) == ("done", "Live in the library")
    assert shown.json["schedule"].startswith("Weekly on ")
    assert [p["email"] for p in shown.json["attendees"]] == [
        "leader@example.com",
        "marketer@example.com",
    ]


def test_refusals_name_the_fields_and_change_nothing(client, users):
    meeting = make_meeting(users["leader"], [users["marketer"]])
    leader, rep = token_headers(users["leader"]), token_headers(users["rep"])
    path = f"/api/v1/meetings/{meeting.id}/action-items"
    due = (local_today() + timedelta(days=3)).isoformat()

    stranger = client.post(path, json={"title": "x", "owner": "rep@example.com", "due_on": due},
                           headers=leader)  # fmt: skip
    half = client.post(path, json={"title": "x", "owner": "marketer@example.com", "due_on": due,
                                   "link_kind": "term"}, headers=leader)  # fmt: skip
    hidden = client.get(f"/api/v1/meetings/{meeting.id}", headers=rep)

    assert assert_json_error(stranger, 422, "validation_failed")["fields"] == {
        "owner": "Choose an owner among the meeting's people."
    }
    assert set(assert_json_error(half, 422, "validation_failed")["fields"]) == {
        "link_kind",
        "link_id",
    }
    assert_json_error(hidden, 404, "not_found")
    assert client.get("/api/v1/meetings", headers=rep).json["total"] == 0
    assert db.session.scalar(select(func.count(ActionItem.id))) == 0
