"""The API's schemas for assets: what a client sends to create or revise one, and the
asset as the API shows it."""

from datetime import date
from typing import Annotated, Literal

from flask import url_for
from pydantic import AfterValidator, Field
from sqlalchemy.orm import selectinload

from content.library import models
from content.library import services as asset_service
from content.library.models import (
    ASSET_STATUSES,
    Audience,
    ContentType,
    Industry,
    Persona,
    Stage,
    Tag,
)
from content.taxonomy.services import known_slug, known_slugs
from content.usage import ratings
from content.usage.ratings import RatingSummary
from portal.kernel.errors import ValidationFailed
from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.schemas import (
    Changes,
    DateText,
    Id,
    Input,
    Output,
    Page,
    Paging,
    Person,
    Slug,
    Timestamp,
    checked_by,
    filled,
)

Slugs = Annotated[list[Slug], Field(max_length=100)]
AUDIENCES = tuple(Audience)
AUDIENCE_HELP = (
    "external: may be shared with buyers; internal: reps and marketers only, never shared "
    "(making an asset internal revokes its share links)"
)


class AssetFields(Input):
    """An asset's fields as a client sends them; on a revision, what is left out keeps
    its current value."""

    title: Annotated[str, Field(max_length=200), filled(asset_service.TITLE_MISSING)] = ""
    summary: Annotated[str | None, Field(max_length=1000)] = None
    body: Annotated[str | None, Field(description="Markdown")] = None
    content_type: Annotated[
        Slug | None, AfterValidator(checked_by(known_slug(ContentType, "content_type")))
    ] = None
    stages: Annotated[Slugs, AfterValidator(checked_by(known_slugs(Stage, "stages")))] = []
    personas: Annotated[Slugs, AfterValidator(checked_by(known_slugs(Persona, "personas")))] = []
    industries: Annotated[
        Slugs, AfterValidator(checked_by(known_slugs(Industry, "industries")))
    ] = []
    tags: Annotated[Slugs, AfterValidator(checked_by(known_slugs(Tag, "tags")))] = []
    review_by: DateText = None
    expires_on: DateText = None
    audience: Annotated[
        Literal[AUDIENCES] | None,  # type: ignore[valid-type]
        Field(
            description=AUDIENCE_HELP + "; left out, a new asset takes its content "
            "type's default and a revision keeps the asset's"
        ),
    ] = None
    note: Annotated[str | None, Field(max_length=300, description="What changed")] = None


def _some(message: str):
    """A check that a new asset's field is not left empty, refused with the form's words."""

    def check(value):
        if not value or (isinstance(value, str) and not value.strip()):
            raise ValidationFailed(message)
        return value

    return check


class AssetInput(AssetFields):
    """A new asset. Its stages and its body (an asset made through the API has no file
    yet) are required, checked with the other fields as the body is read, so one 422
    names every one of them."""

    stages: Annotated[
        Slugs,
        Field(validate_default=True),
        AfterValidator(checked_by(_some(asset_service.STAGES_MISSING))),
        AfterValidator(checked_by(known_slugs(Stage, "stages"))),
    ] = []
    body: Annotated[
        str | None,
        Field(description="Markdown", validate_default=True),
        AfterValidator(checked_by(_some(asset_service.BODY_MISSING))),
    ] = None


class AssetRevisionInput(AssetFields, Changes):
    """A new revision: ``base_revision`` is the number of the revision you edited, so
    nobody overwrites a revision they have not seen."""

    base_revision: Id


class AssetQuery(Paging):
    stage: Slug | None = Field(None, description="Stage slug")
    persona: Slug | None = Field(None, description="Persona slug")
    industry: Slug | None = Field(None, description="Industry slug")
    content_type: Slug | None = Field(None, description="Content type slug")
    tag: Slug | None = Field(None, description="Tag slug")
    audience: Literal[AUDIENCES] | None = Field(  # type: ignore[valid-type]
        None, description="external or internal"
    )
    status: str | None = Field(
        None, description="live (published), draft, archived or all (authors only)"
    )
    sort: str | None = Field(None, description="newest or title")


class StoredFile(Output):
    name: str
    size: int
    kind: str


class AssetRating(Output):
    average: float | None
    count: int


class Asset(Output):
    """An asset as you may see it: its authors see the latest revision, everyone else
    what is live."""

    id: int
    title: str
    summary: str
    body: str = Field(description="Markdown")
    status: Literal[ASSET_STATUSES]  # type: ignore[valid-type]
    stages: list[str]
    personas: list[str]
    industries: list[str]
    content_type: str | None
    audience: Annotated[Literal[AUDIENCES], Field(description=AUDIENCE_HELP)]  # type: ignore[valid-type]
    tags: list[str]
    owner: Person
    live_revision: int | None
    latest_revision: int | None
    file: StoredFile | None
    review_by: date | None
    expires_on: date | None
    rating: AssetRating
    url: str
    created_at: Timestamp
    updated_at: Timestamp
    published_at: Timestamp | None

    @classmethod
    def shown(cls, asset: models.Asset, user: User, rating: RatingSummary | None = None) -> "Asset":
        """``asset`` as the API shows it to ``user``. ``rating`` saves a query when the
        caller has it already."""
        revision = asset_service.shown_revision(asset, user)
        rating = rating or ratings.summary(asset)
        stored = revision.file if revision else None
        return cls.read(
            asset,
            title=revision.title if revision else "",
            summary=revision.summary if revision else "",
            body=revision.body if revision else "",
            status=asset.status if can(user, "view_latest", asset) else "published",
            stages=[s.slug for s in asset.stages],
            personas=[p.slug for p in asset.personas],
            industries=[i.slug for i in asset.industries],
            content_type=asset.content_type.slug if asset.content_type else None,
            tags=[t.slug for t in asset.tags],
            live_revision=asset.live_revision.number if asset.live_revision else None,
            latest_revision=asset.latest_revision.number if asset.latest_revision else None,
            file=StoredFile(name=stored.original_name, size=stored.size, kind=stored.kind)
            if stored
            else None,
            rating=AssetRating(
                average=round(rating.average, 2) if rating.average is not None else None,
                count=rating.count,
            ),
            url=url_for("content.show", asset_id=asset.id, _external=True),
        )


# What Asset.shown reads beyond a card, loaded for a whole page at once: every taxonomy,
# both revisions' numbers, whether the reader was invited, and the latest revision's file
# (a card shows the live revision where the API shows an author the latest).
SHOWN_LOADS = (
    selectinload(models.Asset.industries),
    selectinload(models.Asset.tags),
    selectinload(models.Asset.collaborators),
    selectinload(models.Asset.live_revision).defer(models.AssetRevision.body_text),
    selectinload(models.Asset.latest_revision)
    .defer(models.AssetRevision.body_text)
    .selectinload(models.AssetRevision.file),
)


class AssetList(Page):
    items: list[Asset]
