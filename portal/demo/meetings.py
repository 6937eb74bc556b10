"""Demo alignment meeting for ``seed-demo``: Dana (sales) runs a weekly revenue sync with
Sofia (marketing), Priya and Riley. Its next meeting is tomorrow, so its pack is the one
the leaders get today; last week's meeting recorded a decision and three action items,
one of them done since.

Seeding only flushes; the CLI command commits. The meeting is matched by name, so a second
run creates nothing.
"""

from datetime import time, timedelta

from sqlalchemy import select

from portal.alignment import services as alignment
from portal.alignment.models import Meeting
from portal.demo.data import MARKETER
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import local_today
from workflows.feedback.models import FieldFeedback
from workflows.glossary.models import GlossaryTerm

NAME = "Weekly revenue sync"
SALES_LEADER = "leader@example.com"
MARKETING_LEADER = "marketing-lead@example.com"
REP = "rep@example.com"


def seed_meetings(users: dict[str, User]) -> dict[str, int]:
    """Create the demo meeting and what its last occurrence recorded, unless it exists."""
    if db.session.scalar(select(Meeting.id).where(Meeting.name == NAME)) is not None:
        return {"meetings_created": 0, "action_items_created": 0}
    leader, marketer, rep = users[SALES_LEADER], users[MARKETER], users[REP]
    tomorrow = local_today() + timedelta(days=1)
    data = alignment.MeetingInput(
        name=NAME,
        cadence="weekly",
        weekday=tomorrow.weekday(),
        meets_at=time(9, 30),
        attendee_ids=[users[MARKETING_LEADER].id, marketer.id, rep.id],
        starting=tomorrow - timedelta(days=14),
    )
    meeting = alignment.schedule_meeting(leader, data)
    last_week = tomorrow - timedelta(days=7)
    alignment.record_decision(
        leader, meeting, last_week,
        "Objections about implementation time get the onboarding timeline, not the case study.",
    )  # fmt: skip
    feedback = db.session.scalar(select(FieldFeedback).order_by(FieldFeedback.id))
    term = db.session.scalar(select(GlossaryTerm).order_by(GlossaryTerm.id))
    items = [
        ("Answer the implementation-time objection with a one-pager", marketer, 3,
         ("feedback", feedback.id) if feedback else None),
        ("Walk the team through the agreed definition in Monday's stand-up", rep, 5,
         ("term", term.id) if term else None),
        ("Share the win story from the retail deal with marketing", rep, 1, None),
    ]  # fmt: skip
    created = []
    for title, owner, days, link in items:
        due = local_today() + timedelta(days=days)
        item = alignment.ItemInput(title=title, owner_id=owner.id, due_on=due, link=link)
        created.append(alignment.add_action_item(leader, meeting, last_week, item))
    alignment.close_action_item(rep, created[-1], "Sent the notes to Priya; she is drafting it.")
    return {"meetings_created": 1, "action_items_created": len(created)}
