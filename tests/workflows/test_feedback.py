"""Field feedback as a service: who sends it and about what, who is told, who triages it,
and a stale triage save that is refused instead of overwriting another marketer's reply."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.notifications import Notification
from tests.factories import assert_no_errors, make_asset, make_user, run_together
from tests.workflows.helpers import campaign_of, deal_of, send, stage
from workflows.feedback import panels
from workflows.feedback import services as feedback
from workflows.feedback.models import FieldFeedback


def stored() -> int:
    return db.session.scalar(select(func.count(FieldFeedback.id)))


def notes(user, kind: str) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


# ---- sending ----------------------------------------------------------------------------


def test_a_rep_sends_feedback_about_an_asset_a_deal_and_a_campaign(app, users):
    asset = make_asset(users["marketer"], "Retail ROI deck")
    campaign = campaign_of(users["marketer"])
    deal = deal_of(users["rep"], "decision")

    item = send(
        users["rep"], asset_id=asset.id, deal_id=deal.id, campaign_id=campaign.id, kind="question"
    )

    assert (item.author, item.kind, item.status) == (users["rep"], "question", "new")
    assert (item.asset, item.deal, item.campaign) == (asset, deal, campaign)
    assert item.stage.slug == "decision"  # taken from the deal, as the form prefills it


def test_a_chosen_stage_wins_over_the_deal_stage(app, users):
    deal = deal_of(users["rep"], "decision")

    item = send(users["rep"], deal_id=deal.id, stage_id=stage("awareness").id)

    assert item.stage.slug == "awareness"


def test_leaders_send_feedback_too(app, users):
    item = send(users["leader"], kind="win_story", text="Won Acme on onboarding speed.")

    assert item.author == users["leader"]


@pytest.mark.parametrize("role", ["marketer", "admin"])
def test_marketing_triages_rather_than_sends(app, users, role):
    with pytest.raises(PermissionDenied):
        send(users[role])
    db.session.rollback()

    assert stored() == 0


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": ""}, "kind", feedback.KIND_MISSING),
        ({"kind": "rumour"}, "kind", feedback.KIND_MISSING),
        ({"text": "   "}, "text", feedback.TEXT_MISSING),
        ({"text": "x" * (feedback.TEXT_MAX + 1)}, "text", feedback.TEXT_TOO_LONG),
        ({"stage_id": 9999}, "stage", feedback.STAGE_UNKNOWN),
        ({"asset_id": 9999}, "asset", feedback.ASSET_NOT_VISIBLE),
        ({"deal_id": 9999}, "deal", feedback.DEAL_NOT_YOURS),
        ({"campaign_id": 9999}, "campaign", feedback.CAMPAIGN_NOT_PUBLISHED),
        ({"asset_id": 2**40}, "asset", feedback.ASSET_NOT_VISIBLE),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_stored(app, users, values, field, message):
    with pytest.raises(ValidationFailed) as refused:
        send(users["rep"], **values)
    db.session.rollback()

    assert refused.value.fields == {field: message}
    assert stored() == 0


def test_feedback_names_only_what_the_sender_may_see(app, users):
    draft = make_asset(users["marketer"], "Unpublished battlecard", publish=False)
    other_rep = make_user("rep", "sasha@example.com", "Sasha Other-Rep")
    their_deal = deal_of(other_rep)
    draft_campaign = campaign_of(users["marketer"], status="draft")

    with pytest.raises(ValidationFailed) as refused:
        send(
            users["rep"],
            asset_id=draft.id,
            deal_id=their_deal.id,
            campaign_id=draft_campaign.id,
        )
    db.session.rollback()

    assert refused.value.fields == {
        "asset": feedback.ASSET_NOT_VISIBLE,
        "deal": feedback.DEAL_NOT_YOURS,
        "campaign": feedback.CAMPAIGN_NOT_PUBLISHED,
    }
    assert stored() == 0


def test_a_leader_may_read_a_reps_deal_but_not_send_feedback_about_it(app, users):
    deal = deal_of(users["rep"])

    with pytest.raises(ValidationFailed) as refused:
        send(users["leader"], deal_id=deal.id)

    assert refused.value.fields == {"deal": feedback.DEAL_NOT_YOURS}


def test_an_invited_rep_may_send_feedback_on_a_draft(app, users):
    from workflows.review import collaborators

    draft = make_asset(users["marketer"], "Draft battlecard", publish=False)
    collaborators.invite(draft, users["marketer"], users["rep"].email, "reviewer")
    db.session.commit()

    assert send(users["rep"], asset_id=draft.id).asset == draft


# ---- who is told ------------------------------------------------------------------------


def test_feedback_on_an_asset_tells_its_owner_only(app, users):
    other = make_user("marketer", "otto@example.com", "Otto Other")
    asset = make_asset(users["marketer"], "Retail ROI deck")
    campaign = campaign_of(other)

    item = send(users["rep"], asset_id=asset.id, campaign_id=campaign.id)

    [note] = notes(users["marketer"], "feedback_received")
    assert note.link == f"/feedback/{item.id}"
    assert note.text == (
        "Riley Rep sent feedback on “Retail ROI deck” (objection): Too expensive for retail."
    )
    assert notes(other, "feedback_received") == []


def test_feedback_on_a_campaign_tells_its_owner(app, users):
    campaign = campaign_of(users["marketer"])

    send(users["rep"], campaign_id=campaign.id)

    assert len(notes(users["marketer"], "feedback_received")) == 1


def test_general_feedback_tells_nobody_and_counts_as_new(app, users):
    send(users["rep"])
    send(users["rep"], kind="content_gap", text="No retail case study.")

    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert panels.new_feedback_count(users["marketer"]) == 2
    assert panels.new_feedback_count(users["admin"]) == 2
    assert panels.new_feedback_count(users["rep"]) == 0
    assert panels.new_feedback_count(users["leader"]) == 0


# ---- triage -----------------------------------------------------------------------------


def save(item, who, status="acknowledged", reply="", based_on=None):
    based_on = based_on or feedback.parse_version(feedback.version(item))
    result = feedback.triage(item, who, status, reply, based_on)
    db.session.commit()
    return result


@pytest.mark.parametrize("role", ["marketer", "admin"])
def test_marketers_and_admins_triage(app, users, role):
    item = send(users["rep"])

    save(item, users[role], "acted_on", "We added a pricing FAQ.")

    db.session.expire_all()
    assert (item.status, item.reply, item.handled_by) == (
        "acted_on",
        "We added a pricing FAQ.",
        users[role],
    )
    assert item.replied_at is not None


def test_leaders_read_but_do_not_triage_and_other_reps_do_not_know_it_exists(app, users):
    item = send(users["rep"])
    other_rep = make_user("rep", "sasha@example.com", "Sasha Other-Rep")

    with pytest.raises(PermissionDenied):
        save(item, users["leader"])
    with pytest.raises(NotFound):
        save(item, other_rep)
    with pytest.raises(PermissionDenied):
        save(item, users["rep"])
    db.session.rollback()

    assert feedback.get_visible_feedback(users["leader"], item.id) == item
    with pytest.raises(NotFound):
        feedback.get_visible_feedback(other_rep, item.id)
    assert db.session.get(FieldFeedback, item.id).status == "new"


def test_statuses_may_go_forwards_and_back(app, users):
    item = send(users["rep"])

    for status in ("acted_on", "new", "acknowledged", "acted_on"):
        save(item, users["marketer"], status)
        assert item.status == status


@pytest.mark.parametrize(
    ("status", "reply", "field"),
    [
        ("done", "", "status"),
        ("acknowledged", "x" * (feedback.REPLY_MAX + 1), "reply"),
    ],
)
def test_bad_triage_input_changes_nothing(app, users, status, reply, field):
    item = send(users["rep"])

    with pytest.raises(ValidationFailed) as refused:
        save(item, users["marketer"], status, reply)
    db.session.rollback()

    assert set(refused.value.fields) == {field}
    assert (item.status, item.reply) == ("new", "")


def test_a_reply_tells_the_author_once_per_change_not_on_status_changes(app, users):
    item = send(users["rep"])

    save(item, users["marketer"], "acknowledged")
    assert notes(users["rep"], "feedback_replied") == []
    save(item, users["marketer"], "acknowledged", "Thanks, looking into it.")
    save(item, users["marketer"], "acted_on", "Thanks, looking into it.")
    assert len(notes(users["rep"], "feedback_replied")) == 1
    save(item, users["marketer"], "acted_on", "We published a pricing FAQ.")

    replies = notes(users["rep"], "feedback_replied")
    assert len(replies) == 2
    assert all(note.link == f"/feedback/{item.id}" for note in replies)


def test_a_save_based_on_an_older_version_is_refused_and_names_the_current_reply(app, users):
    item = send(users["rep"])
    other = make_user("marketer", "otto@example.com", "Otto Other")
    seen = feedback.parse_version(feedback.version(item))
    save(item, other, "acknowledged", "Otto is on it.", based_on=seen)

    with pytest.raises(Conflict) as refused:
        save(item, users["marketer"], "acted_on", "Morgan's answer.", based_on=seen)
    db.session.rollback()

    assert "Otto is on it." in refused.value.message
    assert "Otto Other" in refused.value.message
    db.session.expire_all()
    assert (item.status, item.reply) == ("acknowledged", "Otto is on it.")
    assert len(notes(users["rep"], "feedback_replied")) == 1


def test_a_missing_or_malformed_version_is_refused(app, users):
    item = send(users["rep"])

    assert feedback.parse_version("yesterday") is None
    with pytest.raises(ValidationFailed) as refused:
        feedback.triage(item, users["marketer"], "acknowledged", "", None)

    assert set(refused.value.fields) == {"version"}


def test_two_marketers_saving_replies_at_once_exactly_one_wins(app, users):
    item = send(users["rep"])
    item_id, version = item.id, feedback.parse_version(feedback.version(item))
    marketer_ids = [users["marketer"].id, make_user("marketer", "otto@example.com").id]
    barrier = threading.Barrier(len(marketer_ids))

    def worker(marketer_id: int):
        def work():
            with app.app_context():
                try:
                    marketer = db.session.get(User, marketer_id)
                    target = db.session.get(FieldFeedback, item_id)
                    barrier.wait(timeout=10)
                    try:
                        feedback.triage(
                            target, marketer, "acted_on", f"Reply by {marketer_id}", version
                        )
                    except Conflict:
                        db.session.rollback()
                        return "refused"
                    db.session.commit()
                    return marketer_id
                finally:
                    db.session.remove()

        return work

    results = run_together([worker(marketer_id) for marketer_id in marketer_ids])

    assert_no_errors(results)
    assert Counter(r == "refused" for r in results) == {True: 1, False: 1}
    [winner] = [r for r in results if r != "refused"]
    db.session.expire_all()
    assert db.session.get(FieldFeedback, item_id).reply == f"Reply by {winner}"
    assert len(notes(users["rep"], "feedback_replied")) == 1


# ---- lists ------------------------------------------------------------------------------


def test_the_inbox_filters_by_status_kind_stage_and_words(app, users):
    other_rep = make_user("rep", "sasha@example.com", "Sasha Other-Rep")
    first = send(users["rep"], text="Price is 100% too high", stage_id=stage("decision").id)
    send(users["rep"], kind="question", text="Do you support SSO?")
    send(other_rep, kind="competitor", text="Acme Corp is cheaper")
    save(first, users["marketer"], "acknowledged")

    def listed(user, **args):
        filters = feedback.parse_filters(args, user)
        return [f.text for f in feedback.feedback_list(user, filters, 1, 50).items]

    assert listed(users["marketer"]) == ["Acme Corp is cheaper", "Do you support SSO?"]
    assert listed(users["marketer"], status="acknowledged") == ["Price is 100% too high"]
    assert listed(users["leader"], status="all", kind="competitor") == ["Acme Corp is cheaper"]
    assert listed(users["marketer"], status="all", stage="decision") == ["Price is 100% too high"]
    assert listed(users["marketer"], status="all", q="100%") == ["Price is 100% too high"]
    assert listed(users["marketer"], status="all", q="sso") == ["Do you support SSO?"]
    assert listed(users["rep"]) == ["Do you support SSO?", "Price is 100% too high"]
    filters = feedback.parse_filters({"status": "all"}, users["marketer"])
    assert feedback.status_counts(users["marketer"], filters) == {
        "new": 2,
        "acknowledged": 1,
        "acted_on": 0,
        "all": 3,
    }


@pytest.mark.parametrize("args", [{"status": "done"}, {"kind": "rumour"}, {"stage": "nope"}])
def test_filters_not_understood_are_refused(app, users, args):
    with pytest.raises(ValidationFailed):
        feedback.parse_filters(args, users["marketer"])


def test_the_asset_page_shows_its_feedback_to_its_owner_and_inbox_readers(app, users):
    asset = make_asset(users["marketer"], "Retail ROI deck")
    send(users["rep"], asset_id=asset.id)
    other_rep = make_user("rep", "sasha@example.com", "Sasha Other-Rep")

    assert panels.feedback_on_asset(asset, users["marketer"]).total == 1
    assert panels.feedback_on_asset(asset, users["leader"]).total == 1
    assert panels.feedback_on_asset(asset, users["admin"]).total == 1
    assert panels.feedback_on_asset(asset, users["rep"]) is None
    assert panels.feedback_on_asset(asset, other_rep) is None


def test_the_deal_page_shows_its_owners_feedback(app, users):
    deal = deal_of(users["rep"])
    send(users["rep"], deal_id=deal.id)
    send(users["rep"])

    assert len(panels.feedback_on_deal(deal, users["rep"])) == 1
    assert len(panels.feedback_on_deal(deal, users["leader"])) == 1
    assert panels.feedback_on_deal(deal, make_user("rep", "sasha@example.com")) == []
