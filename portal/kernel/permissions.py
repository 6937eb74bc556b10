"""The one place that answers "may this user do this action on this object".

Packages register rules with :func:`rule`; views, the API and templates call :func:`can`.
An unknown (action, type) pair is refused, so a forgotten rule fails closed.
"""

from collections.abc import Callable
from typing import Any

_RULES: dict[tuple[str, type | None], Callable[[Any, Any], bool]] = {}


def rule(action: str, subject: type | None = None):
    """Register the function deciding ``action`` on objects of ``subject`` (None: no object)."""

    def register(func: Callable[[Any, Any], bool]):
        _RULES[(action, subject)] = func
        return func

    return register


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


def registered_actions() -> list[tuple[str, type | None]]:
    """All registered (action, subject type) pairs, for the permission matrix tests."""
    return sorted(_RULES, key=lambda key: (key[0], getattr(key[1], "__name__", "")))
