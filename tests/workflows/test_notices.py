"""Who hears about each review step: in-app notifications written with the step."""

import threading

import pytest
from sqlalchemy import select

from content.library.models import Asset
from content.library.services import AssetInput, revise_asset
from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.notifications import Notification, mark_read
from tests.factories import make_asset, make_user, run_together
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


# ---- edits by co-authors -------------------------------------------------------------------


def edit(asset, editor, body: str) -> None:
    data = AssetInput(title=asset.latest_revision.title, body=body, stages=list(asset.stages))
    revise_asset(asset, editor, asset.latest_revision_id, data)
    db.session.commit()


@pytest.fixture
def co_authored(users, actors):
    """A draft by the marketer with two invited co-authors, notifications cleared."""
    asset = make_asset(actors["owner"], "Security whitepaper", publish=False)
    casey = make_user("rep", "casey@example.com", "Casey Cole")
    for person in (users["rep"], casey):
        collaborators.invite(asset, actors["owner"], person.email, "author")
    db.session.commit()
    clear()
    return asset


def test_co_author_saves_reach_the_owner_and_other_co_authors_as_one_notice(
    users, actors, co_authored
):
    rep = users["rep"]
    for n in range(3):
        edit(co_authored, rep, f"Riley's words, take {n}.")
    edit(co_authored, User.query.filter_by(email="casey@example.com").one(), "Casey's words.")

    notes = {n.user.email: n for n in db.session.scalars(select(Notification))}
    # Casey was told of Riley's first save; Casey's own save is not news to Casey.
    assert set(notes) == {actors["owner"].email, "casey@example.com", rep.email}
    owner_note = notes[actors["owner"].email]
    assert owner_note.text == "“Security whitepaper” was edited 4 times, last by Casey Cole"
    assert owner_note.link == f"/assets/{co_authored.id}/diff?from=1&to=5"
    assert owner_note.actor.email == "casey@example.com"
    assert notes["casey@example.com"].text == (
        "“Security whitepaper” was edited 3 times, last by Riley Rep"
    )
    assert notes[rep.email].text == "Casey Cole edited “Security whitepaper”"


def test_after_the_owner_reads_it_the_next_save_notifies_again(users, actors, co_authored):
    owner, rep = actors["owner"], users["rep"]
    edit(co_authored, rep, "First pass.")
    (first,) = db.session.scalars(select(Notification).where(Notification.user_id == owner.id))
    mark_read(owner, first.id)
    db.session.commit()

    edit(co_authored, rep, "Second pass.")
    edit(co_authored, owner, "The owner's own pass tells nobody.")

    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == owner.id).order_by(Notification.id)
    ).all()
    assert [(n.text, n.unread) for n in notes] == [
        ("Riley Rep edited “Security whitepaper”", False),
        ("Riley Rep edited “Security whitepaper”", True),
    ]
    assert notes[1].link == f"/assets/{co_authored.id}/diff?from=2&to=3"
    assert received() == [
        (owner.email, "draft_edited"),
        ("casey@example.com", "draft_edited"),
        (owner.email, "draft_edited"),
    ]


def test_two_co_authors_saving_at_once_leave_the_owner_one_notice(app, users, actors, co_authored):
    asset_id, owner_id = co_authored.id, actors["owner"].id
    editor_ids = [users["rep"].id, User.query.filter_by(email="casey@example.com").one().id]
    start = threading.Barrier(len(editor_ids), timeout=10)

    def save(editor_id):
        def work():
            with app.app_context():
                try:
                    start.wait()
                    for _attempt in range(5):  # the loser saves again on the winner's revision
                        asset = db.session.get(Asset, asset_id)
                        try:
                            edit(asset, db.session.get(User, editor_id), f"By {editor_id}.")
                            return "saved"
                        except Conflict:
                            db.session.rollback()
                    return "gave up"
                finally:
                    db.session.remove()

        return work

    assert run_together([save(editor_id) for editor_id in editor_ids]) == ["saved", "saved"]
    db.session.expire_all()
    owner_notes = db.session.scalars(
        select(Notification).where(Notification.user_id == owner_id)
    ).all()
    assert len(owner_notes) == 1
    assert owner_notes[0].text.startswith("“Security whitepaper” was edited 2 times, last by ")
