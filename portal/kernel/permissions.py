"""The one place that answers "may this user do this action on this object".

Features mark their rules with :func:`rule` and their ``register(app)`` installs them
(``portal.kernel.wiring.install``); views, the API and templates call :func:`can`. An
unknown (action, type) pair is refused, so a rule nobody installed fails closed.
"""

from collections.abc import Callable, Sequence
from types import FunctionType
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from portal.kernel.errors import NotFound
from portal.kernel.extensions import db

ModelT = TypeVar("ModelT")

_RULES: dict[tuple[str, type | None], Callable[[Any, Any], bool]] = {}


def rule(action: str, subject: type | None = None):
    """Mark the function deciding ``action`` on objects of ``subject`` (None: no object).
    Nothing is registered on import: :func:`install_rules` adds what a module marks."""

    def mark(func: Callable[[Any, Any], bool]):
        marks(func).append((action, subject))
        return func

    return mark


def marks(func) -> list[tuple[str, type | None]]:
    """The (action, subject) pairs ``func`` was marked to decide."""
    return func.__dict__.setdefault("tandem_rules", [])


def install_rules(*modules) -> None:
    """Add every rule the ``modules`` mark; installing again changes nothing."""
    for module in modules:
        for value in vars(module).values():
            if not isinstance(value, FunctionType):
                continue
            for key in value.__dict__.get("tandem_rules", ()):
                _RULES[key] = value


def can(user, action: str, obj: Any = None) -> bool:
    """Return True when ``user`` may take ``action`` on ``obj``.

    Anonymous and deactivated users may do nothing. Rules are looked up by the
    object's class (or its bases), then by ``None`` for actions without an object.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "active", False):
        return False
    if obj is None:
        check = _RULES.get((action, None))
    else:
        check = None
        for klass in type(obj).__mro__:
            check = _RULES.get((action, klass))
            if check is not None:
                break
    return bool(check(user, obj)) if check is not None else False


def require(action: str, obj: Any = None, *, status: int = 403) -> None:
    """Stop the request unless the signed-in user may take ``action`` on ``obj``: with 403
    for what they may see but not do, or 404 (``status``) where they may not know it exists."""
    if not can(current_user, action, obj):
        abort(status)


def registered_actions() -> list[tuple[str, type | None]]:
    """All registered (action, subject type) pairs, for the permission matrix tests."""
    return sorted(_RULES, key=lambda key: (key[0], getattr(key[1], "__name__", "")))


def get_visible(
    user, model: type[ModelT], object_id: int, missing: str, loads: Sequence = ()
) -> ModelT:
    """The ``model`` row ``object_id`` if ``user`` may see it; otherwise NotFound with the
    message ``missing``, whether it does not exist or is hidden (never a 403). ``loads``
    are loader options for what the caller reads of the row next."""
    found = db.session.get(model, object_id, options=loads)
    if found is None or not can(user, "view", found):
        raise NotFound(missing)
    return found
