"""Usage events: views counted once per visit, downloads but not previews, deals a rep
used an asset in; a failure to record never breaks the page; evidence is kept apart."""

import logging
from datetime import timedelta

from content.usage import events as usage
from content.usage.forms import DEAL_MISSING
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import utcnow
from tests.content.helpers import flashes
from tests.content.usage_helpers import events, make_deal, share, signed_in
from tests.factories import make_asset, make_user, pdf_bytes
from workflows.review.machine import transition


def test_a_view_counts_once_per_30_minutes_per_person(users):
    asset = make_asset(users["marketer"])
    start = utcnow()

    counted = [
        usage.record_view(asset, users["rep"], start),
        usage.record_view(asset, users["rep"], start + timedelta(minutes=29)),
        usage.record_view(asset, users["rep"], start + timedelta(minutes=31)),
        usage.record_view(asset, users["leader"], start + timedelta(minutes=31)),
    ]
    db.session.commit()

    assert counted == [True, False, True, True]
    assert [e.user_id for e in events("view")] == [users["rep"].id] * 2 + [users["leader"].id]
    assert {e.evidence for e in events("view")} == {"verified"}


def test_drafts_are_work_not_usage(users):
    draft = make_asset(users["marketer"], publish=False)

    assert usage.record_view(draft, users["marketer"]) is False
    assert events("view") == []


def test_opening_the_asset_page_twice_counts_one_view(app, users):
    asset = make_asset(users["marketer"])
    rep = signed_in(app, users["rep"])

    rep.get(f"/assets/{asset.id}")
    rep.get(f"/assets/{asset.id}")
    signed_in(app, users["leader"]).get(f"/assets/{asset.id}")

    assert len(events("view", asset_id=asset.id)) == 2


def test_downloads_count_and_previews_do_not(app, users):
    asset = make_asset(users["marketer"], file=("deck.pdf", pdf_bytes()))
    rep = signed_in(app, users["rep"])

    assert rep.get(f"/assets/{asset.id}/file?inline=1").status_code == 200
    assert events("download") == []
    assert rep.get(f"/assets/{asset.id}/file").status_code == 200
    assert [(e.user_id, e.evidence) for e in events("download")] == [(users["rep"].id, "verified")]


def test_a_failure_to_record_a_view_is_logged_and_the_page_still_renders(
    app, users, monkeypatch, caplog
):
    asset = make_asset(users["marketer"], "Pricing FAQ")
    rep = signed_in(app, users["rep"])

    def broken(*_args, **_kwargs):
        raise RuntimeError("the events table is locked")

    monkeypatch.setattr(usage, "record_view", broken)
    with caplog.at_level(logging.ERROR, logger="content.usage.events"):
        response = rep.get(f"/assets/{asset.id}")

    assert response.status_code == 200
    assert "<h1>Pricing FAQ</h1>" in response.text
    assert "Could not record a view" in caplog.text
    assert "the events table is locked" in caplog.text


def test_the_usage_summary_keeps_verified_self_reported_and_imported_apart(users):
    asset = make_asset(users["marketer"])
    rep = users["rep"]
    won, lost = make_deal(rep, "Acme", status="won"), make_deal(rep, "Globex", status="lost")
    usage.record_view(asset, rep)
    usage.attach_to_deal(asset, rep, won, "Sent before the call.")
    usage.import_attachment(asset, lost)
    share(asset, rep)

    summary = usage.usage_summary(asset, users["marketer"])

    assert summary.count("view", "verified") == 1
    assert summary.count("share", "verified") == 1
    assert summary.count("used_in_deal", "self_reported") == 1
    assert summary.count("used_in_deal", "imported") == 1
    assert summary.count("used_in_deal", "verified") == 0
    assert (summary.deals, summary.deals_won, summary.readers) == (2, 1, 1)
    assert summary.last_used_at is not None


def test_authors_and_leaders_see_how_the_asset_is_used_and_reps_do_not(app, users):
    asset = make_asset(users["marketer"])
    usage.attach_to_deal(asset, users["rep"], make_deal(users["rep"]))
    db.session.commit()

    owner_page = signed_in(app, users["marketer"]).get(f"/assets/{asset.id}").text
    leader_page = signed_in(app, users["leader"]).get(f"/assets/{asset.id}").text
    rep_page = signed_in(app, users["rep"]).get(f"/assets/{asset.id}").text

    assert "How this asset is used" in owner_page
    assert "How this asset is used" in leader_page
    assert "How this asset is used" not in rep_page
    box = owner_page.split('id="usage-heading"')[1].split("</section>")[0]
    assert '<th scope="col">Self-reported</th>' in box
    assert '<th scope="row">Deals used in</th>\n        <td>—</td><td>1</td><td>—</td>' in box
    assert "1 (0 won)" in box


# ---- "Used in a deal…" ---------------------------------------------------------------------


def test_a_rep_records_a_deal_from_the_asset_page_once(app, users):
    asset = make_asset(users["marketer"])
    deal = make_deal(users["rep"], "Acme expansion")
    rep = signed_in(app, users["rep"])
    form = {"deal": str(deal.id), "note": "Sent to the CFO."}

    first = rep.form(f"/assets/{asset.id}/deals", form, follow_redirects=True)
    again = rep.form(f"/assets/{asset.id}/deals", form, follow_redirects=True)

    assert flashes(first.text) == ["Recorded: you used this asset in “Acme expansion”."]
    assert flashes(again.text) == ["Already recorded: this asset is attached to “Acme expansion”."]
    attached = events("used_in_deal")
    assert [(e.deal_id, e.evidence, e.note) for e in attached] == [
        (deal.id, "self_reported", "Sent to the CFO.")
    ]


def test_recording_a_deal_refuses_bad_input_and_others_deals(app, users):
    asset = make_asset(users["marketer"])
    others = make_deal(make_user("rep"), "Not yours")
    own = make_deal(users["rep"], "Yours")
    rep = signed_in(app, users["rep"])

    unchosen = rep.form(f"/assets/{asset.id}/deals", {"deal": ""}, follow_redirects=True)
    too_long = rep.form(
        f"/assets/{asset.id}/deals",
        {"deal": str(own.id), "note": "x" * (usage.NOTE_MAX + 1)},
        follow_redirects=True,
    )
    foreign = rep.form(f"/assets/{asset.id}/deals", {"deal": str(others.id)})
    marketer = signed_in(app, users["marketer"])

    assert flashes(unchosen.text) == [f"Your open deal: {DEAL_MISSING}"]
    assert flashes(too_long.text) == [usage.NOTE_TOO_LONG]
    assert foreign.status_code == 404
    assert marketer.form(f"/assets/{asset.id}/deals", {"deal": str(own.id)}).status_code == 403
    assert db.session.query(UsageEvent).filter_by(kind="used_in_deal").count() == 0


def test_the_deal_box_lists_open_deals_only_and_says_when_there_are_none(app, users):
    asset = make_asset(users["marketer"])
    rep = signed_in(app, users["rep"])

    empty = rep.get(f"/assets/{asset.id}").text
    make_deal(users["rep"], "Open one")
    make_deal(users["rep"], "Closed one", status="won")
    listed = rep.get(f"/assets/{asset.id}").text

    assert "You have no open deals to attach this asset to." in empty
    assert "Open one — Open one Inc." in listed
    assert "Closed one" not in listed


def test_views_of_an_archived_asset_are_not_counted(users):
    asset = make_asset(users["marketer"])
    transition(asset, users["marketer"], "archive")
    db.session.commit()

    assert not usage.record_view(asset, users["marketer"])
    assert events("view") == []
