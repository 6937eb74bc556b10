"""The meeting pages: scheduling, the pack, recording decisions and action items, closing
an item; who sees what (404 for the others), forms refused without their CSRF token or
with bad input change nothing, and the lists have pages."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.alignment.calendar import describe
from portal.alignment.models import ActionItem, Decision, Meeting
from portal.kernel.extensions import db
from portal.kernel.reporting import local_today
from tests.factories import login, make_meeting, make_user
from tests.portal.helpers import flashes, redirect_path


@pytest.fixture
def meeting(users):
    return make_meeting(users["leader"], [users["marketer"]])


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id))) or 0


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def test_a_leader_schedules_a_meeting_from_the_form(client_as, users):
    leader = client_as("leader")
    form = {"name": "Pipeline review", "cadence": "monthly", "weekday": "1", "meets_at": "14:00",
            "attendees": [str(users["marketer"].id), str(users["rep"].id)]}  # fmt: skip

    response = leader.form("/meetings/new", form)

    meeting = db.session.scalar(select(Meeting))
    assert redirect_path(response) == f"/meetings/{meeting.id}"
    assert meeting.attendee_ids == {users["leader"].id, users["marketer"].id, users["rep"].id}
    assert meeting.active
    page = leader.get(redirect_path(response))
    assert meeting.starts_on.weekday() == 1
    assert re.fullmatch(r"Monthly on the \w+ Tuesday at 14:00", describe(meeting))
    assert flashes(page)[-1] == f"“Pipeline review” is scheduled: {describe(meeting)}."
    assert "Print / save as PDF" in page.text
    assert 'src="/static/print-button.js' in page.text


def test_the_organiser_changes_the_meeting_and_stops_it(client_as, users, meeting):
    leader = client_as("leader")
    edit = f"/meetings/{meeting.id}/edit"
    form = {"name": "Revenue sync", "cadence": "weekly", "weekday": str(meeting.weekday),
            "meets_at": "11:15", "attendees": [str(users["marketer"].id)]}  # fmt: skip

    assert 'value="10:00"' in leader.get(edit).text
    saved = leader.form(edit, form)

    db.session.refresh(meeting)
    assert redirect_path(saved) == f"/meetings/{meeting.id}"
    assert (meeting.meets_at.strftime("%H:%M"), meeting.active) == ("11:15", False)
    assert "No longer held" in leader.get("/meetings").text
    assert client_as("marketer").get(edit).status_code == 403


def test_bad_or_unsigned_meeting_forms_change_nothing(client_as, users):
    leader = client_as("leader")
    only_sales = {"name": "Sync", "cadence": "weekly", "weekday": "2", "meets_at": "09:00",
                  "attendees": [str(users["rep"].id)]}  # fmt: skip

    refused = leader.form("/meetings/new", only_sales)
    unknown = leader.form(
        "/meetings/new", only_sales | {"attendees": ["99999"], "cadence": "daily"}
    )
    unsigned = leader.post(
        "/meetings/new", data=only_sales | {"attendees": [str(users["marketer"].id)]}
    )

    assert refused.status_code == 422
    assert "Invite people from both sales and marketing" in refused.text
    assert unknown.status_code == 422
    assert "Choose how often it meets" in unknown.text
    assert unsigned.status_code in {302, 400}
    assert _count(Meeting) == 0
    assert client_as("marketer").get("/meetings/new").status_code == 404


def test_people_outside_a_meeting_get_404_and_no_link_in_the_navigation(
    app, client_as, users, meeting
):
    item = ActionItem(meeting=meeting, meeting_on=meeting.starts_on, title="Refresh",
                      owner_id=users["marketer"].id, due_on=local_today())  # fmt: skip
    db.session.add(item)
    db.session.commit()
    rep = client_as("rep")
    for path in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/items",
                 f"/meetings/{meeting.id}/items/new", f"/meetings/{meeting.id}/edit",
                 f"/action-items/{item.id}"):  # fmt: skip
        assert rep.get(path).status_code == 404, path
    assert rep.form(f"/action-items/{item.id}/close", {"note": "x"}).status_code == 404
    assert (
        rep.form(f"/meetings/{meeting.id}/decisions", {"on": "x", "text": "y"}).status_code == 404
    )
    listed = rep.get("/meetings")
    assert "You are not invited to any alignment meeting" in listed.text
    assert 'href="/meetings"' not in rep.get("/my-work").text

    marketer = client_as("marketer")
    assert marketer.get(f"/meetings/{meeting.id}").status_code == 200
    assert 'href="/meetings"' in marketer.get("/my-work").text
    assert client_as("admin").get(f"/meetings/{meeting.id}").status_code == 200


def test_decisions_and_action_items_are_recorded_and_bad_ones_change_nothing(
    client_as, users, meeting
):
    leader = client_as("leader")
    on = meeting.starts_on.isoformat()
    pack = f"/meetings/{meeting.id}?on={on}"
    due = (local_today() + timedelta(days=2)).isoformat()

    decided = leader.form(
        f"/meetings/{meeting.id}/decisions", {"on": on, "text": "Lead with the ROI deck."}
    )
    empty = leader.form(f"/meetings/{meeting.id}/decisions", {"on": on, "text": " "})
    assert flashes(leader.get(pack))[-2:] == ["Decision recorded.", "Write what was decided."]
    wrong_day = leader.form(f"/meetings/{meeting.id}/decisions",
                            {"on": "2001-01-01", "text": "Too late"})  # fmt: skip
    added = leader.form(f"/meetings/{meeting.id}/items/new",
                        {"on": on, "title": "Refresh the ROI deck", "owner": users["marketer"].id,
                         "due_on": due})  # fmt: skip
    bad_link = leader.form(f"/meetings/{meeting.id}/items/new",
                           {"on": on, "title": "Read it", "owner": users["marketer"].id,
                            "due_on": due, "link": "https://elsewhere.example/x"})  # fmt: skip
    hidden = leader.form(f"/meetings/{meeting.id}/items/new",
                         {"on": on, "title": "Read it", "owner": users["marketer"].id,
                          "due_on": due, "link": "/assets/4242"})  # fmt: skip
    no_owner = leader.form(f"/meetings/{meeting.id}/items/new",
                           {"on": on, "title": "Read it", "owner": users["rep"].id,
                            "due_on": due})  # fmt: skip

    assert [redirect_path(r) for r in (decided, empty, added)] == [pack] * 3
    assert wrong_day.status_code == 302
    assert bad_link.status_code == 422
    assert "Paste the address of an asset" in bad_link.text
    assert hidden.status_code == 422
    assert "There is no asset 4242 that you can see." in hidden.text
    assert no_owner.status_code == 422
    assert "Choose an owner among the meeting" in no_owner.text
    assert [d.text for d in db.session.scalars(select(Decision))] == ["Lead with the ROI deck."]
    (item,) = db.session.scalars(select(ActionItem))
    assert (item.title, item.owner_id, item.due_on.isoformat()) == (
        "Refresh the ROI deck",
        users["marketer"].id,
        due,
    )
    text = _text(leader.get(pack))
    assert "Lead with the ROI deck." in text
    assert "Refresh the ROI deck · Morgan Marketer · due" in text


def test_the_owner_closes_an_item_from_my_work_and_others_may_not(client_as, users, meeting):
    item = ActionItem(meeting=meeting, meeting_on=meeting.starts_on, title="Refresh the deck",
                      owner_id=users["marketer"].id, due_on=local_today())  # fmt: skip
    db.session.add(item)
    db.session.commit()
    marketer = client_as("marketer")
    assert f'href="/action-items/{item.id}"' in marketer.get("/my-work").text

    no_note = marketer.form(f"/action-items/{item.id}/close", {"note": ""})
    unsigned = marketer.post(f"/action-items/{item.id}/close", data={"note": "Done"})
    other = make_user("marketer", department="marketing")
    meeting.attendances.append(type(meeting.attendances[0])(user_id=other.id))
    db.session.commit()
    forbidden = login(marketer.application.test_client(), other).form(
        f"/action-items/{item.id}/close", {"note": "Mine now"}
    )
    db.session.refresh(item)
    assert (no_note.status_code, forbidden.status_code, item.status) == (422, 403, "open")
    assert unsigned.status_code in {302, 400}

    closed = marketer.form(f"/action-items/{item.id}/close", {"note": "New deck is live"})
    assert flashes(marketer.get(redirect_path(closed)))[-1] == (
        "“Refresh the deck” is done. The next pack shows it closed."
    )
    again = marketer.form(f"/action-items/{item.id}/close", {"note": "Twice"})
    assert flashes(marketer.get(redirect_path(again))) == ["This action item is already closed."]

    db.session.refresh(item)
    assert (item.status, item.close_note) == ("done", "New deck is live")
    assert f'href="/action-items/{item.id}"' not in marketer.get("/my-work").text


def test_meetings_and_action_items_have_pages(client_as, users, meeting):
    for n in range(6):
        make_meeting(users["leader"], [users["marketer"]], name=f"Sync {n}")
        db.session.add(ActionItem(meeting=meeting, meeting_on=meeting.starts_on, title=f"Item {n}",
                                  owner_id=users["marketer"].id, due_on=local_today()))  # fmt: skip
    db.session.commit()
    leader = client_as("leader")

    first, second = leader.get("/meetings"), leader.get("/meetings?page=2")
    items = leader.get(f"/meetings/{meeting.id}/items?page=2")
    wrong = leader.get(f"/meetings/{meeting.id}/items?status=someday")

    assert "7 meetings" in first.text
    assert "Page 1 of 2" in first.text
    assert "Page 2 of 2" in second.text
    assert ">Sync 4<" in second.text
    assert ">Sync 5<" in second.text
    assert ">Sync 3<" not in second.text
    assert "6 action items" in items.text
    assert "Item 5" in items.text
    assert flashes(wrong)[-1] == "Choose open, done or all action items."


def test_a_chosen_range_and_a_bad_occurrence_are_explained(client_as, meeting):
    leader = client_as("leader")

    chosen = leader.get(f"/meetings/{meeting.id}?from=2026-01-01&to=2026-01-31")
    bad = leader.get(f"/meetings/{meeting.id}?on=2026-02-30&from=2026-03-01&to=2026-02-01")

    assert "Figures cover 1 Jan 2026 to 31 Jan 2026 (dates you chose)" in _text(chosen)
    # Every section of the pack, the reports' consumption headline among them.
    for title in (
        "Headline numbers",
        "Content consumption",
        "Top and unused content",
        "Search gaps",
        "New field feedback",
        "Glossary changes",
        "Action items",
    ):
        assert f">{title}</h2>" in chosen.text
    assert "Active reps who used content" in chosen.text
    assert "compared with the 31 days before" in _text(chosen)
    assert flashes(bad)[-2:] == [
        "“2026-02-30” is not a date. Write dates as YYYY-MM-DD, e.g. 2026-03-31.",
        "The period ends before it starts: swap the dates.",
    ]
