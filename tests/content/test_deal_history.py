"""A deal's stage history: every write path (the deal page, the API, its upsert by CRM id,
the CRM import) records each change of stage or status once, with its source; other
changes add nothing; the deal page shows the history."""

import itertools
import re
import threading

from sqlalchemy import select

from content.crm.imports import create_import, run_import
from content.deals import services as deals
from content.deals.models import Deal, DealStageChange
from content.library.models import Stage
from portal.kernel.extensions import db
from tests.content.crm_exports import export, opportunity
from tests.factories import assert_no_errors, login, run_together, token_headers


def stage(slug: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


def history(deal_id: int) -> list[tuple]:
    """(stage slug, status, from stage slug, from status, source, ended) in order."""
    db.session.expire_all()
    rows = db.session.scalars(
        select(DealStageChange)
        .where(DealStageChange.deal_id == deal_id)
        .order_by(DealStageChange.id)
    ).all()
    slugs = {term.id: term.slug for term in db.session.scalars(select(Stage))}
    return [
        (
            slugs.get(row.stage_id),
            row.status,
            slugs.get(row.from_stage_id),
            row.from_status,
            row.source,
            row.ended_at is not None,
        )
        for row in rows
    ]


def new_deal(owner, stage_slug: str = "awareness", **values) -> Deal:
    data = deals.DealInput(name="Acme renewal", account="Acme", stage=stage(stage_slug), **values)
    return deals.create_deal(owner, data)


def test_the_deal_page_records_stage_and_status_changes_only(app, users):
    rep = login(app.test_client(), users["rep"])
    form = {"name": "Acme renewal", "account": "Acme", "status": "open", "amount": ""}

    rep.form("/deals/new", form | {"stage": stage("awareness").id})
    deal = db.session.scalar(select(Deal))
    rep.form(f"/deals/{deal.id}/edit", form | {"stage": stage("decision").id})
    rep.form(f"/deals/{deal.id}/edit", form | {"stage": stage("decision").id, "amount": "500"})
    rep.form(f"/deals/{deal.id}/edit", form | {"stage": stage("decision").id, "status": "won"})
    page = rep.get(f"/deals/{deal.id}")

    assert history(deal.id) == [
        ("awareness", "open", None, None, "manual", True),
        ("decision", "open", "awareness", "open", "manual", True),
        ("decision", "won", "decision", "open", "manual", False),
    ]
    section = page.text.split('id="stage-history"')[1].split("</section>")[0]
    cells = [re.findall(r"<td>([^<]*)</td>", row)[1:] for row in section.split("<tr>")[2:]]
    assert cells == [
        ["Decision", "Won", "Deal page"],
        ["Decision", "Open", "Deal page"],
        ["Awareness", "Open", "Deal page"],
    ]


def test_the_api_and_its_upsert_record_their_changes_as_api(app, users):
    client = app.test_client()
    rep, admin = token_headers(users["rep"]), token_headers(users["admin"])
    body = {"name": "Acme", "account": "Acme", "stage": "awareness", "close_date": "2030-01-31"}

    created = client.post("/api/v1/deals", headers=rep, json=body).json
    client.patch(f"/api/v1/deals/{created['id']}", headers=rep, json={"stage": "consideration"})
    client.patch(f"/api/v1/deals/{created['id']}", headers=rep, json={"name": "Acme 2"})
    synced = client.put(
        "/api/v1/deals/external/OPP-9", headers=admin, json=body | {"owner": "rep@example.com"}
    ).json
    client.put("/api/v1/deals/external/OPP-9", headers=admin, json={"status": "lost"})
    client.put("/api/v1/deals/external/OPP-9", headers=admin, json={"status": "lost"})

    assert [row[:2] + row[4:5] for row in history(created["id"])] == [
        ("awareness", "open", "api"),
        ("consideration", "open", "api"),
    ]
    assert [row[:2] + row[4:5] for row in history(synced["id"])] == [
        ("awareness", "open", "api"),
        ("awareness", "lost", "api"),
    ]


def test_the_crm_import_records_what_each_batch_changed(app, users):
    proposal, won = "Proposal/Price Quote", "Closed Won"
    first = export([opportunity(1), opportunity(2, stage=proposal)])
    second = export([opportunity(1, stage=won), opportunity(2, stage=proposal, amount="9")])

    for raw in (first, second, second):
        deal_import, _plan = create_import(users["admin"], raw, "opportunities.csv")
        run_import(users["admin"], deal_import)
        db.session.commit()

    ids = dict(db.session.execute(select(Deal.external_id, Deal.id)).all())
    assert history(ids["0060000001"]) == [
        ("consideration", "open", None, None, "import", True),
        ("onboarding", "won", "consideration", "open", "import", False),
    ]
    assert history(ids["0060000002"]) == [("decision", "open", None, None, "import", False)]


def test_concurrent_edits_of_one_deal_keep_every_change_in_one_chain(app, users):
    deal_id = new_deal(users["rep"]).id
    db.session.commit()
    targets = ("consideration", "decision", "onboarding", "expansion")
    barrier = threading.Barrier(len(targets))
    headers = token_headers(users["rep"])

    def move_to(slug: str):
        def work():
            client = app.test_client()
            barrier.wait(timeout=20)
            body = {"stage": slug}
            return client.patch(f"/api/v1/deals/{deal_id}", headers=headers, json=body).status_code

        return work

    results = run_together([move_to(slug) for slug in targets])

    assert_no_errors(results)
    assert results == [200] * len(targets)
    db.session.expire_all()
    rows = db.session.scalars(
        select(DealStageChange)
        .where(DealStageChange.deal_id == deal_id)
        .order_by(DealStageChange.id)
    ).all()
    assert len(rows) == 1 + len(targets)
    for earlier, later in itertools.pairwise(rows):
        assert (later.from_stage_id, later.from_status) == (earlier.stage_id, earlier.status)
        assert earlier.ended_at == later.changed_at >= earlier.changed_at
    assert rows[-1].ended_at is None
    assert rows[-1].stage_id == db.session.get(Deal, deal_id).stage_id
    assert {row.stage.slug for row in rows} == {"awareness", *targets}
