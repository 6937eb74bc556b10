"""HTML routes for field feedback: the form reps send it with (from any page, an asset or
a deal), the inbox (marketing's triage queue, a rep's own "My feedback"), and an item's
page where marketers set its status and reply."""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from content.deals.models import Deal
from content.deals.services import asset_title
from content.library.browsing import taxonomy_choices
from content.library.models import Asset, Stage
from portal.kernel.errors import Conflict, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.forms import NONE_CHOSEN, chosen_id
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import form_accepted, label_global, requested_filters, template_global
from portal.kernel.transaction import attempt, submit
from portal.kernel.urls import safe_next
from workflows.campaigns.models import Campaign
from workflows.feedback import panels
from workflows.feedback import services as feedback
from workflows.feedback.forms import FeedbackForm, TriageForm
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES

bp = Blueprint("feedback", __name__)
# What each reference field of the form holds, and how a choice is labelled.
_REFERENCES: dict[str, tuple[type[Asset] | type[Deal] | type[Campaign], Callable[..., str]]] = {
    "asset": (Asset, asset_title),
    "deal": (Deal, lambda deal: f"{deal.name} ({deal.account})"),
    "campaign": (Campaign, lambda campaign: campaign.name),
}


feedback_kind_label = label_global("feedback_kind_label", FEEDBACK_KINDS, str)
feedback_status_label = label_global("feedback_status_label", FEEDBACK_STATUSES, str)


@template_global
def feedback_headline(item) -> str:
    return feedback.headline(item)


@template_global
def feedback_asset_title(asset) -> str:
    return asset_title(asset)


@template_global
def feedback_campaign_url(campaign) -> str | None:
    """The campaign's page, when the signed-in user may open it."""
    if not can(current_user, "view", campaign):
        return None
    return url_for("campaigns.show", campaign_id=campaign.id)


def feedback_on_asset(asset):
    """The feedback block of an asset's page, or None for people who may not read it."""
    return panels.feedback_on_asset(asset, current_user)


@template_global
def feedback_on_deal(deal):
    return panels.feedback_on_deal(deal, current_user)


@template_global
def new_feedback_count() -> int:
    """New items waiting in marketing's inbox, for the navigation."""
    return panels.new_feedback_count(current_user)


def _show(item):
    return redirect(url_for(".show", feedback_id=item.id))


def _prefill_stage(raw: str | None) -> int:
    """A stage named in the link by id or slug; anything unknown prefills nothing."""
    text = (raw or "").strip()[:60]
    if not text:
        return NONE_CHOSEN
    if chosen_id(text):
        return chosen_id(text)
    stage = db.session.scalar(select(Stage).where(Stage.slug == text))
    return stage.id if stage else NONE_CHOSEN


def _offer(field, wanted: int) -> bool:
    """Whether ``wanted`` may be chosen in ``field``, adding it to the choices when the
    sender may name it but the list was cut short."""
    if not wanted:
        return False
    if any(choice.value == wanted for choice in field.choices):
        return True
    model, title = _REFERENCES[field.name]
    found = db.session.get(model, wanted)
    if found is None or not can(current_user, "send_feedback", found):
        return False
    field.choices.append(SelectChoice(wanted, title(found)))
    return True


def _prefilled_form() -> FeedbackForm:
    """The form as a link from an asset, deal or campaign page fills it in. Ids the sender
    may not name are left out rather than refused: the link came from somewhere else."""
    args = request.args
    form = FeedbackForm(current_user, formdata=None)
    form.kind.data = args.get("kind") if args.get("kind") in FEEDBACK_KINDS else ""
    for name in ("asset", "deal", "campaign"):
        field = getattr(form, name)
        wanted = chosen_id(args.get(name))
        field.data = wanted if _offer(field, wanted) else NONE_CHOSEN
    form.stage.data = _prefill_stage(args.get("stage"))
    if not form.stage.data and form.deal.data:
        deal = db.session.get(Deal, form.deal.data)
        assert deal is not None, "only a deal the sender may name is offered"
        form.stage.data = deal.stage_id or NONE_CHOSEN
    form.next.data = safe_next(args.get("next")) or ""
    return form


@bp.route("/feedback/new", methods=["GET", "POST"])
@login_required
def new():
    require("send_feedback")
    if request.method == "POST":
        form = FeedbackForm(current_user)
        for name in _REFERENCES:
            _offer(getattr(form, name), getattr(form, name).data)
    else:
        form = _prefilled_form()
    submission = submit(form, lambda: feedback.send_feedback(current_user, form.feedback_input()))
    if submission.saved:
        flash("Thanks — marketing will see this.", "success")
        back = safe_next(form.next.data)
        return redirect(back) if back else _show(submission.result)
    return render_template("feedback/form.html", form=form), submission.status


@bp.get("/feedback")
@login_required
def inbox():
    filters = requested_filters(feedback.parse_filters, feedback.default_filters(current_user))
    page, per_page = requested_page()
    return render_template(
        "feedback/index.html",
        page=feedback.feedback_list(current_user, filters, page, per_page),
        counts=feedback.status_counts(current_user, filters),
        filters=filters,
        stages=taxonomy_choices("stages")["stages"],
        kinds=FEEDBACK_KINDS,
        statuses=FEEDBACK_STATUSES,
        inbox=can(current_user, "view_all_feedback"),
    )


def _triage_form(item) -> TriageForm:
    return TriageForm(
        formdata=None, status=item.status, reply=item.reply, version=feedback.version(item)
    )


@bp.get("/feedback/<id:feedback_id>")
@login_required
def show(feedback_id: int):
    item = feedback.get_visible_feedback(current_user, feedback_id)
    return render_template("feedback/show.html", item=item, form=_triage_form(item))


@bp.post("/feedback/<id:feedback_id>/triage")
@login_required
def triage(feedback_id: int):
    item = feedback.get_visible_feedback(current_user, feedback_id)
    require("triage", item)
    form = TriageForm()
    if not form_accepted(form):
        return render_template("feedback/show.html", item=item, form=form), 422
    reply_before = item.reply
    with attempt(form, refusals=(Conflict, ValidationFailed)) as outcome:
        feedback.triage(
            item,
            current_user,
            form.status.data,
            form.reply.data,
            feedback.parse_version(form.version.data),
        )
    if isinstance(outcome.refusal, Conflict):
        # The marketer's words stay in the box; the version is now the current one, so a
        # second save, made knowing what is there, goes through.
        form.version.data = feedback.version(item)
        return render_template("feedback/show.html", item=item, form=form), 409
    if outcome.refused:
        return render_template("feedback/show.html", item=item, form=form), 422
    if item.reply != reply_before and item.reply:
        flash(f"Saved. {item.author.name} has been told about your reply.", "success")
    else:
        flash(f"Saved: {feedback_status_label(item.status).lower()}.", "success")
    return _show(item)
