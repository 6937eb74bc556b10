"""The API's schemas for content requests: the list's filters, what a rep sends to ask
for content, and the request as the API shows it."""

from datetime import date
from typing import Annotated, Literal

from flask import url_for
from pydantic import AfterValidator, Field

from content.library.models import Persona, Stage
from content.taxonomy.services import known_slug
from portal.kernel.models import User
from portal.kernel.permissions import can
from portal.kernel.schemas import (
    DateText,
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
from workflows.requests.models import DEAL_CONTEXT_MAX, REQUEST_STATUSES
from workflows.requests.models import ContentRequest as ContentRequestRow
from workflows.requests.services import NEED_MAX, NEED_MISSING, STATUS_VIEWS


class ContentRequestQuery(Paging):
    status: Literal[STATUS_VIEWS] | None = Field(  # type: ignore[valid-type]
        None, description="A status, or all"
    )
    stage: Slug | None = Field(None, description="Stage slug")
    overdue: bool | None = Field(None, description="true for requests past their due date only")
    mine: bool | None = Field(None, description="true for requests you made only")


class ContentRequestInput(Input):
    """What a rep asks marketing for."""

    need: Annotated[str, Field(max_length=NEED_MAX), filled(NEED_MISSING)]
    stage: Annotated[
        Slug,
        Field(description="Stage slug"),
        AfterValidator(checked_by(known_slug(Stage, "stage"))),
    ]
    persona: Annotated[
        Slug | None,
        Field(description="Persona slug"),
        AfterValidator(checked_by(known_slug(Persona, "persona"))),
    ] = None
    deal_context: Annotated[str, Field(max_length=DEAL_CONTEXT_MAX)] = ""
    due_on: DateText = None


class ContentRequest(Output):
    """A request as you may see it; the draft only when you may see it."""

    id: int
    need: str
    stage: str | None = Field(description="Stage slug")
    persona: str | None = Field(description="Persona slug")
    deal_context: str
    due_on: date | None
    overdue: bool
    status: Literal[REQUEST_STATUSES]  # type: ignore[valid-type]
    decline_reason: str | None
    requester: Person
    handled_by: Person | None
    asset_id: int | None = Field(
        description="The draft started for the request, when visible to you"
    )
    url: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def shown(cls, content_request: ContentRequestRow, user: User) -> "ContentRequest":
        """``content_request`` as the API shows it to ``user``."""
        asset = content_request.asset
        return cls.read(
            content_request,
            stage=content_request.stage.slug if content_request.stage else None,
            persona=content_request.persona.slug if content_request.persona else None,
            decline_reason=content_request.decline_reason or None,
            asset_id=asset.id if asset is not None and can(user, "view", asset) else None,
            url=url_for("requests.show", request_id=content_request.id),
        )


class ContentRequestList(Page):
    items: list[ContentRequest]
