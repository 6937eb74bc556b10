"""Campaign brief pages: the list, the form, the brief, publishing and acknowledging, and
the campaigns on the library board."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.kernel.extensions import db
from portal.kernel.notifications import Notification
from portal.kernel.openapi import openapi_document
from portal.kernel.reporting import local_today
from tests.factories import login, make_asset, make_user, token_headers
from tests.portal.helpers import schema_problems
from tests.workflows.helpers import brief
from workflows.campaigns import services as campaigns
from workflows.campaigns.forms import DATE_INVALID
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.feedback.models import FieldFeedback

CAMPAIGN = {"$ref": "#/components/schemas/Campaign"}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def flashes(response, category: str) -> list[str]:
    found = re.findall(r'<p class="flash flash-(\w+)" role="\w+">([^<]*)</p>', response.text)
    return [message for kind, message in found if kind == category]


def signed_in(app, user):
    """A client signed in as ``user``, its welcome message already shown."""
    client = login(app.test_client(), user)
    client.get("/campaigns")
    return client


def form_data(**changes) -> dict:
    today = local_today()
    data = {
        "name": "Spring close",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "audience": "CFOs of mid-market retailers",
        "key_messages": "- Close **six days** faster",
        "talking_points": "Ask how long their close takes.",
    }
    data.update(changes)
    return data


def campaign_count() -> int:
    return db.session.scalar(select(func.count(Campaign.id)))


def stored(campaign_id: int) -> Campaign:
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id)


# ---- writing -----------------------------------------------------------------------------


def test_a_marketer_writes_a_draft_with_a_linked_asset(app, users):
    asset = make_asset(users["marketer"], "ROI calculator")
    client = signed_in(app, users["marketer"])

    form = client.get("/campaigns/new")
    assert "ROI calculator" in form.text
    response = client.form("/campaigns/new", form_data(asset_ids=[str(asset.id)]))

    [campaign] = db.session.scalars(select(Campaign)).all()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/campaigns/{campaign.id}"
    assert [a.id for a in campaign.assets] == [asset.id]
    page = client.get(response.headers["Location"])
    assert flashes(page, "success") == [
        "Campaign saved as a draft. Publish it when reps should see it."
    ]
    assert "<strong>six days</strong>" in page.text
    assert "Publish to reps" in page.text
    assert f'href="/assets/{asset.id}"' in page.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, campaigns.NAME_MISSING),
        ({"starts_on": ""}, campaigns.STARTS_MISSING),
        ({"ends_on": "31/03/2026"}, DATE_INVALID),
        ({"starts_on": "2026-02-30"}, DATE_INVALID),
        ({"ends_on": "2001-01-01"}, campaigns.ENDS_BEFORE_START),
        ({"asset_ids": ["424242"]}, campaigns.ASSETS_NOT_LIVE),
        ({"asset_ids": ["not-an-id"]}, campaigns.ASSETS_NOT_LIVE),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(app, users, changes, message):
    client = signed_in(app, users["marketer"])

    response = client.form("/campaigns/new", form_data(**changes))

    assert response.status_code == 422
    assert message in text_of(response)
    assert campaign_count() == 0


@pytest.mark.parametrize("role", ["rep", "leader"])
def test_readers_cannot_open_the_form(app, users, role):
    client = signed_in(app, users[role])

    assert client.get("/campaigns/new").status_code == 403
    assert client.form("/campaigns/new", form_data()).status_code == 403
    assert campaign_count() == 0


def test_editing_keeps_the_form_filled_and_saves(app, users):
    campaign = brief(users["marketer"])
    client = signed_in(app, users["marketer"])

    form = client.get(f"/campaigns/{campaign.id}/edit")
    based_on = re.search(r'name="based_on" type="hidden" value="([^"]+)"', form.text).group(1)
    assert 'value="Spring close"' in form.text
    response = client.form(
        f"/campaigns/{campaign.id}/edit", form_data(name="Spring close v2", based_on=based_on)
    )

    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"]), "success") == ["Campaign saved."]
    assert stored(campaign.id).name == "Spring close v2"
    kinds = db.session.scalars(select(Notification.kind)).all()
    assert kinds == ["campaign_published"]  # the rep was told once, at publication


def test_bad_dates_on_edit_change_nothing(app, users):
    campaign = brief(users["marketer"])
    before = (campaign.starts_on, campaign.ends_on)
    client = signed_in(app, users["marketer"])

    response = client.form(
        f"/campaigns/{campaign.id}/edit",
        form_data(
            ends_on=(campaign.starts_on - timedelta(days=1)).isoformat(),
            based_on=campaign.updated_at.isoformat(),
        ),
    )

    assert response.status_code == 422
    assert campaigns.ENDS_BEFORE_START in text_of(response)
    stored_campaign = stored(campaign.id)
    assert (stored_campaign.starts_on, stored_campaign.ends_on) == before


def test_a_stale_edit_is_refused(app, users):
    campaign = brief(users["marketer"])
    client = signed_in(app, users["marketer"])

    response = client.form(
        f"/campaigns/{campaign.id}/edit",
        form_data(name="Overwrite", based_on="2001-01-01T00:00:00"),
    )

    assert response.status_code == 409
    assert "Someone saved this campaign while you were editing" in text_of(response)
    assert stored(campaign.id).name == "Spring close"


def test_another_marketer_may_not_edit(app, users):
    campaign = brief(users["marketer"])
    other = make_user("marketer", "otto@example.com", "Otto Other")
    client = signed_in(app, other)

    assert client.get(f"/campaigns/{campaign.id}/edit").status_code == 403
    assert "Edit the brief" not in client.get(f"/campaigns/{campaign.id}").text


# ---- publishing ----------------------------------------------------------------------------


def test_publishing_through_the_page_tells_the_reps(app, users):
    campaign = brief(users["marketer"], publish=False)
    client = signed_in(app, users["marketer"])

    response = client.form(f"/campaigns/{campaign.id}/publish")

    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert flashes(page, "success") == ["Campaign published. Every active rep has been told."]
    assert stored(campaign.id).status == "published"
    assert db.session.scalars(select(Notification.user_id)).all() == [users["rep"].id]
    again = client.get(client.form(f"/campaigns/{campaign.id}/publish").headers["Location"])
    assert flashes(again, "error") == ["This campaign is already published."]
    assert len(db.session.scalars(select(Notification.id)).all()) == 1


def test_a_draft_without_key_messages_says_why_it_cannot_be_published(app, users):
    campaign = brief(users["marketer"], publish=False, key_messages="")
    client = signed_in(app, users["marketer"])

    page = client.get(f"/campaigns/{campaign.id}")
    assert "Publish to reps" not in page.text
    assert "Write the key messages before publishing" in page.text
    refused = client.get(client.form(f"/campaigns/{campaign.id}/publish").headers["Location"])
    assert flashes(refused, "error") == [
        "Write the key messages before publishing: they are what reps read first."
    ]
    assert stored(campaign.id).status == "draft"


def test_publishing_without_csrf_token_is_refused(app, users):
    campaign = brief(users["marketer"], publish=False)
    client = signed_in(app, users["marketer"])

    client.post(f"/campaigns/{campaign.id}/publish", data={})

    assert stored(campaign.id).status == "draft"


@pytest.mark.parametrize("role", ["rep", "leader"])
def test_drafts_are_not_found_for_readers(app, users, role):
    campaign = brief(users["marketer"], publish=False)
    client = signed_in(app, users[role])

    for response in (
        client.get(f"/campaigns/{campaign.id}"),
        client.get(f"/campaigns/{campaign.id}/edit"),
        client.form(f"/campaigns/{campaign.id}/publish"),
        client.form(f"/campaigns/{campaign.id}/read"),
    ):
        assert response.status_code == 404
    assert "Spring close" not in client.get("/campaigns?show=upcoming").text
    assert stored(campaign.id).status == "draft"


def test_an_unknown_campaign_is_not_found(app, users):
    client = signed_in(app, users["marketer"])

    assert client.get("/campaigns/999").status_code == 404
    assert client.get("/campaigns/99999999999999999999").status_code == 404


# ---- reading and acknowledging ---------------------------------------------------------------


def test_a_rep_reads_the_brief_and_acknowledges_it_once(app, users):
    live = make_asset(users["marketer"], "Live deck")
    gone = make_asset(users["marketer"], "Gone deck")
    campaign = brief(
        users["marketer"],
        asset_ids=[live.id, gone.id],
        talking_points="Never say <script>alert(1)</script> **cheap**",
    )
    gone.status = "archived"
    db.session.commit()
    client = signed_in(app, users["rep"])

    page = client.get(f"/campaigns/{campaign.id}")
    assert "<strong>cheap</strong>" in page.text
    assert "<script>alert(1)" not in page.text
    assert "Live deck" in page.text
    assert "Gone deck" not in page.text
    assert "Who has read it" not in page.text
    response = client.form(f"/campaigns/{campaign.id}/read")
    page = client.get(response.headers["Location"])

    assert flashes(page, "success") == ["Thanks: marketing can see you have read this brief."]
    assert "I have read this brief" not in page.text
    assert "You read this brief on" in page.text
    again = client.get(client.form(f"/campaigns/{campaign.id}/read").headers["Location"])
    assert flashes(again, "success") == ["You had already marked this brief as read."]
    assert db.session.scalar(select(func.count(CampaignRead.id))) == 1


def test_reps_are_offered_the_feedback_form_for_the_campaign_and_marketers_are_not(app, users):
    campaign = brief(users["marketer"])

    page = signed_in(app, users["rep"]).get(f"/campaigns/{campaign.id}").text
    assert "Tell marketing how customers react" in page
    assert f'href="/feedback/new?campaign={campaign.id}&amp;next=/campaigns/{campaign.id}"' in page
    page = signed_in(app, users["marketer"]).get(f"/campaigns/{campaign.id}").text
    assert "Tell marketing how customers react" not in page


def test_a_marketer_acknowledging_is_refused(app, users):
    campaign = brief(users["marketer"])
    client = signed_in(app, users["marketer"])

    page = client.get(client.form(f"/campaigns/{campaign.id}/read").headers["Location"])

    assert flashes(page, "error") == ["Only reps acknowledge campaign briefs."]
    assert db.session.scalar(select(func.count(CampaignRead.id))) == 0


def test_marketing_sees_who_has_read_it_and_the_feedback(app, users):
    campaign = brief(users["marketer"])
    other_rep = make_user("rep", "sasha@example.com", "Sasha Unread")
    campaigns.acknowledge(campaign, users["rep"])
    db.session.add(
        FieldFeedback(
            author=other_rep, kind="objection", text="CFOs ask about SAP", campaign=campaign
        )
    )
    db.session.commit()

    page = text_of(signed_in(app, users["admin"]).get(f"/campaigns/{campaign.id}"))

    assert "Read by 1 of 2 active reps." in page
    readers = page[page.index('aria-label="Read"') : page.index('aria-label="Not read yet"')]
    assert "Riley Rep" in readers
    assert "Sasha Unread" not in readers
    assert "Sasha Unread" in page[page.index('aria-label="Not read yet"') :]
    assert "CFOs ask about SAP" in page
    assert "Objection" in page
    leader_page = signed_in(app, users["leader"]).get(f"/campaigns/{campaign.id}").text
    assert "Who has read it" not in leader_page
    assert "CFOs ask about SAP" not in leader_page


# ---- lists and the library board ----------------------------------------------------------


def test_the_list_has_tabs_and_empty_states(app, users):
    brief(users["marketer"], "Running now", starts=-1, ends=3)
    brief(users["marketer"], "Next month", starts=30, ends=40)
    brief(users["marketer"], "Draft one", publish=False)
    rep = signed_in(app, users["rep"])

    current = text_of(rep.get("/campaigns"))
    assert "Running now" in current
    assert "Next month" not in current
    assert "Not read yet" in current
    assert "Next month" in text_of(rep.get("/campaigns?show=upcoming"))
    assert "No campaign has ended yet." in text_of(rep.get("/campaigns?show=past"))
    assert "show=drafts" not in current
    refused = rep.get("/campaigns?show=drafts")
    assert refused.status_code == 200
    assert "Choose one of: current, upcoming, past." in text_of(refused)
    marketer = text_of(signed_in(app, users["marketer"]).get("/campaigns?show=drafts"))
    assert "Draft one" in marketer
    assert "Running now" not in marketer


def test_the_list_is_paginated(app, users):
    for number in range(7):
        brief(users["marketer"], f"Campaign {number}", ends=number + 1)
    client = signed_in(app, users["rep"])

    first, second = client.get("/campaigns").text, client.get("/campaigns?page=2").text

    assert "Page 1 of 2" in first
    assert "Campaign 0" in first
    assert "Campaign 6" not in first
    assert "Campaign 6" in second
    assert "There are only 2 pages" in client.get("/campaigns?page=9").text
    assert client.get("/campaigns?page=x").status_code in (302, 400, 422)


def test_an_empty_list_says_so(app, users):
    page = text_of(signed_in(app, users["rep"]).get("/campaigns"))

    assert "No campaign is running today." in page


def test_the_board_shows_current_and_upcoming_campaigns_with_the_reps_read_state(app, users):
    read = brief(users["marketer"], "Read one", starts=-1, ends=3)
    brief(users["marketer"], "Unread one", starts=2, ends=9)
    brief(users["marketer"], "Draft one", publish=False)
    campaigns.acknowledge(read, users["rep"])
    db.session.commit()

    board = text_of(signed_in(app, users["rep"]).get("/library"))

    assert "Campaigns now and next" in board
    assert "Read one" in board
    assert "Unread one" in board
    assert "Draft one" not in board
    assert board.count("Read ✓") == 1
    assert 'Read the brief<span class="visually-hidden">: Unread one' in board


def test_the_board_says_nothing_about_campaigns_when_there_are_none(app, users):
    brief(users["marketer"], "Draft one", publish=False)

    board = signed_in(app, users["rep"]).get("/library").text

    assert "Campaigns now and next" not in board
    assert "campaigns-now" not in board


# ---- JSON API ---------------------------------------------------------------------------


@pytest.fixture
def api(app, users):
    """A cookie-less client for /api/v1/campaigns."""
    return app.test_client()


def test_api_writes_publishes_lists_and_acknowledges(api, users):
    asset = make_asset(users["marketer"], "ROI calculator")
    marketer, rep = token_headers(users["marketer"]), token_headers(users["rep"])
    today = local_today()
    body = {
        "name": "Spring close",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=9)).isoformat(),
        "key_messages": "Six days faster.",
        "assets": [asset.id],
    }

    created = api.post("/api/v1/campaigns", json=body, headers=marketer)
    assert created.status_code == 201, created.json
    campaign_id = created.json["id"]
    assert created.json["status"] == "draft"
    assert created.json["assets"][0]["title"] == "ROI calculator"
    assert schema_problems(created.json, CAMPAIGN) == []
    assert api.get(f"/api/v1/campaigns/{campaign_id}", headers=rep).status_code == 404

    published = api.post(f"/api/v1/campaigns/{campaign_id}/publish", headers=marketer)
    assert (published.status_code, published.json["status"]) == (200, "published")
    again = api.post(f"/api/v1/campaigns/{campaign_id}/publish", headers=marketer)
    assert again.status_code == 409

    listed = api.get("/api/v1/campaigns", headers=rep).json
    assert [item["name"] for item in listed["items"]] == ["Spring close"]
    assert listed["items"][0]["read_at"] is None
    first = api.put(f"/api/v1/campaigns/{campaign_id}/read", headers=rep)
    second = api.put(f"/api/v1/campaigns/{campaign_id}/read", headers=rep)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["read_at"] == second.json["read_at"] is not None
    assert schema_problems(first.json, CAMPAIGN) == []
    assert api.put(f"/api/v1/campaigns/{campaign_id}/read", headers=marketer).status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"ends_on": "2001-01-01"}, "ends_on"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"assets": ["x"]}, "assets"),
        ({"assets": [424242]}, "asset_ids"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_api_refuses_bad_input_with_field_errors(api, users, changes, field):
    today = local_today()
    body = {"name": "Spring close", "starts_on": today.isoformat(), "ends_on": today.isoformat()}

    response = api.post(
        "/api/v1/campaigns", json={**body, **changes}, headers=token_headers(users["marketer"])
    )

    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert campaign_count() == 0


def test_api_refuses_readers_who_write(api, users):
    response = api.post("/api/v1/campaigns", json={}, headers=token_headers(users["rep"]))

    assert response.status_code == 403


def test_the_api_documents_exactly_its_routes(api, app):
    served = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.campaigns_api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method)
        for path, item in openapi_document()["paths"].items()
        if path.startswith("/api/v1/campaigns")
        for method in item
        if method != "parameters"
    }

    assert served == documented
