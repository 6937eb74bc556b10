"""Demo field feedback: what the demo reps and the sales leader heard from customers over
the last weeks, some of it triaged and answered by marketing, so the inbox, "My feedback",
the asset and deal pages and the field-feedback report have something to show."""

from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision, Stage
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from workflows.feedback.models import FieldFeedback


class DemoFeedback(NamedTuple):
    author: str  # email
    kind: str
    text: str
    stage: str | None  # slug
    asset: str | None  # title of the asset's first revision
    deal: str | None  # external id of a demo deal
    days_ago: int
    status: str = "new"
    handler: str | None = None  # email of the marketer who triaged it
    reply: str = ""


MARKETER = "marketer@example.com"
DEMO_FEEDBACK = [
    DemoFeedback(
        "rep@example.com", "objection",
        "Northwind's CFO says the pricing overview hides the per-card fee; "
        "she wants it on page one.",
        "decision", "Fernhill pricing and packaging overview", "DEMO-OPP-1001", 3,
    ),
    DemoFeedback(
        "rep@example.com", "competitor",
        "Halvorsen is also talking to Spendora; they quoted a free first year.",
        "consideration", "Battlecard: Fernhill vs Spendora", "DEMO-OPP-1002", 9,
        "acknowledged", MARKETER,
        "Thanks: we are checking the offer and will update the battlecard.",
    ),
    DemoFeedback(
        "rep@example.com", "win_story",
        "Bluegate signed because the ERP integration deck answered IT's questions in one meeting.",
        "decision", "ERP integrations: NetSuite, Sage Intacct and Microsoft Dynamics",
        "DEMO-OPP-1003", 21, "acted_on", MARKETER,
        "Great story: we are turning it into a short case study.",
    ),
    DemoFeedback(
        "rep@example.com", "loss_reason",
        "Redstone chose to stay on spreadsheets: finance had no time for a rollout this quarter.",
        "decision", None, "DEMO-OPP-1006", 12,
    ),
    DemoFeedback(
        "rep2@example.com", "question",
        "Ironbridge asks whether approvals work offline on the shop floor.",
        "decision", None, "DEMO-OPP-2001", 5,
    ),
    DemoFeedback(
        "rep2@example.com", "content_gap",
        "Manufacturers keep asking for a plant-level spend example; "
        "we have none for industrial buyers.",
        "awareness", None, None, 30, "acknowledged", MARKETER,
        "Agreed: it is on next month's plan.",
    ),
    DemoFeedback(
        "leader@example.com", "objection",
        "Several reps hear that security reviews take too long: "
        "buyers want the SOC 2 report upfront.",
        "consideration", "Fernhill security and compliance at a glance", None, 40,
    ),
]  # fmt: skip


def seed_feedback(users: dict[str, User]) -> dict[str, int]:
    """Create the demo feedback that does not exist yet (matched by author and text), so a
    second run creates nothing. Items whose asset or deal is missing are skipped. Only
    flushes; the caller commits. Creates no notifications: the history is old news."""
    existing = set(db.session.execute(select(FieldFeedback.author_id, FieldFeedback.text)))
    stages = {stage.slug: stage for stage in db.session.scalars(select(Stage))}
    created = 0
    for demo in DEMO_FEEDBACK:
        author = users.get(demo.author)
        if author is None or (author.id, demo.text) in existing:
            continue
        asset = _asset(demo.asset) if demo.asset else None
        deal = _deal(demo.deal) if demo.deal else None
        if (demo.asset and asset is None) or (demo.deal and deal is None):
            continue
        sent = utcnow() - timedelta(days=demo.days_ago, hours=3)
        handler = users.get(demo.handler) if demo.handler else None
        db.session.add(
            FieldFeedback(
                author=author,
                kind=demo.kind,
                text=demo.text,
                stage=stages.get(demo.stage) if demo.stage else None,
                asset=asset,
                deal=deal,
                status=demo.status,
                reply=demo.reply,
                handled_by=handler,
                replied_at=sent + timedelta(days=1) if demo.reply else None,
                created_at=sent,
                updated_at=sent + timedelta(days=1) if handler else sent,
            )
        )
        created += 1
    db.session.flush()
    return {"feedback_created": created}


def _asset(title: str) -> Asset | None:
    first = select(AssetRevision.asset_id).where(
        AssetRevision.number == 1, AssetRevision.title == title
    )
    return db.session.scalar(select(Asset).where(Asset.id.in_(first)).order_by(Asset.id).limit(1))


def _deal(external_id: str) -> Deal | None:
    return db.session.scalar(select(Deal).where(Deal.external_id == external_id))
