"""HTML routes for campaign briefs: the list, the form marketers write them with, the
brief reps read and acknowledge, and what marketing sees of the field's response."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.forms import EmptyForm
from portal.kernel.models import User
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import label_global, requested_filters, template_global
from portal.kernel.transaction import Submission, press, submit
from workflows.campaigns import responses, results
from workflows.campaigns import services as campaigns
from workflows.campaigns.forms import CampaignForm
from workflows.campaigns.models import Campaign
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES

bp = Blueprint("campaigns", __name__)

TIMING_LABELS = {"current": "Running now", "upcoming": "Upcoming", "past": "Ended"}
OUTCOME_LABELS = {"won": "Won", "lost": "Lost", "open": "Open"}
# Feedback is written on another page, which may not be installed.


@template_global
def home_campaigns() -> list[campaigns.HomeCampaign]:
    """Current and upcoming published campaigns for the library board."""
    if not current_user.is_authenticated:
        return []
    return campaigns.home_campaigns(current_user)


campaign_timing_label = label_global("campaign_timing_label", TIMING_LABELS, str)


@template_global
def campaign_asset_title(asset) -> str:
    return campaigns.asset_title(asset)


@template_global
def campaign_feedback_url(campaign) -> str | None:
    """Where the signed-in user tells marketing how customers react (back to the brief
    afterwards), or None when they may not send feedback about it."""
    if not can(current_user, "send_feedback", campaign):
        return None
    back = url_for("campaigns.show", campaign_id=campaign.id)
    return url_for("feedback.new", campaign=campaign.id, next=back)


def _show(campaign):
    return redirect(url_for(".show", campaign_id=campaign.id))


def _input(form: CampaignForm) -> campaigns.CampaignInput:
    return campaigns.CampaignInput(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        audience=form.audience.data or "",
        key_messages=form.key_messages.data or "",
        talking_points=form.talking_points.data or "",
        asset_ids=form.chosen_assets(),
    )


def _based_on(raw: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.get("/campaigns")
@login_required
def index():
    view = requested_filters(
        lambda args, user: campaigns.parse_view(args.get("show"), user), "current"
    )
    page, per_page = requested_page()
    listed = campaigns.campaign_list(current_user, view, page, per_page)
    writer = can(current_user, "write_campaigns")
    counts = responses.read_counts([row.campaign.id for row in listed.items]) if writer else {}
    return render_template(
        "campaigns/index.html",
        page=listed,
        view=view,
        views=campaigns.list_views(current_user),
        writer=writer,
        read_counts=counts,
        rep_count=responses.active_rep_count() if writer else 0,
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def create():
    require("write_campaigns")
    form = CampaignForm()
    submission = submit(form, lambda: campaigns.create_campaign(current_user, _input(form)))
    if submission.saved:
        flash("Campaign saved as a draft. Publish it when reps should see it.", "success")
        return _show(submission.result)
    return render_template("campaigns/form.html", form=form, campaign=None), submission.status


@bp.get("/campaigns/<id:campaign_id>")
@login_required
def show(campaign_id: int):
    campaign = campaigns.get_visible_campaign(current_user, campaign_id)
    marketing = can(current_user, "view_responses", campaign)
    feedback, feedback_total = (
        responses.campaign_feedback(campaign, current_user) if marketing else ([], 0)
    )
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        timing=campaigns.timing(campaign),
        assets=campaigns.shown_assets(campaign, current_user),
        my_read=campaigns.read_by(campaign, current_user),
        report=responses.read_report(campaign, current_user) if marketing else None,
        results=(
            results.campaign_results(campaign)
            if can(current_user, "view_results", campaign)
            else None
        ),
        outcome_labels=OUTCOME_LABELS,
        feedback=feedback,
        feedback_total=feedback_total,
        feedback_kinds=FEEDBACK_KINDS,
        feedback_statuses=FEEDBACK_STATUSES,
        refusal=campaigns.publish_refusal(campaign) if campaign.status == "draft" else None,
    )


@bp.route("/campaigns/<id:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int):
    campaign = campaigns.get_visible_campaign(current_user, campaign_id)
    require("edit", campaign)
    if request.method == "GET":
        form = CampaignForm(obj=campaign, campaign=campaign)
        form.asset_ids.data = [asset.id for asset in campaign.assets]
        form.based_on.data = campaign.updated_at.isoformat()
    else:
        form = CampaignForm(campaign=campaign)
    submission = submit(
        form,
        lambda: campaigns.update_campaign(
            campaign, current_user, _input(form), _based_on(form.based_on.data)
        ),
        refusals=(ValidationFailed, Conflict),
    )
    if submission.saved:
        flash("Campaign saved.", "success")
        return _show(campaign)
    status = 409 if isinstance(submission.refusal, Conflict) else submission.status
    return render_template("campaigns/form.html", form=form, campaign=campaign), status


def _press_on_campaign(
    campaign_id: int,
    action: Callable[[Campaign, User], Any],
    refusals: tuple,
    done: str | None = None,
) -> tuple[Campaign, Submission]:
    """A button on a campaign's page: ``action(campaign, user)`` is the service call."""
    campaign = campaigns.get_visible_campaign(current_user, campaign_id)
    return campaign, press(EmptyForm(), lambda: action(campaign, current_user), refusals, done=done)


@bp.post("/campaigns/<id:campaign_id>/publish")
@login_required
def publish(campaign_id: int):
    campaign, _submission = _press_on_campaign(
        campaign_id,
        campaigns.publish,
        (Conflict, PermissionDenied),
        done="Campaign published. Every active rep has been told.",
    )
    return _show(campaign)


@bp.post("/campaigns/<id:campaign_id>/read")
@login_required
def acknowledge(campaign_id: int):
    campaign, submission = _press_on_campaign(
        campaign_id, campaigns.acknowledge, (PermissionDenied,)
    )
    if submission.saved:
        _read, created = submission.result
        if created:
            flash("Thanks: marketing can see you have read this brief.", "success")
        else:
            flash("You had already marked this brief as read.", "success")
    return _show(campaign)
