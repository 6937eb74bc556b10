"""Demo deals, ratings and usage for ``seed-demo``: Riley's and Marcus's pipelines (with
the stages each deal went through), the content they rated, used in deals and shared with
buyers over the last three months.

Deals are matched by their CRM id (DEMO-…): a second run creates nothing. Usage is only
written together with the deals it belongs to, so running the seed again never doubles
it. Seeding only flushes; the CLI command commits.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from content.crm import stages as crm_stages
from content.deals import services as deal_service
from content.deals.models import Deal
from content.library.models import Asset, Stage
from content.usage import ratings, share_links
from content.usage.models import UsageEvent
from content.usage.signals import signal_changed
from portal.demo.deal_history import walk_stages
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow

# (CRM id, owner, name, account, amount, stage slug, status, days from today to close)
DEMO_DEALS = [
    ("DEMO-OPP-1001", "rep@example.com", "Corporate cards rollout", "Northwind Retail",
     84_000, "decision", "open", 12),
    ("DEMO-OPP-1002", "rep@example.com", "Expense automation", "Halvorsen Foods",
     46_500, "consideration", "open", 35),
    ("DEMO-OPP-1003", "rep@example.com", "Procurement suite", "Bluegate Manufacturing",
     128_000, "decision", "won", -20),
    ("DEMO-OPP-1004", "rep@example.com", "Bill pay pilot", "Clearwater Health",
     22_000, "awareness", "open", 60),
    ("DEMO-OPP-1005", "rep@example.com", "Card program renewal", "Oakridge Software",
     61_000, "expansion", "won", -45),
    ("DEMO-OPP-1006", "rep@example.com", "Spend visibility", "Redstone Logistics",
     39_000, "decision", "lost", -10),
    ("DEMO-OPP-1007", "rep@example.com", "Month-end close", "Silverfield Retail",
     54_250, "onboarding", "won", -70),
    ("DEMO-OPP-2001", "rep2@example.com", "Purchase approvals", "Ironbridge Industrial",
     97_000, "decision", "open", 20),
    ("DEMO-OPP-2002", "rep2@example.com", "AP automation", "Stonemark Retail",
     33_000, "consideration", "open", 45),
    ("DEMO-OPP-2003", "rep2@example.com", "Vendor onboarding", "Brightdale Health",
     71_500, "decision", "won", -30),
    ("DEMO-OPP-2004", "rep2@example.com", "Global cards", "Northgate Software",
     150_000, "decision", "lost", -5),
]  # fmt: skip


def _closed_deals() -> list[tuple]:
    """Deals both reps closed over the last three months, three in five won: with the
    deals above, enough for the influence report to compare the assets most deals used
    (PROVEN) with the deals that went without them."""
    accounts = (
        "Ashford Dental", "Birchway Hotels", "Cobalt Freight", "Dunmore Labs",
        "Eastvale Foods", "Fairhaven Clinics", "Glenrock Mining", "Harborline Shipping",
        "Ivywood Schools", "Juniper Pharma", "Kestrel Aviation", "Lakeshore Retail",
        "Maplecrest Insurance", "Norrland Energy",
    )  # fmt: skip
    products = ("AP automation", "Corporate cards", "Procurement suite", "Expense automation")
    return [
        (
            f"DEMO-OPP-3{n + 1:03d}",
            ("rep@example.com", "rep2@example.com")[n % 2],
            products[n % len(products)],
            account,
            25_000 + 7_500 * (n % 7),
            ("decision", "consideration")[n % 3 == 2],
            "won" if n % 5 in (0, 2, 3) else "lost",
            -(6 + 6 * n),
        )
        for n, account in enumerate(accounts)
    ]


DEMO_DEALS += _closed_deals()
# Assets reps reach for in most deals, more often in those they win: the influence report
# has enough closed deals with and without each to show its win-rate interval.
PROVEN = (
    "AP automation ROI calculator",
    "Halvorsen Manufacturing closes the books six days faster",
    "Fernhill pricing and packaging overview",
    "Objection handling: security and data residency",
)
RATERS = ("rep@example.com", "rep2@example.com", "leader@example.com")
COMMENTS = (
    "Used it on a call this week; the buyer asked for a copy.",
    "Good, but the numbers need a source the CFO can check.",
    "Too long for a first meeting.",
    "",
    "",
)
HISTORY_DAYS = 90


def seed_usage(users: dict[str, User]) -> dict[str, int]:
    """Create the demo deals and, with them, the usage that goes with them."""
    counts = {"deals_created": 0, "usage_events": 0}
    crm_stages.ensure_mappings_on_first_use()  # so a CRM export imports out of the box
    stages = {stage.slug: stage for stage in db.session.scalars(select(Stage))}
    demo_ids = select(Deal.external_id).where(Deal.external_id.like("DEMO-%"))
    existing = set(db.session.scalars(demo_ids))
    created = []
    for external_id, owner, name, account, amount, stage, status, close_in in DEMO_DEALS:
        if external_id in existing or stage not in stages:
            continue
        data = deal_service.DealInput(
            name, account, amount * 100, stages[stage], status, date.today() + timedelta(close_in)
        )
        created.append(deal_service.create_deal(users[owner], data, external_id, "import"))
    counts["deals_created"] = len(created)
    if created:
        rng = random.Random(6)
        walk_stages(created, list(stages.values()), random.Random(7))
        live = list(db.session.scalars(select(Asset).where(Asset.live_clause()).order_by(Asset.id)))
        counts["usage_events"] += _rate(users, live, rng)
        proven = _proven(live)
        for deal in created:
            counts["usage_events"] += _use_in_deal(deal, live, proven, rng)
        counts["usage_events"] += _browse(users, live, rng)
        db.session.flush()
        for asset in live:  # events written here directly re-rank their assets too
            signal_changed(asset.id)
    return counts


def _when(rng: random.Random, days: int = HISTORY_DAYS) -> datetime:
    return utcnow() - timedelta(days=rng.uniform(0, days), minutes=rng.randint(0, 600))


def _rate(users: dict[str, User], live: list[Asset], rng: random.Random) -> int:
    rated = 0
    for email in RATERS:
        rater = users[email]
        for asset in rng.sample(live, k=min(14, len(live))):
            if ratings.refusal(rater, asset) is None:
                stars = rng.choices((5, 4, 3, 2), weights=(5, 4, 2, 1))[0]
                ratings.rate(asset, rater, stars, rng.choice(COMMENTS))
                rated += 1
    return rated


def _proven(live: list[Asset]) -> list[Asset]:
    titles = set(PROVEN)
    return [asset for asset in live if asset.live_revision and asset.live_revision.title in titles]


def _use_in_deal(deal: Deal, live: list[Asset], proven: list[Asset], rng: random.Random) -> int:
    """Attach two or three assets of the deal's stage (and, to a closed deal, each PROVEN
    asset about every other time), share one with the buyer and let the buyer open it a
    few times; all dated before the deal closed."""
    fitting = [asset for asset in live if deal.stage in asset.stages] or live
    chosen = rng.sample(fitting, k=min(len(fitting), rng.randint(2, 3)))
    if deal.closed:
        odds = 0.6 if deal.status == "won" else 0.35
        chosen += [a for a in proven if a not in chosen and rng.random() < odds]
    assert deal.close_date is not None, "every demo deal has a close date"
    end = min(utcnow(), datetime.combine(deal.close_date, time.min, tzinfo=UTC))
    events: list[UsageEvent] = []
    for asset in chosen:
        when = end - timedelta(days=rng.uniform(3, 40))
        events.append(_event(asset, deal, "used_in_deal", "self_reported", when))
    # Internal assets (battlecards, demo scripts) are never sent to buyers.
    shared = next((asset for asset in chosen if not asset.internal), None)
    if shared is None:
        db.session.add_all(events)
        return len(events)
    link, _token = share_links.create_link(shared, deal.owner, deal, 30, f"{deal.account} team")
    link.created_at = end - timedelta(days=rng.uniform(5, 30))
    db.session.flush()
    share = db.session.scalar(select(UsageEvent).where(UsageEvent.share_link_id == link.id))
    assert share is not None, "creating a link records its share"
    share.created_at = link.created_at
    for visitor in range(rng.randint(0, 3)):
        for _open in range(rng.randint(1, 2)):
            when = link.created_at + timedelta(hours=rng.uniform(1, 96))
            event = _event(shared, deal, "buyer_view", "verified", when)
            event.share_link_id = link.id
            event.visitor_hash = f"demo-visitor-{deal.id}-{visitor}"
            events.append(event)
    db.session.add_all(events)
    return len(events) + 1  # and the share the link recorded


def _event(asset: Asset, deal: Deal, kind: str, evidence: str, when: datetime) -> UsageEvent:
    return UsageEvent(
        asset_id=asset.id,
        kind=kind,
        evidence=evidence,
        user_id=deal.owner_id,
        deal_id=deal.id,
        revision_id=asset.live_revision_id,
        created_at=when,
    )


def _browse(users: dict[str, User], live: list[Asset], rng: random.Random) -> int:
    """Views and downloads by the reps and leaders over the last three months."""
    readers = [users[email] for email in RATERS]
    events = []
    for asset in live:
        assert asset.live_revision is not None, "the assets browsed are live"
        has_file = asset.live_revision.file_id is not None
        for _view in range(rng.randint(0, 6)):
            reader = rng.choice(readers)
            events.append(
                UsageEvent(
                    asset_id=asset.id,
                    kind="download" if has_file and rng.random() < 0.3 else "view",
                    evidence="verified",
                    user_id=reader.id,
                    revision_id=asset.live_revision_id,
                    created_at=_when(rng),
                )
            )
    db.session.add_all(events)
    return len(events)
