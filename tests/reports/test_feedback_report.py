"""Report 8, field feedback: the counts per stage and kind, per status and reply, equal the
ones recomputed from the raw feedback rows for several periods and filters; the page, its
CSV, the API and the dashboard show the same numbers; an empty period says so."""

import csv
import io
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from content.library.models import ContentType, Stage
from portal.kernel.extensions import db
from portal.kernel.reporting import Period, ReportFilters, Sort, local_today
from portal.reports import feedback  # noqa: F401 - registers the report
from portal.reports.queries.feedback import NO_STAGE, feedback_by_kind, feedback_by_stage, totals
from tests.factories import login, make_asset, make_user, token_headers
from workflows.feedback.models import FEEDBACK_KINDS, FEEDBACK_STATUSES, FieldFeedback

ITEMS = 60


@pytest.fixture
def world(app):
    """Feedback from a sales rep and a marketing leader over 60 days, about two marketers'
    assets or nothing, at every stage or none, in every status, some replied to."""
    rng = random.Random(8)
    rep = make_user("rep", "rep@example.com", "Riley Rep")
    marketing_leader = make_user("leader", "mo@example.com", "Mo", department="marketing")
    owners = [make_user("marketer", f"m{n}@example.com", f"Marketer {n}") for n in (1, 2)]
    assets = [
        make_asset(owners[0], "Deck", content_type="one-pager"),
        make_asset(owners[1], "Case", content_type="case-study"),
    ]
    stages = db.session.scalars(select(Stage)).all()
    now = datetime.now(UTC)
    for n in range(ITEMS):
        db.session.add(
            FieldFeedback(
                author=rng.choice([rep, marketing_leader]),
                kind=rng.choice(list(FEEDBACK_KINDS)),
                text=f"Heard {n}",
                stage=rng.choice([*stages, None]),
                asset=rng.choice([*assets, None]),
                status=rng.choice(list(FEEDBACK_STATUSES)),
                reply=rng.choice(["", "", "Thanks"]),
                created_at=now - timedelta(days=rng.uniform(0, 60)),
            )
        )
    db.session.commit()
    return {"owners": owners, "stages": stages}


def raw_rows(filters: ReportFilters) -> list[FieldFeedback]:
    """The feedback the filters keep, chosen in Python from every stored row."""
    kept = []
    for item in db.session.scalars(select(FieldFeedback)).all():
        sent = item.created_at.replace(tzinfo=UTC)
        if not filters.period.start <= sent < filters.period.end:
            continue
        if filters.stage_id is not None and item.stage_id != filters.stage_id:
            continue
        if filters.team and item.author.department != filters.team:
            continue
        if filters.owner_id is not None and (
            item.asset is None or item.asset.owner_id != filters.owner_id
        ):
            continue
        if filters.content_type_id is not None and (
            item.asset is None or item.asset.content_type_id != filters.content_type_id
        ):
            continue
        kept.append(item)
    return kept


def filter_cases(world) -> dict[str, ReportFilters]:
    today = local_today()
    last30 = Period(today - timedelta(days=29), today)
    case_study = db.session.scalar(select(ContentType).where(ContentType.slug == "case-study"))
    return {
        "last 30 days": ReportFilters(last30),
        "everything": ReportFilters(Period(today - timedelta(days=90), today)),
        "a week long ago": ReportFilters(
            Period(today - timedelta(days=50), today - timedelta(days=44))
        ),
        "one stage": ReportFilters(last30, stage_id=world["stages"][1].id),
        "sales team": ReportFilters(Period(today - timedelta(days=90), today), team="sales"),
        "one owner": ReportFilters(last30, owner_id=world["owners"][0].id),
        "case studies": ReportFilters(last30, content_type_id=case_study.id),
    }


def everything(query, filters, sort_key="stage"):
    return query(filters, Sort(sort_key, descending=False), 1, 1000).items


@pytest.mark.parametrize(
    "case",
    ["last 30 days", "everything", "a week long ago", "one stage", "sales team", "one owner",
     "case studies"],
)  # fmt: skip
def test_every_count_equals_the_one_recomputed_from_the_raw_rows(app, world, case):
    filters = filter_cases(world)[case]
    kept = raw_rows(filters)
    names = {stage.id: stage.name for stage in world["stages"]}

    by_stage = {
        (row.stage, kind): getattr(row, kind)
        for row in everything(feedback_by_stage, filters)
        for kind in FEEDBACK_KINDS
    }
    expected = Counter((names.get(item.stage_id, NO_STAGE), item.kind) for item in kept)
    assert {key: n for key, n in by_stage.items() if n} == dict(expected)

    by_kind = {row.key: row for row in everything(feedback_by_kind, filters, "kind")}
    for kind in FEEDBACK_KINDS:
        of_kind = [item for item in kept if item.kind == kind]
        row = by_kind[kind]
        assert row.total == len(of_kind)
        assert {s: getattr(row, s) for s in FEEDBACK_STATUSES} == {
            s: sum(item.status == s for item in of_kind) for s in FEEDBACK_STATUSES
        }
        assert row.replied == sum(bool(item.reply) for item in of_kind)

    assert totals(filters) == {"sent": len(kept), "new": sum(i.status == "new" for i in kept)}
    for row in everything(feedback_by_stage, filters):
        assert row.total == sum(getattr(row, kind) for kind in FEEDBACK_KINDS)


def test_stages_come_in_journey_order_with_no_stage_last(app, world):
    filters = filter_cases(world)["everything"]

    rows = everything(feedback_by_stage, filters)

    ordered = sorted(world["stages"], key=lambda stage: (stage.position, stage.id))
    assert [row.stage for row in rows] == [stage.name for stage in ordered] + [NO_STAGE]
    by_total = feedback_by_stage(filters, Sort("total"), 1, 100).items
    assert [row.total for row in by_total] == sorted((row.total for row in rows), reverse=True)


def test_the_page_the_csv_and_the_api_show_the_same_rows(app, world):
    leader = make_user("leader", "lee@example.com", "Lee Leader")
    client = login(app.test_client(), leader)
    today = local_today()
    first = today - timedelta(days=29)
    args = f"from={first}&to={today}&list=kinds&per_page=100"
    rows = everything(feedback_by_kind, ReportFilters(Period(first, today)), "kind")

    page = client.get(f"/reports/field-feedback?{args}")
    exported = client.get(f"/reports/field-feedback?{args}&format=csv")
    api = app.test_client().get(
        f"/api/v1/reports/field-feedback?{args}", headers=token_headers(leader)
    )

    assert page.status_code == 200
    assert "Field feedback" in page.text
    table = list(csv.reader(io.StringIO(exported.text)))
    assert table[0] == ["Kind", "Sent", "New", "Acknowledged", "Acted on", "Replied"]
    assert table[1:] == [
        [row.kind, str(row.total), str(row.new), str(row.acknowledged), str(row.acted_on),
         str(row.replied)]
        for row in rows
    ]  # fmt: skip
    assert [item["total"] for item in api.json["items"]] == [row.total for row in rows]
    assert api.json["list"] == "kinds"

    dashboard = client.get(f"/reports?from={first}&to={today}")
    sent = totals(ReportFilters(Period(first, today)))["sent"]
    assert f"<dt>Field feedback sent</dt><dd>{sent:,}</dd>" in dashboard.text


def test_filters_that_are_not_understood_are_named(app, world):
    client = login(app.test_client(), make_user("leader", "lee@example.com"))

    page = client.get("/reports/field-feedback?stage=nowhere")

    assert "There is no stage called “nowhere”." in page.text


def test_an_empty_period_shows_the_empty_state(app, world):
    client = login(app.test_client(), make_user("marketer", "mk@example.com"))

    page = client.get("/reports/field-feedback?from=2001-01-01&to=2001-01-31")

    assert "No field feedback was sent in this period." in page.text


def test_reps_do_not_see_the_report(app, world):
    client = login(app.test_client(), make_user("rep", "r2@example.com"))

    assert client.get("/reports/field-feedback").status_code == 404
