"""Campaigns, brief reads, field feedback and a deal-room open on top of the reports'
seeded world, for the consumption headline and the campaign results. Fixed values: the
world's own rows stay unchanged, so the other reports' tests are not affected."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from content.library.models import Asset
from content.rooms.models import Room
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from tests.reports.seed import World, at_local
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.feedback.models import FieldFeedback

# key, status, first day and last day (days ago; negative is ahead), linked assets
CAMPAIGNS = [
    ("push", "published", 30, 10, ("roi", "case")),
    ("wave", "published", 60, -5, ("deck", "white", "quiet")),
    ("draft", "draft", 20, 5, ("roi",)),
    ("ancient", "published", 400, 380, ("battle",)),
]
# campaign, reader, days ago; Max is deactivated and does not count
READS = [("push", "riley", 25), ("push", "ana", 28), ("push", "max", 27), ("wave", "kim", 12)]
# campaign, author, kind, stage, status, days ago
FEEDBACK = [
    ("push", "riley", "objection", "decision", "new", 12),
    ("push", "marcus", "objection", "decision", "acted_on", 14),
    ("push", "ana", "competitor", None, "acknowledged", 2),
    ("wave", "kim", "question", "awareness", "new", 4),
]


@dataclass
class Campaigns:
    ids: dict[str, int] = field(default_factory=dict)


def add_campaigns(world: World) -> Campaigns:
    """Seed the campaigns above with their reads and feedback, and one buyer opening the
    "push" campaign's ROI calculator in a deal room during it; commits."""
    today: date = world.today
    seeded = Campaigns()
    for key, status, first, last, assets in CAMPAIGNS:
        campaign = Campaign(
            name=f"Campaign {key}",
            starts_on=today - timedelta(days=first),
            ends_on=today - timedelta(days=last),
            key_messages="Say it.",
            status=status,
            owner_id=world.people["priya"],
            published_at=utcnow() if status == "published" else None,
        )
        campaign.assets = [db.session.get_one(Asset, world.assets[a]) for a in assets]
        db.session.add(campaign)
        db.session.flush()
        seeded.ids[key] = campaign.id
    for key, reader, ago in READS:
        db.session.add(
            CampaignRead(
                campaign_id=seeded.ids[key],
                user_id=world.people[reader],
                read_at=at_local(today - timedelta(days=ago), 9),
            )
        )
    for key, author, kind, stage, status, ago in FEEDBACK:
        db.session.add(
            FieldFeedback(
                author_id=world.people[author],
                kind=kind,
                text=f"{kind} about {key}",
                stage_id=world.stages[stage] if stage else None,
                campaign_id=seeded.ids[key],
                status=status,
                created_at=at_local(today - timedelta(days=ago), 11),
            )
        )
    _room_open(world, today)
    db.session.commit()
    return seeded


def _room_open(world: World, today: date) -> None:
    deal_id = world.deals[0]
    room = Room(
        deal_id=deal_id,
        created_by_id=world.people["riley"],
        title="Room",
        token_hash="r" * 64,
        expires_at=utcnow() + timedelta(days=30),
    )
    db.session.add(room)
    db.session.flush()
    db.session.add(
        UsageEvent(
            asset_id=world.assets["roi"],
            kind="buyer_view",
            evidence="verified",
            user_id=world.people["riley"],
            deal_id=deal_id,
            room_id=room.id,
            visitor_hash="room-visitor",
            created_at=at_local(today - timedelta(days=15), 14),
        )
    )
