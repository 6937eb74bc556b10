"""Campaign briefs: marketers write and publish them, reps read and acknowledge them,
marketing sees who has read them and the feedback. The services, without HTTP."""

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.demo.campaigns import seed_campaigns
from portal.demo.data import DEMO_USERS
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.notifications import Notification
from portal.kernel.permissions import can
from tests.factories import make_asset, make_user, run_together
from tests.workflows.helpers import brief
from workflows.campaigns import responses
from workflows.campaigns import services as campaigns
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.campaigns.services import CampaignInput
from workflows.feedback.models import FieldFeedback


def data_of(campaign: Campaign, **changes) -> CampaignInput:
    values = {
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "audience": campaign.audience,
        "key_messages": campaign.key_messages,
        "talking_points": campaign.talking_points,
        "asset_ids": [asset.id for asset in campaign.assets],
    }
    values.update(changes)
    return CampaignInput(**values)


def notifications(kind: str = "campaign_published") -> list[tuple[int, str]]:
    return db.session.execute(
        select(Notification.user_id, Notification.link)
        .where(Notification.kind == kind)
        .order_by(Notification.user_id)
    ).all()


def read_rows(campaign_id: int) -> int:
    return db.session.scalar(
        select(func.count(CampaignRead.id)).where(CampaignRead.campaign_id == campaign_id)
    )


def inactive_rep(email: str) -> User:
    rep = make_user("rep", email, "Gone Rep")
    rep.active = False
    db.session.commit()
    return rep


def campaign_count() -> int:
    return db.session.scalar(select(func.count(Campaign.id)))


@pytest.fixture
def roles(users):
    """Everyone whose permission differs: the owner, another marketer, an admin, a rep,
    a sales and a marketing leader."""
    return {
        "owner": users["marketer"],
        "other_marketer": make_user("marketer", "otto@example.com", "Otto Other"),
        "admin": users["admin"],
        "rep": users["rep"],
        "leader": users["leader"],
        "marketing_leader": make_user(
            "leader", "mo.lead@example.com", "Mo Marketing-Lead", department="marketing"
        ),
    }


# ---- who may do what -------------------------------------------------------------------

WRITE = {"owner", "other_marketer", "admin"}


@pytest.mark.parametrize(
    "role", ["owner", "other_marketer", "admin", "rep", "leader", "marketing_leader"]
)
def test_the_rules_for_each_role(roles, role):
    user = roles[role]
    draft = brief(roles["owner"], "Draft one", publish=False)
    published = brief(roles["owner"], "Published one")

    assert can(user, "write_campaigns") == (role in WRITE)
    assert can(user, "view", draft) == (role in WRITE)
    assert can(user, "view", published) is True
    assert can(user, "edit", draft) == (role in {"owner", "admin"})
    assert can(user, "edit", published) == (role in {"owner", "admin"})
    assert can(user, "publish", draft) == (role in {"owner", "admin"})
    assert can(user, "publish", published) is False
    assert can(user, "acknowledge", published) == (role == "rep")
    assert can(user, "acknowledge", draft) is False
    assert can(user, "view_responses", published) == (role in WRITE)


def test_an_owner_who_is_no_longer_a_marketer_may_not_edit(roles):
    campaign = brief(roles["owner"], publish=False)
    roles["owner"].role = "rep"
    db.session.commit()

    assert not can(roles["owner"], "edit", campaign)
    assert not can(roles["owner"], "view", campaign)


def test_a_deactivated_rep_may_not_acknowledge(roles):
    campaign = brief(roles["owner"])
    roles["rep"].active = False
    db.session.commit()

    assert not can(roles["rep"], "acknowledge", campaign)


@pytest.mark.parametrize("role", ["rep", "leader", "marketing_leader"])
def test_drafts_are_not_found_for_readers(roles, role):
    draft = brief(roles["owner"], publish=False)

    with pytest.raises(NotFound):
        campaigns.get_visible_campaign(roles[role], draft.id)
    assert campaigns.get_visible_campaign(roles["other_marketer"], draft.id) == draft


@pytest.mark.parametrize("role", ["rep", "leader", "marketing_leader"])
def test_only_writers_create_campaigns(roles, role):
    with pytest.raises(PermissionDenied):
        brief(roles[role], publish=False)
    assert campaign_count() == 0


# ---- writing ---------------------------------------------------------------------------


def test_a_new_campaign_is_a_draft_linking_each_chosen_asset_once(roles):
    first = make_asset(roles["owner"], "ROI calculator")
    second = make_asset(roles["owner"], "Case study")

    campaign = brief(
        roles["owner"],
        "  Spring   close ",
        publish=False,
        asset_ids=[second.id, first.id, second.id],
        talking_points="Ask about\r\nmonth-end",
    )

    assert (campaign.status, campaign.name, campaign.owner) == (
        "draft",
        "Spring close",
        roles["owner"],
    )
    assert [asset.id for asset in campaign.assets] == [first.id, second.id]
    assert campaign.talking_points == "Ask about\nmonth-end"
    assert campaign.published_at is None
    assert notifications() == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", campaigns.NAME_MISSING),
        ({"name": "x" * 201}, "name", campaigns.NAME_TOO_LONG),
        ({"starts_on": None}, "starts_on", campaigns.STARTS_MISSING),
        ({"ends_on": None}, "ends_on", campaigns.ENDS_MISSING),
        ({"ends_on": date(2026, 3, 1)}, "ends_on", campaigns.ENDS_BEFORE_START),
        ({"audience": "x" * 501}, "audience", campaigns.AUDIENCE_TOO_LONG),
        ({"key_messages": "x" * 20_001}, "key_messages", campaigns.TEXT_TOO_LONG),
        ({"asset_ids": list(range(1, 22))}, "asset_ids", campaigns.ASSETS_TOO_MANY),
        ({"asset_ids": [999]}, "asset_ids", campaigns.ASSETS_NOT_LIVE),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(roles, changes, field, message):
    values = {"name": "Spring close", "starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 31)}
    data = CampaignInput(**{**values, **changes})

    with pytest.raises(ValidationFailed) as refused:
        campaigns.create_campaign(roles["owner"], data)

    assert refused.value.fields == {field: message}
    db.session.rollback()
    assert campaign_count() == 0


def test_a_campaign_of_one_day_is_accepted(roles):
    campaign = brief(roles["owner"], starts=3, ends=3, publish=False)

    assert campaign.starts_on == campaign.ends_on


def test_only_live_assets_may_be_linked(roles):
    draft_asset = make_asset(roles["owner"], "Unpublished deck", publish=False)

    with pytest.raises(ValidationFailed) as refused:
        brief(roles["owner"], publish=False, asset_ids=[draft_asset.id])

    assert refused.value.fields == {"asset_ids": campaigns.ASSETS_NOT_LIVE}


def test_an_asset_that_went_offline_may_stay_linked_but_not_be_added(roles):
    kept = make_asset(roles["owner"], "Old deck")
    other = make_asset(roles["owner"], "Other deck")
    campaign = brief(roles["owner"], asset_ids=[kept.id])
    for asset in (kept, other):
        asset.status = "archived"
    db.session.commit()

    campaigns.update_campaign(
        campaign, roles["owner"], data_of(campaign, name="Renamed"), campaign.updated_at
    )
    db.session.commit()
    assert [asset.id for asset in campaign.assets] == [kept.id]
    with pytest.raises(ValidationFailed):
        campaigns.update_campaign(
            campaign,
            roles["owner"],
            data_of(campaign, asset_ids=[kept.id, other.id]),
            campaign.updated_at,
        )


def test_reps_see_only_live_linked_assets_writers_see_all(roles):
    live = make_asset(roles["owner"], "Live deck")
    gone = make_asset(roles["owner"], "Gone deck")
    campaign = brief(roles["owner"], asset_ids=[live.id, gone.id])
    gone.status = "archived"
    db.session.commit()

    assert campaigns.shown_assets(campaign, roles["rep"]) == [live]
    assert campaigns.shown_assets(campaign, roles["other_marketer"]) == [live, gone]
    assert campaigns.asset_title(gone) == "Gone deck"


def test_linkable_assets_are_live_ones_and_those_already_linked(roles):
    kept = make_asset(roles["owner"], "B kept deck")
    make_asset(roles["owner"], "A live deck")
    make_asset(roles["owner"], "C draft", publish=False)
    campaign = brief(roles["owner"], asset_ids=[kept.id])
    kept.status = "archived"
    db.session.commit()

    titles = [campaigns.asset_title(a) for a in campaigns.linkable_assets(campaign)]
    assert titles == ["B kept deck", "A live deck"]
    assert [campaigns.asset_title(a) for a in campaigns.linkable_assets()] == ["A live deck"]


def test_editing_saves_and_a_stale_edit_is_refused(roles):
    campaign = brief(roles["owner"], publish=False)
    seen = campaign.updated_at

    campaigns.update_campaign(campaign, roles["admin"], data_of(campaign, name="New"), seen)
    db.session.commit()

    assert campaign.name == "New"
    with pytest.raises(Conflict):
        campaigns.update_campaign(campaign, roles["owner"], data_of(campaign, name="Old"), seen)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).name == "New"


def test_bad_dates_on_edit_change_nothing(roles):
    campaign = brief(roles["owner"])
    before = (campaign.starts_on, campaign.ends_on, campaign.updated_at)

    with pytest.raises(ValidationFailed) as refused:
        campaigns.update_campaign(
            campaign,
            roles["owner"],
            data_of(campaign, ends_on=campaign.starts_on - timedelta(days=1)),
            campaign.updated_at,
        )

    assert refused.value.fields == {"ends_on": campaigns.ENDS_BEFORE_START}
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Campaign, campaign.id)
    assert (stored.starts_on, stored.ends_on, stored.updated_at) == before


def test_a_published_brief_keeps_its_key_messages(roles):
    campaign = brief(roles["owner"])

    with pytest.raises(ValidationFailed) as refused:
        campaigns.update_campaign(
            campaign, roles["owner"], data_of(campaign, key_messages=" "), campaign.updated_at
        )

    assert refused.value.fields == {"key_messages": campaigns.KEY_MESSAGES_NEEDED}


@pytest.mark.parametrize(("role", "error"), [("other_marketer", PermissionDenied), ("rep", None)])
def test_others_cannot_edit(roles, role, error):
    campaign = brief(roles["owner"], publish=False)
    expected = error or NotFound

    with pytest.raises(expected):
        campaigns.update_campaign(
            campaign, roles[role], data_of(campaign, name="Mine now"), campaign.updated_at
        )


# ---- publishing --------------------------------------------------------------------------


def test_publishing_tells_every_active_rep_once(roles):
    other_rep = make_user("rep", "sasha@example.com", "Sasha Rep")
    inactive_rep("gone@example.com")
    campaign = brief(roles["owner"], publish=False)

    campaigns.publish(campaign, roles["owner"])
    db.session.commit()

    assert campaign.status == "published"
    assert campaign.published_at is not None
    link = f"/campaigns/{campaign.id}"
    assert notifications() == sorted([(roles["rep"].id, link), (other_rep.id, link)])
    with pytest.raises(Conflict):
        campaigns.publish(campaign, roles["owner"])


def test_editing_a_published_campaign_does_not_tell_reps_again(roles):
    campaign = brief(roles["owner"])

    campaigns.update_campaign(
        campaign, roles["owner"], data_of(campaign, name="Spring close v2"), campaign.updated_at
    )
    db.session.commit()

    assert len(notifications()) == 1
    assert campaign.status == "published"


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [({"key_messages": ""}, "Write the key messages"), ({"starts": -10, "ends": -1}, "ended")],
)
def test_a_draft_without_messages_or_already_over_is_not_published(roles, changes, refusal):
    campaign = brief(roles["owner"], publish=False, **changes)

    assert refusal in campaigns.publish_refusal(campaign)
    with pytest.raises(Conflict, match=refusal):
        campaigns.publish(campaign, roles["owner"])
    assert campaign.status == "draft"
    assert notifications() == []


@pytest.mark.parametrize(
    ("role", "error"), [("other_marketer", PermissionDenied), ("rep", NotFound)]
)
def test_only_the_owner_or_an_admin_publishes(roles, role, error):
    campaign = brief(roles["owner"], publish=False)

    with pytest.raises(error):
        campaigns.publish(campaign, roles[role])

    campaigns.publish(campaign, roles["admin"])
    assert campaign.status == "published"


def test_two_publishers_at_once_notify_once(app, roles):
    campaign = brief(roles["owner"], publish=False)
    campaign_id = campaign.id
    actor_ids = [roles["owner"].id, roles["admin"].id]
    barrier = threading.Barrier(2)

    def worker(actor_id):
        def act():
            with app.app_context():
                try:
                    actor = db.session.get(User, actor_id)
                    target = db.session.get(Campaign, campaign_id)
                    assert target.status == "draft"
                    barrier.wait(timeout=10)
                    try:
                        campaigns.publish(target, actor)
                    except Conflict:
                        db.session.rollback()
                        return "conflict"
                    db.session.commit()
                    return "ok"
                finally:
                    db.session.remove()

        return act

    results = run_together([worker(actor_id) for actor_id in actor_ids])

    assert Counter(results) == {"ok": 1, "conflict": 1}, results
    assert len(notifications()) == 1


# ---- acknowledging -----------------------------------------------------------------------


def test_a_rep_acknowledges_once_and_keeps_the_first_time(roles):
    campaign = brief(roles["owner"])

    first, created = campaigns.acknowledge(campaign, roles["rep"])
    db.session.commit()
    again, created_again = campaigns.acknowledge(campaign, roles["rep"])
    db.session.commit()

    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert again.read_at == first.read_at
    assert read_rows(campaign.id) == 1
    assert campaigns.read_by(campaign, roles["rep"]) == first


@pytest.mark.parametrize(
    ("role", "error"),
    [("owner", PermissionDenied), ("leader", PermissionDenied), ("admin", PermissionDenied)],
)
def test_only_reps_acknowledge(roles, role, error):
    campaign = brief(roles["owner"])

    with pytest.raises(error):
        campaigns.acknowledge(campaign, roles[role])
    assert read_rows(campaign.id) == 0


def test_a_draft_cannot_be_acknowledged(roles):
    campaign = brief(roles["owner"], publish=False)

    with pytest.raises(NotFound):
        campaigns.acknowledge(campaign, roles["rep"])


def test_acknowledging_at_once_from_many_tabs_keeps_one_row(app, roles):
    campaign = brief(roles["owner"])
    campaign_id, rep_id = campaign.id, roles["rep"].id
    barrier = threading.Barrier(4)

    def act():
        with app.app_context():
            try:
                rep = db.session.get(User, rep_id)
                target = db.session.get(Campaign, campaign_id)
                assert campaigns.read_by(target, rep) is None  # every one sees "unread"
                barrier.wait(timeout=10)
                _read, created = campaigns.acknowledge(target, rep)
                db.session.commit()
                return created
            finally:
                db.session.remove()

    results = run_together([act] * 4)

    assert sorted(results) == [False, False, False, True], results
    assert read_rows(campaign_id) == 1


# ---- what marketing sees -----------------------------------------------------------------


def test_the_read_report_lists_readers_newest_first_and_who_has_not_read(roles):
    campaign = brief(roles["owner"])
    early = make_user("rep", "ann@example.com", "Ann Early")
    make_user("rep", "zed@example.com", "Zed Unread")
    inactive_rep("old@example.com")
    for rep in (early, roles["rep"]):
        campaigns.acknowledge(campaign, rep)
        db.session.commit()

    report = responses.read_report(campaign, roles["other_marketer"])

    assert [user.name for user, _at in report.read] == ["Riley Rep", "Ann Early"]
    assert all(isinstance(at, datetime) for _user, at in report.read)
    assert [user.name for user in report.unread] == ["Zed Unread"]
    assert report.reps == 3 == responses.active_rep_count()
    assert responses.read_counts([campaign.id]) == {campaign.id: 2}
    with pytest.raises(PermissionDenied):
        responses.read_report(campaign, roles["rep"])


def test_marketing_reads_the_feedback_on_the_campaign(roles):
    campaign = brief(roles["owner"])
    other = brief(roles["owner"], "Other")
    for text, about in [("CFOs love it", campaign), ("Too pricey", campaign), ("Hm", other)]:
        db.session.add(
            FieldFeedback(author=roles["rep"], kind="objection", text=text, campaign=about)
        )
    db.session.commit()

    newest, total = responses.campaign_feedback(campaign, roles["admin"])

    assert total == 2
    assert {item.text for item in newest} == {"CFOs love it", "Too pricey"}
    with pytest.raises(PermissionDenied):
        responses.campaign_feedback(campaign, roles["leader"])


# ---- when a campaign is current ---------------------------------------------------------

ZONE = "America/New_York"  # UTC-5 in January


@pytest.fixture
def clock(app, monkeypatch):
    """``clock(instant)`` sets the portal's now (UTC) in a time zone that is not UTC's."""
    monkeypatch.setitem(app.config, "TIMEZONE", ZONE)

    def set_now(instant: datetime) -> None:
        monkeypatch.setattr("portal.kernel.reporting.utcnow", lambda: instant)

    return set_now


def test_timing_follows_the_portals_calendar_at_the_day_edges(roles, clock):
    jan14, jan15 = date(2026, 1, 14), date(2026, 1, 15)
    ends_14 = brief(roles["owner"], "Ends 14", publish=False, today=jan14, starts=-3, ends=0)
    starts_15 = brief(roles["owner"], "Starts 15", publish=False, today=jan15, ends=5)
    for campaign in (ends_14, starts_15):
        campaign.status = "published"
    db.session.commit()

    clock(datetime(2026, 1, 15, 4, 59, tzinfo=UTC))  # 23:59 on the 14th in New York
    assert (campaigns.timing(ends_14), campaigns.timing(starts_15)) == ("current", "upcoming")
    assert [row.campaign.name for row in campaigns.home_campaigns(roles["rep"])] == [
        "Ends 14",
        "Starts 15",
    ]
    assert _names(roles["rep"], "current") == ["Ends 14"]
    assert _names(roles["rep"], "upcoming") == ["Starts 15"]
    assert _names(roles["rep"], "past") == []

    clock(datetime(2026, 1, 15, 5, 0, tzinfo=UTC))  # midnight starting the 15th there
    assert (campaigns.timing(ends_14), campaigns.timing(starts_15)) == ("past", "current")
    assert [row.campaign.name for row in campaigns.home_campaigns(roles["rep"])] == ["Starts 15"]
    assert _names(roles["rep"], "current") == ["Starts 15"]
    assert _names(roles["rep"], "upcoming") == []
    assert _names(roles["rep"], "past") == ["Ends 14"]


def _names(user, view: str) -> list[str]:
    page = campaigns.campaign_list(user, view, 1, 50)
    return [row.campaign.name for row in page.items]


def test_home_shows_published_campaigns_not_ended_with_the_reps_read_time(roles):
    running = brief(roles["owner"], "Running", starts=-2, ends=2)
    brief(roles["owner"], "Next", starts=5, ends=9)
    brief(roles["owner"], "Draft", publish=False)
    ended = brief(roles["owner"], "Ended", publish=False, starts=-9, ends=-1)
    ended.status = "published"
    db.session.commit()
    campaigns.acknowledge(running, roles["rep"])
    db.session.commit()

    home = campaigns.home_campaigns(roles["rep"])

    assert [(row.campaign.name, row.timing) for row in home] == [
        ("Running", "current"),
        ("Next", "upcoming"),
    ]
    assert home[0].read_at is not None
    assert home[1].read_at is None


def test_drafts_are_listed_for_writers_only(roles):
    brief(roles["owner"], "Draft", publish=False)

    assert _names(roles["other_marketer"], "drafts") == ["Draft"]
    assert "drafts" not in campaigns.list_views(roles["rep"])
    with pytest.raises(ValidationFailed):
        campaigns.parse_view("drafts", roles["rep"])
    with pytest.raises(ValidationFailed):
        campaigns.parse_view("soon", roles["owner"])
    assert campaigns.parse_view(None, roles["rep"]) == "current"


def test_the_list_is_paginated(roles):
    for number in range(7):
        brief(roles["owner"], f"Campaign {number}", ends=number + 1)

    first = campaigns.campaign_list(roles["rep"], "current", 1, 5)
    second = campaigns.campaign_list(roles["rep"], "current", 2, 5)

    assert (first.total, first.pages, len(first.items), len(second.items)) == (7, 2, 5, 2)
    assert [row.campaign.name for row in first.items][:2] == ["Campaign 0", "Campaign 1"]


def test_the_demo_campaigns_are_seeded_once(app):
    people = {
        email: make_user(role, email, name, department=department)
        for email, name, role, department in DEMO_USERS
    }
    make_asset(people["marketer@example.com"], "Retail ROI one-pager")

    first = seed_campaigns(people)
    db.session.commit()
    second = seed_campaigns(people)
    db.session.commit()

    assert first == {"campaigns_created": 3, "campaign_reads_created": 1}
    assert second == {"campaigns_created": 0, "campaign_reads_created": 0}
    statuses = Counter(db.session.scalars(select(Campaign.status)))
    assert statuses == {"published": 2, "draft": 1}
