"""The API's schemas for campaign briefs: what a marketer writes, the list's views, and a
brief as the API shows it."""

from datetime import date, datetime
from typing import Annotated, Literal

from flask import url_for
from pydantic import Field
from sqlalchemy.orm import selectinload

from content.library.models import Asset
from portal.kernel.models import User
from portal.kernel.schemas import DateText, Id, Input, Output, Page, Paging, Timestamp
from workflows.campaigns import services as campaigns
from workflows.campaigns.models import CAMPAIGN_STATUSES
from workflows.campaigns.models import Campaign as CampaignRow

Text = Annotated[str | None, Field(max_length=campaigns.TEXT_MAX, description="Markdown")]


class CampaignInput(Input):
    """A draft brief. Every field is checked by the same rules as the form, and every
    missing or wrong one is named in one 422."""

    name: Annotated[str, Field(max_length=campaigns.NAME_MAX, description="Required")] = ""
    starts_on: Annotated[DateText, Field(description="Required")] = None
    ends_on: Annotated[DateText, Field(description="Required; not before starts_on")] = None
    audience: Annotated[str | None, Field(max_length=campaigns.AUDIENCE_MAX)] = None
    key_messages: Text = None
    talking_points: Text = None
    assets: Annotated[
        list[Id] | None, Field(max_length=campaigns.ASSETS_MAX, description="Ids of live assets")
    ] = None


class CampaignQuery(Paging):
    show: Literal[tuple(campaigns.LIST_VIEWS)] | None = Field(  # type: ignore[valid-type]
        None, description="Which campaigns (drafts: marketers only); current by default"
    )


class CampaignOwner(Output):
    id: int
    name: str


class CampaignAsset(Output):
    id: int
    title: str
    live: bool
    url: str


class Campaign(Output):
    """A brief: only the linked assets you may see, and when you acknowledged it."""

    id: int
    name: str
    status: Literal[CAMPAIGN_STATUSES]  # type: ignore[valid-type]
    timing: Literal["current", "upcoming", "past"]
    starts_on: date
    ends_on: date
    audience: str
    key_messages: str = Field(description="Markdown")
    talking_points: str = Field(description="Markdown")
    owner: CampaignOwner
    assets: list[CampaignAsset] = Field(
        description="Linked assets you may see; reps see only live ones"
    )
    read_at: Timestamp | None = Field(description="When you acknowledged the brief")
    url: str
    published_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def shown(
        cls, campaign: CampaignRow, user: User, read_at: datetime | None = None
    ) -> "Campaign":
        """``campaign`` as the API shows it to ``user``, who read it at ``read_at``."""
        return cls.read(
            campaign,
            timing=campaigns.timing(campaign),
            assets=[
                CampaignAsset(
                    id=asset.id,
                    title=campaigns.asset_title(asset),
                    live=asset.is_live,
                    url=url_for("content.show", asset_id=asset.id),
                )
                for asset in campaigns.shown_assets(campaign, user)
            ],
            read_at=read_at,
            url=url_for("campaigns.show", campaign_id=campaign.id),
        )


# What Campaign.shown reads of each campaign's assets (their titles and whether the reader
# may view them), loaded for a whole page at once.
_ASSETS = selectinload(CampaignRow.assets)
SHOWN_LOADS = (
    _ASSETS.selectinload(Asset.live_revision),
    _ASSETS.selectinload(Asset.latest_revision),
    _ASSETS.selectinload(Asset.collaborators),
)


class CampaignList(Page):
    items: list[Campaign]
