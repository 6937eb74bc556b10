"""Deal pages over HTTP: "My deals", the deal form, the deal page with the content used
and recommended, who may see and change what."""

import re

import pytest
from sqlalchemy import func, select

from content.deals import services as deals
from content.deals.models import Deal
from content.library.models import Stage
from content.usage import events as usage
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from tests.factories import login, make_asset, make_user
from tests.portal.helpers import flashes


def _stage(slug: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


def make_deal(owner, name: str = "Acme renewal", stage: str = "decision", **values) -> Deal:
    data = deals.DealInput(name=name, account=values.pop("account", "Acme"), stage=_stage(stage))
    deal = deals.create_deal(owner, data, **values)
    db.session.commit()
    return deal


def deal_form(**changes) -> dict:
    fields = {
        "name": "Globex expansion",
        "account": "Globex",
        "amount": "12,500.50",
        "stage": str(_stage("decision").id),
        "status": "open",
        "close_date": "2030-06-30",
    }
    return fields | changes


def attached_ids(deal: Deal) -> list[int]:
    db.session.expire_all()
    return [event.asset_id for event in usage.attached_assets(deal)]


def signed_in(app, user):
    """A client signed in as ``user``, past the welcome message."""
    client = login(app.test_client(), user)
    client.get("/library")
    return client


@pytest.fixture
def rep(app, users):
    return signed_in(app, users["rep"])


def test_a_rep_adds_a_deal_and_lands_on_its_page(rep, users):
    response = rep.form("/deals/new", deal_form())
    deal = db.session.scalar(select(Deal))
    page = rep.get(response.headers["Location"])

    assert response.status_code == 302
    assert (deal.owner_id, deal.amount_cents, deal.source) == (users["rep"].id, 1_250_050, "manual")
    assert flashes(page) == ["Deal “Globex expansion” added. Here is content for its stage."]
    assert "$12,500.50" in page.text
    assert "Recommended for Decision" in page.text


def test_form_errors_show_beside_the_fields_and_nothing_is_saved(rep):
    bad = deal_form(name=" ", amount="12.345", stage="999999", status="pending", close_date="soon")

    response = rep.form("/deals/new", bad)

    errors = dict(
        re.findall(r'<small id="(\w+)-error" class="field-error">(.*?)</small>', response.text)
    )
    assert response.status_code == 422
    assert errors == {
        "name": deals.NAME_MISSING,
        "amount": deals.AMOUNT_INVALID,
        "stage": deals.STAGE_MISSING,
        "status": deals.STATUS_INVALID,
        "close_date": "Not a valid date value.",
    }
    assert 'value="12.345"' in response.text  # what was typed stays
    assert db.session.scalar(select(func.count(Deal.id))) == 0


def test_the_owner_edits_a_crm_deal_and_is_told_imports_win(rep, users):
    deal = make_deal(users["rep"], external_id="OPP-42")

    form = rep.get(f"/deals/{deal.id}/edit")
    same = deal_form(name="Acme renewal", account="Acme", amount="", close_date="")
    unchanged = rep.form(f"/deals/{deal.id}/edit", same, follow_redirects=True)
    changed = rep.form(f"/deals/{deal.id}/edit", deal_form(status="won"), follow_redirects=True)

    note = "Synced from your CRM (id OPP-42): changes made here are overwritten by the next import."
    assert note in form.text
    assert note in changed.text
    assert 'value="Acme renewal"' in form.text
    assert flashes(unchanged) == ["Nothing changed, so nothing was saved."]
    assert flashes(changed) == ["Deal saved."]
    assert (deal.status, deal.name, deal.amount_cents) == ("won", "Globex expansion", 1_250_050)


def test_another_reps_deal_is_404_everywhere(app, users):
    deal = make_deal(users["rep"])
    asset = make_asset(users["marketer"], stages=("decision",))
    usage.attach_to_deal(asset, users["rep"], deal)
    db.session.commit()
    other = signed_in(app, make_user("rep"))

    statuses = [
        other.get(f"/deals/{deal.id}").status_code,
        other.get(f"/deals/{deal.id}/edit").status_code,
        other.form(f"/deals/{deal.id}/edit", deal_form()).status_code,
        other.form(f"/deals/{deal.id}/assets", {"asset_id": asset.id}).status_code,
        other.form(f"/deals/{deal.id}/assets/{asset.id}/remove").status_code,
        other.get("/deals/99999999999").status_code,
    ]

    assert statuses == [404] * 6
    assert deal.name == "Acme renewal"
    assert attached_ids(deal) == [asset.id]
    assert "Acme renewal" not in other.get("/deals?status=all").text


def test_leaders_read_every_deal_but_change_none(app, users):
    deal = make_deal(users["rep"])
    make_deal(make_user("rep", name="Sam Second"), "Initech pilot")
    asset = make_asset(users["marketer"], stages=("decision",))
    usage.attach_to_deal(asset, users["rep"], deal)
    db.session.commit()
    leader = signed_in(app, users["leader"])

    listing = leader.get("/deals")
    page = leader.get(f"/deals/{deal.id}")
    refused = [
        leader.get("/deals/new").status_code,
        leader.get(f"/deals/{deal.id}/edit").status_code,
        leader.form(f"/deals/{deal.id}/edit", deal_form()).status_code,
        leader.form(f"/deals/{deal.id}/assets", {"asset_id": asset.id}).status_code,
        leader.form(f"/deals/{deal.id}/assets/{asset.id}/remove").status_code,
    ]

    assert "<h1>Deals</h1>" in listing.text
    assert 'name="owner"' in listing.text
    assert "Acme renewal" in listing.text
    assert "Initech pilot" in listing.text
    assert page.status_code == 200
    assert "Riley Rep’s deal" in page.text
    assert "<form" not in page.text.split('id="main"')[1].split("</main>")[0]
    assert refused == [403] * 5
    assert deal.name == "Acme renewal"
    assert attached_ids(deal) == [asset.id]


def test_marketers_have_no_deals(app, users):
    deal = make_deal(users["rep"])
    marketer = signed_in(app, users["marketer"])

    statuses = [
        marketer.get(path).status_code for path in ("/deals", "/deals/new", f"/deals/{deal.id}")
    ]

    assert statuses == [404, 404, 404]
    assert 'href="/deals"' not in marketer.get("/library").text


def test_the_rep_attaches_content_once_and_removes_it(rep, users):
    deal = make_deal(users["rep"])
    asset = make_asset(users["marketer"], "ROI calculator", stages=("decision",))
    page = rep.get(f"/deals/{deal.id}")

    first = rep.form(
        f"/deals/{deal.id}/assets",
        {"asset_id": asset.id, "note": "Sent after the demo"},
        follow_redirects=True,
    )
    again = rep.form(f"/deals/{deal.id}/assets", {"asset_id": asset.id}, follow_redirects=True)
    event = db.session.scalar(select(UsageEvent).where(UsageEvent.kind == "used_in_deal"))
    removed = rep.form(f"/deals/{deal.id}/assets/{asset.id}/remove", follow_redirects=True)

    assert "Attach to this deal" in page.text
    assert 'id="note-' in page.text
    assert flashes(first) == ["“ROI calculator” is attached to this deal."]
    assert "Sent after the demo" in first.text
    assert "Self-reported" in first.text
    assert "Recommended for Decision" in first.text
    assert "Attach to this deal" not in first.text
    assert flashes(again) == [
        "“ROI calculator” was attached to this deal already; nothing changed."
    ]
    assert (event.evidence, event.note) == ("self_reported", "Sent after the demo")
    assert flashes(removed) == ["“ROI calculator” is no longer attached to this deal."]
    assert attached_ids(deal) == []


def test_imported_attachments_are_marked_and_stay(rep, users):
    deal = make_deal(users["rep"], external_id="OPP-1")
    asset = make_asset(users["marketer"], "Security whitepaper", stages=("decision",))
    usage.import_attachment(asset, deal)
    db.session.commit()

    page = rep.get(f"/deals/{deal.id}")
    refused = rep.form(f"/deals/{deal.id}/assets/{asset.id}/remove", follow_redirects=True)

    assert "Imported" in page.text
    assert "From the CRM" in page.text
    assert "1 imported" in rep.get("/deals").text  # the list tells the evidence apart too
    assert f"/deals/{deal.id}/assets/{asset.id}/remove" not in page.text
    assert flashes(refused) == ["This attachment came from the CRM; change it there."]
    assert attached_ids(deal) == [asset.id]


def test_unpublished_or_unknown_content_is_not_attached(rep, users):
    deal = make_deal(users["rep"])
    draft = make_asset(users["marketer"], stages=("decision",), publish=False)

    unknown = rep.form(f"/deals/{deal.id}/assets", {"asset_id": "12345"})
    hidden = rep.form(f"/deals/{deal.id}/assets", {"asset_id": draft.id})
    too_long = rep.form(
        f"/deals/{deal.id}/assets", {"asset_id": draft.id, "note": "x" * 501}, follow_redirects=True
    )

    assert (unknown.status_code, hidden.status_code) == (404, 404)
    assert flashes(too_long) == [f"Note: {usage.NOTE_TOO_LONG}"]
    assert attached_ids(deal) == []


def test_my_deals_lists_filters_and_pages(rep, users):
    for number in range(6):
        make_deal(users["rep"], f"Deal {number}", account="Acme" if number else "Initech")
    won = make_deal(users["rep"], "Won one", stage="onboarding")
    deals.update_deal(
        won, users["rep"], deals.DealInput("Won one", "Hooli", stage=won.stage, status="won")
    )
    db.session.commit()

    first = rep.get("/deals")
    second = rep.get("/deals?page=2")
    won_tab = rep.get("/deals?status=won")
    search = rep.get("/deals?status=all&q=initech")
    bad = rep.get("/deals?status=closed&stage=nowhere")

    assert "<h1>My deals</h1>" in first.text
    assert "6 deals" in first.text
    assert "Page 1 of 2" in first.text
    assert "Won one" not in first.text
    assert second.text.count('href="/deals/') == 1 + 1  # one deal row and the "Add a deal" link
    assert "Won one" in won_tab.text
    assert "1 deal<" in won_tab.text
    assert "Deal 0" in search.text
    assert "1 deal<" in search.text
    assert flashes(bad) == [
        "Show open, won, lost or all deals.",
        "There is no stage called “nowhere”.",
    ]


def test_empty_lists_say_what_to_do_next(rep, users):
    empty = rep.get("/deals?status=all")
    open_only = rep.get("/deals")
    no_match = rep.get("/deals?q=nothing")

    assert "You have no deals yet." in empty.text
    assert 'href="/deals/new"' in empty.text
    assert "You have no open deals." in open_only.text
    assert "No deals match these filters." in no_match.text
