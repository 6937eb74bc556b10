"""JSON API for assets: list, create, read and revise."""

from flask import Blueprint, request

from content.library import browsing as library
from content.library import services as asset_service
from content.library.models import Asset as AssetRow
from content.library.models import ContentType, Industry, Persona, Stage, Tag
from content.library.schemas import (
    SHOWN_LOADS,
    Asset,
    AssetFields,
    AssetInput,
    AssetList,
    AssetQuery,
    AssetRevisionInput,
)
from content.taxonomy.services import terms_by_slugs
from portal.kernel.api import require
from portal.kernel.models import User
from portal.kernel.schemas import Created, created, operation

bp = Blueprint("content_api", __name__)


@bp.get("/assets")
@operation("List assets visible to you", answer="A page of assets")
def list_assets(query: AssetQuery, user: User) -> AssetList:
    args = request.args.to_dict()
    # By default, everything the user may open (for readers: live assets and the drafts
    # they were invited to), as GET /assets/{id} would.
    if query.status is None:
        args["status"] = "all"
    else:
        args["status"] = "live" if query.status == "published" else query.status
    filters = library.parse_filters(args, user)
    page, per_page = query.pages()
    result = library.asset_list(user, filters, page, per_page, SHOWN_LOADS)
    return AssetList.of(result, lambda card: Asset.shown(card.asset, user, card.rating))


def _asset_input(body: AssetFields, current: AssetRow | None = None) -> asset_service.AssetInput:
    """The service's input from ``body``; on a revision, what the client left out keeps
    the asset's current value."""
    latest = current.latest_revision if current else None

    def kept(name: str, now):
        return getattr(body, name) if body.given(name) else now

    def terms(model, name: str) -> list:
        if body.given(name):
            return terms_by_slugs(model, getattr(body, name), name)
        return list(getattr(current, name)) if current else []

    content_type = current.content_type if current else None
    if body.given("content_type"):
        slugs = [body.content_type] if body.content_type else []
        content_type = next(iter(terms_by_slugs(ContentType, slugs, "content_type")), None)
    return asset_service.AssetInput(
        title=kept("title", latest.title if latest else ""),
        summary=kept("summary", latest.summary if latest else "") or "",
        body=kept("body", latest.body if latest else "") or "",
        content_type=content_type,
        stages=terms(Stage, "stages"),
        personas=terms(Persona, "personas"),
        industries=terms(Industry, "industries"),
        tags=terms(Tag, "tags"),
        review_by=kept("review_by", current.review_by if current else None),
        expires_on=kept("expires_on", current.expires_on if current else None),
        note=body.note or "",
        audience=body.audience,
    )


@bp.post("/assets")
@operation("Create a draft asset (marketers)", answer="The new draft", errors=(403,))
def create_asset(body: AssetInput, user: User) -> Created[Asset]:
    require(user, "create_asset", refusal="Only marketers create assets.")
    asset = asset_service.create_asset(user, _asset_input(body))
    return created(Asset.shown(asset, user), ".get_asset", asset_id=asset.id)


@bp.get("/assets/<id:asset_id>")
@operation("Read one asset", answer="The asset")
def get_asset(asset_id: int, user: User) -> Asset:
    return Asset.shown(asset_service.get_visible_asset(user, asset_id), user)


@bp.patch("/assets/<id:asset_id>")
@operation(
    "Save a new revision; base_revision must be the latest revision number",
    answer="The asset with its new revision",
    errors=(403, 409),
)
def update_asset(asset_id: int, body: AssetRevisionInput, user: User) -> Asset:
    asset = asset_service.get_visible_asset(user, asset_id)
    require(user, "edit", asset, refusal="You cannot edit this asset.")
    base = next((r for r in asset.revisions if r.number == body.base_revision), None)
    asset_service.revise_asset(asset, user, base.id if base else -1, _asset_input(body, asset))
    return Asset.shown(asset, user)
