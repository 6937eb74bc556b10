"""JSON API for campaign briefs: list and read the ones you may see, write and publish
them (marketers), acknowledge them (reps)."""

from flask import Blueprint

from portal.kernel.models import User
from portal.kernel.schemas import Created, created, operation
from workflows.campaigns import services as campaigns
from workflows.campaigns.schemas import (
    SHOWN_LOADS,
    Campaign,
    CampaignInput,
    CampaignList,
    CampaignQuery,
)

bp = Blueprint("campaigns_api", __name__)


@bp.get("/campaigns")
@operation("Campaign briefs you may see (drafts for marketers only)", answer="A page of campaigns")
def list_campaigns(query: CampaignQuery, user: User) -> CampaignList:
    view = campaigns.parse_view(query.show, user)
    page, per_page = query.pages()
    listed = campaigns.campaign_list(user, view, page, per_page, SHOWN_LOADS)
    return CampaignList.of(listed, lambda row: Campaign.shown(row.campaign, user, row.read_at))


@bp.post("/campaigns")
@operation("Write a draft campaign brief (marketers and admins)", answer="The draft", errors=(403,))
def create_campaign(body: CampaignInput, user: User) -> Created[Campaign]:
    campaign = campaigns.create_campaign(
        user,
        campaigns.CampaignInput(
            name=body.name,
            starts_on=body.starts_on or None,
            ends_on=body.ends_on or None,
            audience=body.audience or "",
            key_messages=body.key_messages or "",
            talking_points=body.talking_points or "",
            asset_ids=body.assets or [],
        ),
    )
    return created(Campaign.shown(campaign, user), ".get_campaign", campaign_id=campaign.id)


@bp.get("/campaigns/<id:campaign_id>")
@operation("Read one campaign brief", answer="The campaign")
def get_campaign(campaign_id: int, user: User) -> Campaign:
    campaign = campaigns.get_visible_campaign(user, campaign_id)
    read = campaigns.read_by(campaign, user)
    return Campaign.shown(campaign, user, read.read_at if read else None)


@bp.post("/campaigns/<id:campaign_id>/publish")
@operation(
    "Publish a draft and notify every active rep (its owner or an admin)",
    answer="The published campaign",
    errors=(403, 409),
)
def publish_campaign(campaign_id: int, user: User) -> Campaign:
    campaign = campaigns.get_visible_campaign(user, campaign_id)
    campaigns.publish(campaign, user)
    return Campaign.shown(campaign, user)


@bp.put("/campaigns/<id:campaign_id>/read")
@operation(
    "Acknowledge having read the brief (reps; idempotent)",
    response=Campaign,
    status=201,
    answer="Acknowledged now",
    also={200: (Campaign, "Already acknowledged")},
    errors=(403,),
)
def acknowledge_campaign(campaign_id: int, user: User):
    """Idempotent: 201 the first time, 200 with the first read time afterwards."""
    campaign = campaigns.get_visible_campaign(user, campaign_id)
    read, created = campaigns.acknowledge(campaign, user)
    return Campaign.shown(campaign, user, read.read_at), 201 if created else 200
