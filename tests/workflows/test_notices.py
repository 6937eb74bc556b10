"""Who hears about each review step: in-app notifications written with the step."""

import pytest
from sqlalchemy import select

from content.library.services import AssetInput, revise_asset
from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.notifications import Notification
from tests.factories import make_asset
from workflows.review import collaborators
from workflows.review.machine import transition


def received(kind: str | None = None) -> list[tuple[str, str]]:
    """(recipient email, kind) of every notification, oldest first."""
    query = select(Notification).order_by(Notification.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return [(n.user.email, n.kind) for n in db.session.scalars(query)]


def links(kind: str) -> list[str]:
    return list(db.session.scalars(select(Notification.link).where(Notification.kind == kind)))


def clear() -> None:
    db.session.execute(Notification.__table__.delete())
    db.session.commit()


def test_invited_people_are_told_with_their_role(users, actors):
    owner, rep = actors["owner"], users["rep"]
    asset = make_asset(owner, "Security whitepaper", publish=False)
    clear()

    collaborators.invite(asset, owner, rep.email, "author")
    db.session.commit()

    note = db.session.scalars(select(Notification)).one()
    assert (note.user_id, note.kind, note.link) == (rep.id, "invited", f"/assets/{asset.id}")
    assert note.text == f"{owner.name} invited you as co-author on “Security whitepaper”"


def test_submitting_asks_each_reviewer_and_links_to_what_they_review(actors, asset_in):
    draft = asset_in("draft")
    clear()

    transition(draft, actors["owner"], "submit")
    db.session.commit()

    assert sorted(received("review_requested")) == sorted(
        [
            (actors["sales_reviewer"].email, "review_requested"),
            (actors["marketing_reviewer"].email, "review_requested"),
        ]
    )
    assert set(links("review_requested")) == {f"/assets/{draft.id}"}


def test_a_new_revision_of_a_live_asset_links_reviewers_to_the_changes_since_live(actors, asset_in):
    asset = asset_in("published")
    edit = AssetInput(title="Security whitepaper", body="Now SOC 2.", stages=list(asset.stages))
    revise_asset(asset, actors["owner"], asset.latest_revision_id, edit)
    db.session.commit()
    clear()

    transition(asset, actors["owner"], "submit")
    db.session.commit()

    assert set(links("review_requested")) == {f"/assets/{asset.id}/diff?from=1&to=2"}


def test_requested_changes_reach_the_owner_and_co_authors_with_the_comment(users, actors, asset_in):
    asset = asset_in("in_review")
    collaborators.invite(asset, actors["owner"], users["rep"].email, "author")
    db.session.commit()
    clear()

    transition(asset, actors["sales_reviewer"], "request_changes", "Cite the source.")
    db.session.commit()

    notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert sorted(n.user.email for n in notes) == sorted(
        [actors["owner"].email, users["rep"].email]
    )
    assert all(n.text.endswith("Cite the source.") for n in notes)


def test_the_owner_hears_of_each_approval_and_the_authors_when_sign_off_is_complete(
    actors, asset_in
):
    asset = asset_in("in_review")
    clear()

    transition(asset, actors["sales_reviewer"], "approve")
    db.session.commit()
    first = db.session.scalars(select(Notification)).one()
    assert first.user_id == actors["owner"].id
    assert "still waiting for a marketing approval" in first.text

    transition(asset, actors["marketing_reviewer"], "approve")
    db.session.commit()
    last = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
    assert last.user_id == actors["owner"].id
    assert "can be published" in last.text


def test_publishing_tells_everyone_who_worked_on_it_but_the_publisher(actors, asset_in):
    asset = asset_in("approved")
    clear()

    transition(asset, actors["owner"], "publish")
    db.session.commit()

    assert sorted(received("published")) == sorted(
        [
            (actors["sales_reviewer"].email, "published"),
            (actors["marketing_reviewer"].email, "published"),
        ]
    )


def test_a_refused_step_tells_nobody(actors, asset_in):
    asset = asset_in("draft")
    clear()

    with pytest.raises(Conflict):
        transition(asset, actors["owner"], "publish")
    db.session.rollback()

    assert received() == []
