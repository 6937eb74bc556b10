"""Demo data for the weekly digest: a reply to a rep's field feedback dated in the last
complete week, so the demo rep's digest (and the marketer's) has news to show."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal.demo.data import MARKETER
from portal.digest.weeks import last_complete_week
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import portal_zone
from workflows.feedback.models import FieldFeedback

DEMO_REP = "rep@example.com"
FEEDBACK_TEXT = (
    "Two CFOs this week asked how our pricing compares with keeping their spreadsheets "
    "over three years."
)
REPLY_TEXT = (
    "Good catch: a three-year cost comparison is in the works. Until then, the ROI "
    "calculator covers most of it."
)


def seed_digest(users: dict[str, User]) -> dict[str, int]:
    """Add the demo's replied feedback once (a second run finds it and adds nothing);
    flushes, never commits."""
    rep, marketer = users.get(DEMO_REP), users.get(MARKETER)
    if rep is None or marketer is None:
        return {"digest_feedback_created": 0}
    exists = db.session.scalar(
        select(FieldFeedback.id).where(
            FieldFeedback.author_id == rep.id, FieldFeedback.text == FEEDBACK_TEXT
        )
    )
    if exists is not None:
        return {"digest_feedback_created": 0}
    monday = last_complete_week().monday
    heard = datetime.combine(monday + timedelta(days=1), time(10), tzinfo=portal_zone())
    db.session.add(
        FieldFeedback(
            author=rep,
            kind="question",
            text=FEEDBACK_TEXT,
            status="acknowledged",
            reply=REPLY_TEXT,
            handled_by=marketer,
            replied_at=heard + timedelta(days=2),
            created_at=heard,
            updated_at=heard + timedelta(days=2),
        )
    )
    db.session.flush()
    return {"digest_feedback_created": 1}
