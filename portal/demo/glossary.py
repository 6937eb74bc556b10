"""Demo glossary for ``seed-demo``: the funnel terms both teams use, most of them agreed
by Dana (sales) and Sofia (marketing), MQL with a second, re-agreed version, and one term
still waiting for both sign-offs.

Seeding only flushes; the CLI command commits. Terms are matched by name (any case), so a
second run creates nothing.
"""

from inspect import cleandoc
from typing import NamedTuple

from sqlalchemy import func, select, update

from portal.demo.data import MARKETER, MARKETER2
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.notifications import Notification
from workflows.glossary.models import GlossaryTerm, name_key
from workflows.glossary.services import TermInput, edit_term, propose_term, sign

SALES_LEADER = "leader@example.com"
MARKETING_LEADER = "marketing-lead@example.com"
REP = "rep@example.com"


class DemoTerm(NamedTuple):
    name: str
    aliases: str
    definition: str
    proposer: str
    agreed: bool = True
    # A later wording (definition, note), agreed again: the term's page shows a history.
    revision: tuple[str, str] | None = None


DEMO_TERMS = [
    DemoTerm(
        "MQL",
        "MQLs, marketing qualified lead",
        cleandoc("""
            A lead that **fits our ideal customer profile** (finance team of 5 or more,
            100–2,500 employees) and has shown buying intent: a demo request, a pricing-page
            visit plus a content download, or a webinar attended.
            """),
        MARKETER,
        revision=(
            cleandoc("""
                A lead that **fits our ideal customer profile** (finance team of 5 or more,
                100–2,500 employees) and has shown buying intent: a demo request, a
                pricing-page visit plus a content download, or a webinar attended.

                Lead score of **50 or more**. Students, vendors and competitors never count.
                """),
            "Add the score threshold and the exclusions",
        ),
    ),
    DemoTerm(
        "SQL",
        "SQLs, sales qualified lead, SAL",
        cleandoc("""
            An MQL a rep has accepted after a first conversation: the buyer confirmed a
            problem we solve and agreed to a next meeting. Reps accept or return each MQL
            within **two working days**.
            """),
        SALES_LEADER,
    ),
    DemoTerm(
        "Qualified opportunity",
        "qualified opportunities, stage 2",
        cleandoc("""
            A deal in the CRM with a known **budget owner**, a **problem** worth solving
            this year and a **decision date**. Only qualified opportunities count towards
            pipeline coverage.
            """),
        SALES_LEADER,
    ),
    DemoTerm(
        "ROI",
        "return on investment",
        cleandoc("""
            Savings in the first year (hours saved × loaded hourly cost, plus recovered
            spend) divided by the first year's subscription. Quote the customer's own
            figures where we have them, never a list-price estimate.
            """),
        MARKETER2,
    ),
    DemoTerm(
        "T&E",
        "travel and expenses",
        "Travel and entertainment spend put on company cards or claimed back by employees.",
        MARKETER,
    ),
    DemoTerm(
        "Month-end close",
        "close, period close",
        cleandoc("""
            The working days from the last day of the month until the books are final.
            *Proposed:* count from the first working day instead, as most CFOs do.
            """),
        REP,
        agreed=False,
    ),
]


def seed_glossary(users: dict[str, User]) -> dict[str, int]:
    """Create the demo glossary terms missing from the portal; returns counts of what was
    made. Only flushes: the caller commits."""
    counts = {"glossary_terms_created": 0, "glossary_signoffs_created": 0}
    existing = set(db.session.scalars(select(GlossaryTerm.name_key)))
    history_from = db.session.scalar(select(func.max(Notification.id))) or 0
    # Agreed terms first: their notifications are old news and are marked read; the
    # proposed term's requests to sign stay new in the leaders' bells.
    for demo in sorted(DEMO_TERMS, key=lambda demo: not demo.agreed):
        if name_key(demo.name) in existing:
            continue
        if not demo.agreed:
            _mark_read_since(history_from)
        counts["glossary_terms_created"] += 1
        counts["glossary_signoffs_created"] += _seed_term(demo, users)
    return counts


def _seed_term(demo: DemoTerm, users: dict[str, User]) -> int:
    term = propose_term(
        users[demo.proposer],
        TermInput(name=demo.name, aliases=demo.aliases, definition=demo.definition),
    )
    if not demo.agreed:
        return 0
    signoffs = _sign_both(term, users)
    if demo.revision is not None:
        definition, note = demo.revision
        data = TermInput(demo.name, demo.aliases, definition, note)
        edit_term(term, users[MARKETING_LEADER], term.version, data)
        signoffs += _sign_both(term, users)
    return signoffs


def _sign_both(term: GlossaryTerm, users: dict[str, User]) -> int:
    for leader in (SALES_LEADER, MARKETING_LEADER):
        sign(term, users[leader], term.version)
    return 2


def _mark_read_since(after_id: int) -> None:
    db.session.flush()
    db.session.execute(
        update(Notification)
        .where(Notification.id > after_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
