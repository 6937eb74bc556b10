"""The one state-machine engine: assets, posts and content requests are each a Machine,
a table of transitions with its labels, guards and effects, moved only by :func:`apply`.

A step checks the table, ``can()`` and the machine's guard, claims the row with one
conditional UPDATE (so of two people acting at once the second is refused), lets the
machine change the row, sets the new state, writes the audit event through the machine's
``record`` and runs the machine's effects (notifications, linked work), all in the
caller's transaction: a refused or rolled-back step leaves no trace.

The kernel knows no feature, so the audit writer is passed in with each machine.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from portal.kernel.errors import Conflict
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.permissions import can
from portal.kernel.sql import rows_changed

Transitions = dict[tuple[str, str], str]


@dataclass
class Step:
    """One transition as it is taken; ``enter`` may settle ``to_state`` (an approval that
    does not yet meet the sign-off policy leaves the asset in review)."""

    machine: "Machine"
    subject: Any
    actor: Any
    action: str
    from_state: str
    to_state: str
    context: dict

    @property
    def comment(self) -> str:
        """The comment written to the audit event (empty when none was given)."""
        return self.context.get("comment", "")


def _no_reason(_subject, _actor, _action: str) -> str | None:
    return None


def _no_check(_step: Step) -> None:
    return None


def _no_change(_step: Step) -> None:
    return None


def _no_condition(_subject) -> tuple:
    return ()


@dataclass
class Machine:
    """A workflow's states and transitions, and what runs around each step.

    ``transitions`` are taken by people: each action has a ``can()`` rule and a button.
    ``system_transitions`` are taken by the application as the consequence of another
    change (an edit after sign-off, a withdrawn approval, a publish that fulfils a
    request): no rule, no button, but the same audit event.
    """

    name: str  # the audit log's subject type
    noun: str  # how refusals name the subject
    transitions: Transitions
    record: Callable[[Step], Any]  # writes the audit event and returns it
    state_labels: dict[str, str]
    action_labels: dict[str, str]  # the buttons
    # How an action reads in a refusal where its name does not ("request changes on").
    verbs: dict[str, str] = field(default_factory=dict)
    event_labels: dict[str, str] = field(default_factory=dict)  # the history
    system_transitions: Transitions = field(default_factory=dict)
    # Why an action the table and role allow cannot be taken now (hides its button).
    guard: Callable[[Any, Any, str], str | None] = _no_reason
    # Checks the step's input; raises ValidationFailed or Conflict.
    check: Callable[[Step], None] = _no_check
    # Changes the row while it is claimed, before the new state is set.
    enter: Callable[[Step], None] = _no_change
    # Further conditions of the claim (nobody saved a newer revision meanwhile).
    claim: Callable[[Any], tuple] = _no_condition
    refuse_state: Callable[[Any, str], str] | None = None
    refuse_role: Callable[[Any, Any, str], str] | None = None
    effects: list[Callable[[Any, Any, Any], None]] = field(default_factory=list)

    @property
    def table(self) -> Transitions:
        """Every transition, taken by people or by the system."""
        return {**self.transitions, **self.system_transitions}

    @property
    def states(self) -> set[str]:
        """Every state a transition leaves or reaches."""
        return {state for state, _ in self.table} | set(self.table.values())

    def state_label(self, state: str) -> str:
        """How a state reads on a page."""
        return self.state_labels.get(state, state.replace("_", " ").capitalize())

    def verb(self, action: str) -> str:
        """How ``action`` reads in a refusal: "You cannot <verb> ..."."""
        return self.verbs.get(action, action.replace("_", " ")) or "do that to"

    def event_label(self, action: str) -> str:
        """How a step reads in a history."""
        return self.event_labels.get(action, action.replace("_", " ").capitalize())

    def after(self, effect: Callable[[Any, Any, Any], None]) -> Callable:
        """Register ``effect(subject, actor, event)``, run in the step's transaction after
        every step of this machine (notifications, work linked to the subject)."""
        if effect not in self.effects:
            self.effects.append(effect)
        return effect


def allowed_actions(machine: Machine, subject, actor: User) -> list[str]:
    """The transitions ``actor`` may take on ``subject`` now, in table order: the buttons
    pages show and the actions refusals name."""
    return [
        action
        for (state, action) in machine.transitions
        if state == subject.status
        and can(actor, action, subject)
        and machine.guard(subject, actor, action) is None
    ]


def refusal(machine: Machine, subject, actor: User, message: str) -> Conflict:
    """The one refusal: ``message`` and the actions ``actor`` may take instead."""
    allowed = allowed_actions(machine, subject, actor)
    return Conflict(f"{message} Allowed now: {', '.join(allowed) or 'none'}.", allowed=allowed)


def _wrong_state(machine: Machine, subject, action: str) -> str:
    if machine.refuse_state is not None:
        return machine.refuse_state(subject, action)
    label = machine.state_label(subject.status).lower()
    article = "an" if machine.noun[0] in "aeiou" else "a"
    return f"You cannot {machine.verb(action)} {article} {machine.noun} that is {label}."


def _wrong_role(machine: Machine, subject, actor: User, action: str) -> str:
    if machine.refuse_role is not None:
        return machine.refuse_role(subject, actor, action)
    return f"Your role does not allow you to {machine.verb(action)} this {machine.noun}."


def can_step(machine: Machine, subject, action: str) -> bool:
    """Whether the system step ``action`` applies to ``subject`` in its state now."""
    return (subject.status, action) in machine.system_transitions


def apply(machine: Machine, subject, action: str, actor: User, *, system: bool = False, **context):
    """Move ``subject`` by ``action`` and return the audit event, in the caller's transaction.

    ``system`` steps come from ``system_transitions`` and need no ``can()`` rule; the
    others from ``transitions``. Refusals raise Conflict naming the allowed actions. The
    row stays locked by the claim until commit, so the second of two people acting at
    once sees what the first did.
    """
    from_state = subject.status
    table = machine.system_transitions if system else machine.transitions
    to_state = table.get((from_state, action))
    if to_state is None:
        raise refusal(machine, subject, actor, _wrong_state(machine, subject, action))
    if not system:
        if not can(actor, action, subject):
            raise refusal(machine, subject, actor, _wrong_role(machine, subject, actor, action))
        reason = machine.guard(subject, actor, action)
        if reason:
            raise refusal(machine, subject, actor, reason)
    step = Step(machine, subject, actor, action, from_state, to_state, context)
    machine.check(step)
    _claim(machine, subject, actor, action, from_state)
    machine.enter(step)
    # The new state goes through the ORM so that session listeners (the search outbox)
    # see every transition, as they see every edit.
    subject.status = step.to_state
    subject.updated_at = utcnow()
    event = machine.record(step)
    db.session.flush()
    for effect in machine.effects:
        effect(subject, actor, event)
    return event


def claim_row(row, *conditions) -> bool:
    """Lock ``row`` for the caller's transaction if it still meets ``conditions``, with one
    conditional UPDATE that touches its ``updated_at``; returns whether it did. Of two
    writers the second waits for the first to commit and then finds the row changed, so
    a check made before the write cannot be outdated by it."""
    model = type(row)
    return (
        rows_changed(
            update(model)
            .where(model.id == row.id, *conditions)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        == 1
    )


def _claim(machine: Machine, subject, actor: User, action: str, from_state: str) -> None:
    """Lock the row if it is still in ``from_state`` (and meets the machine's claim);
    otherwise refuse with what changed."""
    model = type(subject)
    claimed = claim_row(subject, model.status == from_state, *machine.claim(subject))
    db.session.refresh(subject)
    if claimed:
        return
    if subject.status != from_state:
        raise refusal(machine, subject, actor, _wrong_state(machine, subject, action))
    message = f"Someone else changed this {machine.noun} a moment ago; reload to see it."
    raise refusal(machine, subject, actor, message)
