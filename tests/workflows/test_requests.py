"""Content requests: a rep asks, a marketer accepts (a draft is started) or declines, and
publishing the draft fulfils the request. Services first, then the pages and the API."""

import re
import threading
from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select, update

from content.library.models import Asset, Persona, Stage
from portal.demo.seed import sign_off_and_publish
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.notifications import Notification
from portal.kernel.pagination import Page
from tests.factories import login, make_asset, make_user, reviewers, run_together, token_headers
from workflows.audit.models import WorkflowEvent
from workflows.requests import models
from workflows.requests import services as requests
from workflows.requests.models import ContentRequest
from workflows.requests.services import accept, decline, submit_request

NEED = "A one-page ROI case for a CFO comparing us with spreadsheets.\nThey meet on Friday."


def term(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def ask(rep, need: str = NEED, stage: str = "decision", persona: str | None = "cfo", **extra):
    """A committed open request from ``rep``."""
    content_request = submit_request(
        rep,
        need,
        term(Stage, stage),
        term(Persona, persona) if persona else None,
        **extra,
    )
    db.session.commit()
    return content_request


def notifications_of(user, kind: str) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)
    ).all()


def request_count() -> int:
    return db.session.scalar(select(func.count(ContentRequest.id)))


def stored(request_id: int) -> tuple:
    """Status, linked asset and handler as the database holds them now."""
    db.session.expire_all()
    row = db.session.execute(
        select(ContentRequest.status, ContentRequest.asset_id, ContentRequest.handled_by_id).where(
            ContentRequest.id == request_id
        )
    ).one()
    return tuple(row)


def asset_count() -> int:
    return db.session.scalar(select(func.count(Asset.id)))


def events_of(content_request) -> list[tuple[str, str, str]]:
    return [
        (event.action, event.from_state, event.to_state)
        for event in requests.request_history(content_request)
    ]


# ---- asking --------------------------------------------------------------------------


def test_a_rep_asks_and_every_active_marketer_is_told(users):
    rep = users["rep"]
    marketer = users["marketer"]
    away = make_user("marketer", "away@example.com")
    away.active = False
    db.session.commit()
    due = models.today() + timedelta(days=7)

    content_request = ask(rep, deal_context="Acme, 120k ARR, asked for a TCO view", due_on=due)

    assert content_request.status == "open"
    assert content_request.requester == rep
    assert content_request.stage.slug == "decision"
    assert content_request.persona.slug == "cfo"
    assert content_request.due_on == due
    assert content_request.deal_context == "Acme, 120k ARR, asked for a TCO view"
    [note] = notifications_of(marketer, "request_submitted")
    assert note.link == f"/requests/{content_request.id}"
    assert "Riley Rep asked for Decision content" in note.text
    assert notifications_of(away, "request_submitted") == []
    assert notifications_of(users["admin"], "request_submitted") == []


@pytest.mark.parametrize("role", ["rep", "leader", "marketer", "admin"])
def test_every_role_may_ask(users, role):
    content_request = ask(users[role], persona=None)

    assert content_request.status == "open"
    assert content_request.persona is None


def _past():
    return models.today() - timedelta(days=1)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"need": "   "}, "need", requests.NEED_MISSING),
        ({"need": "x" * 2001}, "need", requests.NEED_TOO_LONG),
        ({"stage": None}, "stage", requests.STAGE_MISSING),
        ({"deal_context": "y" * 1001}, "deal_context", requests.DEAL_CONTEXT_TOO_LONG),
        ({"due_on": "past"}, "due_on", requests.DUE_IN_PAST),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(users, changes, field, message):
    arguments = {
        "need": NEED,
        "stage": term(Stage, "decision"),
        "deal_context": "",
        "due_on": None,
        **changes,
    }
    if arguments["due_on"] == "past":
        arguments["due_on"] = _past()

    with pytest.raises(ValidationFailed) as refused:
        submit_request(users["rep"], **arguments)
    db.session.rollback()

    assert refused.value.fields == {field: message}
    assert request_count() == 0
    assert notifications_of(users["marketer"], "request_submitted") == []


def test_the_longest_need_and_a_due_date_of_today_are_accepted(users):
    content_request = ask(users["rep"], need="n" * 2000, due_on=models.today())

    assert len(content_request.need) == 2000
    assert not content_request.overdue


# ---- who sees a request ----------------------------------------------------------------


def test_requester_marketing_and_leaders_see_a_request_other_reps_do_not(users):
    content_request = ask(users["rep"])
    other_rep = make_user("rep", "rep2@example.com")

    for role in ("rep", "marketer", "leader", "admin"):
        assert requests.get_visible_request(users[role], content_request.id) == content_request
    with pytest.raises(NotFound):
        requests.get_visible_request(other_rep, content_request.id)
    with pytest.raises(NotFound):
        requests.get_visible_request(users["marketer"], content_request.id + 1000)


def test_a_rep_lists_only_their_own_requests(users):
    mine = ask(users["rep"])
    ask(make_user("rep", "rep2@example.com"))

    listed = requests.request_list(users["rep"], requests.default_filters(users["rep"]), 1, 10)

    assert [r.id for r in listed.items] == [mine.id]


# ---- the inbox -------------------------------------------------------------------------


@pytest.fixture
def inbox(users):
    """Five requests in the states and due dates the inbox must order."""
    rep, today = users["rep"], models.today()
    later = ask(rep, "Ten days", due_on=today + timedelta(days=10))
    soon = ask(rep, "Two days", stage="consideration", due_on=today + timedelta(days=2))
    undated = ask(rep, "Undated")
    late = ask(rep, "Three days ago", due_on=today + timedelta(days=1))
    gone = ask(rep, "Declined one")
    decline(gone, users["marketer"], "We have this already.")
    # Nobody can ask for a date in the past; time passing makes a request overdue.
    db.session.execute(
        update(ContentRequest)
        .where(ContentRequest.id == late.id)
        .values(due_on=today - timedelta(days=3))
    )
    db.session.commit()
    return {"later": later, "soon": soon, "undated": undated, "late": late, "gone": gone}


def listed(user, page: int = 1, per_page: int = 10, **args) -> Page:
    return requests.request_list(user, requests.parse_filters(args, user), page, per_page)


def names(page: Page) -> list[str]:
    return [r.need for r in page.items]


def test_inbox_shows_open_requests_soonest_due_first_and_flags_overdue(users, inbox):
    page = listed(users["marketer"])

    assert names(page) == ["Three days ago", "Two days", "Ten days", "Undated"]
    assert [r.overdue for r in page.items] == [True, False, False, False]


def test_inbox_all_tab_puts_handled_requests_after_open_ones(users, inbox):
    assert names(listed(users["marketer"], status="all")) == [
        "Three days ago",
        "Two days",
        "Ten days",
        "Undated",
        "Declined one",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"status": "declined"}, ["Declined one"]),
        ({"status": "accepted"}, []),
        ({"stage": "consideration"}, ["Two days"]),
        ({"overdue": "1"}, ["Three days ago"]),
        (
            {"status": "all", "stage": "decision"},
            ["Three days ago", "Ten days", "Undated", "Declined one"],
        ),
    ],
)
def test_inbox_filters(users, inbox, args, expected):
    assert names(listed(users["admin"], **args)) == expected


def test_inbox_is_paginated(users, inbox):
    second = listed(users["marketer"], page=2, per_page=3)

    assert (second.total, second.pages, names(second)) == (4, 2, ["Undated"])


@pytest.mark.parametrize(
    ("args", "field"), [({"status": "lost"}, "status"), ({"stage": "nowhere"}, "stage")]
)
def test_filters_not_understood_are_refused(users, args, field):
    with pytest.raises(ValidationFailed) as refused:
        requests.parse_filters(args, users["marketer"])

    assert field in refused.value.fields


# ---- accepting -------------------------------------------------------------------------


def test_accepting_starts_a_draft_from_the_request_and_invites_the_rep(users):
    rep, marketer = users["rep"], users["marketer"]
    due = models.today() + timedelta(days=5)
    content_request = ask(rep, deal_context="Acme, 120k ARR", due_on=due)

    asset = accept(content_request, marketer, "  ROI one-pager for Acme  ")
    db.session.commit()

    assert stored(content_request.id) == ("accepted", asset.id, marketer.id)
    assert (asset.status, asset.owner) == ("draft", marketer)
    revision = asset.latest_revision
    assert revision.title == "ROI one-pager for Acme"
    assert revision.summary.startswith("A one-page ROI case for a CFO")
    for fact in (
        "Riley Rep (rep@example.com)",
        "Decision",
        "CFO",
        f"{due.day} {due:%B %Y}",
        "> A one-page ROI case",
        "> They meet on Friday.",
        "> Acme, 120k ARR",
        f"(/requests/{content_request.id})",
    ):
        assert fact in revision.body
    assert [s.slug for s in asset.stages] == ["decision"]
    assert [p.slug for p in asset.personas] == ["cfo"]
    assert asset.collaborator_role(rep) == "reviewer"
    [note] = notifications_of(rep, "request_accepted")
    assert "Morgan Marketer accepted your content request" in note.text
    assert events_of(content_request) == [("accept", "open", "accepted")]


def test_without_a_title_the_draft_is_named_after_the_need(users):
    content_request = ask(users["rep"], persona=None)

    asset = accept(content_request, users["admin"])
    db.session.commit()

    assert asset.latest_revision.title.startswith("A one-page ROI case for a CFO")
    assert asset.personas == []


def test_a_marketer_accepting_their_own_request_is_not_invited_to_it(users):
    marketer = users["marketer"]
    content_request = ask(marketer)

    asset = accept(content_request, marketer)
    db.session.commit()

    assert asset.collaborators == []
    assert stored(content_request.id)[0] == "accepted"


def test_a_deactivated_requester_is_not_invited_but_the_draft_is_started(users):
    rep = users["rep"]
    content_request = ask(rep)
    rep.active = False
    db.session.commit()

    asset = accept(content_request, users["marketer"])
    db.session.commit()

    assert asset.collaborators == []
    assert notifications_of(rep, "request_accepted") == []


@pytest.mark.parametrize("role", ["rep", "leader"])
def test_only_marketing_accepts_or_declines(users, role):
    content_request = ask(users["rep"])

    with pytest.raises(PermissionDenied):
        accept(content_request, users[role])
    with pytest.raises(PermissionDenied):
        decline(content_request, users[role], "No.")
    db.session.rollback()

    assert stored(content_request.id) == ("open", None, None)
    assert asset_count() == 0


def test_another_rep_cannot_touch_a_request_they_cannot_see(users):
    content_request = ask(users["rep"])

    with pytest.raises(NotFound):
        accept(content_request, make_user("rep", "rep2@example.com"))


@pytest.mark.parametrize("first", ["accept", "decline"])
@pytest.mark.parametrize("then", ["accept", "decline"])
def test_only_open_requests_are_accepted_or_declined(users, first, then):
    content_request = ask(users["rep"])
    if first == "accept":
        accept(content_request, users["marketer"])
    else:
        decline(content_request, users["marketer"], "Not now.")
    db.session.commit()
    before = stored(content_request.id)

    if then == "accept":
        second = partial(accept, content_request, users["admin"])
    else:
        second = partial(decline, content_request, users["admin"], "Again.")
    with pytest.raises(Conflict) as refused:
        second()
    db.session.rollback()

    state = "accepted" if first == "accept" else "declined"
    assert f"already {state} by Morgan Marketer" in refused.value.message
    assert refused.value.allowed == []
    assert stored(content_request.id) == before
    assert asset_count() == (1 if first == "accept" else 0)


def test_a_title_that_is_too_long_is_refused_before_anything_changes(users):
    content_request = ask(users["rep"])

    with pytest.raises(ValidationFailed) as refused:
        accept(content_request, users["marketer"], "t" * 201)
    db.session.rollback()

    assert refused.value.fields == {"title": requests.TITLE_TOO_LONG}
    assert stored(content_request.id) == ("open", None, None)
    assert asset_count() == 0


# ---- declining -------------------------------------------------------------------------


def test_declining_tells_the_rep_why(users):
    rep, marketer = users["rep"], users["marketer"]
    content_request = ask(rep)

    decline(content_request, marketer, "  The Acme case study covers this.  ")
    db.session.commit()

    assert stored(content_request.id) == ("declined", None, marketer.id)
    assert content_request.decline_reason == "The Acme case study covers this."
    [note] = notifications_of(rep, "request_declined")
    assert note.text.endswith("declined your content request: The Acme case study covers this.")
    [event] = requests.request_history(content_request)
    assert (event.action, event.comment) == ("decline", "The Acme case study covers this.")


@pytest.mark.parametrize(
    ("reason", "message"),
    [("  ", requests.REASON_MISSING), ("r" * 1001, requests.REASON_TOO_LONG)],
)
def test_a_decline_needs_a_short_reason(users, reason, message):
    content_request = ask(users["rep"])

    with pytest.raises(ValidationFailed) as refused:
        decline(content_request, users["marketer"], reason)
    db.session.rollback()

    assert refused.value.fields == {"reason": message}
    assert stored(content_request.id) == ("open", None, None)


# ---- two marketers at once -------------------------------------------------------------


@pytest.mark.parametrize("actions", [("accept", "accept"), ("accept", "decline")])
def test_two_marketers_acting_at_once_cannot_both_win(app, users, actions):
    content_request = ask(users["rep"])
    request_id = content_request.id
    actor_ids = [users["marketer"].id, make_user("marketer", "marketer2@example.com").id]
    barrier = threading.Barrier(2)

    def worker(actor_id, action):
        def act():
            with app.app_context():
                try:
                    actor = db.session.get(User, actor_id)
                    target = db.session.get(ContentRequest, request_id)
                    assert target.status == "open"  # both pass the check in Python
                    barrier.wait(timeout=10)
                    try:
                        if action == "accept":
                            accept(target, actor, f"Draft by {actor_id}")
                        else:
                            decline(target, actor, f"Declined by {actor_id}")
                    except Conflict:
                        db.session.rollback()
                        return "conflict"
                    db.session.commit()
                    return "ok"
                finally:
                    db.session.remove()

        return act

    results = run_together(
        [worker(a, action) for a, action in zip(actor_ids, actions, strict=True)]
    )

    assert Counter(results) == {"ok": 1, "conflict": 1}, results
    status, asset_id, handled_by_id = stored(request_id)
    winner = results.index("ok")
    assert handled_by_id == actor_ids[winner]
    assert status == ("accepted" if actions[winner] == "accept" else "declined")
    assert asset_count() == (1 if status == "accepted" else 0)
    assert (asset_id is not None) == (status == "accepted")
    history = db.session.scalar(
        select(func.count(WorkflowEvent.id)).where(
            WorkflowEvent.subject_type == requests.EVENT_SUBJECT,
            WorkflowEvent.subject_id == request_id,
        )
    )
    assert history == 1


# ---- fulfilment ------------------------------------------------------------------------


def test_publishing_the_draft_fulfils_the_request_and_tells_the_rep(users):
    rep, marketer = users["rep"], users["marketer"]
    content_request = ask(rep)
    asset = accept(content_request, marketer, "ROI one-pager")
    db.session.commit()
    other = ask(rep, "Something else")
    accept(other, marketer, "Another draft")
    db.session.commit()

    # Dual sign-off: the rep (already invited) signs for sales, a leader for marketing.
    sign_off_and_publish(asset, marketer, [rep, reviewers()[1]])
    db.session.commit()

    assert stored(content_request.id)[0] == "fulfilled"
    assert stored(other.id)[0] == "accepted"
    [note] = notifications_of(rep, "request_fulfilled")
    assert note.link == f"/assets/{asset.id}"
    assert "“ROI one-pager” is published" in note.text
    assert events_of(content_request) == [
        ("accept", "open", "accepted"),
        ("fulfil", "accepted", "fulfilled"),
    ]


def test_publishing_an_unrelated_asset_leaves_requests_alone(users):
    content_request = ask(users["rep"])

    make_asset(users["marketer"], "Unrelated battle card")

    assert stored(content_request.id) == ("open", None, None)
    assert notifications_of(users["rep"], "request_fulfilled") == []


# ---- pages -----------------------------------------------------------------------------


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_rep_without_requests_is_told_how_to_ask(client_as):
    page = text_of(client_as("rep").get("/requests"))

    assert "My requests" in page
    assert "You have not asked for any content yet" in page
    assert 'href="/requests/new"' in page


def test_a_rep_sees_their_requests_with_status_and_a_link_to_the_draft(users, client_as):
    mine = ask(users["rep"], "Pricing FAQ for procurement")
    asset = accept(mine, users["marketer"], "Procurement pricing FAQ")
    db.session.commit()
    ask(make_user("rep", "rep2@example.com"), "Someone else's need")

    page = text_of(client_as("rep").get("/requests"))

    assert "Pricing FAQ for procurement" in page
    assert 'badge-request-accepted">Accepted</span>' in page
    assert f'href="/assets/{asset.id}"' in page
    assert "Someone else" not in page


def test_the_inbox_lists_open_requests_with_the_overdue_flag(users, client_as, inbox):
    response = client_as("marketer").get("/requests")
    page = text_of(response)

    assert response.status_code == 200
    assert "Content requests" in page
    positions = [page.index(need) for need in ("Three days ago", "Two days", "Ten days", "Undated")]
    assert positions == sorted(positions)
    assert page.count(">Overdue</span>") == 1
    assert "Declined one" not in page
    assert "Declined one" in text_of(client_as("marketer").get("/requests?status=declined"))


def test_an_unknown_filter_is_explained_not_an_error(client_as):
    response = client_as("marketer").get("/requests?stage=nowhere", follow_redirects=True)

    assert response.status_code == 200
    assert "There is no stage called “nowhere”." in text_of(response)


def test_asking_through_the_form(users, client_as):
    client = client_as("rep")
    stage, persona = term(Stage, "decision"), term(Persona, "cfo")

    response = client.form(
        "/requests/new",
        {
            "need": "A CFO one-pager",
            "stage": stage.id,
            "persona": persona.id,
            "deal_context": "Acme",
            "due_on": (models.today() + timedelta(days=3)).isoformat(),
        },
    )

    [content_request] = db.session.scalars(select(ContentRequest)).all()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/requests/{content_request.id}"
    page = text_of(client.get(response.headers["Location"]))
    assert "Request sent to marketing." in page
    assert "A CFO one-pager" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"need": ""}, requests.NEED_MISSING),
        ({"stage": "0"}, requests.STAGE_MISSING),
        ({"stage": "not-a-stage"}, requests.STAGE_MISSING),
        ({"due_on": "2001-01-01"}, requests.DUE_IN_PAST),
        ({"due_on": "someday"}, "Not a valid date value."),
    ],
)
def test_form_errors_are_shown_and_nothing_is_saved(client_as, changes, message):
    data = {"need": "A CFO one-pager", "stage": term(Stage, "decision").id, **changes}

    response = client_as("rep").form("/requests/new", data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert request_count() == 0


def test_another_reps_request_is_not_found(users, app):
    content_request = ask(users["rep"])
    client = login(app.test_client(), make_user("rep", "rep2@example.com"))

    assert client.get(f"/requests/{content_request.id}").status_code == 404
    assert client.form(f"/requests/{content_request.id}/accept").status_code == 404


def test_leaders_read_a_request_without_the_marketing_actions(users, client_as):
    content_request = ask(users["rep"])

    page = text_of(client_as("leader").get(f"/requests/{content_request.id}"))

    assert "A one-page ROI case" in page
    assert "Accept and start a draft" not in page
    marketer_page = text_of(client_as("marketer").get(f"/requests/{content_request.id}"))
    assert "Accept and start a draft" in marketer_page
    assert 'name="csrf_token"' in marketer_page


def test_accepting_through_the_page_lands_on_the_draft(users, client_as):
    content_request = ask(users["rep"])
    client = client_as("marketer")

    response = client.form(f"/requests/{content_request.id}/accept", {"title": "ROI for Acme"})

    status, asset_id, _handler = stored(content_request.id)
    assert status == "accepted"
    assert response.headers["Location"] == f"/assets/{asset_id}"
    page = text_of(client.get(response.headers["Location"]))
    assert "Request accepted: the draft “ROI for Acme” is started." in page
    assert "Riley Rep is invited to review it." in page

    again = client.form(f"/requests/{content_request.id}/accept", follow_redirects=True)
    assert "This request is already accepted by Morgan Marketer" in text_of(again)
    assert asset_count() == 1


def test_declining_through_the_page(users, client_as):
    content_request = ask(users["rep"])
    client = client_as("marketer")
    url = f"/requests/{content_request.id}/decline"

    empty = client.form(url, {"reason": ""}, follow_redirects=True)
    assert requests.REASON_MISSING in text_of(empty)
    assert stored(content_request.id)[0] == "open"

    done = client.form(url, {"reason": "Use the Acme case study."}, follow_redirects=True)
    page = text_of(done)
    assert "Request declined. Riley Rep has been told why." in page
    assert "Use the Acme case study." in page
    assert stored(content_request.id)[0] == "declined"


def test_a_rep_posting_accept_is_refused(users, client_as):
    content_request = ask(users["rep"])

    response = client_as("rep").form(f"/requests/{content_request.id}/accept")

    assert response.status_code == 403
    assert stored(content_request.id) == ("open", None, None)


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_a_post_without_csrf_token_is_refused(users, client_as, action):
    content_request = ask(users["rep"])

    response = client_as("marketer").post(
        f"/requests/{content_request.id}/{action}", data={"reason": "No."}
    )

    assert response.status_code == 400
    assert stored(content_request.id) == ("open", None, None)


def test_asking_without_csrf_token_is_refused(client_as):
    response = client_as("rep").post(
        "/requests/new", data={"need": "x", "stage": term(Stage, "decision").id}
    )

    assert response.status_code == 400
    assert request_count() == 0


# ---- API -------------------------------------------------------------------------------


def test_api_asks_lists_and_reads_requests(users, client):
    headers = token_headers(users["rep"])

    created = client.post(
        "/api/v1/requests",
        json={"need": "Security FAQ", "stage": "decision", "persona": "cio"},
        headers=headers,
    )

    assert created.status_code == 201
    body = created.json
    assert (body["status"], body["stage"], body["persona"]) == ("open", "decision", "cio")
    assert created.headers["Location"] == f"/api/v1/requests/{body['id']}"
    listed_body = client.get("/api/v1/requests", headers=headers).json
    assert [item["id"] for item in listed_body["items"]] == [body["id"]]
    assert client.get(f"/api/v1/requests/{body['id']}", headers=headers).json["need"] == (
        "Security FAQ"
    )
    other = token_headers(make_user("rep", "rep2@example.com"))
    assert client.get(f"/api/v1/requests/{body['id']}", headers=other).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"need": "x"}, "stage"),
        ({"need": "x", "stage": "nowhere"}, "stage"),
        ({"need": 5, "stage": "decision"}, "need"),
        ({"need": "x", "stage": "decision", "due_on": "tomorrow"}, "due_on"),
        ({"need": "x", "stage": "decision", "owner": "me"}, "owner"),
    ],
)
def test_api_refuses_bad_input_with_field_errors(users, client, payload, field):
    response = client.post("/api/v1/requests", json=payload, headers=token_headers(users["rep"]))

    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert request_count() == 0
