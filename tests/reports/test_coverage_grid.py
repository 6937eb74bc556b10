"""Stage coverage with the searcher's deals and the stage × persona grid: a search that
found nothing without a stage filter counts for the stages of its searcher's open deals,
and the grid counts live assets, open requests and misses per stage and persona."""

from datetime import date, timedelta

from sqlalchemy import select

from content.deals.models import Deal
from content.library.models import Persona, Stage
from portal.kernel.extensions import db
from portal.kernel.reporting import Period, ReportFilters, Sort
from portal.reports.coverage import coverage
from portal.reports.queries.coverage_grid import coverage_grid
from portal.reports.queries.searches import misses_total, misses_without_stage
from search import service
from tests.factories import make_asset
from workflows.requests.services import submit_request


def term(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def open_deal(owner, stage: str, status: str = "open") -> None:
    db.session.add(
        Deal(name=f"{stage} deal", account="Acme", owner_id=owner.id, status=status,
             stage_id=term(Stage, stage).id)
    )  # fmt: skip
    db.session.commit()


def this_month() -> ReportFilters:
    today = date.today()
    return ReportFilters(Period(today - timedelta(days=29), today))


def misses_by_stage() -> dict[str, int]:
    rows = coverage(this_month(), Sort("stage", descending=False), 1, 100).items
    return {row.stage: row.misses for row in rows if row.misses}


def test_a_miss_without_a_stage_counts_for_the_searchers_open_deals(users):
    rep, leader = users["rep"], users["leader"]
    open_deal(rep, "consideration")
    open_deal(rep, "decision")
    open_deal(rep, "expansion", status="lost")

    service.search(rep, "spendora battlecard", {})
    service.search(rep, "zebra pricing", {"stages": "onboarding"})
    service.search(leader, "board deck", {})

    assert misses_by_stage() == {"Consideration": 1, "Decision": 1, "Onboarding": 1}
    assert misses_without_stage(this_month()) == 1, "the leader has no open deal"
    assert misses_total(this_month()) == 3


def grid(**sort) -> dict[tuple[str, str], tuple[int, int, int]]:
    page = coverage_grid(this_month(), Sort(**sort or {"key": "stage", "descending": False}),
                         1, 100)  # fmt: skip
    return {
        (row.stage, row.persona): (row.assets, row.open_requests, row.misses)
        for row in page.items
        if row.assets or row.open_requests or row.misses
    }


def test_the_grid_counts_assets_requests_and_misses_per_stage_and_persona(users):
    marketer, rep = users["marketer"], users["rep"]
    make_asset(marketer, "CFO case study", stages=("decision",), personas=("cfo", "cio"))
    make_asset(marketer, "Overview", stages=("awareness",))
    make_asset(marketer, "CFO draft", stages=("decision",), personas=("cfo",), publish=False)
    submit_request(rep, "An ROI sheet for the CFO", term(Stage, "decision"), term(Persona, "cfo"))
    submit_request(rep, "A teaser", term(Stage, "awareness"))
    db.session.commit()
    service.search(rep, "payback model", {"stages": "decision", "personas": "cfo"})
    open_deal(rep, "awareness")
    service.search(rep, "teaser video", {})

    assert grid() == {
        ("Awareness", "No persona"): (1, 1, 1),
        ("Decision", "CFO"): (1, 1, 1),
        ("Decision", "CIO"): (1, 0, 0),
    }


def test_the_grid_lists_every_cell_in_journey_order_and_sorts_by_any_figure(users):
    make_asset(users["marketer"], "Overview", stages=("decision",), personas=("cfo",))
    make_asset(users["marketer"], "Teaser", stages=("awareness",))
    make_asset(users["marketer"], "Teaser 2", stages=("awareness",))

    page = coverage_grid(this_month(), Sort("stage", descending=False), 1, 100)
    assert page.total == 5 * 7, "five stages × six personas and 'No persona'"
    assert [(row.stage, row.persona) for row in page.items[:2]] == [
        ("Awareness", "CFO"), ("Awareness", "CIO")
    ]  # fmt: skip
    assert page.items[6].persona == "No persona"
    top = coverage_grid(this_month(), Sort("assets"), 1, 2).items
    assert [(row.stage, row.persona, row.assets) for row in top] == [
        ("Awareness", "No persona", 2), ("Decision", "CFO", 1)
    ]  # fmt: skip


def test_an_empty_period_has_an_empty_grid(users):
    assert coverage_grid(this_month(), Sort("stage"), 1, 100).total == 0


def test_the_grid_is_a_tab_of_the_stage_coverage_page(client_as, users):
    make_asset(users["marketer"], "Overview", stages=("decision",), personas=("cfo",))

    page = client_as("leader").get("/reports/stage-coverage?list=grid&sort=assets").text

    assert 'aria-current="page">Stage × persona</a>' in page
    assert '<th scope="row">Decision</th>' in page
    assert '<td class="">CFO</td>' in page or ">CFO</td>" in page
