"""JSON API for field feedback: list what you may see, send feedback, read one item, and
triage it (marketers and admins), with the same rules and messages as the pages.

A triage (PATCH) names the ``version`` it was based on, as read from the item; a PATCH
based on an older version is a 409 that says what the item holds now.
"""

from flask import Blueprint, current_app, jsonify, request, url_for

from content.library.models import Stage
from content.taxonomy.services import terms_by_slugs
from portal.kernel.api import (
    api_user,
    iso,
    json_body,
    json_text,
    page_body,
    refuse_unknown_fields,
    token_required,
)
from portal.kernel.errors import PermissionDenied, ValidationFailed
from portal.kernel.ids import json_id
from portal.kernel.models import User
from portal.kernel.openapi import (
    PAGING,
    error_responses,
    id_param,
    json_response,
    page_of,
    query_param,
    ref,
    register,
)
from portal.kernel.pagination import page_args
from portal.kernel.permissions import can
from workflows.feedback import services as feedback
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES, FieldFeedback

bp = Blueprint("feedback_api", __name__, url_prefix="/api/v1")

_SEND_FIELDS = {"kind", "text", "stage", "asset_id", "deal_id", "campaign_id"}
_TRIAGE_FIELDS = {"status", "reply", "version"}


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "email": user.email}


def serialize_feedback(item: FieldFeedback, user: User) -> dict:
    """An item as the API shows it; linked objects only when ``user`` may open them."""
    asset, deal = item.asset, item.deal
    return {
        "id": item.id,
        "kind": item.kind,
        "text": item.text,
        "stage": item.stage.slug if item.stage else None,
        "asset_id": asset.id if asset is not None and can(user, "view", asset) else None,
        "deal_id": deal.id if deal is not None and can(user, "view", deal) else None,
        "campaign_id": item.campaign_id,
        "status": item.status,
        "reply": item.reply or None,
        "author": _person(item.author),
        "handled_by": _person(item.handled_by),
        "version": feedback.version(item),
        "url": url_for("feedback.show", feedback_id=item.id),
        "replied_at": iso(item.replied_at),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
    }


def _stage_id(data: dict) -> int | None:
    slug = data.get("stage")
    if slug in (None, ""):
        return None
    if not isinstance(slug, str):
        raise ValidationFailed("Wrong type.", {"stage": "Must be a slug."})
    return terms_by_slugs(Stage, [slug], "stage")[0].id


@bp.get("/feedback")
@token_required
def list_feedback():
    user = api_user()
    filters = feedback.parse_filters(request.args, user)
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    listed = feedback.feedback_list(user, filters, page, per_page)
    return jsonify(page_body(listed, lambda item: serialize_feedback(item, user)))


@bp.post("/feedback")
@token_required
def send_feedback():
    user = api_user()
    data = json_body()
    refuse_unknown_fields(data, _SEND_FIELDS)
    item = feedback.send_feedback(
        user,
        feedback.FeedbackInput(
            kind=json_text(data, "kind"),
            text=json_text(data, "text"),
            stage_id=_stage_id(data),
            asset_id=json_id(data, "asset_id"),
            deal_id=json_id(data, "deal_id"),
            campaign_id=json_id(data, "campaign_id"),
        ),
    )
    response = jsonify(serialize_feedback(item, user))
    response.headers["Location"] = url_for("feedback_api.get_feedback", feedback_id=item.id)
    return response, 201


@bp.get("/feedback/<id:feedback_id>")
@token_required
def get_feedback(feedback_id: int):
    user = api_user()
    return jsonify(serialize_feedback(feedback.get_visible_feedback(user, feedback_id), user))


@bp.patch("/feedback/<id:feedback_id>")
@token_required
def triage_feedback(feedback_id: int):
    user = api_user()
    item = feedback.get_visible_feedback(user, feedback_id)
    if not can(user, "triage", item):
        raise PermissionDenied("Marketers and admins triage feedback; leaders read it.")
    data = json_body()
    refuse_unknown_fields(data, _TRIAGE_FIELDS)
    status = json_text(data, "status", item.status)
    reply = json_text(data, "reply", item.reply)
    based_on = feedback.parse_version(json_text(data, "version"))
    feedback.triage(item, user, status, reply, based_on)
    return jsonify(serialize_feedback(item, user))


_PERSON = {
    "type": ["object", "null"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
    },
}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_ID = {"type": ["integer", "null"]}
SCHEMAS = {
    "Feedback": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(FEEDBACK_KINDS)},
            "text": {"type": "string"},
            "stage": {"type": ["string", "null"], "description": "Stage slug"},
            "asset_id": _ID,
            "deal_id": _ID,
            "campaign_id": _ID,
            "status": {"type": "string", "enum": list(FEEDBACK_STATUSES)},
            "reply": {"type": ["string", "null"]},
            "author": _PERSON,
            "handled_by": _PERSON,
            "version": {"type": "string", "description": "Send it back with a triage"},
            "url": {"type": "string"},
            "replied_at": _TIME,
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "FeedbackList": page_of("Feedback"),
}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


PATHS = {
    "/api/v1/feedback": {
        "get": {
            "summary": "Field feedback you may see (a rep's own; all for marketing and leaders)",
            "parameters": [
                query_param("status", "new, acknowledged, acted_on or all"),
                query_param("kind", "One of the kinds"),
                query_param("stage", "Stage slug"),
                query_param("q", "Words to find in the text or reply"),
                query_param("asset", "Asset id", {"type": "integer", "minimum": 1}),
                *PAGING,
            ],
            "responses": {
                "200": json_response(ref("FeedbackList"), "A page of feedback"),
                **error_responses(401, 422),
            },
        },
        "post": {
            "summary": "Send field feedback (reps and leaders)",
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["kind", "text"],
                    "additionalProperties": False,
                    "properties": {
                        "kind": {"type": "string", "enum": list(FEEDBACK_KINDS)},
                        "text": {"type": "string", "maxLength": feedback.TEXT_MAX},
                        "stage": {"type": ["string", "null"]},
                        "asset_id": _ID,
                        "deal_id": _ID,
                        "campaign_id": _ID,
                    },
                }
            ),
            "responses": {
                "201": json_response(ref("Feedback"), "The feedback sent"),
                **error_responses(400, 401, 403, 422),
            },
        },
    },
    "/api/v1/feedback/{feedback_id}": {
        "parameters": [id_param("feedback_id")],
        "get": {
            "summary": "Read one item of feedback",
            "responses": {
                "200": json_response(ref("Feedback"), "The feedback"),
                **error_responses(401, 404),
            },
        },
        "patch": {
            "summary": "Triage: set the status and the reply (marketers and admins)",
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["version"],
                    "additionalProperties": False,
                    "properties": {
                        "status": {"type": "string", "enum": list(FEEDBACK_STATUSES)},
                        "reply": {
                            "type": ["string", "null"],
                            "maxLength": feedback.REPLY_MAX,
                            "description": "null clears it, as an empty string does",
                        },
                        "version": {"type": "string"},
                    },
                }
            ),
            "responses": {
                "200": json_response(ref("Feedback"), "The feedback as saved"),
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        },
    },
}

register(PATHS, SCHEMAS)
