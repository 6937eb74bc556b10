"""Report 9, search gaps: the queries of the search page that found nothing or whose
results nobody opened, grouped by their normalised text, with who asked and for which
stage, and actions that turn a query into a content request or a draft."""

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from content.deals.models import Deal
from content.library.models import Stage
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from portal.kernel.reporting import Period, ReportFilters, Sort
from portal.reports.queries.search_gaps import gaps_total, search_gaps
from search import activity
from search.models import SearchRecord
from tests.factories import make_asset, make_user, token_headers


@pytest.fixture
def marketer_asset(users):
    return make_asset(users["marketer"], "Pricing one-pager")


def searched(user, query: str, total: int = 0, *, days_ago: int = 0, stage: str = ""):
    record = activity.record_search(user, query, total, stage)
    record.created_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return record


def opened(user, record: SearchRecord, asset) -> None:
    token = activity.click_token(record.id, asset.id, 1, record.query)
    assert activity.record_click(user, asset.id, token) is not None
    db.session.commit()


def stage_id(slug: str) -> int:
    return db.session.scalar(select(Stage.id).where(Stage.slug == slug))


def open_deal(owner, stage: str, status: str = "open") -> None:
    db.session.add(
        Deal(name=f"{stage} deal", account="Acme", owner_id=owner.id, status=status,
             stage_id=stage_id(stage))
    )  # fmt: skip
    db.session.commit()


def last_days(days: int = 30, **chosen) -> ReportFilters:
    today = date.today()
    return ReportFilters(Period(today - timedelta(days=days - 1), today), **chosen)


def rows(filters: ReportFilters, sort: Sort | None = None) -> list[dict]:
    page = search_gaps(filters, sort or Sort("searches"), 1, 100)
    return [vars(row) | {"last_seen": None} for row in page.items]


# ---- the figures ---------------------------------------------------------------------------


def test_unopened_queries_group_by_their_normalised_text(users, marketer_asset):
    rep, leader = users["rep"], users["leader"]
    other_rep = make_user("rep")
    searched(rep, "Spendora  battlecard", stage="decision")
    searched(other_rep, "spendora battlecard", 2)
    searched(leader, "SPENDORA battlecard")
    answered = searched(rep, "pricing", 3)
    opened(rep, answered, marketer_asset)
    searched(rep, "pricing", 3, days_ago=2)  # opened since the period began: not a gap
    searched(rep, "old question", days_ago=40)  # before the period

    assert rows(last_days()) == [
        {
            "query": "spendora battlecard",
            "searches": 3,
            "found_nothing": 2,
            "searchers": 3,
            "last_seen": None,
            "roles": "leader, rep",
            "stages": "Decision",
        }
    ]
    assert gaps_total(last_days()) == 1
    assert gaps_total(last_days(60)) == 2


def test_without_a_stage_filter_a_search_counts_for_the_searchers_open_deals(users):
    rep = users["rep"]
    open_deal(rep, "consideration")
    open_deal(rep, "onboarding")
    open_deal(rep, "expansion", status="won")
    searched(rep, "security questionnaire")

    (row,) = rows(last_days())
    assert row["stages"] == "Consideration, Onboarding"
    chosen = rows(last_days(stage_id=stage_id("onboarding")))
    assert [row["query"] for row in chosen] == ["security questionnaire"]
    assert rows(last_days(stage_id=stage_id("expansion"))) == []


def test_the_team_filter_keeps_that_departments_searchers(users):
    searched(users["rep"], "roi calculator")
    searched(users["marketer"], "brand guidelines")

    assert [row["query"] for row in rows(last_days(team="sales"))] == ["roi calculator"]
    assert [row["query"] for row in rows(last_days(team="marketing"))] == ["brand guidelines"]


def test_rows_sort_by_any_figure_both_ways(users):
    searched(users["rep"], "alpha", days_ago=3)
    for _ in range(3):
        searched(users["rep"], "beta", days_ago=1)

    assert [row["query"] for row in rows(last_days())] == ["beta", "alpha"]
    ascending = rows(last_days(), Sort("searches", descending=False))
    assert [row["query"] for row in ascending] == ["alpha", "beta"]
    by_text = rows(last_days(), Sort("query", descending=False))
    assert [row["query"] for row in by_text] == ["alpha", "beta"]


# ---- the page ------------------------------------------------------------------------------


def table_rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]  # fmt: skip


def test_marketers_see_the_gaps_with_actions_that_carry_the_query(client_as, users):
    searched(users["rep"], "Ghost writing  LinkedIn")

    page = client_as("marketer").get("/reports/search-gaps").text

    assert table_rows(page)[0].startswith("ghost writing linkedin 1 1 1 ")
    assert 'href="/requests/new?need=ghost+writing+linkedin">Create a content request</a>' in page
    assert 'href="/assets/new?title=ghost+writing+linkedin">Start a draft</a>' in page
    dashboard = client_as("marketer").get("/reports").text
    assert ">Search gaps</a>" in dashboard
    assert "<dt>Unanswered queries</dt><dd>1</dd>" in dashboard


def test_leaders_may_ask_for_content_but_not_start_a_draft(client_as, users):
    searched(users["rep"], "churn playbook")

    page = client_as("leader").get("/reports/search-gaps").text

    assert "Create a content request</a>" in page
    assert "Start a draft" not in page


def test_reps_do_not_know_the_report_exists(client_as):
    assert client_as("rep").get("/reports/search-gaps").status_code == 404


def test_an_empty_period_says_so_and_pages_hold_five_rows(client_as, users):
    marketer = client_as("marketer")
    empty = marketer.get("/reports/search-gaps").text
    assert "Every search of this period found something that was opened." in empty

    for number in range(7):
        searched(users["rep"], f"query {number}")
    first = marketer.get("/reports/search-gaps").text
    second = marketer.get("/reports/search-gaps?page=2").text
    assert len(table_rows(first)) == 5
    assert len(table_rows(second)) == 2
    assert "7 rows, page 1 of 2" in first


def test_the_csv_holds_the_rows_without_the_actions(client_as, users):
    searched(users["rep"], "pricing faq", stage="decision")

    response = client_as("marketer").get("/reports/search-gaps?format=csv")

    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == [
        "Query", "Searches", "Found nothing", "Searchers", "Last searched", "Roles", "Stages"
    ]  # fmt: skip
    assert table[1][:4] == ["pricing faq", "1", "1", "1"]
    assert table[1][5:] == ["rep", "Decision"]


def test_the_request_and_draft_forms_are_filled_in_from_the_query(client_as):
    request_form = client_as("rep").get("/requests/new?need=spendora+battlecard").text
    assert re.search(r"<textarea[^>]*name=\"need\"[^>]*>\s*spendora battlecard</textarea>",
                     request_form)  # fmt: skip
    draft_form = client_as("marketer").get("/assets/new?title=spendora+battlecard").text
    assert re.search(
        r'<input[^>]*name="title"[^>]*value="spendora battlecard"', draft_form
    ) or re.search(r'<input[^>]*value="spendora battlecard"[^>]*name="title"', draft_form)


def test_the_api_answers_the_same_rows(client, users):
    searched(users["rep"], "pricing faq")

    answer = client.get("/api/v1/reports/search-gaps", headers=token_headers(users["leader"])).json

    assert answer["total"] == 1
    assert answer["items"][0]["query"] == "pricing faq"
    assert answer["items"][0]["found_nothing"] == 1
    assert answer["items"][0]["roles"] == "rep"
