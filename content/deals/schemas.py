"""The API's schemas for deals: what a rep or a CRM sends, the deal as the API shows it,
and the deal list's filters."""

from datetime import date
from typing import Annotated, Literal, Self

from flask import current_app, url_for
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, WithJsonSchema

from content.deals import models
from content.deals import services as deals
from content.deals.models import DEAL_STATUSES
from content.deals.queries import SORTS, STATUS_VIEWS
from content.deals.services import ACCOUNT_MAX, EXTERNAL_ID_MAX, NAME_MAX
from content.library.models import Stage
from content.taxonomy.services import terms_by_slugs
from content.usage.events import NOTE_MAX
from content.usage.models import EVIDENCE, UsageEvent
from portal.kernel.schemas import (
    Changes,
    DateText,
    Id,
    Output,
    Page,
    Paging,
    Person,
    Slug,
    Timestamp,
    checked_by,
    filled,
)

ASSET_IDS_MAX = 100
SYNC_RESULTS = ("created", "updated", "unchanged")


def _stage(slug: str | None) -> str | None:
    """The slug of a stage that exists; empty reads as none."""
    if not slug:
        return None
    terms_by_slugs(Stage, [slug], "stage")
    return slug


def _external_id(external_id: str | None) -> str | None:
    return deals.check_external_id(external_id) if external_id else None


# Cents, read from a JSON number or text such as "12,500.50" or "$12,500".
AmountCents = Annotated[
    int | None,
    BeforeValidator(checked_by(deals.parse_amount)),
    WithJsonSchema({"type": ["number", "string", "null"]}),
    Field(
        alias="amount",
        description='In the portal\'s currency, to the cent: 12500.5 or "12,500.50"',
    ),
]
StageSlug = Annotated[
    Slug | None,
    AfterValidator(checked_by(_stage)),
    Field(description="Buyer stage slug, e.g. decision"),
]
Name = Annotated[str, Field(max_length=NAME_MAX), filled(deals.NAME_MISSING)]
Account = Annotated[str, Field(max_length=ACCOUNT_MAX), filled(deals.ACCOUNT_MISSING)]
ExternalId = Annotated[
    str | None,
    Field(max_length=EXTERNAL_ID_MAX, description="The CRM's id"),
    AfterValidator(checked_by(_external_id)),
]


class DealInput(Changes):
    """A deal's fields as a client sends them; what is left out keeps its value."""

    name: Annotated[str | None, Field(max_length=NAME_MAX), filled(deals.NAME_MISSING)] = None
    account: Annotated[str | None, Field(max_length=ACCOUNT_MAX), filled(deals.ACCOUNT_MISSING)] = (
        None
    )
    amount_cents: AmountCents = None
    stage: StageSlug = None
    status: Literal[DEAL_STATUSES] = "open"  # type: ignore[valid-type]
    close_date: DateText = None


class NewDealInput(DealInput):
    """A new deal of your own; ``external_id`` lets a CRM find it again."""

    # A new deal takes the defaults of the fields left out, so the document shows them.
    model_config = ConfigDict(json_schema_extra=None)

    name: Name
    account: Account
    stage: StageSlug
    external_id: ExternalId = None


class DealSyncInput(DealInput):
    """A deal as a CRM sync sends it; admins name its owner and the content used."""

    owner: Annotated[
        str | None,
        Field(max_length=254, description="The owner's email (admins; required for a new deal)"),
    ] = None
    asset_ids: Annotated[
        list[Id],
        Field(
            max_length=ASSET_IDS_MAX,
            description="Published assets the CRM says were used (admins), recorded as "
            "imported usage and never removed",
        ),
    ] = []


class DealQuery(Paging):
    status: Literal[STATUS_VIEWS] | None = Field(  # type: ignore[valid-type]
        None, description="open, won, lost or all (default all)"
    )
    stage: str | None = Field(None, description="Buyer stage slug")
    owner: str | None = Field(None, description="The owner's email (leaders and admins)")
    q: str | None = Field(None, description="Words in the deal's name or account")
    sort: Literal[SORTS] | None = Field(  # type: ignore[valid-type]
        None,
        description="close_date (soonest first, the default), amount (largest first), "
        "updated (last changed first) or name",
    )


class DealAttachment(Output):
    """An asset used in the deal."""

    asset_id: int
    title: str
    evidence: Literal[EVIDENCE]  # type: ignore[valid-type]
    note: Annotated[str, Field(max_length=NOTE_MAX)]
    attached_at: Timestamp

    @classmethod
    def shown(cls, event: UsageEvent) -> "DealAttachment":
        return cls.read(event, title=deals.asset_title(event.asset), attached_at=event.created_at)


class Deal(Output):
    """A deal with the content used in it."""

    id: int
    external_id: Annotated[str | None, Field(description="The CRM's id")]
    name: str
    account: str
    amount: Annotated[int | float | None, Field(description="In `currency`")]
    currency: Annotated[str, Field(description="ISO 4217 code (TANDEM_CURRENCY)")]
    stage: Annotated[str | None, Field(description="Buyer stage slug")]
    status: Literal[DEAL_STATUSES]  # type: ignore[valid-type]
    close_date: date | None
    owner: Person
    attached: Annotated[
        list[DealAttachment], Field(description="Content used in the deal, newest first")
    ]
    url: Annotated[str, Field(description="The deal's page")]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def shown(cls, deal: models.Deal, attached: list[UsageEvent], **extra) -> Self:
        """``deal`` as the API shows it, with the content attached to it (``attached``);
        ``extra`` fills the fields a subclass adds."""
        return cls.read(
            deal,
            amount=deals.amount_number(deal.amount_cents),
            currency=current_app.config["CURRENCY"],
            stage=deal.stage.slug if deal.stage else None,
            attached=[DealAttachment.shown(event) for event in attached],
            url=url_for("deals.show", deal_id=deal.id, _external=True),
            **extra,
        )


class DealSync(Deal):
    """The deal a sync wrote, and what the sync did to it."""

    result: Literal[SYNC_RESULTS]  # type: ignore[valid-type]


class DealList(Page):
    items: list[Deal]
