"""JSON API for deals: list, create, read, edit, and the idempotent upsert by CRM id."""

from flask import Blueprint

from content.deals import queries
from content.deals import services as deals
from content.deals.models import ChangeSource
from content.deals.models import Deal as DealRow
from content.deals.schemas import (
    Deal,
    DealInput,
    DealList,
    DealQuery,
    DealSync,
    DealSyncInput,
    NewDealInput,
)
from content.library.models import Stage
from content.taxonomy.services import terms_by_slugs
from content.usage import events as usage
from portal.kernel.errors import PermissionDenied
from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.schemas import Created, created, operation

bp = Blueprint("deals_api", __name__)

# The CRM id in the path, bounded as check_external_id bounds it.
EXTERNAL_ID = {"type": "string", "minLength": 1, "maxLength": deals.EXTERNAL_ID_MAX}


def _one_deal(deal: DealRow) -> Deal:
    return Deal.shown(deal, usage.attachments_by_deal([deal.id])[deal.id])


def _deal_input(body: DealInput, deal: DealRow | None = None) -> deals.DealInput:
    """The deal ``body`` describes. A field left out keeps ``deal``'s value (PATCH, or a
    sync of a deal that exists), or is empty for a new deal (open by default)."""
    base = deal or deals.DealInput(name="", account="")

    def kept(name: str, now):
        return getattr(body, name) if body.given(name) else now

    stage = base.stage
    if body.given("stage"):
        stage = terms_by_slugs(Stage, [body.stage], "stage")[0] if body.stage else None
    return deals.DealInput(
        name=kept("name", base.name) or "",
        account=kept("account", base.account) or "",
        amount_cents=kept("amount_cents", base.amount_cents),
        stage=stage,
        status=kept("status", base.status),
        close_date=kept("close_date", base.close_date),
    )


@bp.get("/deals")
@operation(
    "Deals you may see (a rep's own; every deal for leaders and admins)",
    answer="A page of deals",
)
def list_deals(query: DealQuery, user: User) -> DealList:
    # An integration reads every deal unless it asks.
    filters = queries.parse_filters({**query.model_dump(), "status": query.status or "all"}, user)
    page, per_page = query.pages()
    listed = queries.deal_list(user, filters, page, per_page)
    attached = usage.attachments_by_deal([row.deal.id for row in listed.items])
    return DealList.of(listed, lambda row: Deal.shown(row.deal, attached[row.deal.id]))


@bp.post("/deals")
@operation("Add a deal of your own (reps)", answer="The new deal", errors=(403, 409))
def create_deal(body: NewDealInput, user: User) -> Created[Deal]:
    deal = deals.create_deal(
        user, _deal_input(body), external_id=body.external_id, via=ChangeSource.API
    )
    return created(_one_deal(deal), ".get_deal", deal_id=deal.id)


@bp.get("/deals/<id:deal_id>")
@operation("Read one deal with the content used in it", answer="The deal")
def get_deal(deal_id: int, user: User) -> Deal:
    return _one_deal(deals.get_visible_deal(user, deal_id))


@bp.patch("/deals/<id:deal_id>")
@operation(
    "Change your deal; fields left out keep their values (the owner only)",
    answer="The deal as saved",
    errors=(403,),
)
def update_deal(deal_id: int, body: DealInput, user: User) -> Deal:
    deal = deals.get_visible_deal(user, deal_id)
    deals.update_deal(deal, user, _deal_input(body, deal), ChangeSource.API)
    return _one_deal(deal)


def _synced_deal(user: User, external_id: str) -> DealRow | None:
    """The deal a sync would update, when ``user`` may write it: fields the body leaves
    out keep its values. Anyone else's deal is left to the service to refuse."""
    deal = deals.find_external(deals.check_external_id(external_id))
    if deal is not None and (can(user, "import_deals") or can(user, "edit", deal)):
        return deal
    return None


@bp.put("/deals/external/<external_id>")
@operation(
    "Create or update the deal with this CRM id (idempotent)",
    description="Fields left out keep their values, and the same body twice changes "
    "nothing. Reps sync their own deals; admins sync anyone's, name the owner by email "
    "(required for a new deal) and may send asset_ids: published assets the CRM says were "
    "used, recorded as imported usage (never removed).",
    response=DealSync,
    answer="Updated, or unchanged: see result",
    path={"external_id": EXTERNAL_ID},
    errors=(403,),
    also={201: (DealSync, "Created")},
)
def upsert_deal(external_id: str, body: DealSyncInput, user: User):
    if body.asset_ids and not can(user, "import_deals"):
        message = "Only an admin's CRM sync sends attachments; attach content on the deal page."
        raise PermissionDenied(message, {"asset_ids": message})
    assets = usage.importable_assets(user, body.asset_ids)
    deal_input = _deal_input(body, _synced_deal(user, external_id))
    deal, result = deals.upsert_external(user, external_id, deal_input, body.owner or None)
    imported = [usage.import_attachment(asset, deal)[1] for asset in assets]
    if result == "unchanged" and any(imported):
        result = "updated"
    synced = DealSync.shown(deal, usage.attachments_by_deal([deal.id])[deal.id], result=result)
    if result == "created":
        return created(synced, ".get_deal", deal_id=deal.id)
    return synced
