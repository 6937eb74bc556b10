"""Deal services: reading amounts, validating and owning deals, the CRM upsert, and the
content recommended for a deal's buyer stage."""

import pytest
from sqlalchemy import func, select

from content.deals import services as deals
from content.deals.models import Deal
from content.deals.recommendations import recommendations
from content.library.models import Stage
from content.usage import events as usage
from content.usage import ratings
from portal.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from tests.factories import make_asset, make_user
from workflows.review.machine import transition

# ---- amounts: no database needed ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12,500.50", 1_250_050),
        ("$1,000", 100_000),
        ("12500", 1_250_000),
        (" 12500 USD ", 1_250_000),
        ("usd 99.9", 9_990),
        (12500.5, 1_250_050),
        (0, 0),
        ("", None),
        (None, None),
    ],
)
def test_amounts_people_write_are_read_as_cents(typed, cents):
    assert deals.parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.005", deals.AMOUNT_INVALID),
        (1.005, "Give the amount to the cent at most (two decimals)."),
        ("-5", "The amount cannot be negative."),
        ("$-1,000", "The amount cannot be negative."),
        (-5, "The amount cannot be negative."),
        ("10,000,000,000,000.01", "The amount is too large."),
        ("99999999999999999999999999999999", "The amount is too large."),
        (1e30, "The amount is too large."),
        ("1,00", deals.AMOUNT_INVALID),
        ("12.500,50", deals.AMOUNT_INVALID),
        ("about 5k", deals.AMOUNT_INVALID),
        ("12,500 EUR", deals.AMOUNT_INVALID),  # not the portal's currency
        ("€12,500", deals.AMOUNT_INVALID),
        (True, deals.AMOUNT_INVALID),
        ([100], deals.AMOUNT_INVALID),
        (float("nan"), deals.AMOUNT_INVALID),
    ],
)
def test_amounts_that_are_not_money_are_refused_naming_the_field(typed, message):
    with pytest.raises(ValidationFailed) as refused:
        deals.parse_amount(typed, "deal_amount")

    assert refused.value.fields == {"deal_amount": message}


# ---- validating and owning deals ---------------------------------------------------------


def _stage(slug: str = "decision") -> Stage:
    return db.session.scalar(select(Stage).where(Stage.slug == slug))


def _input(**changes) -> deals.DealInput:
    values = {"name": "Acme renewal", "account": "Acme", "stage": _stage(), "amount_cents": 100}
    return deals.DealInput(**(values | changes))


def _deal(owner, **changes) -> Deal:
    deal = deals.create_deal(owner, _input(**changes))
    db.session.commit()
    return deal


def _count() -> int:
    return db.session.scalar(select(func.count(Deal.id)))


def test_validate_names_every_bad_field_at_once_and_tidies_text(app):
    bad = deals.DealInput(name="  ", account="x" * 201, stage=None, status="pending")

    with pytest.raises(ValidationFailed) as refused:
        deals.validate(bad)
    tidy = deals.validate(_input(name="  Acme \n renewal ", account=" Acme  Inc "))

    assert refused.value.fields == {
        "name": deals.NAME_MISSING,
        "account": deals.ACCOUNT_TOO_LONG,
        "stage": deals.STAGE_MISSING,
        "status": deals.STATUS_INVALID,
    }
    assert (tidy.name, tidy.account) == ("Acme renewal", "Acme Inc")


def test_a_field_the_caller_could_not_read_keeps_its_own_message(app):
    unread = _input(stage=None, errors={"stage": "Unknown stage: closing."})

    with pytest.raises(ValidationFailed) as refused:
        deals.validate(unread)

    assert refused.value.fields == {"stage": "Unknown stage: closing."}


def test_only_reps_own_deals_and_crm_ids_are_unique(app, users):
    deals.create_deal(users["rep"], _input(), external_id=" CRM-1 ")
    db.session.commit()

    for role in ("leader", "admin", "marketer"):
        with pytest.raises(PermissionDenied):
            deals.create_deal(users[role], _input())
    with pytest.raises(Conflict) as duplicate:
        deals.create_deal(users["rep"], _input(), external_id="CRM-1")

    assert duplicate.value.fields == {"external_id": "A deal with this CRM id exists already."}
    assert db.session.scalar(select(Deal.external_id)) == "CRM-1"


def test_only_the_owner_changes_a_deal_and_saving_the_same_changes_nothing(app, users):
    deal = _deal(users["rep"])
    before = deal.updated_at
    other_rep = make_user("rep")

    with pytest.raises(NotFound):
        deals.update_deal(deal, other_rep, _input(name="Hijacked"))
    with pytest.raises(PermissionDenied):
        deals.update_deal(deal, users["leader"], _input(name="Hijacked"))
    unchanged = deals.update_deal(deal, users["rep"], _input())
    changed = deals.update_deal(deal, users["rep"], _input(status="won", amount_cents=250))

    assert (unchanged, changed) == (False, True)
    assert (deal.name, deal.status, deal.amount_cents) == ("Acme renewal", "won", 250)
    assert deal.updated_at > before


# ---- the CRM upsert ----------------------------------------------------------------------


def test_upserting_the_same_deal_twice_changes_nothing(app, users):
    rep = users["rep"]

    deal, first = deals.upsert_external(rep, "OPP-7", _input())
    db.session.commit()
    stamp = deal.updated_at
    again, second = deals.upsert_external(rep, "OPP-7", _input())
    db.session.commit()
    _same, third = deals.upsert_external(rep, "OPP-7", _input(status="lost"))

    assert (first, second, third) == ("created", "unchanged", "updated")
    assert again.id == deal.id
    assert _count() == 1
    assert (deal.owner_id, deal.source, deal.status) == (rep.id, "api", "lost")
    assert stamp < deal.updated_at


def test_a_rep_syncs_only_their_own_deals(app, users):
    deals.upsert_external(users["rep"], "OPP-1", _input())
    db.session.commit()
    other_rep = make_user("rep")

    with pytest.raises(NotFound):
        deals.upsert_external(other_rep, "OPP-1", _input(name="Taken over"))
    with pytest.raises(ValidationFailed) as not_theirs:
        deals.upsert_external(other_rep, "OPP-2", _input(), owner_email="rep@example.com")
    for role in ("leader", "marketer"):
        with pytest.raises(PermissionDenied):
            deals.upsert_external(users[role], "OPP-3", _input())

    assert list(not_theirs.value.fields) == ["owner"]
    assert db.session.scalar(select(Deal.name)) == "Acme renewal"
    assert _count() == 1


def test_admins_sync_anyones_deal_naming_its_owner(app, users):
    admin, rep = users["admin"], users["rep"]

    with pytest.raises(ValidationFailed) as no_owner:
        deals.upsert_external(admin, "OPP-9", _input())
    with pytest.raises(ValidationFailed) as not_a_rep:
        deals.upsert_external(admin, "OPP-9", _input(), owner_email="marketer@example.com")
    deal, created = deals.upsert_external(admin, "OPP-9", _input(), owner_email="REP@example.com")
    _deal, kept_owner = deals.upsert_external(admin, "OPP-9", _input(status="won"))

    assert no_owner.value.fields == {
        "owner": "Give the owner: the email of the rep whose deal it is."
    }
    assert list(not_a_rep.value.fields) == ["owner"]
    assert (created, kept_owner) == ("created", "updated")
    assert (deal.owner_id, deal.status) == (rep.id, "won")


def test_bad_crm_ids_are_refused(app, users):
    refused = {}
    for external_id in ("", "   ", "x" * 101, "bad\nid", 42):
        with pytest.raises(ValidationFailed) as error:
            deals.upsert_external(users["rep"], external_id, _input())
        refused[external_id] = list(error.value.fields)

    assert set(map(tuple, refused.values())) == {("external_id",)}
    assert _count() == 0


# ---- recommendations ---------------------------------------------------------------------


def test_recommendations_are_live_content_of_the_stage_best_first_without_attached(app, users):
    rep, marketer, leader = users["rep"], users["marketer"], users["leader"]
    rated = make_asset(marketer, "Rated five stars", stages=("decision",))
    used = make_asset(marketer, "Used in two deals", stages=("decision", "awareness"))
    older = make_asset(marketer, "Older, unused", stages=("decision",))
    newer = make_asset(marketer, "Newer, unused", stages=("decision",))
    attached = make_asset(marketer, "Already attached", stages=("decision",))
    make_asset(marketer, "Other stage", stages=("awareness",))
    make_asset(marketer, "Draft", stages=("decision",), publish=False)
    archived = make_asset(marketer, "Archived", stages=("decision",))
    transition(archived, marketer, "archive")
    ratings.rate(rated, leader, 5)
    deal = _deal(rep)
    for other in (_deal(rep, name="Globex"), _deal(rep, name="Initech")):
        usage.attach_to_deal(used, rep, other)
    usage.attach_to_deal(attached, rep, deal)
    db.session.commit()

    found = recommendations(deal, rep)

    assert [r.card.asset.id for r in found] == [used.id, rated.id, newer.id, older.id]
    assert [(r.deals_used, r.rating.count) for r in found] == [(2, 0), (0, 1), (0, 0), (0, 0)]
    assert found[0].card.revision.title == "Used in two deals"
    assert recommendations(deal, rep, limit=2)[-1].card.asset.id == rated.id
