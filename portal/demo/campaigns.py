"""Demo campaign briefs for ``seed-demo``: one running now (Riley has read it), one
starting next month and a draft still being written.

Seeding only flushes; the CLI command commits. Campaigns are matched by (owner, name), so
a second run creates nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from inspect import cleandoc

from sqlalchemy import select

from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import local_today
from workflows.campaigns import services as campaigns
from workflows.campaigns.models import Campaign


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    owner: str
    starts_in: int  # days from today
    lasts: int  # days
    audience: str
    key_messages: str
    talking_points: str
    assets: int = 0  # how many live assets to link, by title
    published: bool = True
    read_by: tuple[str, ...] = ()


DEMO_CAMPAIGNS = [
    DemoCampaign(
        "Close the month in three days",
        "marketer@example.com",
        -7,
        35,
        "Finance leads and controllers at retailers with 20+ stores",
        """
        - Month-end close drops from about 11 days to 5 once card spend is coded at the till.
        - No new hardware and no ERP project: the nightly sync does the matching.
        - **Proof:** Halvorsen Manufacturing closed six days faster within nine months.
        """,
        """
        1. Open with their close: *how many days did last month take?*
        2. If they say "our ERP does this": ask who chases the missing receipts.
        3. Offer the ROI one-pager before the second call, not after it.
        """,
        assets=2,
        read_by=("rep@example.com",),
    ),
    DemoCampaign(
        "Procurement season for manufacturers",
        "marketer2@example.com",
        21,
        45,
        "Heads of procurement at plants buying from 100+ suppliers",
        """
        - Three-way matching out of email: pay on time, never twice.
        - Supplier onboarding in a day instead of a week.
        """,
        "Ask how many supplier invoices they chase by email each week.",
        assets=1,
    ),
    DemoCampaign(
        "Travel and expense refresh",
        "marketer@example.com",
        40,
        30,
        "Travel managers",
        "",
        "",
        published=False,
    ),
]


def seed_campaigns(users: dict[str, User]) -> dict[str, int]:
    """Create the demo campaigns that do not exist yet and the reads of them; returns
    {"campaigns_created": n, "campaign_reads_created": m}."""
    rows = db.session.execute(select(Campaign.owner_id, Campaign.name))
    existing = {(owner_id, name) for owner_id, name in rows}
    linkable = campaigns.linkable_assets()
    today = local_today()
    counts = {"campaigns_created": 0, "campaign_reads_created": 0}
    for demo in DEMO_CAMPAIGNS:
        owner = users[demo.owner]
        if (owner.id, demo.name) in existing:
            continue
        starts_on = today + timedelta(days=demo.starts_in)
        data = campaigns.CampaignInput(
            name=demo.name,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=demo.lasts),
            audience=demo.audience,
            key_messages=cleandoc(demo.key_messages),
            talking_points=cleandoc(demo.talking_points),
            asset_ids=[asset.id for asset in linkable[: demo.assets]],
        )
        campaign = campaigns.create_campaign(owner, data)
        counts["campaigns_created"] += 1
        if not demo.published:
            continue
        campaigns.publish(campaign, owner)
        for email in demo.read_by:
            _read, created = campaigns.acknowledge(campaign, users[email])
            counts["campaign_reads_created"] += int(created)
    db.session.flush()
    return counts
