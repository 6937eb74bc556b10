"""The audit log: every transition, for admins, on a page and as CSV."""

import csv
import io
from datetime import timedelta

import pytest

from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from workflows.audit.models import WorkflowEvent
from workflows.posts.machine import transition as post_transition
from workflows.posts.services import PostInput, create_post
from workflows.review.machine import transition


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_admins_export_every_transition_as_csv(client_as, actors, asset_in):
    asset = asset_in("published", "Security whitepaper")
    transition(asset, actors["owner"], "archive", '=HYPERLINK("http://evil")')
    db.session.commit()

    response = client_as("admin").get("/admin/audit?format=csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = rows(response)
    assert [r["action"] for r in exported] == [
        "submit", "approve", "approve", "publish", "archive",
    ]  # fmt: skip
    last = exported[-1]
    assert (last["subject_id"], last["subject_title"], last["revision"]) == (
        str(asset.id), "Security whitepaper", "1",
    )  # fmt: skip
    assert (last["from_state"], last["to_state"]) == ("published", "archived")
    assert last["actor_email"] == actors["owner"].email
    assert last["comment"] == '\'=HYPERLINK("http://evil")', "formulas are kept as text"
    assert last["time_utc"].endswith("+00:00")


def test_the_page_lists_events_filtered_by_day_and_action(client_as, actors, asset_in):
    asset_in("published", "Security whitepaper")
    old = db.session.query(WorkflowEvent).filter_by(action="submit").one()
    old.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    today = utcnow().date()
    admin = client_as("admin")

    page = admin.get(f"/admin/audit?from={today.isoformat()}").text
    assert "3 events" in page
    assert "Security whitepaper" in page

    csv_rows = rows(admin.get(f"/admin/audit?format=csv&action=approve&to={today}"))
    assert [r["action"] for r in csv_rows] == ["approve", "approve"]
    earlier = rows(admin.get(f"/admin/audit?format=csv&to={today - timedelta(days=5)}"))
    assert [r["action"] for r in earlier] == ["submit"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "Give the from date as YYYY-MM-DD."),
        ("from=2026-05-02&to=2026-05-01", "The end date is before the start date."),
        ("action=delete", "Choose one of the listed actions."),
    ],
)
def test_a_bad_filter_says_what_is_wrong_and_shows_everything(client_as, asset_in, query, message):
    asset_in("published")

    page = client_as("admin").get(f"/admin/audit?{query}").text

    assert message in page
    assert "4 events" in page


def test_an_empty_period_has_an_empty_state(client_as):
    page = client_as("admin").get("/admin/audit?from=2001-01-01&to=2001-01-02").text
    assert "No workflow events in this period." in page


@pytest.mark.parametrize("role", ["rep", "marketer", "leader"])
def test_only_admins_know_the_audit_log_exists(client_as, role):
    assert client_as(role).get("/admin/audit").status_code == 404
    assert client_as(role).get("/admin/audit?format=csv").status_code == 404


def test_post_steps_link_to_the_post_under_its_own_title(client_as, users, asset_in):
    asset = asset_in("published", "Security whitepaper")  # asset 1 has revision 1 as well
    marketer, rep = users["marketer"], users["rep"]
    post = create_post(
        marketer, PostInput(title="Close in three days", body="Words.", rep=rep.email)
    )
    post_transition(post, marketer, "send_to_rep")
    db.session.commit()
    admin = client_as("admin")

    page = admin.get("/admin/audit?action=send_to_rep").text
    exported = rows(admin.get("/admin/audit?format=csv&action=send_to_rep"))

    assert post.id == asset.id, "the same id for an asset and a post must not be confused"
    assert f'<a href="/posts/{post.id}">Close in three days</a>' in page
    assert "Security whitepaper" not in page
    assert [(r["subject_type"], r["subject_title"]) for r in exported] == [
        ("post", "Close in three days")
    ]
