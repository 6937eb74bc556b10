"""A small portal holding a row of every kind the export writes, shared by the export's
tests: some rows a leader may read, and some only an admin may."""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from content.deals.services import DealInput, create_deal
from content.library.models import Asset, Stage
from content.rooms.models import Room, RoomVisit
from content.usage.models import UsageEvent
from content.usage.ratings import rate
from content.usage.share_links import buyer_view, create_link
from portal.kernel.extensions import db
from portal.kernel.models import hash_token, utcnow
from tests.factories import make_asset
from workflows.feedback.services import FeedbackInput, send_feedback
from workflows.glossary.services import TermInput, propose_term

FORMULA_TITLE = '=HYPERLINK("https://evil.example/","Pricing")'


@dataclass
class World:
    formula: Asset
    draft: Asset
    leaders_link_id: int
    reps_link_id: int


def build_world(users) -> World:
    """Commit the rows: a published asset with a formula title, a draft, a rating, usage,
    a deal with a share link opened twice, a room visit, feedback and a glossary term."""
    rep, leader, marketer = users["rep"], users["leader"], users["marketer"]
    formula = make_asset(marketer, FORMULA_TITLE)
    draft = make_asset(marketer, "Unreleased battlecard", publish=False)
    rate(formula, rep, 4, "+1 works well with CFOs")
    stage = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    deal = create_deal(
        rep, DealInput(name="Acme renewal", account="Acme", amount_cents=120000, stage=stage)
    )
    reps_link, _ = create_link(formula, rep, deal, recipient="cfo@acme.example")
    leaders_link, _ = create_link(formula, leader, recipient="-buyer@globex.example")
    db.session.flush()
    for link in (reps_link, leaders_link):
        buyer_view(link, "visitor-1").record()
    db.session.add(
        UsageEvent(asset_id=draft.id, kind="view", evidence="verified", user_id=marketer.id)
    )
    room = Room(
        deal=deal,
        created_by=rep,
        title="Acme room",
        token_hash=hash_token("room-token"),
        expires_at=utcnow() + timedelta(days=30),
    )
    db.session.add(room)
    db.session.flush()
    db.session.add(RoomVisit(room_id=room.id, key_hash=hash_token("visit"), visitor_hash="v1"))
    objection = FeedbackInput(kind="objection", text="@pricing is too high", deal_id=deal.id)
    send_feedback(rep, objection)
    propose_term(leader, TermInput(name="MQL", definition="A marketing-qualified lead."))
    db.session.commit()
    return World(formula, draft, leaders_link.id, reps_link.id)


def read_zip(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Each CSV file of an archive as its rows; README.txt and manifest.json as text."""
    files: dict = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            files[name] = list(csv.DictReader(io.StringIO(text))) if name.endswith(".csv") else text
    return files
