"""Field feedback over HTTP: the form (prefilled from an asset or a deal, with a safe way
back), the inbox and "My feedback", an item's page and the triage form, refusals."""

import re

import pytest
from sqlalchemy import func, select

from portal.kernel.extensions import db
from portal.kernel.notifications import Notification
from tests.factories import login, make_asset, make_user
from tests.workflows.helpers import campaign_of, deal_of, send, stage
from workflows.feedback import services as feedback
from workflows.feedback.models import FieldFeedback


def stored() -> list[FieldFeedback]:
    db.session.expire_all()
    return db.session.scalars(select(FieldFeedback).order_by(FieldFeedback.id)).all()


def selected(html: str, name: str) -> str | None:
    """The value of the selected option of the select ``name``."""
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    if select_html is None:
        return None
    option = re.search(r'<option selected value="([^"]*)"', select_html.group(0))
    option = option or re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', select_html.group(0))
    return option.group(1) if option else None


def test_the_form_is_prefilled_from_a_deal_link_and_goes_back_after_sending(app, users, client_as):
    asset = make_asset(users["marketer"], "Retail ROI deck")
    deal = deal_of(users["rep"], "decision")
    rep = client_as("rep")
    back = f"/deals/{deal.id}"

    page = rep.get(f"/feedback/new?deal={deal.id}&stage=decision&asset={asset.id}&next={back}")

    assert page.status_code == 200
    assert selected(page.text, "deal") == str(deal.id)
    assert selected(page.text, "asset") == str(asset.id)
    assert selected(page.text, "stage") == str(stage("decision").id)
    assert f'value="{back}"' in page.text

    sent = rep.form(
        "/feedback/new",
        {
            "kind": "objection",
            "text": "Procurement says the price is too high.",
            "stage": stage("decision").id,
            "asset": asset.id,
            "deal": deal.id,
            "campaign": 0,
            "next": back,
        },
    )

    assert sent.status_code == 302
    assert sent.headers["Location"] == back
    [item] = stored()
    assert (item.kind, item.asset_id, item.deal_id, item.stage.slug) == (
        "objection",
        asset.id,
        deal.id,
        "decision",
    )
    assert "Thanks — marketing will see this." in rep.get(back).text


def test_the_deal_stage_is_prefilled_when_the_link_names_none(app, users, client_as):
    deal = deal_of(users["rep"], "consideration")

    page = client_as("rep").get(f"/feedback/new?deal={deal.id}")

    assert selected(page.text, "stage") == str(stage("consideration").id)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil", "/x\n"])
def test_an_unsafe_next_is_dropped_and_the_item_page_shown_instead(app, users, client_as, target):
    rep = client_as("rep")

    sent = rep.form("/feedback/new", {"kind": "question", "text": "SSO?", "next": target})

    [item] = stored()
    assert sent.headers["Location"] == f"/feedback/{item.id}"


def test_a_prefilled_asset_is_offered_even_beyond_the_listed_ones(
    app, users, client_as, monkeypatch
):
    older = make_asset(users["marketer"], "Older battlecard")
    make_asset(users["marketer"], "Newer battlecard")
    monkeypatch.setattr(feedback, "CHOICES_MAX", 1)

    page = client_as("rep").get(f"/feedback/new?asset={older.id}")

    assert selected(page.text, "asset") == str(older.id)
    assert "Older battlecard" in page.text
    assert "Newer battlecard" in page.text


def test_prefill_ids_the_rep_may_not_name_are_left_out(app, users, client_as):
    draft = make_asset(users["marketer"], "Unpublished battlecard", publish=False)
    theirs = deal_of(make_user("rep", "sasha@example.com"))

    page = client_as("rep").get(f"/feedback/new?asset={draft.id}&deal={theirs.id}&asset=x")

    assert page.status_code == 200
    assert "Unpublished battlecard" not in page.text
    assert "Acme renewal" not in page.text


def test_bad_input_is_explained_and_nothing_is_stored(app, users, client_as):
    theirs = deal_of(make_user("rep", "sasha@example.com"))
    rep = client_as("rep")

    page = rep.form("/feedback/new", {"kind": "", "text": "", "deal": theirs.id})
    assert page.status_code == 422
    assert feedback.KIND_MISSING in page.text
    assert feedback.TEXT_MISSING in page.text

    page = rep.form("/feedback/new", {"kind": "objection", "text": "Pricey", "deal": theirs.id})
    assert page.status_code == 422
    assert feedback.DEAL_NOT_YOURS in page.text
    assert stored() == []


def test_a_form_without_the_csrf_token_changes_nothing(app, client_as):
    page = client_as("rep").post("/feedback/new", data={"kind": "question", "text": "SSO?"})

    assert page.status_code == 400
    assert stored() == []


@pytest.mark.parametrize("role", ["marketer", "admin"])
def test_marketing_may_not_open_the_form(app, client_as, role):
    assert client_as(role).get("/feedback/new").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    assert client.get("/feedback").status_code == 302
    assert "/login" in client.get("/feedback/new").headers["Location"]


def test_the_inbox_has_tabs_with_counts_filters_and_pages(app, users, client_as):
    for n in range(7):
        send(users["rep"], text=f"Objection number {n}")
    send(users["rep"], kind="question", text="Do you support SSO?")
    marketer = client_as("marketer")

    page = marketer.get("/feedback")

    assert page.status_code == 200
    assert "<h1>Field feedback</h1>" in page.text
    assert re.search(r"New <small class=\"count\">8</small>", page.text)
    assert "8 items" in page.text
    assert "Page 1 of 2" in page.text
    page = marketer.get("/feedback?kind=question")
    assert "1 item<" in page.text
    assert "Do you support SSO?" in page.text
    page = marketer.get("/feedback?q=number+6")
    assert "Objection number 6" in page.text
    assert "Objection number 5" not in page.text
    page = marketer.get("/feedback?status=acted_on")
    assert "No feedback is acted on right now." in page.text
    page = marketer.get("/feedback?status=acted_on&kind=question")
    assert "Nothing matches these filters" in page.text
    page = marketer.get("/feedback?status=bogus")
    assert page.status_code == 200
    assert "Choose one of" in page.text


def test_empty_states_say_what_to_do(app, client_as):
    assert "You have not sent any feedback yet" in client_as("rep").get("/feedback").text
    assert "No feedback from the field yet" in client_as("marketer").get("/feedback").text


def test_reps_see_only_their_own_feedback_with_status_and_reply(app, users, client_as):
    mine = send(users["rep"], text="Mine: too expensive")
    send(make_user("rep", "sasha@example.com"), text="Theirs: no SSO")
    item = db.session.get(FieldFeedback, mine.id)
    feedback.triage(
        item,
        users["marketer"],
        "acknowledged",
        "We hear you.",
        feedback.parse_version(feedback.version(item)),
    )
    db.session.commit()

    page = client_as("rep").get("/feedback")

    assert "<h1>My feedback</h1>" in page.text
    assert "Mine: too expensive" in page.text
    assert "Theirs: no SSO" not in page.text
    assert "We hear you." in page.text
    assert "Acknowledged" in page.text


def test_who_may_open_an_item(app, users, client_as):
    item = send(users["rep"])
    other_rep = login(app.test_client(), make_user("rep", "sasha@example.com"))

    assert client_as("rep").get(f"/feedback/{item.id}").status_code == 200
    assert client_as("leader").get(f"/feedback/{item.id}").status_code == 200
    assert other_rep.get(f"/feedback/{item.id}").status_code == 404
    assert client_as("marketer").get("/feedback/99999").status_code == 404
    assert client_as("marketer").get("/feedback/99999999999999999999").status_code == 404
    assert 'aria-label="Triage"' in client_as("marketer").get(f"/feedback/{item.id}").text
    assert 'aria-label="Triage"' not in client_as("leader").get(f"/feedback/{item.id}").text


def triage_post(client, item, **values):
    data = {"status": "acknowledged", "reply": "", "version": feedback.version(item), **values}
    return client.form(f"/feedback/{item.id}/triage", data)


def test_a_marketer_acknowledges_and_replies(app, users, client_as):
    item = send(users["rep"])
    marketer = client_as("marketer")

    done = triage_post(marketer, item, reply="We are writing a pricing FAQ.")

    assert done.status_code == 302
    page = marketer.get(done.headers["Location"])
    assert "Saved. Riley Rep has been told about your reply." in page.text
    [item] = stored()
    assert (item.status, item.reply) == ("acknowledged", "We are writing a pricing FAQ.")
    replied = select(func.count(Notification.id)).where(Notification.kind == "feedback_replied")
    assert db.session.scalar(replied) == 1


def test_leaders_and_reps_may_not_triage(app, users, client_as):
    item = send(users["rep"])

    assert triage_post(client_as("leader"), item).status_code == 403
    assert triage_post(client_as("rep"), item).status_code == 403
    other = login(app.test_client(), make_user("rep", "sasha@example.com"))
    assert triage_post(other, item).status_code == 404
    assert stored()[0].status == "new"


def test_a_stale_triage_save_is_a_conflict_showing_the_current_reply(app, users, client_as):
    item = send(users["rep"])
    seen = feedback.version(item)
    other = login(app.test_client(), make_user("marketer", "otto@example.com", "Otto Other"))
    assert triage_post(other, item, reply="Otto's answer.", version=seen).status_code == 302

    page = triage_post(
        client_as("marketer"), item, status="acted_on", reply="Morgan's answer.", version=seen
    )

    assert page.status_code == 409
    assert "nothing was saved" in page.text
    assert "Otto&#39;s answer." in page.text  # the current reply, shown to read first
    assert "Morgan&#39;s answer." in page.text  # the marketer's own words, kept in the box
    [item] = stored()
    assert (item.status, item.reply) == ("acknowledged", "Otto's answer.")


def test_bad_triage_input_is_explained_and_changes_nothing(app, users, client_as):
    item = send(users["rep"])
    marketer = client_as("marketer")

    assert triage_post(marketer, item, status="done").status_code == 422
    assert triage_post(marketer, item, version="").status_code == 422
    page = triage_post(marketer, item, reply="x" * (feedback.REPLY_MAX + 1))
    assert page.status_code == 422
    assert feedback.REPLY_TOO_LONG in page.text
    assert (stored()[0].status, stored()[0].reply) == ("new", "")


def test_the_asset_page_shows_feedback_to_its_owner_and_a_link_to_reps(app, users, client_as):
    asset = make_asset(users["marketer"], "Retail ROI deck")
    send(users["rep"], asset_id=asset.id, text="Buyers ask for a retail example.")

    owner_view = client_as("marketer").get(f"/assets/{asset.id}").text
    rep_view = client_as("rep").get(f"/assets/{asset.id}").text

    assert "Field feedback" in owner_view
    assert "Buyers ask for a retail example." in owner_view
    assert "Send feedback about this asset" not in owner_view
    assert "Buyers ask for a retail example." not in rep_view
    assert f"/feedback/new?asset={asset.id}" in rep_view


def test_the_deal_page_links_to_the_prefilled_form_and_lists_the_owners_feedback(
    app, users, client_as
):
    deal = deal_of(users["rep"], "decision")
    send(users["rep"], deal_id=deal.id, text="Legal wants a DPA first.")

    rep_view = client_as("rep").get(f"/deals/{deal.id}").text
    leader_view = client_as("leader").get(f"/deals/{deal.id}").text

    assert f"/feedback/new?deal={deal.id}&amp;stage=decision" in rep_view
    assert "Legal wants a DPA first." in rep_view
    assert "Legal wants a DPA first." in leader_view
    assert "/feedback/new?deal=" not in leader_view


def test_the_campaign_in_the_form_lists_published_campaigns_only(app, users, client_as):
    campaign_of(users["marketer"])
    campaign_of(users["marketer"], status="draft").name = "Secret draft"
    db.session.commit()

    page = client_as("rep").get("/feedback/new").text

    assert "Spring retail push" in page
    assert "Secret draft" not in page


def test_feedback_about_a_campaign_links_to_it_from_the_inbox_and_the_item(app, users, client_as):
    campaign = campaign_of(users["marketer"])
    item = send(users["rep"], campaign_id=campaign.id, text="Retailers love the checkout story")
    marketer = client_as("marketer")

    for path in ("/feedback", f"/feedback/{item.id}"):
        page = marketer.get(path).text
        assert "Retailers love the checkout story" in page
        assert f'href="/campaigns/{campaign.id}">Spring retail push</a>' in page


# ---- the JSON API -------------------------------------------------------------------------


@pytest.fixture
def api(app):
    """A cookie-less client for /api/v1/feedback."""
    return app.test_client()


def test_the_api_sends_lists_reads_and_triages_feedback(app, users, api):
    from tests.factories import token_headers

    asset = make_asset(users["marketer"], "Retail ROI deck")
    rep, marketer = token_headers(users["rep"]), token_headers(users["marketer"])

    sent = api.post(
        "/api/v1/feedback",
        json={"kind": "objection", "text": "Too pricey", "stage": "decision", "asset_id": asset.id},
        headers=rep,
    )
    assert sent.status_code == 201, sent.json
    item = sent.json
    assert (item["kind"], item["stage"], item["asset_id"], item["status"]) == (
        "objection",
        "decision",
        asset.id,
        "new",
    )
    assert api.get(sent.headers["Location"], headers=marketer).json["id"] == item["id"]
    assert api.get("/api/v1/feedback?status=new", headers=marketer).json["total"] == 1

    done = api.patch(
        f"/api/v1/feedback/{item['id']}",
        json={"status": "acknowledged", "reply": "On it", "version": item["version"]},
        headers=marketer,
    )
    assert done.status_code == 200
    assert done.json["reply"] == "On it"
    stale = api.patch(
        f"/api/v1/feedback/{item['id']}",
        json={"reply": "Overwrite", "version": item["version"]},
        headers=marketer,
    )
    assert stale.status_code == 409
    assert "On it" in stale.json["error"]["message"]
    assert (
        api.patch(f"/api/v1/feedback/{item['id']}", json={"status": "new"}, headers=rep).status_code
        == 403
    )


def test_the_api_refuses_bad_feedback_with_the_fields_named(app, users, api):
    from tests.factories import token_headers

    rep = token_headers(users["rep"])

    refused = api.post(
        "/api/v1/feedback", json={"kind": "rumour", "text": "", "deal_id": 5}, headers=rep
    )
    assert refused.status_code == 422
    # What the body alone shows is named as it is read; a deal the rep may not name is
    # named once the rest of the body is right.
    assert set(refused.json["error"]["fields"]) == {"kind", "text"}
    refused = api.post(
        "/api/v1/feedback",
        json={"kind": "question", "text": "Price?", "deal_id": 5, "asset_id": 999},
        headers=rep,
    )
    assert refused.status_code == 422
    assert set(refused.json["error"]["fields"]) == {"deal", "asset"}
    assert (
        api.post(
            "/api/v1/feedback",
            json={"kind": "question", "text": "x"},
            headers=token_headers(users["marketer"]),
        ).status_code
        == 403
    )
    assert api.get("/api/v1/feedback/999", headers=rep).status_code == 404
    assert stored() == []
