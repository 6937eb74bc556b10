"""Ratings: the people who use an asset give it 1–5 stars and, if they like, a comment
for its authors. One rating per person and asset, changeable. Services flush; callers
commit."""

from dataclasses import dataclass

from sqlalchemy import func, select

from content.library.models import Asset
from content.usage.models import Rating
from content.usage.signals import rating_figures, signal_changed
from portal.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.pagination import Page, first_rows, paginate
from portal.kernel.permissions import can
from portal.kernel.sql import upsert_insert

STARS_MIN, STARS_MAX = 1, 5
COMMENT_MAX = 1000
STARS_INVALID = f"Choose from {STARS_MIN} to {STARS_MAX} stars."
COMMENT_TOO_LONG = f"Keep the comment under {COMMENT_MAX:,} characters."
COMMENT_AND_REMOVAL = "Write a new comment or remove yours, not both."


@dataclass(frozen=True)
class RatingSummary:
    """What cards and the asset page show: the average (None when unrated) and count."""

    average: float | None = None
    count: int = 0

    @property
    def rounded(self) -> str:
        """The average to one decimal, e.g. "4.3"."""
        return f"{self.average:.1f}" if self.average is not None else ""


UNRATED = RatingSummary()


def refusal(user: User, asset: Asset) -> str | None:
    """Why ``user`` may not rate ``asset``, in words, or None when they may."""
    if can(user, "rate", asset):
        return None
    if asset.owner_id == user.id or asset.collaborator_role(user) == "author":
        return "You wrote this asset, so you cannot rate it."
    if not asset.is_live:
        return "Only published assets can be rated."
    return "Ratings come from reps, leaders and marketers."


def _stars(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed(STARS_INVALID, {"stars": STARS_INVALID})
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not STARS_MIN <= int(text) <= STARS_MAX:
        raise ValidationFailed(STARS_INVALID, {"stars": STARS_INVALID})
    return int(text)


def rate(
    asset: Asset, user: User, stars, comment: str | None = None, remove_comment: bool = False
) -> Rating:
    """Save ``user``'s rating of ``asset``, replacing their earlier stars.

    A comment replaces the earlier one; a blank or missing comment keeps it, so changing
    the stars never erases what was written. ``remove_comment`` clears it on purpose
    (with no new comment: asking for both is refused).

    One upsert on (asset, user): two saves at once leave one rating, never two rows and
    never a lost count.
    """
    if not can(user, "view", asset):
        raise NotFound("No such asset.")
    reason = refusal(user, asset)
    if reason:
        raise PermissionDenied(reason)
    errors = {}
    try:
        stars = _stars(stars)
    except ValidationFailed as refused:
        errors.update(refused.fields)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = COMMENT_TOO_LONG
    elif comment and remove_comment:
        errors["comment"] = COMMENT_AND_REMOVAL
    if errors:
        raise ValidationFailed(" ".join(errors.values()), errors)
    now = utcnow()
    statement = upsert_insert(Rating).values(
        asset_id=asset.id,
        user_id=user.id,
        stars=stars,
        comment=comment,
        created_at=now,
        updated_at=now,
    )
    changes = {"stars": stars, "updated_at": now}
    # Decided inside the upsert, not read first: a save at the same moment cannot bring
    # an old comment back or lose a new one.
    if comment or remove_comment:
        changes["comment"] = comment
    statement = statement.on_conflict_do_update(
        index_elements=[Rating.asset_id, Rating.user_id], set_=changes
    )
    db.session.execute(statement)
    signal_changed(asset.id)
    rating = your_rating(asset, user)
    assert rating is not None, "the upsert above wrote it"
    db.session.refresh(rating)  # the upsert bypassed the identity map
    return rating


def your_rating(asset: Asset, user: User) -> Rating | None:
    return db.session.scalar(
        select(Rating).where(Rating.asset_id == asset.id, Rating.user_id == user.id)
    )


def summaries(asset_ids) -> dict[int, RatingSummary]:
    """Average and count per asset in one grouped query; unrated assets are left out."""
    ids = list(asset_ids)
    if not ids:
        return {}
    return {
        asset_id: RatingSummary(average, count) for asset_id, average, count in rating_figures(ids)
    }


def summary(asset: Asset) -> RatingSummary:
    return summaries([asset.id]).get(asset.id, UNRATED)


def star_counts(asset: Asset) -> dict[int, int]:
    """How many ratings gave each number of stars, 5 down to 1 (``summary_of`` turns
    them into the average and count without asking the database again)."""
    rows = dict(
        db.session.execute(
            select(Rating.stars, func.count(Rating.id))
            .where(Rating.asset_id == asset.id)
            .group_by(Rating.stars)
        ).all()
    )
    return {stars: rows.get(stars, 0) for stars in range(STARS_MAX, STARS_MIN - 1, -1)}


def summary_of(counts: dict[int, int]) -> RatingSummary:
    """The average and count that ``star_counts`` add up to."""
    total = sum(counts.values())
    if not total:
        return UNRATED
    return RatingSummary(sum(stars * n for stars, n in counts.items()) / total, total)


def comments(asset: Asset, user: User, page: int = 1, per_page: int = 10) -> Page:
    """Ratings with a comment, newest first, for the people allowed to read them."""
    if not can(user, "view_rating_comments", asset):
        raise NotFound("No such asset.")
    return paginate(_with_comment(asset), page, per_page, order=_NEWEST)


def newest_comments(asset: Asset, user: User, shown: int) -> Page:
    """The first ``shown`` of ``comments``, for the asset's page."""
    if not can(user, "view_rating_comments", asset):
        raise NotFound("No such asset.")
    return first_rows(_with_comment(asset), shown, order=_NEWEST)


_NEWEST = (Rating.updated_at.desc(), Rating.id.desc())


def _with_comment(asset: Asset):
    return select(Rating).where(Rating.asset_id == asset.id, Rating.comment != "")
