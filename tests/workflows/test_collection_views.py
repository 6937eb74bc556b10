"""The pages of collections: the list, building one, a rep's path with done marks, assigning
reps, progress per rep, and the path on "My work"."""

import html
import re
import threading
from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import func, select

from content.library import panels
from portal.kernel.extensions import db
from portal.kernel.notifications import Notification
from portal.kernel.reporting import local_today
from tests.factories import login, make_asset, make_user, run_together
from tests.portal.helpers import flashes
from workflows.collections import paths
from workflows.collections import services as collections
from workflows.collections.models import Collection, CollectionItem, ItemDone, PathAssignment
from workflows.review.machine import transition


def squashed(response) -> str:
    """The page's text with tags removed and every run of whitespace as one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


@pytest.fixture
def onboarding(users):
    """The marketer's "New rep: first 30 days" with two live assets and notes."""
    marketer = users["marketer"]
    collection = collections.create_collection(marketer, "New rep: first 30 days")
    for title, note in (("Pricing one-pager", "Read first"), ("Security FAQ", "For IT calls")):
        collections.add_item(collection, marketer, make_asset(marketer, title), note)
    db.session.commit()
    return collection


def items(collection) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [
        (item.position, item.note)
        for item in db.session.scalars(
            select(CollectionItem)
            .where(CollectionItem.collection_id == collection.id)
            .order_by(CollectionItem.position)
        )
    ]


def first_item(collection) -> CollectionItem:
    return db.session.scalar(
        select(CollectionItem).where(
            CollectionItem.collection_id == collection.id, CollectionItem.position == 1
        )
    )


# ---- the list --------------------------------------------------------------------------


def test_empty_list_invites_marketers_to_build(client_as):
    page = client_as("marketer").get("/collections")
    assert "No collections yet" in squashed(page)
    assert 'href="/collections/new"' in page.text
    rep_page = client_as("rep").get("/collections")
    assert "Marketing has not built any collections yet" in squashed(rep_page)
    assert 'href="/collections/new"' not in rep_page.text


def test_list_shows_counts_and_paginates(client_as, users, onboarding):
    paths.assign(onboarding, users["leader"], [users["rep"]])
    for number in range(5):
        collections.create_collection(users["marketer"], f"Older {number}")
    db.session.commit()
    onboarding.updated_at = onboarding.updated_at + timedelta(days=1)
    db.session.commit()
    first = squashed(client_as("leader").get("/collections"))
    assert "6 collections" in first
    assert "New rep: first 30 days 2 assigned to 1 rep Morgan Marketer" in first
    assert "Page 1 of 2" in first
    second = squashed(client_as("leader").get("/collections?page=2"))
    assert "Older 0" in second
    assert "New rep: first 30 days 2" not in second


def test_list_counts_only_items_a_rep_may_see(client_as, onboarding):
    transition(first_item(onboarding).asset, onboarding.owner, "archive", "Old.")
    db.session.commit()
    assert "New rep: first 30 days 1 —" in squashed(client_as("rep").get("/collections"))
    assert "New rep: first 30 days 2 —" in squashed(client_as("marketer").get("/collections"))


# ---- building --------------------------------------------------------------------------


def test_marketer_builds_a_collection(client_as, users):
    browser = client_as("marketer")
    response = browser.form("/collections/new", {"title": "Competitive play vs Acme"})
    collection = db.session.scalar(select(Collection))
    assert response.headers["Location"].endswith(f"/collections/{collection.id}")
    asset = make_asset(users["marketer"], "Acme battlecard")
    response = browser.form(
        f"/collections/{collection.id}/items",
        {"asset": asset.id, "note": "Lead with the migration story."},
        follow_redirects=True,
    )
    assert "“Acme battlecard” added as item 1." in flashes(response)
    assert "Lead with the migration story." in response.text
    assert items(collection) == [(1, "Lead with the migration story.")]


def test_bad_input_changes_nothing(client_as, users, onboarding):
    browser = client_as("marketer")
    response = browser.form("/collections/new", {"title": " "})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Collection.id))) == 1
    present = first_item(onboarding).asset_id
    response = browser.form(
        f"/collections/{onboarding.id}/items", {"asset": present}, follow_redirects=True
    )
    assert collections.ASSET_ALREADY_IN in flashes(response)
    response = browser.form(
        f"/collections/{onboarding.id}/items", {"asset": "abc"}, follow_redirects=True
    )
    assert any(collections.ASSET_MISSING in message for message in flashes(response))
    draft = make_asset(users["marketer"], "Draft", publish=False)
    response = browser.form(
        f"/collections/{onboarding.id}/items", {"asset": draft.id}, follow_redirects=True
    )
    assert collections.ASSET_NOT_LIVE in flashes(response)
    assert items(onboarding) == [(1, "Read first"), (2, "For IT calls")]


def test_owner_moves_edits_notes_and_removes(client_as, onboarding):
    browser = client_as("marketer")
    item = first_item(onboarding)
    base = f"/collections/{onboarding.id}/items/{item.id}"
    response = browser.form(f"{base}/move", {"direction": "down"}, follow_redirects=True)
    assert "“Pricing one-pager” moved down to item 2." in flashes(response)
    assert items(onboarding) == [(1, "For IT calls"), (2, "Read first")]
    response = browser.form(f"{base}/move", {"direction": "down"}, follow_redirects=True)
    assert "“Pricing one-pager” is already last." in flashes(response)
    browser.form(f"{base}/note", {"note": "Read on day one"})
    assert items(onboarding) == [(1, "For IT calls"), (2, "Read on day one")]
    response = browser.form(f"{base}/remove", follow_redirects=True)
    assert "“Pricing one-pager” removed from the collection." in flashes(response)
    assert items(onboarding) == [(1, "For IT calls")]


def test_others_cannot_edit(app, client_as, onboarding):
    other = login(app.test_client(), make_user("marketer"))
    item = first_item(onboarding)
    for browser in (client_as("rep"), client_as("leader"), other):
        assert browser.get(f"/collections/{onboarding.id}/edit").status_code == 403
        assert (
            browser.form(f"/collections/{onboarding.id}/items/{item.id}/remove").status_code == 403
        )
        assert browser.form(f"/collections/{onboarding.id}/delete").status_code == 403
    assert client_as("rep").get("/collections/new").status_code == 403
    assert client_as("leader").form("/collections/new", {"title": "Mine"}).status_code == 403
    assert items(onboarding) == [(1, "Read first"), (2, "For IT calls")]
    page = client_as("leader").get(f"/collections/{onboarding.id}")
    assert "Move up" not in page.text
    assert "Add to collection" not in page.text


def test_owner_or_admin_edits_title_and_description(client_as, onboarding):
    url = f"/collections/{onboarding.id}/edit"
    assert 'value="New rep: first 30 days"' in client_as("marketer").get(url).text
    response = client_as("admin").form(
        url, {"title": "New rep: first 45 days", "description": "Slower pace."}
    )
    assert response.status_code == 302
    response = client_as("marketer").form(url, {"title": "x" * 201, "description": ""})
    assert response.status_code == 422
    assert collections.TITLE_TOO_LONG in response.text
    db.session.refresh(onboarding)
    assert (onboarding.title, onboarding.description) == ("New rep: first 45 days", "Slower pace.")


def test_owner_deletes(client_as, onboarding):
    response = client_as("marketer").form(f"/collections/{onboarding.id}/delete")
    assert response.headers["Location"].endswith("/collections")
    assert db.session.scalar(select(func.count(Collection.id))) == 0


def test_unknown_collection_is_404_and_a_foreign_item_changes_nothing(client_as, users, onboarding):
    browser = client_as("marketer")
    assert browser.get("/collections/999").status_code == 404
    other = collections.create_collection(users["marketer"], "Other")
    db.session.commit()
    item = first_item(onboarding)
    for action, data in (("remove", {}), ("note", {"note": "Hijacked"}), ("move", {})):
        url = f"/collections/{other.id}/items/{item.id}/{action}"
        response = browser.form(url, data, follow_redirects=True)
        assert response.request.path == f"/collections/{other.id}"
        assert flashes(response) == [collections.ITEM_REMOVED]
    assert items(onboarding) == [(1, "Read first"), (2, "For IT calls")]


RACE_ROUNDS = 12


def _race(app, requests: list) -> list:
    """Send each (client, url, data) at the same moment from its own thread; return the
    responses. Each request gets its own app context, session and connection."""
    barrier = threading.Barrier(len(requests))
    for client, _url, _data in requests:
        client.get("/library")  # the welcome message is not the answer under test

    def send(client, url, data):
        def work():
            barrier.wait(timeout=10)
            return client.post(url, data=data, follow_redirects=True)

        return work

    return run_together([send(*request) for request in requests])


def _removal_rounds(app, onboarding, remover, other, action: str, data: dict):
    """RACE_ROUNDS rounds in which ``remover`` removes the pricing one-pager's item while
    ``other`` posts ``action`` to it; yields both responses of each round. The item is put
    back (as the last one) before each round."""
    asset = first_item(onboarding).asset
    for _round in range(RACE_ROUNDS):
        item = db.session.scalar(
            select(CollectionItem).where(CollectionItem.asset_id == asset.id)
        ) or collections.add_item(onboarding, onboarding.owner, asset, "Read first")
        db.session.commit()
        base = f"/collections/{onboarding.id}/items/{item.id}"
        yield _race(
            app,
            [
                (remover, f"{base}/remove", {"csrf_token": remover.csrf_token()}),
                (other, f"{base}/{action}", {"csrf_token": other.csrf_token(), **data}),
            ],
        )


def test_removing_an_item_while_its_note_is_edited_never_fails(app, client_as, onboarding):
    owner, admin = client_as("marketer"), client_as("admin")
    saved = "Note on “Pricing one-pager” saved."
    for removed, edited in _removal_rounds(
        app, onboarding, owner, admin, "note", {"note": "Read on day one"}
    ):
        assert (removed.status_code, edited.status_code) == (200, 200), edited.text[-400:]
        assert flashes(removed) == ["“Pricing one-pager” removed from the collection."]
        assert flashes(edited) in ([saved], [collections.ITEM_REMOVED])
        assert items(onboarding) == [(1, "For IT calls")]


def test_marking_an_item_done_while_it_is_removed_never_fails(app, client_as, users, onboarding):
    paths.assign(onboarding, users["leader"], [users["rep"]], None)
    db.session.commit()
    owner, follower = client_as("marketer"), client_as("rep")
    marked_done = "“Pricing one-pager” marked done."
    for removed, marked in _removal_rounds(app, onboarding, owner, follower, "done", {"done": "1"}):
        assert (removed.status_code, marked.status_code) == (200, 200), marked.text[-400:]
        assert flashes(marked) in ([marked_done], [collections.ITEM_REMOVED])
        db.session.expire_all()
        assert db.session.scalar(select(func.count(ItemDone.item_id))) == 0


# ---- assigning, marking, progress ------------------------------------------------------


def test_leader_assigns_once_and_the_rep_is_told(client_as, users, onboarding):
    browser = client_as("leader")
    page = browser.get(f"/collections/{onboarding.id}/assign")
    assert "Riley Rep (rep@example.com)" in page.text
    assert "Morgan Marketer" not in page.text
    due = local_today() + timedelta(days=30)
    data = {"reps": [users["rep"].id], "due_on": due.isoformat()}
    response = browser.form(f"/collections/{onboarding.id}/assign", data, follow_redirects=True)
    assert "Path assigned to Riley Rep; they have been told." in flashes(response)
    assert "Riley Rep 0 of 2 done Not started" in squashed(response)
    response = browser.form(f"/collections/{onboarding.id}/assign", data, follow_redirects=True)
    assert "Already assigned to Riley Rep: nothing changed for them." in flashes(response)
    assert db.session.scalar(select(func.count(PathAssignment.id))) == 1
    notices = db.session.scalars(
        select(Notification).where(Notification.kind == "path_assigned")
    ).all()
    assert [notice.user_id for notice in notices] == [users["rep"].id]


def test_assign_refuses_bad_input(client_as, users, onboarding):
    browser = client_as("leader")
    response = browser.form(f"/collections/{onboarding.id}/assign", {"reps": []})
    assert response.status_code == 422
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    response = browser.form(
        f"/collections/{onboarding.id}/assign", {"reps": [users["rep"].id], "due_on": yesterday}
    )
    assert response.status_code == 422
    assert paths.DUE_IN_PAST in response.text
    response = browser.form(f"/collections/{onboarding.id}/assign", {"reps": [users["admin"].id]})
    assert response.status_code == 422
    assert paths.REPS_NOT_ACTIVE in response.text
    assert client_as("rep").get(f"/collections/{onboarding.id}/assign").status_code == 403
    assert db.session.scalar(select(func.count(PathAssignment.id))) == 0


def test_rep_marks_items_on_their_path(app, client_as, users, onboarding):
    paths.assign(onboarding, users["leader"], [users["rep"]])
    db.session.commit()
    rep = client_as("rep")
    page = rep.get(f"/collections/{onboarding.id}")
    assert "Your progress: 0 of 2 done" in squashed(page)
    item = first_item(onboarding)
    url = f"/collections/{onboarding.id}/items/{item.id}/done"
    rep.form(url, {"done": "1"})
    response = rep.form(url, {"done": "1"}, follow_redirects=True)
    assert "“Pricing one-pager” marked done." in flashes(response)
    assert "Your progress: 1 of 2 done" in squashed(response)
    assert db.session.scalar(select(func.count(ItemDone.id))) == 1
    response = rep.form(url, {"done": "0"}, follow_redirects=True)
    assert "Your progress: 0 of 2 done" in squashed(response)
    other = login(app.test_client(), make_user("rep"))
    assert other.form(url, {"done": "1"}).status_code == 403
    assert db.session.scalar(select(func.count(ItemDone.id))) == 0


def test_rep_sees_an_archived_item_as_no_longer_available(client_as, users, onboarding):
    paths.assign(onboarding, users["leader"], [users["rep"]])
    db.session.commit()
    item = first_item(onboarding)
    transition(item.asset, users["marketer"], "archive", "Out of date.")
    db.session.commit()
    rep = client_as("rep")
    page = squashed(rep.get(f"/collections/{onboarding.id}"))
    assert "This item is no longer available." in page
    assert "Pricing one-pager" not in page
    assert "Your progress: 0 of 1 done" in page
    response = rep.form(
        f"/collections/{onboarding.id}/items/{item.id}/done", {"done": "1"}, follow_redirects=True
    )
    assert paths.ITEM_UNAVAILABLE in flashes(response)
    marketer_page = squashed(client_as("marketer").get(f"/collections/{onboarding.id}"))
    assert "Pricing one-pager Not live: reps do not see it" in marketer_page


def test_progress_page_per_rep(client_as, users, onboarding):
    other = make_user("rep", name="Aaron Another")
    paths.assign(onboarding, users["leader"], [users["rep"], other], local_today())
    paths.mark(first_item(onboarding), users["rep"], True)
    db.session.commit()
    db.session.execute(
        PathAssignment.__table__.update()
        .where(PathAssignment.rep_id == other.id)
        .values(due_on=local_today() - timedelta(days=2))
    )
    db.session.commit()
    page = squashed(client_as("leader").get(f"/collections/{onboarding.id}/progress"))
    assert "Aaron Another 0 of 2 done Not started" in page
    assert "Overdue" in page
    assert "Riley Rep 1 of 2 done" in page
    rep_page = squashed(client_as("rep").get(f"/collections/{onboarding.id}/progress"))
    assert "Riley Rep 1 of 2 done" in rep_page
    assert "Aaron Another" not in rep_page


def test_my_work_shows_the_path_and_the_next_item(client_as, users, onboarding):
    assert "My onboarding paths" not in client_as("rep").get("/my-work").text
    paths.assign(onboarding, users["leader"], [users["rep"]])
    paths.mark(first_item(onboarding), users["rep"], True)
    db.session.commit()
    page = squashed(client_as("rep").get("/my-work"))
    assert "My onboarding paths 1 New rep: first 30 days — 1 of 2 done" in page
    assert "Next: Security FAQ" in page
    assert "My onboarding paths" not in client_as("leader").get("/my-work").text


# ---- "Add to collection" on an asset's page --------------------------------------------


def test_add_to_collection_from_an_asset_page(app, client_as, users, onboarding):
    marketer = users["marketer"]
    asset = make_asset(marketer, "Acme battlecard")
    assert collections.collections_to_add_to(marketer, asset) == [onboarding]
    assert collections.collections_to_add_to(users["rep"], asset) == []
    assert collections.collections_to_add_to(make_user("marketer"), asset) == []
    with app.test_request_context("/assets/1"):
        login_user(marketer)
        shown = panels.gather(asset, asset.live_revision)
        html_form = render_template("collections/_add_on_asset.html", asset=asset, panels=shown)
    assert 'action="/collections/add"' in html_form
    assert "New rep: first 30 days" in html_form
    data = {"collection": onboarding.id, "asset": asset.id, "note": "For Acme calls"}
    response = client_as("marketer").form("/collections/add", data)
    assert response.headers["Location"].endswith(f"/assets/{asset.id}")
    assert items(onboarding)[-1] == (3, "For Acme calls")
    again = client_as("marketer").form("/collections/add", data, follow_redirects=True)
    assert collections.ASSET_ALREADY_IN in flashes(again)
    assert client_as("rep").form("/collections/add", data).status_code == 403
    assert client_as("marketer").form("/collections/add", {"asset": "x"}).status_code == 404
    assert len(items(onboarding)) == 3
