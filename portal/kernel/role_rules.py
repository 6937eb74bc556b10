"""Rules that depend on the user's role (and the row's owner), declared in one line each.

Many actions are a plain "who may": create an asset, read every deal, triage feedback.
:func:`roles_may` builds that rule once and marks it for every action it decides, so a
feature lists its role-only actions instead of writing a function per action.
:func:`owner_or_roles_may` is the rule of rows a person owns and some roles read all of
(deals, requests, feedback), and :func:`own_or_all` the list query beside it. Rules that
read more of the object (a state, an invitation) stay functions marked with
``permissions.rule``.
"""

import sys
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import Select, select

from portal.kernel.permissions import can, rule

# An action without an object ("create_asset"), or an action on objects of a type.
Action = str | tuple[str, type]


def _declare(decide: Callable[[Any, Any], bool], actions: tuple[Action, ...]) -> None:
    """Mark ``decide`` for ``actions`` as the feature module that declares it would.

    The rule belongs to that module, not to this one, as ``collections.namedtuple`` names
    its class's module: the architecture test and anyone reading a rule's ``__module__``
    find the feature that declared it.
    """
    decide.__module__ = sys._getframe(2).f_globals["__name__"]
    for action in actions:
        name, subject = (action, None) if isinstance(action, str) else action
        rule(name, subject)(decide)


def roles_may(roles: Collection[str], *actions: Action) -> Callable[[Any, Any], bool]:
    """The rule granting ``actions`` to users whose role is in ``roles``, whatever the object.

    Assign the result to a module name: ``install_rules`` finds marked functions among a
    module's names, as it finds those decorated with ``rule``.
    """

    def decide(user, _subject) -> bool:
        return user.role in roles

    _declare(decide, actions)
    return decide


def owner_or_roles_may(owner: str, roles: Collection[str], *actions: Action) -> Callable:
    """The rule granting ``actions`` on a row to the user its ``owner`` column names (the
    rep of a deal, the author of feedback) and to every user whose role is in ``roles``."""

    def decide(user, subject) -> bool:
        return getattr(subject, owner) == user.id or user.role in roles

    _declare(decide, actions)
    return decide


def own_or_all(user, model: type, owner: Any, see_all: str) -> Select:
    """The visibility query beside an owner rule: every ``model`` row for a user granted
    ``see_all``, otherwise the rows whose ``owner`` column is theirs."""
    query: Select = select(model)
    if can(user, see_all):
        return query
    return query.where(owner == user.id)
