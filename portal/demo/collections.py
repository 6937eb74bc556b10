"""Demo collections for ``seed-demo``: Priya's "New rep: first 30 days", assigned to both
reps with Riley two items in, and Jonas's "Competitive play vs Spendora".

Seeding only flushes; the CLI command commits. Collections are matched by (owner, title),
so a second run creates nothing.
"""

from datetime import timedelta

from sqlalchemy import select

from content.library.models import Asset, AssetRevision
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import local_today
from workflows.collections import paths
from workflows.collections import services as collections
from workflows.collections.models import Collection, CollectionItem

ONBOARDING = "New rep: first 30 days"
COMPETITIVE = "Competitive play vs Spendora"

# (title, owner, description, [(asset title, note)], reps assigned, assigned by, days due)
DEMO_COLLECTIONS = [
    (
        ONBOARDING,
        "marketer@example.com",
        "Your first month at Fernhill: read these in order before your first customer calls.",
        [
            ("Fernhill platform overview", "Start here: the whole story in ten minutes."),
            ("Fernhill pricing and packaging overview", "Know the three plans before week two."),
            (
                "Fernhill security and compliance at a glance",
                "IT asks about this on almost every call.",
            ),
            (
                "Halvorsen Manufacturing closes the books six days faster",
                "Our best-known customer story; learn the numbers.",
            ),
            ("Fernhill corporate pitch deck", "Practise it with your manager in week four."),
        ],
        ("rep@example.com", "rep2@example.com"),
        "leader@example.com",
        30,
    ),
    (
        COMPETITIVE,
        "marketer2@example.com",
        "What to send and say when a buyer is also talking to Spendora.",
        [
            ("Battlecard: Fernhill vs Spendora", "Read the landmines before the first call."),
            (
                "ERP integrations: NetSuite, Sage Intacct and Microsoft Dynamics",
                "Spendora's weak spot: send this when ERP comes up.",
            ),
            (
                "Keystone Components recovers $1.2M in duplicate and overpaid invoices",
                "The proof point for a CFO comparing the two.",
            ),
        ],
        (),
        None,
        None,
    ),
]
# Riley is part-way through the onboarding path: these items are done.
RILEY_DONE = 2


def _live_asset(title: str) -> Asset | None:
    return db.session.scalar(
        select(Asset)
        .join(AssetRevision, AssetRevision.id == Asset.live_revision_id)
        .where(AssetRevision.title == title, Asset.live_clause())
        .order_by(Asset.id)
        .limit(1)
    )


def _exists(owner: User, title: str) -> bool:
    found = select(Collection.id).where(Collection.owner_id == owner.id, Collection.title == title)
    return db.session.scalar(found) is not None


def seed_collections(users: dict[str, User]) -> dict[str, int]:
    """Create the demo collections with their items, assign the onboarding path to the
    reps and mark Riley's first items done. Idempotent; only flushes."""
    counts = {"collections_created": 0, "collection_items_created": 0, "paths_assigned": 0}
    for title, owner_email, description, entries, reps, by, due_in in DEMO_COLLECTIONS:
        owner = users[owner_email]
        if _exists(owner, title):
            continue
        collection = collections.create_collection(owner, title, description)
        counts["collections_created"] += 1
        for asset_title, note in entries:
            asset = _live_asset(asset_title)
            if asset is not None:
                collections.add_item(collection, owner, asset, note)
                counts["collection_items_created"] += 1
        if not reps or not paths.live_item_count(collection):
            continue
        assert by is not None, "a path assigned to reps names who assigned it"
        due = local_today() + timedelta(days=due_in) if due_in else None
        assigned, _ = paths.assign(collection, users[by], [users[email] for email in reps], due)
        counts["paths_assigned"] += len(assigned)
        if "rep@example.com" in reps:
            _mark_first_done(collection, users["rep@example.com"])
    return counts


def _mark_first_done(collection: Collection, rep: User) -> None:
    first = db.session.scalars(
        select(CollectionItem)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(CollectionItem.position)
        .limit(RILEY_DONE)
    ).all()
    for item in first:
        paths.mark(item, rep, True)
