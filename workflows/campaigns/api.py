"""JSON API for campaign briefs: list and read the ones you may see, write and publish
them (marketers), acknowledge them (reps)."""

from flask import Blueprint, current_app, jsonify, request, url_for

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
from portal.kernel.ids import json_ids
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
from workflows.campaigns import services as campaigns

bp = Blueprint("campaigns_api", __name__, url_prefix="/api/v1")

_FIELDS = {"name", "starts_on", "ends_on", "audience", "key_messages", "talking_points", "assets"}


def serialize_campaign(campaign, user: User, read_at=None) -> dict:
    """A campaign as the API shows it: only the linked assets ``user`` may see, and when
    ``user`` acknowledged it."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "status": campaign.status,
        "timing": campaigns.timing(campaign),
        "starts_on": iso(campaign.starts_on),
        "ends_on": iso(campaign.ends_on),
        "audience": campaign.audience,
        "key_messages": campaign.key_messages,
        "talking_points": campaign.talking_points,
        "owner": {"id": campaign.owner.id, "name": campaign.owner.name},
        "assets": [
            {
                "id": asset.id,
                "title": campaigns.asset_title(asset),
                "live": asset.is_live,
                "url": url_for("content.show", asset_id=asset.id),
            }
            for asset in campaigns.shown_assets(campaign, user)
        ],
        "read_at": iso(read_at),
        "url": url_for("campaigns.show", campaign_id=campaign.id),
        "published_at": iso(campaign.published_at),
        "created_at": iso(campaign.created_at),
        "updated_at": iso(campaign.updated_at),
    }


def _asset_ids(data: dict) -> list[int]:
    message = f"Must be a list of at most {campaigns.ASSETS_MAX} asset ids."
    return json_ids(data, "assets", max_items=campaigns.ASSETS_MAX, message=message)


@bp.get("/campaigns")
@token_required
def list_campaigns():
    user = api_user()
    view = campaigns.parse_view(request.args.get("show"), user)
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    listed = campaigns.campaign_list(user, view, page, per_page)
    return jsonify(
        page_body(listed, lambda row: serialize_campaign(row.campaign, user, row.read_at))
    )


@bp.post("/campaigns")
@token_required
def create_campaign():
    user = api_user()
    data = json_body()
    refuse_unknown_fields(data, _FIELDS)
    campaign = campaigns.create_campaign(
        user,
        campaigns.CampaignInput(
            name=json_text(data, "name"),
            starts_on=parse_date(data.get("starts_on"), "starts_on"),
            ends_on=parse_date(data.get("ends_on"), "ends_on"),
            audience=json_text(data, "audience"),
            key_messages=json_text(data, "key_messages"),
            talking_points=json_text(data, "talking_points"),
            asset_ids=_asset_ids(data),
        ),
    )
    response = jsonify(serialize_campaign(campaign, user))
    response.headers["Location"] = url_for("campaigns_api.get_campaign", campaign_id=campaign.id)
    return response, 201


@bp.get("/campaigns/<id:campaign_id>")
@token_required
def get_campaign(campaign_id: int):
    user = api_user()
    campaign = campaigns.get_visible_campaign(user, campaign_id)
    read = campaigns.read_by(campaign, user)
    return jsonify(serialize_campaign(campaign, user, read.read_at if read else None))


@bp.post("/campaigns/<id:campaign_id>/publish")
@token_required
def publish_campaign(campaign_id: int):
    user = api_user()
    campaign = campaigns.get_visible_campaign(user, campaign_id)
    campaigns.publish(campaign, user)
    return jsonify(serialize_campaign(campaign, user))


@bp.put("/campaigns/<id:campaign_id>/read")
@token_required
def acknowledge_campaign(campaign_id: int):
    """Idempotent: 201 the first time, 200 with the first read time afterwards."""
    user = api_user()
    campaign = campaigns.get_visible_campaign(user, campaign_id)
    read, created = campaigns.acknowledge(campaign, user)
    return jsonify(serialize_campaign(campaign, user, read.read_at)), 201 if created else 200


# ---- OpenAPI -------------------------------------------------------------------------------

_DATE = {"type": "string", "format": "date"}
_TIME = {"type": ["string", "null"], "format": "date-time"}
SCHEMAS = {
    "Campaign": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "status": {"type": "string", "enum": ["draft", "published"]},
            "timing": {"type": "string", "enum": ["current", "upcoming", "past"]},
            "starts_on": _DATE,
            "ends_on": _DATE,
            "audience": {"type": "string"},
            "key_messages": {"type": "string", "description": "Markdown"},
            "talking_points": {"type": "string", "description": "Markdown"},
            "owner": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "assets": {
                "type": "array",
                "description": "Linked assets you may see; reps see only live ones",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "live": {"type": "boolean"},
                        "url": {"type": "string"},
                    },
                },
            },
            "read_at": {**_TIME, "description": "When you acknowledged the brief"},
            "url": {"type": "string"},
            "published_at": _TIME,
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "CampaignList": page_of("Campaign"),
    "CampaignInput": {
        "type": "object",
        "required": ["name", "starts_on", "ends_on"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "maxLength": campaigns.NAME_MAX},
            "starts_on": _DATE,
            "ends_on": _DATE,
            "audience": {"type": "string", "maxLength": campaigns.AUDIENCE_MAX},
            "key_messages": {"type": "string", "maxLength": campaigns.TEXT_MAX},
            "talking_points": {"type": "string", "maxLength": campaigns.TEXT_MAX},
            "assets": {
                "type": "array",
                "items": {"type": "integer"},
                "maxItems": campaigns.ASSETS_MAX,
                "description": "Ids of live assets",
            },
        },
    },
}
_ONE = id_param("campaign_id")
PATHS = {
    "/api/v1/campaigns": {
        "get": {
            "summary": "Campaign briefs you may see (drafts for marketers only)",
            "parameters": [
                query_param("show", "Which campaigns", {"enum": list(campaigns.LIST_VIEWS)}),
                *PAGING,
            ],
            "responses": {
                "200": json_response(ref("CampaignList"), "A page of campaigns"),
                **error_responses(401, 422),
            },
        },
        "post": {
            "summary": "Write a draft campaign brief (marketers and admins)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("CampaignInput")}},
            },
            "responses": {
                "201": json_response(ref("Campaign"), "The draft"),
                **error_responses(400, 401, 403, 422),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}": {
        "parameters": [_ONE],
        "get": {
            "summary": "Read one campaign brief",
            "responses": {
                "200": json_response(ref("Campaign"), "The campaign"),
                **error_responses(401, 404),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/publish": {
        "parameters": [_ONE],
        "post": {
            "summary": "Publish a draft and notify every active rep (its owner or an admin)",
            "responses": {
                "200": json_response(ref("Campaign"), "The published campaign"),
                **error_responses(401, 403, 404, 409),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/read": {
        "parameters": [_ONE],
        "put": {
            "summary": "Acknowledge having read the brief (reps; idempotent)",
            "responses": {
                "200": json_response(ref("Campaign"), "Already acknowledged"),
                "201": json_response(ref("Campaign"), "Acknowledged now"),
                **error_responses(401, 403, 404),
            },
        },
    },
}


register(PATHS, SCHEMAS)
