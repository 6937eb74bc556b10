"""JSON API for ghost-written posts: the queue, drafting, revising and transitions."""

from flask import Blueprint, current_app, jsonify, request, url_for

import workflows.posts.openapi  # noqa: F401 - documents these routes
from portal.kernel.api import (
    api_user,
    iso,
    json_body,
    json_text,
    page_body,
    parse_date,
    refuse_unknown_fields,
    token_required,
)
from portal.kernel.errors import ValidationFailed
from portal.kernel.ids import json_id, json_ids
from portal.kernel.models import User
from portal.kernel.pagination import page_args
from portal.kernel.permissions import can
from workflows.posts import machine as post_machine
from workflows.posts import queue as post_queue
from workflows.posts import services as posts
from workflows.posts import text as post_text
from workflows.posts.models import GhostPost

bp = Blueprint("posts_api", __name__, url_prefix="/api/v1")

_CREATE_FIELDS = {"title", "body", "channel", "rep", "topic", "due_on", "asset_ids"}
_DETAIL_FIELDS = {"channel", "topic", "due_on", "asset_ids"}
_PATCH_FIELDS = {"base_revision", "title", "body"} | _DETAIL_FIELDS
_TRANSITION_FIELDS = {"action", "comment", "url", "acknowledge_similar"}


def _person(user: User) -> dict:
    return {"id": user.id, "name": user.name, "email": user.email}


def serialize_post(post: GhostPost, user: User) -> dict:
    """A post as the API shows it; linked assets only when ``user`` may see them."""
    return {
        "id": post.id,
        "title": post.title,
        "body": post.body,
        "channel": post.channel,
        "topic": post.topic,
        "status": post.status,
        "rep": _person(post.rep),
        "ghostwriter": _person(post.ghostwriter),
        "due_on": iso(post.due_on),
        "overdue": post.overdue,
        "latest_revision": post.latest_revision.number,
        "characters": post_text.character_count(post.body),
        "character_limit": post_text.character_limit(post.channel),
        "asset_ids": [asset.id for asset in post.assets if can(user, "view", asset)],
        "published_url": post.published_url or None,
        "decline_reason": post.decline_reason or None,
        "rounds": post.rounds,
        "rep_edit_share": round(post.rep_edit_share, 4),
        "seconds_with_rep": post.seconds_with_rep,
        "first_sent_at": iso(post.first_sent_at),
        "approved_at": iso(post.approved_at),
        "published_at": iso(post.published_at),
        "allowed_actions": post_machine.allowed_actions(post, user),
        "url": url_for("posts.show", post_id=post.id, _external=True),
        "created_at": iso(post.created_at),
        "updated_at": iso(post.updated_at),
    }


def _asset_ids(data: dict) -> list[int]:
    message = f"Must be a list of at most {posts.ASSETS_MAX} asset ids."
    return json_ids(data, "asset_ids", max_items=posts.ASSETS_MAX, message=message)


@bp.get("/posts")
@token_required
def list_posts():
    user = api_user()
    filters = post_queue.parse_filters(request.args, user)
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    listed = post_queue.post_list(user, filters, page, per_page)
    return jsonify(page_body(listed, lambda post: serialize_post(post, user)))


@bp.post("/posts")
@token_required
def create_post():
    user = api_user()
    data = json_body()
    refuse_unknown_fields(data, _CREATE_FIELDS)
    post = posts.create_post(
        user,
        posts.PostInput(
            title=json_text(data, "title"),
            body=json_text(data, "body"),
            channel=json_text(data, "channel", "linkedin"),
            rep=json_text(data, "rep"),
            topic=json_text(data, "topic"),
            due_on=parse_date(data.get("due_on"), "due_on"),
            asset_ids=_asset_ids(data),
        ),
    )
    response = jsonify(serialize_post(post, user))
    response.headers["Location"] = url_for("posts_api.get_post", post_id=post.id)
    return response, 201


@bp.get("/posts/<id:post_id>")
@token_required
def get_post(post_id: int):
    user = api_user()
    return jsonify(serialize_post(posts.get_visible_post(user, post_id), user))


def _base_revision_id(post: GhostPost, data: dict) -> int:
    message = "Give base_revision: the number of the revision you edited."
    number = json_id(data, "base_revision", required=True, message=message)
    return posts.get_revision(post, number).id if number <= post.latest_revision.number else 0


@bp.patch("/posts/<id:post_id>")
@token_required
def revise_post(post_id: int):
    """A new revision on top of ``base_revision``; detail fields are the ghost-writer's."""
    user = api_user()
    post = posts.get_visible_post(user, post_id)
    data = json_body()
    refuse_unknown_fields(data, _PATCH_FIELDS)
    base = _base_revision_id(post, data)
    details = None
    if _DETAIL_FIELDS & set(data):
        details = posts.PostInput(
            title="",
            body="",
            channel=json_text(data, "channel", post.channel),
            topic=json_text(data, "topic", post.topic),
            due_on=parse_date(data["due_on"], "due_on") if "due_on" in data else post.due_on,
            asset_ids=_asset_ids(data)
            if "asset_ids" in data
            else [asset.id for asset in post.assets],
        )
    posts.revise_post(
        post,
        user,
        base,
        json_text(data, "title", post.title),
        json_text(data, "body", post.body),
        details,
    )
    return jsonify(serialize_post(post, user))


@bp.post("/posts/<id:post_id>/transitions")
@token_required
def transition(post_id: int):
    user = api_user()
    post = posts.get_visible_post(user, post_id)
    data = json_body()
    refuse_unknown_fields(data, _TRANSITION_FIELDS)
    action = data.get("action")
    if not isinstance(action, str) or not action:
        raise ValidationFailed("Name the action.", {"action": "Required."})
    acknowledge = data.get("acknowledge_similar", False)
    if not isinstance(acknowledge, bool):
        raise ValidationFailed("Wrong type.", {"acknowledge_similar": "Must be true or false."})
    event = post_machine.transition(
        post,
        user,
        action,
        comment=json_text(data, "comment"),
        url=json_text(data, "url"),
        acknowledge_similar=acknowledge,
    )
    body = serialize_post(post, user)
    body["event"] = {
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "comment": event.comment,
        "at": iso(event.created_at),
    }
    return jsonify(body)
