"""JSON API for ratings, usage and share links of an asset."""

from flask import Blueprint, url_for

from content.deals import services as deals
from content.library.services import get_visible_asset
from content.usage import events as usage
from content.usage import ratings, share_links
from content.usage.schemas import (
    NewShareLink,
    Rating,
    RatingBreakdown,
    RatingComment,
    RatingCommentList,
    RatingInput,
    Ratings,
    RatingSaved,
    RevokedShareLink,
    ShareLink,
    ShareLinkInput,
    ShareLinkList,
    UsageEvent,
    UsageEventInput,
    rating_summary,
)
from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.schemas import Paging, operation

bp = Blueprint("usage_api", __name__)


@bp.post("/assets/<id:asset_id>/ratings")
@operation(
    "Rate a published asset 1-5 stars (again to change your rating); authors do not rate "
    "their own assets",
    answer="Your rating and the asset's new average",
    errors=(403,),
)
def rate(asset_id: int, body: RatingInput, user: User) -> RatingSaved:
    asset = get_visible_asset(user, asset_id)
    rating = ratings.rate(asset, user, body.stars, body.comment, body.remove_comment)
    return RatingSaved(
        rating=Rating.model_validate(rating), summary=rating_summary(ratings.summary(asset))
    )


@bp.get("/assets/<id:asset_id>/ratings")
@operation(
    "The asset's rating summary, your rating and (for its authors, leaders and admins) the "
    "comments, newest first",
    answer="Ratings of the asset",
)
def list_ratings(asset_id: int, query: Paging, user: User) -> Ratings:
    asset = get_visible_asset(user, asset_id)
    summary = rating_summary(ratings.summary(asset))
    stars = {str(n): count for n, count in ratings.star_counts(asset).items()}
    yours = ratings.your_rating(asset, user)
    comments = None
    if can(user, "view_rating_comments", asset):
        page = ratings.comments(asset, user, *query.pages())
        comments = RatingCommentList.of(page, RatingComment.shown)
    return Ratings(
        summary=RatingBreakdown(**summary.model_dump(), stars=stars),
        your_rating=Rating.model_validate(yours) if yours else None,
        comments=comments,
    )


@bp.post("/assets/<id:asset_id>/usage")
@operation(
    "Record that the asset was used in one of your deals (reps; self-reported)",
    description="Views, downloads, shares and buyer views are recorded automatically.",
    response=UsageEvent,
    status=201,
    answer="Recorded",
    errors=(403, 409),
    also={200: (UsageEvent, "Recorded before; nothing changed")},
)
def record_usage(asset_id: int, body: UsageEventInput, user: User):
    asset = get_visible_asset(user, asset_id)
    deal = deals.get_visible_deal(user, body.deal_id)
    event, created = usage.attach_to_deal(asset, user, deal, body.note)
    return UsageEvent.shown(event, created), 201 if created else 200


@bp.post("/assets/<id:asset_id>/share-links")
@operation(
    "Make a link that lets a buyer open the asset without signing in; the url is shown in "
    "this response only. An internal asset cannot be shared (409)",
    response=NewShareLink,
    status=201,
    answer="The new link with its address",
    errors=(409,),
)
def create_link(asset_id: int, body: ShareLinkInput, user: User):
    asset = get_visible_asset(user, asset_id)
    deal = deals.get_visible_deal(user, body.deal_id) if body.deal_id else None
    link, token = share_links.create_link(
        asset, user, deal, body.expires_in_days, body.recipient, body.view_only
    )
    url = url_for("share.public", token=token, _external=True)
    made = NewShareLink.shown(share_links.link_stats(link), url=url)
    return made, 201, {"Cache-Control": "private, no-store"}


@bp.get("/share-links")
@operation("The share links you made, newest first, with their opens", answer="A page of links")
def list_links(query: Paging, user: User) -> ShareLinkList:
    return ShareLinkList.of(share_links.links_by(user, *query.pages()), ShareLink.shown)


@bp.post("/share-links/<id:link_id>/revoke")
@operation(
    "Stop a link working now (its creator, the asset's owner or an admin)",
    answer="The revoked link",
)
def revoke_link(link_id: int, user: User) -> RevokedShareLink:
    link = share_links.get_link(user, link_id)
    revoked = share_links.revoke(link, user)
    return RevokedShareLink.shown(share_links.link_stats(link), revoked_now=revoked)
