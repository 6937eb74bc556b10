"""HTML routes for using an asset: rate it, record that it was used in a deal, share it
with a buyer, and follow and revoke one's share links.

The asset page (content.show) renders the boxes of this area through the template
globals below, so the page's own view stays unaware of ratings, deals and links.
"""

from dataclasses import dataclass

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from content.deals import queries as deal_queries
from content.deals import services as deals
from content.deals.models import Deal
from content.library.models import Asset
from content.library.services import get_visible_asset
from content.usage import events as usage
from content.usage import ratings, share_links
from content.usage.forms import DealUsageForm, RatingForm, ShareLinkForm, chosen_view_only
from content.usage.models import EVIDENCE, EVIDENCE_LABELS, KIND_LABELS, USAGE_KINDS, Rating
from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.pagination import Page, requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import flash_outcome, form_accepted
from portal.kernel.transaction import attempt, press
from portal.kernel.urls import safe_next

bp = Blueprint("usage", __name__)

COMMENTS_ON_PAGE = 5
LINKS_ON_PAGE = 5


# ---- the boxes on the asset page ---------------------------------------------------------


@dataclass
class RatingBox:
    summary: ratings.RatingSummary
    star_counts: dict[int, int]
    yours: Rating | None  # the signed-in user's own rating
    refusal: str | None  # why they may not rate, or None
    form: RatingForm | None


def rating_box(asset: Asset) -> RatingBox:
    """The asset's ratings, and the signed-in user's own rating form or why they have none."""
    counts = ratings.star_counts(asset)
    yours = ratings.your_rating(asset, current_user)
    refusal = ratings.refusal(current_user, asset)
    form = None
    if refusal is None:
        data = {"stars": str(yours.stars), "comment": yours.comment} if yours else {}
        form = RatingForm(data=data)
    summary = ratings.summary_of(counts)
    return RatingBox(summary, counts if summary.count else {}, yours, refusal, form)


def rating_feedback(asset: Asset) -> Page | None:
    """The newest rating comments, for those who may read them; None for everyone else."""
    if not can(current_user, "view_rating_comments", asset):
        return None
    return ratings.newest_comments(asset, current_user, COMMENTS_ON_PAGE)


def _deal_asked_for(open_deals: list[Deal]) -> int | None:
    """The deal a link from a deal's page asked for (``?deal=ID``), if it is one of the
    rep's open deals: the forms start with it chosen."""
    asked = request.args.get("deal", "")
    return next((deal.id for deal in open_deals if str(deal.id) == asked), None)


@dataclass
class DealBox:
    form: DealUsageForm
    deals: list[Deal]


def deal_box(asset: Asset) -> DealBox | None:
    """ "Used in a deal…" for reps, on a live asset; None for everyone else."""
    if not can(current_user, "attach_to_deal", asset):
        return None
    open_deals = deal_queries.open_deals(current_user)
    form = DealUsageForm(open_deals)
    form.deal.data = _deal_asked_for(open_deals) or form.deal.data
    return DealBox(form, open_deals)


@dataclass
class ShareBox:
    form: ShareLinkForm | None  # None when the asset cannot be shared (archived, expired)
    links: Page  # the signed-in user's links to this asset, newest first
    internal: bool = False  # why there is no form: the asset is internal only


def share_box(asset: Asset) -> ShareBox:
    """Sharing with buyers: the form, while the asset may be shared, and one's own links."""
    form = None
    if can(current_user, "share", asset):
        open_deals = deal_queries.open_deals(current_user)
        form = ShareLinkForm(open_deals)
        form.deal.data = _deal_asked_for(open_deals) or form.deal.data
        form.view_only.data = "1" if share_links.view_only_by_default(asset) else "0"
    links = share_links.links_to(asset, current_user, LINKS_ON_PAGE)
    return ShareBox(form, links, internal=asset.internal)


def revocable_links(asset: Asset) -> int | None:
    """How many links to the asset work now, for the owner (and admins) who may revoke
    them all; None for everyone else."""
    if not can(current_user, "revoke_links", asset):
        return None
    return share_links.active_link_count(asset)


@dataclass
class UsageBox:
    summary: usage.UsageSummary
    kinds: dict[str, str]
    evidence: dict[str, str]


def usage_box(asset: Asset) -> UsageBox | None:
    """ "How this asset is used", for its authors, leaders and admins; else None."""
    if not can(current_user, "view_usage", asset):
        return None
    return UsageBox(
        usage.usage_summary(asset, current_user),
        {kind: KIND_LABELS[kind] for kind in USAGE_KINDS},
        {evidence: EVIDENCE_LABELS[evidence] for evidence in EVIDENCE},
    )


# ---- ratings -----------------------------------------------------------------------------


def _back_to(asset: Asset):
    return redirect(url_for("content.show", asset_id=asset.id))


@bp.post("/assets/<id:asset_id>/ratings")
@login_required
def rate(asset_id: int):
    asset = get_visible_asset(current_user, asset_id)
    form = RatingForm()
    press(
        form,
        lambda: ratings.rate(
            asset,
            current_user,
            form.stars.data,
            # The box shows the comment already written: ticking "remove" means that text goes.
            None if form.remove_comment.data else form.comment.data,
            remove_comment=form.remove_comment.data,
        ),
        refusals=(PermissionDenied, ValidationFailed),
        done="Thanks — your rating is saved.",
    )
    return _back_to(asset)


@bp.get("/assets/<id:asset_id>/ratings")
@login_required
def rating_comments(asset_id: int):
    """Every rating comment on the asset, newest first, for those who may read them."""
    asset = get_visible_asset(current_user, asset_id)
    require("view_rating_comments", asset, status=404)
    page, per_page = requested_page()
    return render_template(
        "content/rating_comments.html",
        asset=asset,
        summary=ratings.summary(asset),
        comments=ratings.comments(asset, current_user, page, per_page),
    )


# ---- used in a deal ----------------------------------------------------------------------


@bp.post("/assets/<id:asset_id>/deals")
@login_required
def attach_to_deal(asset_id: int):
    asset = get_visible_asset(current_user, asset_id)
    require("attach_to_deal", asset)
    form = DealUsageForm(deal_queries.open_deals(current_user))
    submission = press(
        form,
        lambda: usage.attach_to_deal(
            asset,
            current_user,
            deals.get_visible_deal(current_user, form.deal.data),
            form.note.data,
        ),
    )
    if submission.saved:
        event, created = submission.result
        deal = event.deal
        assert deal is not None, "an asset used in a deal names the deal"
        flash_outcome(
            created,
            f"Recorded: you used this asset in “{deal.name}”.",
            f"Already recorded: this asset is attached to “{deal.name}”.",
        )
    return _back_to(asset)


# ---- share links -------------------------------------------------------------------------


@bp.post("/assets/<id:asset_id>/share-links")
@login_required
def create_link(asset_id: int):
    """Make a link for a buyer and show it, once: only its fingerprint is kept."""
    asset = get_visible_asset(current_user, asset_id)
    form = ShareLinkForm(deal_queries.open_deals(current_user))
    if not form_accepted(form):
        return _back_to(asset)
    deal = deals.get_visible_deal(current_user, form.deal.data) if form.deal.data else None
    # A clash is flashed on the asset's page; bad input is shown beside the form's fields.
    with (
        attempt(refusals=(Conflict,)) as clash,
        attempt(form, refusals=(ValidationFailed,)) as invalid,
    ):
        link, token = share_links.create_link(
            asset,
            current_user,
            deal,
            form.expires_in_days.data,
            form.recipient.data,
            chosen_view_only(form),
        )
    if clash.refused:
        return _back_to(asset)
    if invalid.refused:
        return render_template("share/form.html", asset=asset, form=form), 422
    flash("Share link created. Copy it now: it is shown only once.", "success")
    page = render_template(
        "share/created.html",
        link=link,
        url=url_for("share.public", token=token, _external=True),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "private, no-store"  # the page holds the clear link
    return response


@bp.get("/share-links")
@login_required
def my_links():
    page, per_page = requested_page()
    return render_template(
        "share/links.html", page=share_links.links_by(current_user, page, per_page)
    )


@bp.get("/share-links/<id:link_id>")
@login_required
def link(link_id: int):
    """One link: its state and every open, newest first, with visitors numbered."""
    shared = share_links.get_link(current_user, link_id)
    page, per_page = requested_page()
    return render_template(
        "share/link.html",
        stats=share_links.link_stats(shared),
        opens=share_links.opens(shared, page, per_page),
        visitors=share_links.visitor_numbers(shared),
    )


@bp.post("/share-links/<id:link_id>/revoke")
@login_required
def revoke(link_id: int):
    shared = share_links.get_link(current_user, link_id)
    flash_outcome(
        share_links.revoke(shared, current_user),
        "Link revoked: the buyer now sees “This link has expired”.",
        "That link was already revoked.",
    )
    back = safe_next(request.form.get("next"))
    return redirect(back or url_for(".link", link_id=shared.id))


@bp.post("/assets/<id:asset_id>/share-links/revoke-all")
@login_required
def revoke_all(asset_id: int):
    asset = get_visible_asset(current_user, asset_id)
    count = share_links.revoke_all(asset, current_user)
    if count:
        noun = "link" if count == 1 else "links"
        flash(f"Revoked {count} working {noun} to this asset.", "success")
    else:
        flash("There were no working links to revoke.", "info")
    return _back_to(asset)
