"""JSON API for ratings, usage and share links of an asset."""

from flask import Blueprint, current_app, jsonify, request, url_for

import content.usage.openapi  # noqa: F401 - registers these endpoints in the OpenAPI document
from content.deals import services as deals
from content.deals.models import Deal
from content.library.services import get_visible_asset
from content.usage import events as usage
from content.usage import ratings, share_links
from content.usage.models import USAGE_KINDS, Rating, UsageEvent
from content.usage.ratings import RatingSummary
from portal.kernel.api import (
    api_user,
    iso,
    json_body,
    json_text,
    page_body,
    refuse_unknown_fields,
    token_required,
)
from portal.kernel.errors import ValidationFailed
from portal.kernel.ids import json_id, json_int
from portal.kernel.pagination import page_args
from portal.kernel.permissions import can

bp = Blueprint("usage_api", __name__)

AUTOMATIC = "Views, downloads, shares and buyer views are recorded automatically."


def _summary(summary: RatingSummary) -> dict:
    average = round(summary.average, 2) if summary.average is not None else None
    return {"average": average, "count": summary.count}


def _rating(rating: Rating | None) -> dict | None:
    if rating is None:
        return None
    return {
        "stars": rating.stars,
        "comment": rating.comment,
        "created_at": iso(rating.created_at),
        "updated_at": iso(rating.updated_at),
    }


def _comment(rating: Rating) -> dict:
    return {
        **_rating(rating),
        "by": {"id": rating.user.id, "name": rating.user.name},
    }


@bp.post("/assets/<id:asset_id>/ratings")
@token_required
def rate(asset_id: int):
    user = api_user()
    asset = get_visible_asset(user, asset_id)
    data = json_body()
    refuse_unknown_fields(data, {"stars", "comment"})
    rating = ratings.rate(asset, user, data.get("stars"), json_text(data, "comment"))
    return jsonify({"rating": _rating(rating), "summary": _summary(ratings.summary(asset))})


@bp.get("/assets/<id:asset_id>/ratings")
@token_required
def list_ratings(asset_id: int):
    """The summary and your rating; the comments too for those who may read them."""
    user = api_user()
    asset = get_visible_asset(user, asset_id)
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    summary = ratings.summary(asset)
    body = {
        "summary": {
            **_summary(summary),
            "stars": {str(n): c for n, c in ratings.star_counts(asset).items()},
        },
        "your_rating": _rating(ratings.your_rating(asset, user)),
        "comments": None,
    }
    if can(user, "view_rating_comments", asset):
        body["comments"] = page_body(ratings.comments(asset, user, page, per_page), _comment)
    return jsonify(body)


def _deal(data: dict, required: bool) -> Deal | None:
    """The deal named by ``deal_id``: a 422 when it is missing or not an id, a 404 when
    this user may not see it."""
    message = "Give the id of one of your deals." if required else "Must be a deal id."
    deal_id = json_id(data, "deal_id", required=required, message=message)
    return None if deal_id is None else deals.get_visible_deal(api_user(), deal_id)


def _event(event: UsageEvent) -> dict:
    return {
        "id": event.id,
        "asset_id": event.asset_id,
        "kind": event.kind,
        "evidence": event.evidence,
        "deal_id": event.deal_id,
        "note": event.note,
        "created_at": iso(event.created_at),
    }


@bp.post("/assets/<id:asset_id>/usage")
@token_required
def record_usage(asset_id: int):
    """A rep records that the asset was used in one of their deals (self-reported)."""
    user = api_user()
    asset = get_visible_asset(user, asset_id)
    data = json_body()
    refuse_unknown_fields(data, {"kind", "deal_id", "note"})
    kind = data.get("kind")
    if kind in USAGE_KINDS and kind != "used_in_deal":
        message = f"{AUTOMATIC} Record only used_in_deal."
        raise ValidationFailed(message, {"kind": message})
    if kind != "used_in_deal":
        message = "The kind is used_in_deal."
        raise ValidationFailed(message, {"kind": message})
    deal = _deal(data, required=True)
    event, created = usage.attach_to_deal(asset, user, deal, json_text(data, "note"))
    return jsonify({**_event(event), "created": created}), 201 if created else 200


def _link(stats: share_links.LinkStats) -> dict:
    link = stats.link
    revision = share_links.shown_revision(link)
    return {
        "id": link.id,
        "asset": {"id": link.asset_id, "title": revision.title},
        "recipient": link.recipient,
        "deal": {"id": link.deal.id, "name": link.deal.name} if link.deal else None,
        "state": link.state,
        "created_at": iso(link.created_at),
        "expires_at": iso(link.expires_at),
        "revoked_at": iso(link.revoked_at),
        "opens": stats.opens,
        "visitors": stats.visitors,
        "first_opened_at": iso(stats.first_opened_at),
        "last_opened_at": iso(stats.last_opened_at),
    }


@bp.post("/assets/<id:asset_id>/share-links")
@token_required
def create_link(asset_id: int):
    """A link for a buyer; the response is the only place its address is ever shown."""
    user = api_user()
    asset = get_visible_asset(user, asset_id)
    data = json_body()
    refuse_unknown_fields(data, {"deal_id", "expires_in_days", "recipient"})
    days = json_int(
        data, "expires_in_days", high=share_links.MAX_DAYS, message=share_links.DAYS_INVALID
    )
    link, token = share_links.create_link(
        asset, user, _deal(data, required=False), days, json_text(data, "recipient")
    )
    url = url_for("share.public", token=token, _external=True)
    body = {**_link(share_links.link_stats(link)), "url": url}
    response = jsonify(body)
    response.headers["Cache-Control"] = "private, no-store"
    return response, 201


@bp.get("/share-links")
@token_required
def list_links():
    """The links you made, newest first, with their opens."""
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    return jsonify(page_body(share_links.links_by(api_user(), page, per_page), _link))


@bp.post("/share-links/<id:link_id>/revoke")
@token_required
def revoke_link(link_id: int):
    user = api_user()
    link = share_links.get_link(user, link_id)
    revoked = share_links.revoke(link, user)
    return jsonify({**_link(share_links.link_stats(link)), "revoked_now": revoked})
