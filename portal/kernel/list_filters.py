"""Reading a list page's filters from its query arguments, alike on every list.

A filter that is not understood is reported, never read as "no filter": a typo must not
widen the list. Each parser notes its problems in an ``errors`` dict, field by field, and
ends with :func:`check_filters`.
"""

from collections.abc import Collection, Mapping

from portal.kernel.errors import ValidationFailed


def search_words(args: Mapping[str, str], limit: int) -> str:
    """The ``q`` argument: the words to find, white space folded, at most ``limit``
    characters."""
    return " ".join((args.get("q") or "").split())[:limit]


def check_choice(
    errors: dict[str, str],
    name: str,
    value: str,
    choices: Collection[str],
    *,
    optional: bool = False,
) -> None:
    """Note in ``errors`` a ``value`` of filter ``name`` that is not one of ``choices``
    (an ``optional`` filter may also be empty)."""
    if value not in choices and not (optional and not value):
        errors[name] = f"Choose one of: {', '.join(choices)}."


def check_filters(errors: dict[str, str]) -> None:
    """Refuse the query arguments when any filter was not understood; ``errors`` names
    each one."""
    if errors:
        raise ValidationFailed("Some filters were not understood.", errors)
