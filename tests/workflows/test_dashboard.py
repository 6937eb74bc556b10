"""The "My work" page: drafts, reviews waiting, requests and stale assets, per person."""

from datetime import date, timedelta

from sqlalchemy import select

from content.library.models import Stage
from content.library.services import AssetInput, revise_asset
from portal.kernel.extensions import db
from tests.factories import login, make_asset, make_user
from workflows.dashboard.views import my_drafts, my_requests, needing_review, reviews_waiting
from workflows.requests.services import decline, submit_request
from workflows.review import collaborators
from workflows.review.machine import transition


def titles(section) -> list[str]:
    return [asset.latest_revision.title for asset in section.items]


def invite(asset, owner, user, role="reviewer"):
    collaborators.invite(asset, owner, user.email, role)
    db.session.commit()


def test_drafts_are_those_i_own_or_co_author_while_in_progress(users):
    marketer, rep = users["marketer"], users["rep"]
    make_asset(marketer, "My draft", publish=False)
    co_written = make_asset(make_user("marketer"), "Their draft", publish=False)
    invite(co_written, co_written.owner, rep, "author")
    reviewed_only = make_asset(make_user("marketer"), "Reviewed only", publish=False)
    invite(reviewed_only, reviewed_only.owner, rep, "reviewer")
    make_asset(marketer, "Already live")

    assert titles(my_drafts(marketer)) == ["My draft"]
    assert titles(my_drafts(rep)) == ["Their draft"]
    assert my_drafts(rep).total == 1


def test_reviews_waiting_lists_submitted_revisions_i_have_not_approved(actors, asset_in):
    rep_reviewer = actors["sales_reviewer"]
    waiting = asset_in("in_review", "Waiting for me")
    asset_in("draft", "Not submitted")
    asset_in("published", "Done")

    assert titles(reviews_waiting(rep_reviewer)) == ["Waiting for me"]

    transition(waiting, rep_reviewer, "approve")
    db.session.commit()
    assert titles(reviews_waiting(rep_reviewer)) == []
    assert titles(reviews_waiting(actors["marketing_reviewer"])) == ["Waiting for me"]


def test_an_edit_after_my_approval_puts_the_review_back_on_my_list(actors, asset_in):
    asset = asset_in("in_review", "Edited after approval")
    reviewer = actors["sales_reviewer"]
    transition(asset, reviewer, "approve")
    db.session.commit()
    edit = AssetInput(title="Edited after approval", body="Sharper.", stages=list(asset.stages))
    revise_asset(asset, actors["owner"], asset.latest_revision_id, edit)
    db.session.commit()

    assert titles(reviews_waiting(reviewer)) == ["Edited after approval"]


def test_a_reviewer_who_wrote_the_latest_revision_does_not_review_it(actors, asset_in):
    asset = asset_in("in_review", "Reviewer edited")
    reviewer = actors["sales_reviewer"]
    edit = AssetInput(title="Reviewer edited", body="My wording.", stages=list(asset.stages))
    revise_asset(asset, reviewer, asset.latest_revision_id, edit)
    db.session.commit()

    assert titles(reviews_waiting(reviewer)) == []
    assert titles(reviews_waiting(actors["marketing_reviewer"])) == ["Reviewer edited"]


def test_assets_needing_review_are_my_live_ones_past_their_review_date(users):
    marketer = users["marketer"]
    today = date(2026, 6, 1)
    overdue = make_asset(marketer, "Overdue")
    current = make_asset(marketer, "Current")
    draft = make_asset(marketer, "Draft overdue", publish=False)
    someone_elses = make_asset(make_user("marketer"), "Someone else's")
    for asset, review_by in (
        (overdue, today - timedelta(days=1)),
        (current, today),
        (draft, today - timedelta(days=5)),
        (someone_elses, today - timedelta(days=5)),
    ):
        asset.review_by = review_by
    db.session.commit()

    assert titles(needing_review(marketer, today)) == ["Overdue"]


def test_the_page_shows_each_section_with_its_empty_state(app, client_as, actors, asset_in):
    asset_in("in_review", "Security whitepaper")
    reviewer = login(app.test_client(), actors["sales_reviewer"])

    page = reviewer.get("/my-work").text
    assert "Reviews waiting for me" in page
    assert "Security whitepaper" in page
    assert "No work in progress. New drafts show here." in page

    rep_page = client_as("rep").get("/my-work").text
    assert "Nothing waits for your review." in rep_page
    assert "My assets needing review" not in rep_page
    assert "My assets needing review" in client_as("marketer").get("/my-work").text


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/my-work")
    assert response.status_code == 302
    assert "/login" in response.location


def test_requests_show_as_mine_for_reps_and_as_waiting_for_marketers(client_as, users):
    stage = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
    rep, marketer = users["rep"], users["marketer"]
    wanted = submit_request(rep, "A TCO calculator for CFOs", stage)
    dropped = submit_request(rep, "A poster", stage)
    db.session.commit()
    decline(dropped, marketer, "Not a sales asset.")
    db.session.commit()

    assert [r.id for r in my_requests(rep).items] == [wanted.id]
    assert [r.id for r in my_requests(marketer).items] == [wanted.id]
    assert my_requests(users["leader"]).items == []
    assert "A TCO calculator for CFOs" in client_as("marketer").get("/my-work").text
    assert "Requests waiting for an answer" in client_as("marketer").get("/my-work").text
    assert "My content requests" in client_as("rep").get("/my-work").text
