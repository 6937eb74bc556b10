"""What the field heard and content consumption in the weekly digest: marketers and
marketing's leaders read every piece of the week's feedback grouped by kind and stage,
with the open count and the oldest unanswered; leaders and admins read the week's
consumption headline; reps and sales leaders get only what is theirs. The page and the
email both show them."""

import html
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from content.library.models import Stage
from content.usage.events import record_verified
from portal.digest.summary import compose
from portal.digest.weeks import Week
from portal.kernel.extensions import db
from portal.kernel.reporting import Period, ReportFilters
from portal.reports.queries.consumption import consumption_headline
from tests.factories import login, make_asset, make_user
from workflows.campaigns.models import Campaign
from workflows.feedback.models import FieldFeedback

WEEK = Week(date(2026, 11, 23))  # Monday 23 to Sunday 29 November, in UTC here
IN_WEEK = datetime(2026, 11, 24, 10, tzinfo=UTC)
FIELD_NOTES = "What the field heard"


@pytest.fixture
def week(app, users):
    """A week of feedback of every sort (about nothing, a campaign, someone's asset) and
    an older question nobody answered; a rep who downloaded an asset in the week."""
    app.config.update(TIMEZONE="UTC", MAIL_SERVER="")
    rep, marketer = users["rep"], users["marketer"]
    other = make_user("marketer", "mia@example.com", "Mia Marketer")
    asset = make_asset(other, "Not Morgan's")
    campaign = Campaign(
        name="Q4 push", starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 20), owner=other
    )
    decision = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    rows = [
        ("objection", decision, None, None, "new", "Too pricey for banks"),
        ("objection", decision, asset, None, "acted_on", "Procurement wants SOC 2"),
        ("competitor", None, None, campaign, "acknowledged", "Acme undercuts us"),
        ("question", None, None, None, "new", "Do we support SSO?"),
    ]
    for n, (kind, stage, about, brief, status, text) in enumerate(rows):
        db.session.add(
            FieldFeedback(
                author=rep, kind=kind, stage=stage, asset=about, campaign=brief,
                status=status, text=text, created_at=IN_WEEK + timedelta(hours=n),
            )
        )  # fmt: skip
    oldest = FieldFeedback(
        author=rep, kind="question", text="Is there a Spanish deck?", status="new",
        created_at=datetime(2026, 10, 2, 9, tzinfo=UTC),
    )  # fmt: skip
    db.session.add(oldest)
    record_verified("download", asset.id, rep.id, created_at=IN_WEEK)
    db.session.commit()
    return {"oldest": oldest, "marketer": marketer}


def section(digest, heading: str):
    return next((s for s in digest.sections if s.heading == heading), None)


def test_marketers_read_every_piece_of_the_weeks_feedback_grouped_with_the_oldest_open(users, week):
    notes = section(compose(users["marketer"], WEEK), FIELD_NOTES)

    assert notes.total == 4
    assert [(item.title, item.detail) for item in notes.items] == [
        ("Objection · Decision", "2 pieces, 1 still open"),
        ("Question · No stage", "1 piece, 1 still open"),  # in the forms' order of kinds
        ("Competitor mention · No stage", "1 piece, 1 still open"),
        ("Oldest unanswered: question from Riley Rep", "Sent 2 Oct 2026, still without a reply"),
    ]
    assert notes.items[0].quotes == [
        "Procurement wants SOC 2 (Riley Rep)",
        "Too pricey for banks (Riley Rep)",
    ]
    assert notes.items[0].link == "/feedback?status=all&kind=objection&stage=decision"
    assert notes.items[-1].link == f"/feedback/{week['oldest'].id}"
    assert "4 open now (new or acknowledged)." in notes.note
    assert "4 pieces of field feedback" in compose(users["marketer"], WEEK).summary


def test_only_marketing_reads_field_notes_and_only_leaders_and_admins_the_consumption(users, week):
    marketing_leader = make_user("leader", "ml@example.com", "Mo", department="marketing")
    headings = {
        role: [s.heading for s in compose(person, WEEK).sections if s.total]
        for role, person in {**users, "marketing leader": marketing_leader}.items()
    }

    assert FIELD_NOTES in headings["marketer"]
    assert FIELD_NOTES in headings["marketing leader"]
    assert FIELD_NOTES not in headings["rep"]
    assert FIELD_NOTES not in headings["leader"]  # a sales leader
    assert "Content consumption" in headings["leader"]
    assert "Content consumption" in headings["admin"]
    assert "Content consumption" in headings["marketing leader"]
    assert "Content consumption" not in headings["marketer"]
    assert "Content consumption" not in headings["rep"]


def test_the_consumption_lines_carry_the_weeks_headline(users, week):
    headline = consumption_headline(ReportFilters(Period(WEEK.monday, WEEK.sunday)))

    consumption = section(compose(users["leader"], WEEK), "Content consumption")

    reps, assets, tiers, trend = consumption.items
    assert headline.current.active_reps == headline.current.reps_using["any"] == 1
    assert reps.title == "Active reps who used content: 100 %"
    assert reps.detail == "1 of 1 active reps, no figure for the week before"
    live = headline.current.live_assets
    assert assets.title == f"Live assets used: {100 / live:.0f} %"
    assert tiers.detail == "verified 100 %, self-reported 0 %, imported 0 %"
    assert trend.detail.endswith("23 Nov: 100 %")
    assert reps.link == "/reports?from=2026-11-23&to=2026-11-29"


def test_the_page_and_the_email_show_them_to_the_right_people(app, users, week):
    app.config["BASE_URL"] = "https://tandem.example.com"
    marketer_page = html.unescape(
        login(app.test_client(), users["marketer"]).get("/digest?week=2026-W48").text
    )
    rep_page = html.unescape(
        login(app.test_client(), users["rep"]).get("/digest?week=2026-W48").text
    )
    runner = app.test_cli_runner()

    leader_email = runner.invoke(
        args=["digest", "preview", "leader@example.com", "--week", "2026-W48"]
    )
    marketer_email = runner.invoke(
        args=["digest", "preview", "marketer@example.com", "--week", "2026-W48"]
    )

    assert FIELD_NOTES in marketer_page
    assert "Too pricey for banks (Riley Rep)" in marketer_page
    assert FIELD_NOTES not in rep_page
    assert "Content consumption" not in rep_page
    assert "CONTENT CONSUMPTION" in leader_email.output
    assert "Active reps who used content: 100 %" in leader_email.output
    assert "WHAT THE FIELD HEARD" not in leader_email.output
    assert "WHAT THE FIELD HEARD" in marketer_email.output
    assert f"https://tandem.example.com/feedback/{week['oldest'].id}" in marketer_email.output
