"""JSON API for assets: list, create, read and revise."""

from flask import Blueprint, current_app, jsonify, request, url_for

from content.library import browsing as library
from content.library import services as asset_service
from content.library.models import Asset, ContentType, Industry, Persona, Stage, Tag
from content.taxonomy.services import terms_by_slugs
from content.usage import ratings
from content.usage.ratings import RatingSummary
from portal.kernel.api import (
    api_user,
    iso,
    json_body,
    page_body,
    parse_date,
    refuse_unknown_fields,
    token_required,
)
from portal.kernel.errors import PermissionDenied, ValidationFailed
from portal.kernel.ids import json_id
from portal.kernel.models import User
from portal.kernel.pagination import page_args
from portal.kernel.permissions import can

bp = Blueprint("content_api", __name__, url_prefix="/api/v1")
BASE_REVISION_REQUIRED = "Required: the number of the revision you edited."

_FIELDS = {"title", "summary", "body", "content_type", "stages", "personas", "industries", "tags"}


def serialize_asset(asset: Asset, user: User, rating: RatingSummary | None = None) -> dict:
    """The asset as the API shows it to ``user`` (authors see the latest revision).
    ``rating`` saves a query when the caller has it already."""
    revision = asset_service.shown_revision(asset, user)
    rating = rating or ratings.summary(asset)
    stored = revision.file if revision else None
    return {
        "id": asset.id,
        "title": revision.title if revision else "",
        "summary": revision.summary if revision else "",
        "body": revision.body if revision else "",
        "status": asset.status if can(user, "view_latest", asset) else "published",
        "stages": [s.slug for s in asset.stages],
        "personas": [p.slug for p in asset.personas],
        "industries": [i.slug for i in asset.industries],
        "content_type": asset.content_type.slug if asset.content_type else None,
        "tags": [t.slug for t in asset.tags],
        "owner": {"id": asset.owner.id, "name": asset.owner.name, "email": asset.owner.email},
        "live_revision": asset.live_revision.number if asset.live_revision else None,
        "latest_revision": asset.latest_revision.number if asset.latest_revision else None,
        "file": {"name": stored.original_name, "size": stored.size, "kind": stored.kind}
        if stored
        else None,
        "review_by": asset.review_by.isoformat() if asset.review_by else None,
        "expires_on": asset.expires_on.isoformat() if asset.expires_on else None,
        "rating": {
            "average": round(rating.average, 2) if rating.average is not None else None,
            "count": rating.count,
        },
        "url": url_for("content.show", asset_id=asset.id, _external=True),
        "created_at": iso(asset.created_at),
        "updated_at": iso(asset.updated_at),
        "published_at": iso(asset.published_at),
    }


@bp.get("/assets")
@token_required
def list_assets():
    user = api_user()
    args = request.args.to_dict()
    # By default, everything the user may open (for readers: live assets and the drafts
    # they were invited to), as GET /assets/{id} would.
    args.setdefault("status", "all")
    args["status"] = {"published": "live"}.get(args["status"], args["status"])
    filters = library.parse_filters(args, user)
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    result = library.asset_list(user, filters, page, per_page)
    return jsonify(page_body(result, lambda card: serialize_asset(card.asset, user, card.rating)))


def _input_from_json(data: dict, current: Asset | None = None) -> asset_service.AssetInput:
    """Build input from JSON; on PATCH, omitted fields keep the asset's current values."""
    refuse_unknown_fields(data, _FIELDS | {"review_by", "expires_on", "note", "base_revision"})
    for name in ("title", "summary", "body", "note", "content_type"):
        if name in data and data[name] is not None and not isinstance(data[name], str):
            raise ValidationFailed("Wrong type.", {name: "Must be a string."})
    latest = current.latest_revision if current else None

    def terms(model, name):
        if name in data:
            return terms_by_slugs(model, data[name], name)
        return list(getattr(current, name)) if current else []

    content_type = current.content_type if current else None
    if "content_type" in data:
        found = terms_by_slugs(
            ContentType, [data["content_type"]] if data["content_type"] else [], "content_type"
        )
        content_type = found[0] if found else None
    return asset_service.AssetInput(
        title=data.get("title", latest.title if latest else ""),
        summary=data.get("summary", latest.summary if latest else "") or "",
        body=data.get("body", latest.body if latest else "") or "",
        content_type=content_type,
        stages=terms(Stage, "stages"),
        personas=terms(Persona, "personas"),
        industries=terms(Industry, "industries"),
        tags=terms(Tag, "tags"),
        review_by=parse_date(data["review_by"], "review_by")
        if "review_by" in data
        else (current.review_by if current else None),
        expires_on=parse_date(data["expires_on"], "expires_on")
        if "expires_on" in data
        else (current.expires_on if current else None),
        note=data.get("note", "") or "",
    )


@bp.post("/assets")
@token_required
def create_asset():
    user = api_user()
    if not can(user, "create_asset"):
        raise PermissionDenied("Only marketers create assets.")
    asset = asset_service.create_asset(user, _input_from_json(json_body()))
    response = jsonify(serialize_asset(asset, user))
    response.headers["Location"] = url_for("content_api.get_asset", asset_id=asset.id)
    return response, 201


@bp.get("/assets/<id:asset_id>")
@token_required
def get_asset(asset_id: int):
    user = api_user()
    return jsonify(serialize_asset(asset_service.get_visible_asset(user, asset_id), user))


@bp.patch("/assets/<id:asset_id>")
@token_required
def update_asset(asset_id: int):
    """A new revision. ``base_revision`` (a number) guards against overwriting others."""
    user = api_user()
    asset = asset_service.get_visible_asset(user, asset_id)
    if not can(user, "edit", asset):
        raise PermissionDenied("You cannot edit this asset.")
    data = json_body()
    base_number = json_id(data, "base_revision", required=True, message=BASE_REVISION_REQUIRED)
    base = next((r for r in asset.revisions if r.number == base_number), None)
    asset_service.revise_asset(
        asset, user, base.id if base else -1, _input_from_json(data, current=asset)
    )
    return jsonify(serialize_asset(asset, user))
