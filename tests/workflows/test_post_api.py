"""The JSON API of ghost-written posts: the queue, drafting, revising and transitions,
with the same rules and privacy as the pages."""

import pytest
from sqlalchemy import func, select

from portal.kernel.extensions import db
from portal.kernel.openapi import openapi_document
from tests.factories import token_headers
from tests.portal.helpers import schema_problems
from tests.workflows.post_factories import BODY, TITLE, draft, walk
from workflows.audit.models import WorkflowEvent
from workflows.posts.models import GhostPost


@pytest.fixture
def api(app, people):
    """``api(name)``: (client, headers) for a bearer token of one of ``people``."""
    client = app.test_client()

    def as_person(name: str):
        return client, token_headers(people[name])

    return as_person


def post_schema() -> dict:
    return openapi_document()["components"]["schemas"]["Post"]


def new_post(**changes) -> dict:
    return {"title": TITLE, "body": BODY, "rep": "rep@example.com", **changes}


def events(post_id: int) -> int:
    return db.session.scalar(
        select(func.count(WorkflowEvent.id)).where(
            WorkflowEvent.subject_type == "post", WorkflowEvent.subject_id == post_id
        )
    )


def test_a_token_is_required(client):
    assert client.get("/api/v1/posts").status_code == 401
    assert client.post("/api/v1/posts", json=new_post()).status_code == 401


def test_a_writer_drafts_a_post_through_the_api(api, people):
    client, headers = api("writer")

    response = client.post(
        "/api/v1/posts",
        headers=headers,
        json=new_post(channel="blog", topic="Pipeline", due_on="2099-01-01"),
    )

    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"].endswith(f"/api/v1/posts/{body['id']}")
    assert schema_problems(body, post_schema()) == []
    assert (body["status"], body["channel"], body["topic"]) == ("draft", "blog", "Pipeline")
    assert body["due_on"] == "2099-01-01"
    assert body["rep"]["email"] == "rep@example.com"
    assert body["ghostwriter"]["id"] == people["writer"].id
    assert (body["latest_revision"], body["allowed_actions"]) == (1, ["send_to_rep"])
    assert body["character_limit"] is None


def test_reps_do_not_draft_posts(api):
    client, headers = api("rep")

    assert client.post("/api/v1/posts", headers=headers, json=new_post()).status_code == 403
    assert db.session.scalar(select(func.count(GhostPost.id))) == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (new_post(title=""), "title"),
        (new_post(rep="nobody@example.com"), "rep"),
        (new_post(channel="tiktok"), "channel"),
        (new_post(due_on="tomorrow"), "due_on"),
        (new_post(asset_ids=["1"]), "asset_ids"),
        (new_post(asset_ids=[999]), "asset_ids"),
        (new_post(body=7), "body"),
        (new_post(colour="red"), "colour"),
    ],
)
def test_bad_drafts_are_422_naming_the_field(api, payload, field):
    client, headers = api("writer")

    response = client.post("/api/v1/posts", headers=headers, json=payload)

    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count(GhostPost.id))) == 0


def test_the_list_shows_only_the_posts_each_person_may_see(api, people):
    mine = walk(draft(people["writer"], people["rep"]), "with_rep")
    theirs = draft(people["other_marketer"], people["other_rep"])

    def listed(name: str, query: str = "?status=all") -> set[int]:
        client, headers = api(name)
        body = client.get(f"/api/v1/posts{query}", headers=headers).json
        assert set(body) == {"items", "page", "per_page", "total"}
        return {item["id"] for item in body["items"]}

    assert listed("rep") == {mine.id}
    assert listed("rep", "") == {mine.id}, "a rep's default list is what waits for them"
    assert listed("writer") == {mine.id}
    assert len(listed("marketing_leader")) == 2
    assert listed("other_rep") == {theirs.id}
    assert listed("sales_leader") == set()
    assert listed("rep", "?q=pipelines") == {mine.id}
    client, headers = api("rep")
    assert client.get("/api/v1/posts?status=lost", headers=headers).status_code == 422


@pytest.mark.parametrize("who", ["other_rep", "sales_leader", "other_marketer"])
def test_outsiders_get_404_on_every_post_endpoint(api, people, who):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    client, headers = api(who)
    url = f"/api/v1/posts/{post.id}"

    responses = [
        client.get(url, headers=headers),
        client.patch(url, headers=headers, json={"base_revision": 1, "body": "Mine now"}),
        client.post(f"{url}/transitions", headers=headers, json={"action": "approve"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert responses[0].json["error"]["code"] == "not_found"
    db.session.expire_all()
    assert (post.status, post.latest_revision.number) == ("with_rep", 1)


OUT_OF_RANGE_IDS = ["0", "2147483648", "99999999999999", "-1"]


@pytest.mark.parametrize("post_id", OUT_OF_RANGE_IDS)
def test_out_of_range_ids_are_404(api, post_id):
    client, headers = api("admin")
    url = f"/api/v1/posts/{post_id}"

    responses = [
        client.get(url, headers=headers),
        client.post(f"{url}/transitions", headers=headers, json={"action": "approve"}),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    assert responses[0].json["error"]["code"] == "not_found"


@pytest.mark.parametrize("post_id", OUT_OF_RANGE_IDS)
def test_patching_an_out_of_range_id_is_404(api, post_id):
    client, headers = api("admin")

    response = client.patch(
        f"/api/v1/posts/{post_id}", headers=headers, json={"base_revision": 1, "body": "x"}
    )

    assert response.status_code == 404, (
        f"PATCH /api/v1/posts/{post_id} is {response.status_code} (Allow: "
        f"{response.headers.get('Allow')}): portal.IdConverter refuses the id in to_python, "
        "and Werkzeug then counts the GET rule whose pattern matched as a method mismatch"
    )


@pytest.mark.parametrize("who", ["rep", "writer", "marketing_leader", "admin"])
def test_the_people_of_a_post_read_it(api, people, who):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    client, headers = api(who)

    response = client.get(f"/api/v1/posts/{post.id}", headers=headers)

    assert response.status_code == 200
    assert schema_problems(response.json, post_schema()) == []
    assert response.json["id"] == post.id
    rep_actions = ["approve", "request_changes", "decline"]
    assert response.json["allowed_actions"] == (rep_actions if who == "rep" else [])


def test_the_rep_revises_on_the_latest_revision_and_a_stale_save_is_409(api, people):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    client, headers = api("rep")
    url = f"/api/v1/posts/{post.id}"

    saved = client.patch(url, headers=headers, json={"base_revision": 1, "body": "My words."})
    stale = client.patch(url, headers=headers, json={"base_revision": 1, "body": "Older words."})
    ahead = client.patch(url, headers=headers, json={"base_revision": 3, "body": "Future."})
    missing = client.patch(url, headers=headers, json={"body": "No base."})
    as_text = client.patch(url, headers=headers, json={"base_revision": "2", "body": "Text."})
    unknown = client.patch(url, headers=headers, json={"base_revision": 2, "colour": "red"})

    assert saved.status_code == 200
    assert (saved.json["latest_revision"], saved.json["body"]) == (2, "My words.")
    assert schema_problems(saved.json, post_schema()) == []
    assert stale.status_code == 409
    assert "base_revision" in stale.json["error"]["fields"]
    assert ahead.status_code == 409
    assert [r.status_code for r in (missing, as_text, unknown)] == [422, 422, 422]
    assert "base_revision" in missing.json["error"]["fields"]
    assert "colour" in unknown.json["error"]["fields"]
    db.session.expire_all()
    assert (post.body, post.latest_revision.number) == ("My words.", 2)
    assert post.latest_revision.author_id == people["rep"].id


@pytest.mark.parametrize(
    "change", [{"channel": "blog"}, {"topic": "Mine"}, {"due_on": "2099-01-01"}]
)
def test_only_the_ghostwriter_changes_a_posts_details(api, people, change):
    post = walk(draft(people["writer"], people["rep"], topic="Pipeline"), "with_rep")
    client, headers = api("rep")

    response = client.patch(
        f"/api/v1/posts/{post.id}", headers=headers, json={"base_revision": 1, **change}
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert (post.channel, post.topic, post.due_on) == ("linkedin", "Pipeline", None)
    assert post.latest_revision.number == 1


def test_the_writer_changes_details_without_a_new_revision(api, people):
    post = draft(people["writer"], people["rep"])
    client, headers = api("writer")

    response = client.patch(
        f"/api/v1/posts/{post.id}",
        headers=headers,
        json={"base_revision": 1, "topic": "Forecasts", "due_on": None},
    )

    assert response.status_code == 200
    assert (response.json["topic"], response.json["latest_revision"]) == ("Forecasts", 1)


def test_transitions_move_the_post_and_say_what_is_allowed_next(api, people):
    post = draft(people["writer"], people["rep"])
    writer, writer_headers = api("writer")
    url = f"/api/v1/posts/{post.id}/transitions"

    sent = writer.post(url, headers=writer_headers, json={"action": "send_to_rep"})
    rep, rep_headers = api("rep")
    approved = rep.post(url, headers=rep_headers, json={"action": "approve"})
    published = rep.post(
        url,
        headers=rep_headers,
        json={"action": "mark_published", "url": "https://www.linkedin.com/posts/x_1"},
    )

    assert sent.status_code == 200
    assert schema_problems(sent.json, {"$ref": "#/components/schemas/MovedPost"}) == []
    assert sent.json["event"] == {**sent.json["event"], "from": "draft", "to": "with_rep"}
    assert sent.json["allowed_actions"] == []
    assert approved.json["allowed_actions"] == ["mark_published"]
    assert published.json["status"] == "published"
    assert published.json["published_url"] == "https://www.linkedin.com/posts/x_1"
    assert schema_problems(published.json, post_schema()) == []
    assert events(post.id) == 3


def test_a_step_not_allowed_now_is_409_naming_the_allowed_ones(api, people):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    client, headers = api("rep")

    response = client.post(
        f"/api/v1/posts/{post.id}/transitions", headers=headers, json={"action": "mark_published"}
    )

    assert response.status_code == 409
    assert response.json["error"]["allowed_actions"] == ["approve", "request_changes", "decline"]
    db.session.expire_all()
    assert (post.status, post.published_url, events(post.id)) == ("with_rep", "", 1)


def test_an_over_long_linkedin_post_is_not_sent(api, people):
    post = draft(people["writer"], people["rep"], body="x" * 3001)
    client, headers = api("writer")

    response = client.post(
        f"/api/v1/posts/{post.id}/transitions", headers=headers, json={"action": "send_to_rep"}
    )

    assert response.status_code == 422
    assert "3,001 characters" in response.json["error"]["fields"]["body"]
    db.session.expire_all()
    assert (post.status, events(post.id)) == ("draft", 0)


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"action": "request_changes"}, 422, "comment"),
        ({"action": "decline", "comment": ""}, 422, "comment"),
        ({"action": ""}, 422, "action"),
        ({"action": "approve", "acknowledge_similar": "yes"}, 422, "acknowledge_similar"),
        ({"action": "approve", "comment": 5}, 422, "comment"),
        ({"action": "approve", "mood": "happy"}, 422, "mood"),
    ],
)
def test_bad_transition_requests_change_nothing(api, people, payload, status, field):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    client, headers = api("rep")

    response = client.post(f"/api/v1/posts/{post.id}/transitions", headers=headers, json=payload)

    assert response.status_code == status
    assert field in response.json["error"]["fields"]
    db.session.expire_all()
    assert post.status == "with_rep"
    assert events(post.id) == 1


def test_an_invalid_published_url_is_422(api, people):
    post = walk(draft(people["writer"], people["rep"]), "approved")
    client, headers = api("rep")

    response = client.post(
        f"/api/v1/posts/{post.id}/transitions",
        headers=headers,
        json={"action": "mark_published", "url": "javascript:alert(1)"},
    )

    assert response.status_code == 422
    assert "url" in response.json["error"]["fields"]
    db.session.expire_all()
    assert post.status == "approved"


def test_a_nearly_identical_post_needs_acknowledge_similar(api, people):
    draft(people["writer"], people["other_rep"])
    post = draft(people["writer"], people["rep"])
    client, headers = api("writer")
    url = f"/api/v1/posts/{post.id}/transitions"

    refused = client.post(url, headers=headers, json={"action": "send_to_rep"})
    sent = client.post(
        url, headers=headers, json={"action": "send_to_rep", "acknowledge_similar": True}
    )

    assert refused.status_code == 409
    assert "acknowledge_similar" in refused.json["error"]["fields"]
    assert sent.status_code == 200
    assert sent.json["status"] == "with_rep"
