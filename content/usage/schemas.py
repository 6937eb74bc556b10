"""The API's schemas for ratings, usage and share links: what a client sends, and what
the API answers."""

from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, ValidationError, WithJsonSchema, WrapValidator
from pydantic_core import PydanticCustomError

from content.library.schemas import AssetRating
from content.usage import models, share_links
from content.usage.events import NOTE_MAX, NOTE_TOO_LONG
from content.usage.models import ACCESS_STATES, EVIDENCE, USAGE_KINDS
from content.usage.ratings import (
    COMMENT_MAX,
    COMMENT_TOO_LONG,
    STARS_INVALID,
    STARS_MAX,
    STARS_MIN,
    RatingSummary,
)
from content.usage.share_links import DAYS_INVALID, MAX_DAYS, RECIPIENT_MAX, RECIPIENT_TOO_LONG
from portal.kernel.ids import ID_MAX
from portal.kernel.schemas import Id, Input, Output, Page, Timestamp

AUTOMATIC = "Views, downloads, shares and buyer views are recorded automatically."
_LIMITS = {"greater_than_equal", "less_than_equal", "string_too_long"}


def _worded(message: str) -> WrapValidator:
    """The field's limits, refused in the words the pages use (``message``); a value of
    the wrong type keeps the usual message."""

    def validate(value: Any, handler) -> Any:
        try:
            return handler(value)
        except ValidationError as error:
            if all(detail["type"] in _LIMITS for detail in error.errors()):
                raise PydanticCustomError("value_error", message) from None
            raise

    return WrapValidator(validate)


def _deal_usage_only(kind: Any) -> Any:
    """Only deals are recorded through the API; say so for the kinds recorded for you."""
    if kind in USAGE_KINDS and kind != "used_in_deal":
        raise PydanticCustomError("value_error", f"{AUTOMATIC} Record only used_in_deal.")
    if kind != "used_in_deal":
        raise PydanticCustomError("value_error", "The kind is used_in_deal.")
    return kind


Stars = Annotated[int, Field(ge=STARS_MIN, le=STARS_MAX), _worded(STARS_INVALID)]
MaybeId = Annotated[int | None, Field(ge=1, le=ID_MAX)]

# ---- ratings -----------------------------------------------------------------------------


class RatingInput(Input):
    """Your rating of an asset; rating again replaces the stars, and the comment when one
    is given (a missing or blank comment keeps the earlier one)."""

    stars: Stars
    comment: Annotated[
        str | None,
        Field(
            max_length=COMMENT_MAX,
            description="For the asset's authors; missing or blank keeps your earlier comment",
        ),
        _worded(COMMENT_TOO_LONG),
    ] = None
    remove_comment: Annotated[
        bool, Field(description="Clear your earlier comment (send no new comment with it)")
    ] = False


def rating_summary(summary: RatingSummary) -> AssetRating:
    """The average (None while unrated, to two decimals) and count, as the API shows them."""
    average = round(summary.average, 2) if summary.average is not None else None
    return AssetRating(average=average, count=summary.count)


class Rating(Output):
    stars: Annotated[int, Field(ge=STARS_MIN, le=STARS_MAX)]
    comment: Annotated[str, Field(max_length=COMMENT_MAX)]
    created_at: Timestamp
    updated_at: Timestamp


class RatingAuthor(Output):
    """Who rated, as the asset's authors see them."""

    id: int
    name: str


class RatingComment(Rating):
    by: RatingAuthor

    @classmethod
    def shown(cls, rating: models.Rating) -> "RatingComment":
        return cls.read(rating, by=rating.user)


class RatingCommentList(Page):
    items: list[RatingComment]


class RatingBreakdown(AssetRating):
    stars: Annotated[dict[str, int], Field(description="Ratings per number of stars, '5' to '1'")]


class Ratings(Output):
    """An asset's ratings: the summary, yours, and the comments for those who may read
    them."""

    summary: RatingBreakdown
    your_rating: Rating | None
    comments: Annotated[
        RatingCommentList | None,
        Field(description="For the asset's authors, leaders and admins; null for others"),
    ]


class RatingSaved(Output):
    """Your rating and the asset's new average."""

    rating: Rating
    summary: AssetRating


# ---- usage -------------------------------------------------------------------------------


class UsageEventInput(Input):
    """The asset was used in one of your deals."""

    kind: Annotated[
        Literal["used_in_deal"],
        BeforeValidator(_deal_usage_only),
        WithJsonSchema({"type": "string", "enum": ["used_in_deal"]}),
    ]
    deal_id: Annotated[Id, Field(description="One of your deals")]
    note: Annotated[str | None, Field(max_length=NOTE_MAX), _worded(NOTE_TOO_LONG)] = None


class UsageEvent(Output):
    id: int
    asset_id: int
    kind: Literal[USAGE_KINDS]  # type: ignore[valid-type]
    evidence: Literal[EVIDENCE]  # type: ignore[valid-type]
    deal_id: int | None
    note: str
    created_at: Timestamp
    created: Annotated[bool, Field(description="False when it was recorded before")]

    @classmethod
    def shown(cls, event: models.UsageEvent, created: bool) -> "UsageEvent":
        return cls.read(event, created=created)


# ---- share links -------------------------------------------------------------------------


class ShareLinkInput(Input):
    """A link for a buyer, for one of your deals if you name it."""

    deal_id: Annotated[MaybeId, Field(description="One of your deals")] = None
    expires_in_days: Annotated[
        int | None,
        Field(ge=1, le=MAX_DAYS, description="Default TANDEM_SHARE_LINK_DAYS (30)"),
        _worded(DAYS_INVALID),
    ] = None
    recipient: Annotated[
        str | None, Field(max_length=RECIPIENT_MAX), _worded(RECIPIENT_TOO_LONG)
    ] = None
    view_only: Annotated[
        bool | None,
        Field(
            description="The buyer reads the pages but cannot download the file. Default: "
            "true when the asset's file is a PowerPoint deck, else false"
        ),
    ] = None


class SharedAsset(Output):
    id: int
    title: str


class SharedDeal(Output):
    id: int
    name: str


class ShareLink(Output):
    """A link made for a buyer, with how often it was opened."""

    id: int
    asset: SharedAsset
    recipient: str
    deal: SharedDeal | None
    view_only: Annotated[bool, Field(description="No download: the file answers 403")]
    state: Literal[ACCESS_STATES]  # type: ignore[valid-type]
    created_at: Timestamp
    expires_at: Timestamp
    revoked_at: Timestamp | None
    opens: Annotated[int, Field(description="Buyer views")]
    visitors: Annotated[int, Field(description="Distinct visitors among them")]
    first_opened_at: Timestamp | None
    last_opened_at: Timestamp | None

    @classmethod
    def shown(cls, stats: share_links.LinkStats, **extra) -> Self:
        """The link in ``stats`` with its opens; ``extra`` fills the fields a subclass
        adds."""
        link = stats.link
        return cls.read(
            link,
            asset=SharedAsset(id=link.asset_id, title=share_links.shown_revision(link).title),
            opens=stats.opens,
            visitors=stats.visitors,
            first_opened_at=stats.first_opened_at,
            last_opened_at=stats.last_opened_at,
            **extra,
        )


class NewShareLink(ShareLink):
    """A new link with its address, which no other answer shows."""

    url: Annotated[str, Field(json_schema_extra={"format": "uri"})]


class RevokedShareLink(ShareLink):
    revoked_now: Annotated[bool, Field(description="False when it was revoked already")]


class ShareLinkList(Page):
    items: list[ShareLink]
