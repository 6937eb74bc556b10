"""A sales leader opens the deal stages report from the dashboard and reads the funnel and
the time deals spent in each stage, for deals a rep moved along over the last weeks."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from content.deals.history import record_changes
from content.deals.models import ChangeSource, Deal
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from tests.factories import SQLITE_ONLY, make_user

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def _moved(deal: Deal, when, **values) -> None:
    db.session.execute(update(Deal).where(Deal.id == deal.id).values(**values))
    record_changes([deal.id], ChangeSource.MANUAL, when)


def test_leader_reads_the_funnel_and_time_in_stage(page_signed_in):
    rep, leader = make_user("rep"), make_user("leader", name="Dana Leader")
    stages = {s.slug: s for s in db.session.scalars(select(Stage))}
    now = utcnow()
    for n, outcome in enumerate(("won", "open", "lost")):
        created = now - timedelta(days=20)
        deal = Deal(
            name=f"Deal {n}", account="Acme", owner=rep, stage=stages["awareness"],
            created_at=created, updated_at=created,
        )  # fmt: skip
        db.session.add(deal)
        db.session.flush()
        record_changes([deal.id], ChangeSource.MANUAL, created)
        _moved(deal, now - timedelta(days=10), stage_id=stages["consideration"].id)
        if outcome != "open":
            _moved(deal, now - timedelta(days=6), status=outcome)
    db.session.commit()

    page = page_signed_in(leader, "/reports")
    card = page.get_by_role("article").filter(has_text="Deal stages")
    expect(card.get_by_text("Stage entries")).to_be_visible()
    card.get_by_role("link", name="Deal stages").click()

    funnel = page.get_by_role("region", name="Stage funnel")
    expect(funnel.get_by_label("Consideration: 3 deals reached")).to_be_visible()
    expect(funnel).to_contain_text("3 reached · 1 moved on (33%) · 1 won")
    table = page.get_by_role("table", name="Deal stages: Funnel")
    expect(table.get_by_role("row", name="Consideration")).to_contain_text("33%")
    expect(funnel.get_by_label("Awareness: 3 deals reached")).to_be_visible()
    page.get_by_role("link", name="Time in stage").click()
    times = page.get_by_role("table", name="Deal stages: Time in stage")
    awareness, consideration = (
        times.get_by_role("row", name=name).get_by_role("cell")
        for name in ("Awareness", "Consideration")
    )
    expect(awareness).to_have_text(["3", "10.0", "10.0", "10.0", "0", "—"])
    expect(consideration).to_have_text(["2", "4.0", "4.0", "4.0", "1", "10.0"])
