"""HTML routes for deals: "My deals" (all deals for leaders), a deal's page with the
content attached to it and recommended for its stage, and the deal form."""

from collections.abc import Sequence

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from content.deals import queries
from content.deals import services as deals
from content.deals.forms import DealAttachForm, DealForm, attach_form_for
from content.deals.history import stage_history
from content.deals.models import CHANGE_SOURCE_LABELS, DEAL_STATUS_LABELS, Deal
from content.deals.recommendations import recommendations
from content.library.browsing import taxonomy_choices
from content.library.models import Asset, Stage
from content.rooms import queries as room_queries
from content.rooms.views import room_form
from content.usage import events as usage
from content.usage import share_links
from content.usage.models import EVIDENCE_LABELS
from portal.kernel.errors import Conflict, NotFound, PermissionDenied
from portal.kernel.extensions import db
from portal.kernel.forms import NONE_CHOSEN, EmptyForm
from portal.kernel.models import User
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can
from portal.kernel.templating import (
    flash_outcome,
    flash_summary,
    label_global,
    requested_filters,
    template_global,
)
from portal.kernel.transaction import press, submit

bp = Blueprint("deals", __name__)

SORT_LABELS = {
    "close_date": "Close date",
    "amount": "Amount",
    "updated": "Last changed",
    "name": "Name",
}
SOURCE_LABELS = {"manual": "Typed in", "import": "CRM import", "api": "CRM sync (API)"}


deal_status_label = label_global("deal_status_label", DEAL_STATUS_LABELS, str.capitalize)
evidence_label = label_global("evidence_label", EVIDENCE_LABELS)
change_source_label = label_global("change_source_label", CHANGE_SOURCE_LABELS)


@template_global
def attached_title(asset: Asset) -> str:
    return deals.asset_title(asset)


def _show(deal: Deal, anchor: str | None = None):
    return redirect(url_for(".show", deal_id=deal.id, _anchor=anchor))


def _require_deal_access() -> None:
    """Marketers have no deals and may not know anyone's: 404."""
    if not (can(current_user, "track_deals") or can(current_user, "view_all_deals")):
        abort(404)


def _editable_deal(deal_id: int) -> Deal:
    """The deal, when the signed-in rep owns it: 404 for deals they may not know exist,
    403 for leaders and admins, who read every deal but change none."""
    deal = deals.get_visible_deal(current_user, deal_id)
    if not can(current_user, "edit", deal):
        raise PermissionDenied("Only the rep who owns this deal can change it.")
    return deal


def _deal_owners() -> Sequence[User]:
    """The people who own a deal, for the owner filter leaders see."""
    owners = select(Deal.owner_id).distinct()
    return db.session.scalars(select(User).where(User.id.in_(owners)).order_by(User.name)).all()


@bp.get("/deals")
@login_required
def index():
    _require_deal_access()
    filters = requested_filters(queries.parse_filters, queries.DealFilters())
    page, per_page = requested_page()
    mine = can(current_user, "track_deals")
    return render_template(
        "deals/index.html",
        page=queries.deal_list(current_user, filters, page, per_page),
        filters=filters,
        mine=mine,
        stages=taxonomy_choices("stages")["stages"],
        owners=[] if mine else _deal_owners(),
        sorts=SORT_LABELS,
    )


def _deal_input(form: DealForm) -> deals.DealInput:
    stage_id = form.stage.data
    return deals.DealInput(
        name=form.name.data,
        account=form.account.data,
        amount_cents=form.amount.data,
        stage=db.session.get(Stage, stage_id) if stage_id != NONE_CHOSEN else None,
        status=form.status.data,
        close_date=form.close_date.data,
    )


@bp.route("/deals/new", methods=["GET", "POST"])
@login_required
def create():
    _require_deal_access()
    if not can(current_user, "track_deals"):
        raise PermissionDenied("Deals belong to reps; only a rep can add one.")
    form = DealForm()
    submission = submit(form, lambda: deals.create_deal(current_user, _deal_input(form)))
    if submission.saved:
        deal = submission.result
        flash(f"Deal “{deal.name}” added. Here is content for its stage.", "success")
        return _show(deal)
    return render_template("deals/form.html", form=form, deal=None), submission.status


@bp.get("/deals/<id:deal_id>")
@login_required
def show(deal_id: int):
    deal = deals.get_visible_deal(current_user, deal_id)
    page, per_page = requested_page()
    editable = can(current_user, "edit", deal)
    recommended = recommendations(deal, current_user)
    rooms = room_queries.rooms_for_deal(deal)
    return render_template(
        "deals/show.html",
        deal=deal,
        editable=editable,
        attached=usage.attached_page(deal, page, per_page),
        recommended=recommended,
        attach_forms={
            item.card.asset.id: attach_form_for(item.card.asset.id) for item in recommended
        }
        if editable
        else {},
        links=share_links.links_for_deal(deal, current_user),
        rooms=rooms,
        room_visits=room_queries.latest_deal_visits([stats.room for stats in rooms]),
        room_form=room_form(deal) if editable and not deal.closed else None,
        remove_form=EmptyForm(),
        source_label=SOURCE_LABELS.get(deal.source, deal.source),
        history=stage_history(deal),
    )


def _form_for(deal: Deal) -> DealForm:
    """The form filled with the deal as it is now."""
    return DealForm(
        formdata=None,
        name=deal.name,
        account=deal.account,
        amount=deal.amount_cents,
        stage=deal.stage_id or NONE_CHOSEN,
        status=deal.status,
        close_date=deal.close_date,
    )


@bp.route("/deals/<id:deal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(deal_id: int):
    deal = _editable_deal(deal_id)
    form = _form_for(deal) if request.method == "GET" else DealForm()
    submission = submit(form, lambda: deals.update_deal(deal, current_user, _deal_input(form)))
    if submission.saved:
        flash_outcome(submission.result, "Deal saved.", "Nothing changed, so nothing was saved.")
        return _show(deal)
    return render_template("deals/form.html", form=form, deal=deal), submission.status


def _asset(asset_id: int | None) -> Asset:
    asset = db.session.get(Asset, asset_id) if asset_id else None
    if asset is None:
        raise NotFound("No such asset.")
    return asset


@bp.post("/deals/<id:deal_id>/assets")
@login_required
def attach(deal_id: int):
    deal = _editable_deal(deal_id)
    form = DealAttachForm()
    submission = press(
        form,
        lambda: usage.attach_to_deal(
            _asset(form.asset_id.data), current_user, deal, form.note.data
        ),
    )
    if not submission.saved:
        return _show(deal, "recommended")
    event, created = submission.result
    title = deals.asset_title(event.asset)
    flash_outcome(
        created,
        f"“{title}” is attached to this deal.",
        f"“{title}” was attached to this deal already; nothing changed.",
    )
    return _show(deal, "attached")


@bp.post("/deals/<id:deal_id>/assets/<id:asset_id>/remove")
@login_required
def remove(deal_id: int, asset_id: int):
    deal = _editable_deal(deal_id)
    submission = press(
        EmptyForm(),
        lambda: usage.detach_from_deal(_asset(asset_id), current_user, deal),
        refusals=(Conflict,),
        show=flash_summary,
    )
    if submission.saved:
        title = deals.asset_title(_asset(asset_id))
        flash_outcome(
            submission.result,
            f"“{title}” is no longer attached to this deal.",
            f"“{title}” was not attached to this deal; nothing changed.",
        )
    return _show(deal, "attached")
