"""The API's schemas for field feedback: what a rep sends, what a marketer's triage
changes, the inbox's filters, and an item as the API shows it."""

from typing import Annotated, Literal

from flask import url_for
from pydantic import AfterValidator, Field

from content.library.models import Stage
from content.taxonomy.services import known_slug
from portal.kernel.errors import ValidationFailed
from portal.kernel.ids import ID_MAX
from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.schemas import (
    Changes,
    Id,
    Input,
    Output,
    Page,
    Paging,
    Person,
    QueryNumber,
    Slug,
    Timestamp,
    checked_by,
    filled,
)
from workflows.feedback import services as feedback
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES, FieldFeedback

# An id a client may leave out or send as null.
MaybeId = Annotated[int | None, Field(ge=1, le=ID_MAX)]
# mypy cannot read a Literal of a variable; the values come from the model.
FEEDBACK_STATUS_NAMES = tuple(FEEDBACK_STATUSES)
FeedbackStatus = Literal[FEEDBACK_STATUS_NAMES]  # type: ignore[valid-type]


def _known_kind(kind: str) -> str:
    if kind not in FEEDBACK_KINDS:
        raise ValidationFailed(feedback.KIND_MISSING)
    return kind


class FeedbackInput(Input):
    """Feedback as a rep sends it. An unknown kind, an empty text and an asset, deal or
    campaign the sender may not name are refused together, each field named."""

    kind: Annotated[
        str,
        Field(json_schema_extra={"enum": list(FEEDBACK_KINDS)}),
        AfterValidator(checked_by(_known_kind)),
    ]
    text: Annotated[str, Field(max_length=feedback.TEXT_MAX), filled(feedback.TEXT_MISSING)]
    stage: Annotated[Slug | None, AfterValidator(checked_by(known_slug(Stage, "stage")))] = None
    asset_id: MaybeId = None
    deal_id: MaybeId = None
    campaign_id: MaybeId = None


class FeedbackTriageInput(Changes):
    """A triage: what is left out keeps its value; ``version`` is the item's version as
    you read it, so nobody overwrites a reply they have not seen."""

    status: FeedbackStatus | None = Field(None, description="null or left out keeps it")
    reply: Annotated[
        str | None,
        Field(max_length=feedback.REPLY_MAX, description="null clears it, as an empty string does"),
    ] = None
    version: Annotated[str, Field(description="Required: the item's version as you read it")] = ""


class FeedbackQuery(Paging):
    status: str | None = Field(None, description="new, acknowledged, acted_on or all")
    kind: str | None = Field(None, description="One of the kinds")
    stage: Slug | None = Field(None, description="Stage slug")
    q: str | None = Field(None, description="Words to find in the text or reply")
    asset: Annotated[Id | None, Field(description="Asset id"), QueryNumber] = None


class Feedback(Output):
    """An item of feedback; the asset and the deal only when you may open them."""

    id: int
    kind: Literal[tuple(FEEDBACK_KINDS)]  # type: ignore[valid-type]
    text: str
    stage: str | None = Field(description="Stage slug")
    asset_id: int | None
    deal_id: int | None
    campaign_id: int | None
    status: FeedbackStatus
    reply: str | None
    author: Person
    handled_by: Person | None
    version: str = Field(description="Send it back with a triage")
    url: str
    replied_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def shown(cls, item: FieldFeedback, user: User) -> "Feedback":
        """``item`` as the API shows it to ``user``."""
        asset, deal = item.asset, item.deal
        return cls.read(
            item,
            stage=item.stage.slug if item.stage else None,
            asset_id=asset.id if asset is not None and can(user, "view", asset) else None,
            deal_id=deal.id if deal is not None and can(user, "view", deal) else None,
            reply=item.reply or None,
            version=feedback.version(item),
            url=url_for("feedback.show", feedback_id=item.id),
        )


class FeedbackList(Page):
    items: list[Feedback]
