"""The one guard for integers that reach the database from outside.

Ids and other ``Integer`` columns are 32-bit on PostgreSQL, and SQLite refuses anything
past 64 bits: a larger number from a URL, a query string, a form, a JSON body or a CSV
file makes the driver raise (a 500) instead of finding nothing. Every integer a user
sends goes through these helpers first, so an out-of-range or negative value is a 422
that names the field (a 404 for an id in the URL, see ``portal.IdConverter``).

This module imports nothing from the feature packages, so every layer may use it.
"""

from portal.kernel.errors import ValidationFailed

ID_MAX = 2**31 - 1  # Integer columns: ids, positions, counts
BIGINT_MAX = 2**63 - 1  # BigInteger columns: amounts in cents
NOT_AN_ID = 0  # no row has it: what a text that is not an id reads as


def range_message(name: str, low: int, high: int) -> str:
    """The message for field ``name`` holding something other than a whole number from
    ``low`` to ``high``."""
    return f"{name.replace('_', ' ').capitalize()} must be a whole number from {low:,} to {high:,}."


def is_id(value) -> bool:
    """Whether ``value`` is an int (not a bool) that can be a row's id."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX


def json_int(data: dict, name: str, *, low: int = 1, high: int = ID_MAX, message=None):
    """The integer field ``name`` of a JSON body, or None when it is absent or null.

    Booleans are ints in Python but not numbers in JSON: they are refused like any other
    non-integer. Anything else outside ``low``..``high`` is a 422 naming the field.
    """
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        text = message or range_message(name, low, high)
        raise ValidationFailed(text, {name: text})
    return value


def json_id(data: dict, name: str, *, required: bool = False, message=None) -> int | None:
    """The id in field ``name`` of a JSON body (None when absent and not ``required``)."""
    text = message or f"Must be an id from 1 to {ID_MAX:,}."
    value = json_int(data, name, message=text)
    if value is None and required:
        raise ValidationFailed(text, {name: text})
    return value


def json_ids(data: dict, name: str, *, max_items: int, message=None) -> list[int]:
    """A list of ids in field ``name`` of a JSON body (absent or null: empty)."""
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items or not all(map(is_id, value)):
        text = message or f"Must be a list of at most {max_items} ids."
        raise ValidationFailed(text, {name: text})
    return value


def text_int(raw, name: str, *, low: int = 1, high: int = ID_MAX, default=None, message=None):
    """An integer typed as text (a query argument, a form field): blank reads as
    ``default``; anything but plain digits within ``low``..``high`` is a 422 naming
    ``name``."""
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return default
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 20 else None
    if number is None or not low <= number <= high:
        text = message or range_message(name, low, high)
        raise ValidationFailed(text, {name: text})
    return number


def text_id(raw) -> int:
    """The id typed as text, or NOT_AN_ID when it is not one (blank, signed, not digits,
    out of range): for selects and filters, where the field's own "choose one" message or
    an empty result says more than a range error would."""
    text = "" if raw is None else str(raw).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return NOT_AN_ID
    number = int(text)
    return number if 1 <= number <= ID_MAX else NOT_AN_ID
