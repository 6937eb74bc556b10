"""JSON API for deals: list, create, read, edit, and the idempotent upsert by CRM id."""

from flask import Blueprint, current_app, jsonify, request, url_for

import content.deals.openapi  # noqa: F401 - documents these routes
from content.deals import services as deals
from content.deals.models import Deal
from content.library.models import Stage
from content.taxonomy.services import terms_by_slugs
from content.usage import events as usage
from content.usage.models import UsageEvent
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
from portal.kernel.errors import PermissionDenied, ValidationFailed
from portal.kernel.ids import json_ids
from portal.kernel.models import User
from portal.kernel.pagination import page_args
from portal.kernel.permissions import can

bp = Blueprint("deals_api", __name__, url_prefix="/api/v1")

_FIELDS = {"name", "account", "amount", "stage", "status", "close_date"}
_CREATE_FIELDS = _FIELDS | {"external_id"}
_UPSERT_FIELDS = _FIELDS | {"owner", "asset_ids"}
ASSET_IDS_MAX = 100


def serialize_deal(deal: Deal, attached: list[UsageEvent]) -> dict:
    """A deal as the API shows it, with the content attached to it (``attached``)."""
    return {
        "id": deal.id,
        "external_id": deal.external_id,
        "name": deal.name,
        "account": deal.account,
        "amount": deals.amount_number(deal.amount_cents),
        "currency": current_app.config["CURRENCY"],
        "stage": deal.stage.slug if deal.stage else None,
        "status": deal.status,
        "close_date": iso(deal.close_date),
        "owner": {"id": deal.owner.id, "name": deal.owner.name, "email": deal.owner.email},
        "attached": [
            {
                "asset_id": event.asset_id,
                "title": deals.asset_title(event.asset),
                "evidence": event.evidence,
                "note": event.note,
                "attached_at": iso(event.created_at),
            }
            for event in attached
        ],
        "url": url_for("deals.show", deal_id=deal.id, _external=True),
        "created_at": iso(deal.created_at),
        "updated_at": iso(deal.updated_at),
    }


def _one_deal(deal: Deal) -> dict:
    return serialize_deal(deal, usage.attachments_by_deal([deal.id])[deal.id])


def _stage(slug) -> Stage | None:
    if slug in (None, ""):
        return None
    if not isinstance(slug, str):
        raise ValidationFailed("Wrong type.", {"stage": "Must be a stage slug."})
    return terms_by_slugs(Stage, [slug], "stage")[0]


def _read(errors: dict, name: str, read):
    """``read()``; a field it cannot read is noted in ``errors`` so that every bad field
    is named at once when the service validates."""
    try:
        return read()
    except ValidationFailed as error:
        errors[name] = error.fields.get(name, error.message)
        return None


def _text(name: str):
    """A reader of the text field ``name``: null reads as empty, another type is a 422."""
    return lambda value: json_text({name: value}, name)


def _deal_input(data: dict, deal: Deal | None = None) -> deals.DealInput:
    """The deal a JSON body describes. A field left out keeps ``deal``'s value (PATCH, or
    a sync of a deal that exists), or is empty for a new deal (open by default)."""
    base = deal or deals.DealInput(name="", account="")
    errors: dict = {}

    def given(name: str, read, current):
        return _read(errors, name, lambda: read(data[name])) if name in data else current

    return deals.DealInput(
        name=given("name", _text("name"), base.name),
        account=given("account", _text("account"), base.account),
        amount_cents=given("amount", deals.parse_amount, base.amount_cents),
        stage=given("stage", _stage, base.stage),
        status=given("status", _text("status"), base.status),
        close_date=given(
            "close_date", lambda value: parse_date(value, "close_date"), base.close_date
        ),
        errors=errors,
    )


@bp.get("/deals")
@token_required
def list_deals():
    user = api_user()
    args = request.args.to_dict()
    args.setdefault("status", "all")  # an integration reads every deal unless it asks
    filters = deals.parse_filters(args, user)
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    listed = deals.deal_list(user, filters, page, per_page)
    attached = usage.attachments_by_deal([row.deal.id for row in listed.items])
    return jsonify(page_body(listed, lambda row: serialize_deal(row.deal, attached[row.deal.id])))


def _created(deal: Deal, body: dict):
    response = jsonify(body)
    response.headers["Location"] = url_for("deals_api.get_deal", deal_id=deal.id)
    return response, 201


@bp.post("/deals")
@token_required
def create_deal():
    user = api_user()
    data = json_body()
    refuse_unknown_fields(data, _CREATE_FIELDS)
    deal_input = _deal_input(data)
    external_id = data.get("external_id")
    if external_id in (None, ""):
        external_id = None
    else:  # read now, so that a bad CRM id is named beside any other bad field
        external_id = _read(
            deal_input.errors, "external_id", lambda: deals.check_external_id(external_id)
        )
    deal = deals.create_deal(user, deal_input, external_id=external_id)
    return _created(deal, _one_deal(deal))


@bp.get("/deals/<id:deal_id>")
@token_required
def get_deal(deal_id: int):
    return jsonify(_one_deal(deals.get_visible_deal(api_user(), deal_id)))


@bp.patch("/deals/<id:deal_id>")
@token_required
def update_deal(deal_id: int):
    """Change the fields sent; the others keep their values. The owner only."""
    user = api_user()
    deal = deals.get_visible_deal(user, deal_id)
    data = json_body()
    refuse_unknown_fields(data, _FIELDS)
    deals.update_deal(deal, user, _deal_input(data, deal))
    return jsonify(_one_deal(deal))


def _asset_ids(data: dict) -> list[int]:
    message = f"Must be a list of at most {ASSET_IDS_MAX} asset ids."
    return json_ids(data, "asset_ids", max_items=ASSET_IDS_MAX, message=message)


def _synced_deal(user: User, external_id: str) -> Deal | None:
    """The deal a sync would update, when ``user`` may write it: fields the body leaves
    out keep its values. Anyone else's deal is left to the service to refuse."""
    deal = deals.find_external(deals.check_external_id(external_id))
    if deal is not None and (can(user, "import_deals") or can(user, "edit", deal)):
        return deal
    return None


@bp.put("/deals/external/<external_id>")
@token_required
def upsert_deal(external_id: str):
    """Create or update the deal with this CRM id; fields left out keep their values, and
    the same body twice changes nothing. Admins name the owner and send the content the
    CRM says was used (imported)."""
    user = api_user()
    data = json_body()
    refuse_unknown_fields(data, _UPSERT_FIELDS)
    asset_ids = _asset_ids(data)
    if asset_ids and not can(user, "import_deals"):
        message = "Only an admin's CRM sync sends attachments; attach content on the deal page."
        raise PermissionDenied(message, {"asset_ids": message})
    assets = usage.importable_assets(user, asset_ids)
    owner = json_text(data, "owner") or None
    deal_input = _deal_input(data, _synced_deal(user, external_id))
    deal, result = deals.upsert_external(user, external_id, deal_input, owner)
    imported = [usage.import_attachment(asset, deal)[1] for asset in assets]
    if result == "unchanged" and any(imported):
        result = "updated"
    body = {**_one_deal(deal), "result": result}
    return _created(deal, body) if result == "created" else jsonify(body)
