"""Collections and onboarding paths: ordering, who may do what, progress, idempotent
assigning and marking, and concurrent writers to one collection."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.notifications import Notification
from portal.kernel.permissions import can
from portal.kernel.reporting import local_today
from tests.factories import make_asset, make_user, run_together
from workflows.collections import paths
from workflows.collections import services as collections
from workflows.collections.models import Collection, CollectionItem, ItemDone, PathAssignment
from workflows.review.machine import transition


@pytest.fixture
def build(users):
    """``build(n)``: a committed collection of the marketer's with ``n`` live assets."""

    def make(count: int = 3, title: str = "New rep: first 30 days") -> Collection:
        marketer = users["marketer"]
        collection = collections.create_collection(marketer, title, "Read these in order.")
        for number in range(1, count + 1):
            asset = make_asset(marketer, f"Asset {number} of {title}")
            collections.add_item(collection, marketer, asset, f"Why {number}")
        db.session.commit()
        return collection

    return make


def order(collection: Collection) -> list[tuple[int, str]]:
    """(position, note) of every stored item, by position, bypassing the session cache."""
    db.session.expire_all()
    rows = db.session.execute(
        select(CollectionItem.position, CollectionItem.note)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(CollectionItem.position)
    )
    return [tuple(row) for row in rows]


def item_at(collection: Collection, position: int) -> CollectionItem:
    return db.session.scalar(
        select(CollectionItem).where(
            CollectionItem.collection_id == collection.id, CollectionItem.position == position
        )
    )


def archive(asset) -> None:
    transition(asset, asset.owner, "archive", "Out of date.")
    db.session.commit()


# ---- ordering --------------------------------------------------------------------------


def test_items_are_numbered_in_the_order_they_were_added(build):
    collection = build(3)
    assert order(collection) == [(1, "Why 1"), (2, "Why 2"), (3, "Why 3")]


def test_moving_swaps_neighbours_and_stops_at_the_ends(build, users):
    collection = build(3)
    marketer = users["marketer"]
    assert collections.move_item(item_at(collection, 3), marketer, "up") is True
    db.session.commit()
    assert order(collection) == [(1, "Why 1"), (2, "Why 3"), (3, "Why 2")]
    assert collections.move_item(item_at(collection, 1), marketer, "down") is True
    db.session.commit()
    assert order(collection) == [(1, "Why 3"), (2, "Why 1"), (3, "Why 2")]
    assert collections.move_item(item_at(collection, 1), marketer, "up") is False
    assert collections.move_item(item_at(collection, 3), marketer, "down") is False
    with pytest.raises(ValidationFailed):
        collections.move_item(item_at(collection, 2), marketer, "sideways")


def test_removing_closes_the_gap(build, users):
    collection = build(4)
    collections.remove_item(item_at(collection, 2), users["marketer"])
    db.session.commit()
    assert order(collection) == [(1, "Why 1"), (2, "Why 3"), (3, "Why 4")]
    collections.remove_item(item_at(collection, 1), users["marketer"])
    db.session.commit()
    assert order(collection) == [(1, "Why 3"), (2, "Why 4")]
    later = make_asset(users["marketer"], "Added after")
    item = collections.add_item(collection, users["marketer"], later, "Last")
    db.session.commit()
    assert item.position == 3


def test_an_asset_appears_once_and_must_be_live(build, users):
    collection = build(1)
    marketer = users["marketer"]
    present = item_at(collection, 1).asset
    with pytest.raises(Conflict):
        collections.add_item(collection, marketer, present, "again")
    draft = make_asset(marketer, "Unpublished", publish=False)
    with pytest.raises(ValidationFailed) as refused:
        collections.add_item(collection, marketer, draft)
    assert refused.value.fields == {"asset": collections.ASSET_NOT_LIVE}
    with pytest.raises(ValidationFailed):
        collections.add_item(collection, marketer, None)
    db.session.rollback()
    assert order(collection) == [(1, "Why 1")]


def test_notes_titles_and_descriptions_are_checked(build, users):
    collection = build(1)
    marketer = users["marketer"]
    with pytest.raises(ValidationFailed) as refused:
        collections.edit_note(item_at(collection, 1), marketer, "x" * 501)
    assert "note" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        collections.update_collection(collection, marketer, "   ", "")
    assert refused.value.fields == {"title": collections.TITLE_MISSING}
    collections.edit_note(item_at(collection, 1), marketer, "  Read before your first call. ")
    collections.update_collection(collection, marketer, " Competitive   play ", "vs Acme")
    db.session.commit()
    assert order(collection) == [(1, "Read before your first call.")]
    assert (collection.title, collection.description) == ("Competitive play", "vs Acme")


def test_deleting_a_collection_takes_its_items_and_paths(build, users):
    collection = build(2)
    paths.assign(collection, users["leader"], [users["rep"]])
    paths.mark(item_at(collection, 1), users["rep"], True)
    db.session.commit()
    collections.delete_collection(collection, users["marketer"])
    db.session.commit()
    for model in (Collection, CollectionItem, PathAssignment, ItemDone):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


# ---- rules -----------------------------------------------------------------------------


def test_who_may_build_edit_assign_and_follow(build, users):
    collection = build(1)
    other_marketer = make_user("marketer", name="Otto Other")
    expected = {
        # role: (create, view, edit, delete, assign, view_progress)
        "rep": (False, True, False, False, False, False),
        "marketer": (True, True, True, True, True, True),
        "leader": (False, True, False, False, True, True),
        "admin": (True, True, True, True, True, True),
    }
    for role, (create, view, edit, delete, assign, follow) in expected.items():
        user = users[role]
        assert can(user, "create_collection") is create, role
        actual = [can(user, action, collection) for action in ("view", "edit", "delete")]
        assert actual == [view, edit, delete], role
        assert can(user, "assign", collection) is assign, role
        assert can(user, "view_progress", collection) is follow, role
    assert not can(other_marketer, "edit", collection)
    assert can(other_marketer, "assign", collection)


def test_services_refuse_people_without_the_right(build, users):
    collection = build(1)
    with pytest.raises(PermissionDenied):
        collections.create_collection(users["rep"], "Mine")
    with pytest.raises(PermissionDenied):
        collections.create_collection(users["leader"], "Mine")
    other = make_user("marketer")
    for act in (
        lambda: collections.update_collection(collection, other, "Taken", ""),
        lambda: collections.move_item(item_at(collection, 1), other, "down"),
        lambda: collections.remove_item(item_at(collection, 1), other),
        lambda: collections.delete_collection(collection, other),
        lambda: paths.assign(collection, users["rep"], [users["rep"]]),
    ):
        with pytest.raises(PermissionDenied):
            act()
    collections.update_collection(collection, users["admin"], "Renamed by an admin", "")


def test_only_the_rep_on_the_path_marks_items(build, users):
    collection = build(1)
    other_rep = make_user("rep")
    paths.assign(collection, users["marketer"], [users["rep"]])
    db.session.commit()
    for someone in (other_rep, users["leader"], users["marketer"]):
        with pytest.raises(PermissionDenied):
            paths.mark(item_at(collection, 1), someone, True)


def test_readers_see_only_items_whose_asset_they_may_see(build, users):
    collection = build(3)
    archived = item_at(collection, 2).asset
    archive(archived)
    # A draft can no longer be added, but one may become a draft-only asset in other ways;
    # simulate an item whose asset was never live.
    never_live = make_asset(users["marketer"], "Never live", publish=False)
    db.session.add(
        CollectionItem(collection_id=collection.id, asset=never_live, position=4, note="")
    )
    db.session.commit()
    rep_view = collections.entries(collection, users["rep"])
    assert [(e.item.position, e.visible, e.available) for e in rep_view] == [
        (1, True, True),
        (2, False, False),
        (3, True, True),
    ]
    marketer_view = collections.entries(collection, users["marketer"])
    assert [(e.visible, e.available) for e in marketer_view] == [
        (True, True),
        (True, False),
        (True, True),
        (True, False),
    ]


# ---- assigning -------------------------------------------------------------------------


def notifications_of(user) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "path_assigned"
        )
    ).all()


def test_assigning_tells_each_rep_once(build, users):
    collection = build(2)
    due = local_today() + timedelta(days=30)
    assigned, already = paths.assign(collection, users["leader"], [users["rep"]], due)
    db.session.commit()
    assert (assigned, already) == ([users["rep"]], [])
    assigned, already = paths.assign(collection, users["marketer"], [users["rep"]])
    db.session.commit()
    assert (assigned, already) == ([], [users["rep"]])
    rows = db.session.scalars(select(PathAssignment)).all()
    assert [(row.rep_id, row.due_on, row.assigned_by_id) for row in rows] == [
        (users["rep"].id, due, users["leader"].id)
    ]
    (notice,) = notifications_of(users["rep"])
    assert "New rep: first 30 days" in notice.text
    assert notice.link == f"/collections/{collection.id}"


def test_assigning_checks_reps_due_date_and_items(build, users):
    collection = build(1)
    leader = users["leader"]
    inactive = make_user("rep")
    inactive.active = False
    db.session.commit()
    cases = [
        ([], None, "reps"),
        ([users["marketer"]], None, "reps"),
        ([inactive], None, "reps"),
        ([users["rep"]], local_today() - timedelta(days=1), "due_on"),
    ]
    for reps, due, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            paths.assign(collection, leader, reps, due)
        assert field in refused.value.fields
    empty = collections.create_collection(users["marketer"], "Nothing yet")
    with pytest.raises(ValidationFailed, match="at least one item"):
        paths.assign(empty, leader, [users["rep"]])
    assert db.session.scalar(select(func.count(PathAssignment.id))) == 0


def test_concurrent_assigning_stores_one_path_and_one_notice(app, build, users):
    collection = build(1)
    ids = (collection.id, users["rep"].id)
    barrier = threading.Barrier(2)

    def worker(actor_id):
        def work():
            with app.app_context():
                try:
                    actor, rep = db.session.get(User, actor_id), db.session.get(User, ids[1])
                    target = db.session.get(Collection, ids[0])
                    barrier.wait(timeout=10)
                    assigned, _ = paths.assign(target, actor, [rep])
                    db.session.commit()
                    return len(assigned)
                finally:
                    db.session.remove()

        return work

    results = run_together([worker(users["leader"].id), worker(users["marketer"].id)])
    assert sorted(results) == [0, 1], results
    assert db.session.scalar(select(func.count(PathAssignment.id))) == 1
    assert len(notifications_of(users["rep"])) == 1


# ---- marking and progress --------------------------------------------------------------


def rep_progress(collection, rep) -> paths.Progress:
    (row,) = paths.progress_table(collection, rep)
    return row


def test_marking_twice_stores_one_row_and_undo_removes_it(build, users):
    collection = build(2)
    rep = users["rep"]
    paths.assign(collection, users["leader"], [rep])
    first = item_at(collection, 1)
    paths.mark(first, rep, True)
    paths.mark(first, rep, True)
    db.session.commit()
    assert db.session.scalar(select(func.count(ItemDone.id))) == 1
    progress = rep_progress(collection, rep)
    assert (progress.done, progress.total, progress.next_item.position) == (1, 2, 2)
    assert progress.last_activity is not None
    paths.mark(first, rep, False)
    paths.mark(first, rep, False)
    db.session.commit()
    assert db.session.scalar(select(func.count(ItemDone.id))) == 0
    assert rep_progress(collection, rep).done == 0


def test_progress_counts_items_added_later_as_not_done(build, users):
    collection = build(2)
    rep = users["rep"]
    paths.assign(collection, users["leader"], [rep])
    for position in (1, 2):
        paths.mark(item_at(collection, position), rep, True)
    db.session.commit()
    assert rep_progress(collection, rep).complete
    later = make_asset(users["marketer"], "Pricing update")
    collections.add_item(collection, users["marketer"], later, "New this quarter")
    db.session.commit()
    progress = rep_progress(collection, rep)
    assert (progress.done, progress.total, progress.complete) == (2, 3, False)
    assert progress.next_item.asset_id == later.id


def test_archived_items_leave_the_total_and_the_done_count(build, users):
    collection = build(3)
    rep = users["rep"]
    paths.assign(collection, users["leader"], [rep])
    paths.mark(item_at(collection, 1), rep, True)
    paths.mark(item_at(collection, 2), rep, True)
    db.session.commit()
    archive(item_at(collection, 2).asset)
    progress = rep_progress(collection, rep)
    assert (progress.done, progress.total) == (1, 2)
    with pytest.raises(Conflict):
        paths.mark(item_at(collection, 2), rep, True)
    # Not-done on an archived item is allowed, and the rep can still finish the rest.
    paths.mark(item_at(collection, 3), rep, True)
    db.session.commit()
    assert rep_progress(collection, rep).complete


def test_overdue_means_past_due_and_unfinished(build, users):
    collection = build(1)
    rep = users["rep"]
    paths.assign(collection, users["leader"], [rep], local_today())
    db.session.commit()
    assignment = paths.assignment_of(collection, rep)
    assignment.due_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert rep_progress(collection, rep).overdue
    paths.mark(item_at(collection, 1), rep, True)
    db.session.commit()
    assert not rep_progress(collection, rep).overdue


def test_leaders_see_every_rep_and_a_rep_only_themselves(build, users):
    collection = build(2)
    other = make_user("rep", name="Aaron Another")
    paths.assign(collection, users["leader"], [users["rep"], other])
    paths.mark(item_at(collection, 1), other, True)
    db.session.commit()
    rows = paths.progress_table(collection, users["leader"])
    assert [(row.assignment.rep.name, row.done, row.total) for row in rows] == [
        ("Aaron Another", 1, 2),
        ("Riley Rep", 0, 2),
    ]
    assert [row.assignment.rep_id for row in paths.progress_table(collection, other)] == [other.id]
    outsider = make_user("rep")
    assert paths.progress_table(collection, outsider) == []


def test_my_paths_lists_unfinished_paths_first(build, users):
    first = build(1, "Competitive play vs Acme")
    second = build(2, "New rep: first 30 days")
    rep = users["rep"]
    paths.assign(first, users["leader"], [rep])
    paths.assign(second, users["leader"], [rep])
    paths.mark(item_at(first, 1), rep, True)
    db.session.commit()
    mine = paths.my_paths(rep)
    assert [(p.assignment.collection.title, p.done, p.total) for p in mine] == [
        ("New rep: first 30 days", 0, 2),
        ("Competitive play vs Acme", 1, 1),
    ]
    assert paths.my_paths(users["leader"]) == []


# ---- concurrent writers to one collection ----------------------------------------------


def test_concurrent_adds_keep_every_item_and_positions_1_to_n(app, build, users):
    collection = build(1)
    marketer = users["marketer"]
    assets = [make_asset(marketer, f"Concurrent {n}").id for n in range(4)]
    barrier = threading.Barrier(len(assets))

    def adder(asset_id):
        def work():
            with app.app_context():
                try:
                    from content.library.models import Asset

                    actor = db.session.get(User, marketer.id)
                    target = db.session.get(Collection, collection.id)
                    asset = db.session.get(Asset, asset_id)
                    barrier.wait(timeout=10)
                    collections.add_item(target, actor, asset, f"note {asset_id}")
                    db.session.commit()
                    return "ok"
                finally:
                    db.session.remove()

        return work

    results = run_together([adder(asset_id) for asset_id in assets])
    assert results == ["ok"] * len(assets)
    positions = [position for position, _ in order(collection)]
    assert positions == [1, 2, 3, 4, 5]


def test_concurrent_moves_and_removes_never_break_the_order(app, build, users):
    collection = build(5)
    marketer_id = users["marketer"].id
    item_ids = [item_at(collection, n).id for n in range(1, 6)]
    barrier = threading.Barrier(4)

    def acting(item_id, act):
        def work():
            with app.app_context():
                try:
                    actor = db.session.get(User, marketer_id)
                    item = db.session.get(CollectionItem, item_id)
                    barrier.wait(timeout=10)
                    act(item, actor)
                    db.session.commit()
                    return "ok"
                finally:
                    db.session.remove()

        return work

    results = run_together(
        [
            acting(item_ids[0], lambda item, actor: collections.move_item(item, actor, "down")),
            acting(item_ids[1], lambda item, actor: collections.remove_item(item, actor)),
            acting(item_ids[3], lambda item, actor: collections.move_item(item, actor, "up")),
            acting(item_ids[4], lambda item, actor: collections.remove_item(item, actor)),
        ]
    )
    assert results == ["ok"] * 4, results
    stored = order(collection)
    assert [position for position, _ in stored] == [1, 2, 3]
    assert sorted(note for _, note in stored) == ["Why 1", "Why 3", "Why 4"]
