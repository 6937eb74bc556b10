"""The one state-machine engine, read through each machine's table: every transition in
the table works for someone allowed and writes one audit event; everything else is
refused naming the allowed actions; the system steps write their audit events too."""

import pytest
from sqlalchemy import func, select

from content.library.models import Stage
from portal.demo.seed import sign_off_and_publish
from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.machine import allowed_actions, apply
from tests.factories import reviewers
from tests.workflows.helpers import revise
from tests.workflows.post_factories import STEPS
from workflows.audit.models import WorkflowEvent
from workflows.posts.machine import POST
from workflows.requests.services import REQUEST, accept, decline, submit_request
from workflows.review import collaborators
from workflows.review.machine import ASSET, transition

MACHINES = {machine.name: machine for machine in (ASSET, POST, REQUEST)}
UNKNOWN = "delete"
# What each person-taken action needs besides the actor.
CONTEXT = {
    ("asset", "request_changes"): {"comment": "Cite the source."},
    ("content_request", "accept"): {"title": "ROI one-pager", "comment": "Started."},
    ("content_request", "decline"): {"comment": "We have one already."},
    **{("post", action): given for action, (_who, given) in STEPS.items()},
}


def taken_by_people() -> list[tuple[str, str, str, str]]:
    return [
        (name, state, action, to_state)
        for name, machine in MACHINES.items()
        for (state, action), to_state in machine.transitions.items()
    ]


def refused() -> list[tuple[str, str, str]]:
    """Every (state, action) a person may not take: pairs missing from the people's
    table, the system's own steps (nobody takes them by hand) and an action no table
    knows."""
    cases = []
    for name, machine in MACHINES.items():
        actions = sorted({action for _, action in machine.table}) + [UNKNOWN]
        for state in sorted(machine.states):
            cases += [
                (name, state, action)
                for action in actions
                if (state, action) not in machine.transitions
            ]
    return cases


def events(machine_name: str, subject_id: int) -> list[WorkflowEvent]:
    return db.session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.subject_type == machine_name, WorkflowEvent.subject_id == subject_id)
        .order_by(WorkflowEvent.id)
    ).all()


def event_total() -> int:
    return db.session.scalar(select(func.count(WorkflowEvent.id)))


@pytest.fixture
def subject_in(asset_in, post_in, users):
    """``subject_in(machine name, state)``: a committed subject of that machine in ``state``."""

    def request_in(state: str):
        stage = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
        content_request = submit_request(users["rep"], "A CFO one-pager, please.", stage)
        if state in {"accepted", "fulfilled"}:
            asset = accept(content_request, users["marketer"])
            if state == "fulfilled":
                sign_off_and_publish(asset, users["marketer"], [users["rep"], reviewers()[1]])
        elif state == "declined":
            decline(content_request, users["marketer"], "Not this quarter.")
        db.session.commit()
        assert content_request.status == state
        return content_request

    builders = {"asset": asset_in, "post": post_in, "content_request": request_in}
    return lambda name, state: builders[name](state)


@pytest.fixture
def allowed_person(actors, people, users):
    """``allowed_person(machine name, subject, action)``: someone who may take the action."""

    def pick(name: str, subject, action: str):
        if name == "asset":
            if action in {"approve", "request_changes"}:
                return actors["marketing_reviewer"]
            return actors["owner"]
        if name == "post":
            who = STEPS[action][0] if action in STEPS else "ghostwriter"
            return getattr(subject, who)
        return users["marketer"]

    return pick


@pytest.mark.parametrize(("name", "state", "action", "to_state"), taken_by_people())
def test_every_transition_in_a_table_works_and_writes_one_audit_event(
    subject_in, allowed_person, actors, name, state, action, to_state
):
    machine = MACHINES[name]
    subject = subject_in(name, state)
    if (name, action) == ("asset", "approve"):  # dual sign-off: the sales side first
        transition(subject, actors["sales_reviewer"], "approve")
        db.session.commit()
    actor = allowed_person(name, subject, action)
    before = events(name, subject.id)
    assert action in allowed_actions(machine, subject, actor)

    event = apply(machine, subject, action, actor, **CONTEXT.get((name, action), {}))
    db.session.commit()

    assert subject.status == to_state
    new = [e for e in events(name, subject.id) if e not in before]
    assert [(e.id, e.action, e.from_state, e.to_state, e.actor_id) for e in new] == [
        (event.id, action, state, to_state, actor.id)
    ]


@pytest.mark.parametrize(("name", "state", "action"), refused())
def test_every_other_action_is_refused_naming_the_allowed_ones(
    subject_in, allowed_person, name, state, action
):
    machine = MACHINES[name]
    subject = subject_in(name, state)
    actor = allowed_person(name, subject, action)
    total = event_total()

    with pytest.raises(Conflict) as refusal:
        apply(machine, subject, action, actor, comment="Why not?")
    db.session.rollback()

    allowed = allowed_actions(machine, subject, actor)
    assert refusal.value.allowed == allowed
    assert refusal.value.message.endswith(f"Allowed now: {', '.join(allowed) or 'none'}.")
    assert (subject.status, event_total()) == (state, total)


@pytest.mark.parametrize(("state", "to_state"), [("approved", "in_review"), ("published", "draft")])
def test_an_edit_after_sign_off_is_a_revise_step_in_the_audit_log(
    asset_in, actors, state, to_state
):
    asset = asset_in(state)
    co_author = actors["owner"]

    revision = revise(asset, co_author, "A sharper second take.")

    assert asset.status == to_state
    latest = events("asset", asset.id)[-1]
    assert (latest.action, latest.from_state, latest.to_state, latest.actor_id) == (
        "revise",
        state,
        to_state,
        co_author.id,
    )
    assert latest.revision_number == revision.number


def test_an_edit_of_a_draft_changes_no_state_and_writes_no_event(asset_in, actors):
    asset = asset_in("draft")
    before = len(events("asset", asset.id))

    revise(asset, actors["owner"], "Still drafting.")

    assert (asset.status, len(events("asset", asset.id))) == ("draft", before)


def test_a_withdrawn_approval_is_a_step_in_the_audit_log(asset_in, actors):
    asset = asset_in("approved")

    collaborators.remove(asset, actors["owner"], actors["sales_reviewer"].id)
    db.session.commit()

    latest = events("asset", asset.id)[-1]
    assert (asset.status, latest.action, latest.actor_id) == (
        "in_review",
        "withdraw_approval",
        actors["owner"].id,
    )


def test_publishing_the_draft_fulfils_the_request_as_a_system_step(subject_in, users):
    content_request = subject_in("content_request", "accepted")

    sign_off_and_publish(content_request.asset, users["marketer"], [users["rep"], reviewers()[1]])
    db.session.commit()

    latest = events("content_request", content_request.id)[-1]
    assert (content_request.status, latest.action, latest.to_state) == (
        "fulfilled",
        "fulfil",
        "fulfilled",
    )
