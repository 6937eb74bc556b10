"""People acting on one post at the same moment never produce an impossible state, on
SQLite and PostgreSQL: of two conflicting steps exactly one wins and the other is refused.

Each worker thread has its own app context, session and connection; a barrier releases
them together after each has read the post, so only the database can tell them apart.
"""

import threading

from sqlalchemy import func, select

from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.notifications import Notification
from tests.factories import assert_no_errors, run_together
from tests.workflows.post_factories import draft, walk
from workflows.audit.models import WorkflowEvent
from workflows.posts import services as posts
from workflows.posts.machine import transition
from workflows.posts.models import GhostPost, GhostPostRevision

WORKERS = 4


def _in_own_session(app, act):
    def work():
        with app.app_context():
            try:
                try:
                    result = act()
                except Conflict:
                    db.session.rollback()
                    return "refused"
                db.session.commit()
                return result
            finally:
                db.session.remove()

    return work


def _stored(post_id: int) -> tuple:
    db.session.expire_all()
    post = db.session.get(GhostPost, post_id)
    events = db.session.scalar(
        select(func.count(WorkflowEvent.id)).where(
            WorkflowEvent.subject_type == "post", WorkflowEvent.subject_id == post_id
        )
    )
    revisions = db.session.scalar(
        select(func.count(GhostPostRevision.id)).where(GhostPostRevision.post_id == post_id)
    )
    return post.status, events, revisions, post.rounds


def test_the_rep_approving_while_saving_an_edit_never_approves_unseen_words(app, people):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    post_id, rep_id, base = post.id, people["rep"].id, post.latest_revision_id
    _, events_before, _, _ = _stored(post_id)
    barrier = threading.Barrier(2)

    def approve():
        rep = db.session.get(User, rep_id)
        target = db.session.get(GhostPost, post_id)
        barrier.wait(timeout=10)
        return transition(target, rep, "approve").to_state

    def edit():
        rep = db.session.get(User, rep_id)
        target = db.session.get(GhostPost, post_id)
        barrier.wait(timeout=10)
        return posts.revise_post(target, rep, base, "Why pipelines stall", "My words.").number

    results = run_together([_in_own_session(app, approve), _in_own_session(app, edit)])

    assert_no_errors(results)
    assert sorted(map(str, results)).count("refused") == 1, results
    status, events, revisions, _ = _stored(post_id)
    if results[0] == "approved":  # the approval won: the edit was refused
        assert (status, events, revisions) == ("approved", events_before + 1, 1)
    else:  # the edit won: the approval of the old words was refused
        assert results[1] == 2
        assert (status, events, revisions) == ("with_rep", events_before, 2)


def test_several_writers_sending_at_once_send_the_post_once(app, people):
    post = draft(people["writer"], people["rep"])
    post_id, writer_ids = post.id, [people["writer"].id, people["admin"].id] * (WORKERS // 2)
    barrier = threading.Barrier(WORKERS)

    def send(actor_id):
        def act():
            actor = db.session.get(User, actor_id)
            target = db.session.get(GhostPost, post_id)
            barrier.wait(timeout=10)
            return transition(target, actor, "send_to_rep").to_state

        return _in_own_session(app, act)

    results = run_together([send(actor_id) for actor_id in writer_ids])

    assert_no_errors(results)
    assert sorted(results) == ["refused"] * (WORKERS - 1) + ["with_rep"]
    assert _stored(post_id) == ("with_rep", 1, 1, 1)


def test_two_editors_saving_on_the_same_revision_keep_one_save(app, people):
    post = draft(people["writer"], people["rep"])
    post_id, base = post.id, post.latest_revision_id
    editors = [people["writer"].id, people["admin"].id]
    barrier = threading.Barrier(2)

    def save(actor_id):
        def act():
            actor = db.session.get(User, actor_id)
            target = db.session.get(GhostPost, post_id)
            barrier.wait(timeout=10)
            return posts.revise_post(target, actor, base, "Title", f"Words by {actor_id}.").number

        return _in_own_session(app, act)

    results = run_together([save(actor_id) for actor_id in editors])

    assert_no_errors(results)
    assert sorted(map(str, results)) == ["2", "refused"]
    db.session.expire_all()
    saved = db.session.get(GhostPost, post_id)
    winner = editors[results.index(2)]
    assert saved.body == f"Words by {winner}."
    assert saved.latest_revision.author_id == winner


def test_the_rep_approving_and_asking_for_changes_at_once_takes_one_decision(app, people):
    post = walk(draft(people["writer"], people["rep"]), "with_rep")
    post_id, rep_id, writer_id = post.id, people["rep"].id, people["writer"].id
    _, events_before, _, _ = _stored(post_id)
    barrier = threading.Barrier(2)

    def decide(action, comment):
        def act():
            rep = db.session.get(User, rep_id)
            target = db.session.get(GhostPost, post_id)
            barrier.wait(timeout=10)
            return transition(target, rep, action, comment=comment).to_state

        return _in_own_session(app, act)

    results = run_together([decide("approve", ""), decide("request_changes", "Shorter, please.")])

    assert_no_errors(results)
    [decided] = [result for result in results if result != "refused"]
    assert results.count("refused") == 1
    status, events, _, _ = _stored(post_id)
    assert (status, events) == (decided, events_before + 1)
    told = db.session.scalars(
        select(Notification.kind).where(
            Notification.user_id == writer_id, Notification.kind != "post_sent"
        )
    ).all()
    assert told == ["post_approved" if decided == "approved" else "post_changes_requested"]
