"""Every figure of a meeting pack, this period and the one before, recomputed from the raw
rows it counts (on SQLite and PostgreSQL)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from content.deals.models import Deal, DealStageChange
from content.deals.services import DealInput, create_deal, update_deal
from content.library.models import Stage
from content.usage.models import UsageEvent
from portal.alignment import calendar
from portal.alignment.pack import PackContext, build_pack
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.reporting import Period
from search.models import SearchMiss, SearchRecord
from tests.factories import make_asset, make_meeting, make_user
from workflows.audit.models import WorkflowEvent
from workflows.feedback.models import FieldFeedback
from workflows.glossary.services import TermInput, propose_term


@pytest.fixture
def world(users):
    """Two reps' usage, deals, publications, searches and feedback, now and four days ago
    (in the period before next week's pack of a meeting first held today)."""
    marketer, rep, leader = users["marketer"], users["rep"], users["leader"]
    rep2 = make_user("rep", department="sales")
    deck, study, idle = (make_asset(marketer, title) for title in ("Deck", "Study", "Idle"))
    draft = make_asset(marketer, "Draft plan", publish=False)
    now, before = utcnow(), utcnow() - timedelta(days=4)
    deal = Deal(name="Acme", account="Acme", owner_id=rep.id, status="won", close_date=now.date())
    old = Deal(name="Old", account="Old", owner_id=rep2.id, status="won", close_date=before.date())
    lost = Deal(name="Lost", account="Lost", owner_id=rep.id, status="lost", close_date=now.date())
    db.session.add_all([deal, old, lost])
    db.session.flush()
    events = [
        (deck, "view", rep, None, now), (deck, "download", rep, None, now),
        (draft, "view", marketer, None, now),
        (study, "used_in_deal", rep2, deal, now), (deck, "view", marketer, None, now),
        (study, "download", rep, None, before), (deck, "used_in_deal", rep, old, before),
    ]  # fmt: skip
    for asset, kind, user, on_deal, at in events:
        db.session.add(UsageEvent(asset_id=asset.id, kind=kind, evidence="verified",
                                  user_id=user.id, deal_id=on_deal.id if on_deal else None,
                                  created_at=at))  # fmt: skip
    # The deck was first published four days ago: republished now, it is not new.
    db.session.add(WorkflowEvent(subject_type="asset", subject_id=deck.id, actor_id=marketer.id,
                                 action="publish", from_state="approved", to_state="published",
                                 created_at=before))  # fmt: skip
    for query, at, found in (
        ("tco", now, 0),
        ("tco", now, 0),
        ("soc2", before, 0),
        ("roi", now, 3),
    ):
        db.session.add(SearchRecord(query=query, normalised=query, total=found, role="rep",
                                    user_id=rep.id, created_at=at))  # fmt: skip
        if not found:
            db.session.add(SearchMiss(query=query, role="rep", user_id=rep.id, created_at=at))
    db.session.add_all([
        FieldFeedback(author_id=rep.id, kind="objection", text="Too dear", created_at=now),
        FieldFeedback(author_id=rep2.id, kind="question", text="Offline?", created_at=before),
    ])  # fmt: skip
    propose_term(leader, TermInput("Pipeline", "", "Open deals."))
    db.session.commit()
    meeting = make_meeting(leader, [marketer, rep])
    return meeting, {"idle": idle}


def _pack(meeting, reader):
    on = meeting.starts_on + timedelta(days=7)
    period = calendar.pack_period(meeting, on)
    return build_pack(PackContext(meeting, on, period, calendar.previous_period(period), reader))


def _in(at: datetime, period: Period) -> bool:
    return period.start <= at.replace(tzinfo=period.start.tzinfo) < period.end


def _expected(period: Period) -> dict[str, int]:
    events = [e for e in db.session.scalars(select(UsageEvent)) if _in(e.created_at, period)]
    reps = {u.id for u in db.session.scalars(select(User).where(User.role == "rep"))}
    publishes: dict[int, datetime] = {}
    for event in db.session.scalars(select(WorkflowEvent).where(WorkflowEvent.action == "publish")):
        publishes[event.subject_id] = min(
            publishes.get(event.subject_id, event.created_at), event.created_at
        )
    deals = db.session.scalars(select(Deal).where(Deal.status == "won"))
    misses = db.session.scalars(select(SearchMiss))
    return {
        "Assets used": len({e.asset_id for e in events}),
        "Reps using content": len(
            {e.user_id for e in events if e.kind != "view" and e.user_id in reps}
        ),
        "Deals content was used in": sum(e.kind == "used_in_deal" for e in events),
        "Assets published": sum(_in(at, period) for at in publishes.values()),
        "Deals won": sum(period.first <= d.close_date <= period.last for d in deals),
        "Searches that found nothing": sum(_in(m.created_at, period) for m in misses),
    }


def test_every_headline_and_its_change_match_the_raw_rows(app, users, world):
    meeting, _ = world

    pack = _pack(meeting, users["leader"])

    context = pack.context
    now, before = _expected(context.period), _expected(context.previous)
    figures = {f.label: (f.value, f.previous, f.change) for f in pack.data("headlines")}
    assert figures == {
        label: (now[label], before[label], now[label] - before[label]) for label in now
    }
    # The world is built so that no figure is trivially zero on both sides.
    assert figures["Assets used"] == (3, 2, 1)
    assert figures["Assets published"] == (2, 1, 1)


def test_lists_match_the_raw_rows_and_what_the_reader_may_see(app, users, world):
    meeting, assets = world

    leader_pack, rep_pack = _pack(meeting, users["leader"]), _pack(meeting, users["rep"])

    content = leader_pack.data("content")
    # The leader may not open the draft its author read; its author may.
    assert [(row.title, row.reps) for row in content["top"].rows] == [("Deck", 1), ("Study", 1)]
    mine = _pack(meeting, users["marketer"]).data("content")["top"].rows
    assert [row.title for row in mine] == ["Deck", "Study", "Draft plan"]
    assert [row.asset_id for row in content["unused"].rows] == [assets["idle"].id]
    # Found nothing (tco) or found something nobody opened (roi); soc2 was the week before.
    gaps = leader_pack.data("gaps").rows
    assert [(row.query, row.searches, row.found_nothing) for row in gaps] == [
        ("tco", 2, 2),
        ("roi", 1, 0),
    ]
    assert [f.text for f in leader_pack.data("feedback").rows] == ["Too dear"]
    assert [f.text for f in rep_pack.data("feedback").rows] == ["Too dear"]  # the rep's own
    glossary = leader_pack.data("glossary")
    assert [(change.term.name, change.what) for change in glossary.rows] == [
        ("Pipeline", "Proposed")
    ]


def test_the_consumption_section_counts_the_reps_who_used_content_in_each_period(app, users, world):
    meeting, _ = world

    pack = _pack(meeting, users["leader"])

    consumption, context = pack.data("consumption"), pack.context
    assert (consumption.period.first, consumption.period.last) == (
        context.period.first,
        context.period.last,
    )
    now, before = _expected(context.period), _expected(context.previous)
    assert consumption.current.reps_using["any"] == now["Reps using content"] == 2
    assert consumption.previous.reps_using["any"] == before["Reps using content"] == 1


def test_the_funnel_section_counts_the_deals_that_reached_each_stage_in_the_period(
    app, users, world
):
    meeting, _ = world
    stages = {stage.slug: stage for stage in db.session.scalars(select(Stage))}
    rep = users["rep"]
    moving = create_deal(rep, DealInput("Moving", "Acme", stage=stages["consideration"]))
    create_deal(rep, DealInput("Staying", "Beta", stage=stages["consideration"]))
    update_deal(moving, rep, DealInput("Moving", "Acme", stage=stages["decision"]))
    db.session.commit()

    pack = _pack(meeting, users["leader"])

    period = pack.context.period
    entries = [
        change
        for change in db.session.scalars(select(DealStageChange))
        if _in(change.changed_at, period) and change.status == "open"
    ]
    reached = {stage.slug: 0 for stage in stages.values()}
    for slug in reached:
        reached[slug] = len({c.deal_id for c in entries if c.stage_id == stages[slug].id})
    funnel = {step.stage_id: step for step in pack.data("funnel")}
    assert {slug: funnel[stages[slug].id].reached for slug in reached} == reached
    assert reached["consideration"] == 2
    assert reached["decision"] == 1
    assert funnel[stages["consideration"].id].moved_on == 1
