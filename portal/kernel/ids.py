"""The one guard for integers that reach the database from outside.

Ids and other ``Integer`` columns are 32-bit on PostgreSQL, and SQLite refuses anything
past 64 bits: a larger number from a URL, a query string, a form, a JSON body or a CSV
file makes the driver raise (a 500) instead of finding nothing. Every integer a user
sends is bounded first, so an out-of-range or negative value is a 422 that names the
field: text (query strings, forms, CSV) through these helpers, JSON bodies through the
API schemas' ``Id`` and bounded fields (``portal.kernel.schemas``), and an id in the URL
is a 404 (``portal.kernel.web``'s id converter).

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
