"""Helpers shared by templates and views: flashing form errors, links, formatting."""

import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime
from types import FunctionType
from typing import Any, TypeVar

from flask import Flask, flash, request, url_for
from flask_login import current_user

from portal.kernel.errors import ValidationFailed
from portal.kernel.permissions import can

FiltersT = TypeVar("FiltersT")


def template_global(func):
    """Mark ``func`` as a template global; :func:`install_template_helpers` adds it to an
    application."""
    func.tandem_template_global = func.__name__
    return func


def template_filter(name: str):
    """Mark a template filter named ``name``, added like a template global."""

    def mark(func):
        func.tandem_template_filter = name
        return func

    return mark


def humanized(value: str) -> str:
    """A stored name read as words: ``in_review`` is "In review"."""
    return value.replace("_", " ").capitalize()


def label_global(
    name: str, labels: Mapping[str, str], fallback: Callable[[str], str] = humanized
) -> Callable[[str], str]:
    """A template global ``name`` that shows a stored value (a status, a kind) by its label
    in ``labels``; a value that has none is shown as ``fallback`` makes it (as words)."""

    def label(value: str) -> str:
        return labels.get(value, fallback(value))

    label.__name__ = label.__qualname__ = name
    # Like namedtuple: the global belongs to the module that declares it.
    label.__module__ = sys._getframe(1).f_globals["__name__"]
    return template_global(label)


def install_template_helpers(app: Flask, *modules) -> None:
    """Add the template globals and filters the ``modules`` mark to ``app``."""
    for module in modules:
        for value in vars(module).values():
            if not isinstance(value, FunctionType):
                continue
            if name := value.__dict__.get("tandem_template_global"):
                app.jinja_env.globals[name] = value
            if name := value.__dict__.get("tandem_template_filter"):
                app.jinja_env.filters[name] = value


def flash_form_errors(form) -> None:
    """Flash every field error of a form that failed validation."""
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None and name != "csrf_token" else None
        for error in errors:
            if name == "csrf_token":
                flash("The form expired or was not sent from this site. Please try again.", "error")
            else:
                flash(f"{label}: {error}" if label else error, "error")


def form_accepted(form) -> bool:
    """Whether the posted ``form`` is valid; when it is not, its errors are flashed (an
    expired or foreign form as "The form expired…")."""
    if form.validate_on_submit():
        return True
    flash_form_errors(form)
    return False


def flash_refusal(error) -> None:
    """Flash a service's refusal (a Conflict or ValidationFailed raised for a button, with
    no form to put messages beside): each field's message, or else its summary."""
    for message in list(error.fields.values()) or [error.message]:
        flash(message, "error")


def requested_filters(parse: Callable[[Any, Any], FiltersT], default: FiltersT) -> FiltersT:
    """The filters of a list page: what ``parse`` reads from the query string for the
    signed-in user; when it refuses some, each refusal is flashed and the page lists by
    ``default`` instead, so a bad link still shows a list."""
    try:
        return parse(request.args, current_user)
    except ValidationFailed as error:
        flash_refusal(error)
        return default


def flash_outcome(changed: bool, done: str, unchanged: str) -> None:
    """Flash ``done`` as a success when the action changed something, else ``unchanged``
    as news: pressing a button twice is not an error."""
    flash(done if changed else unchanged, "success" if changed else "info")


def flash_summary(error) -> None:
    """Flash a service's refusal by its summary alone, whatever fields it names."""
    flash(error.message, "error")


def show_field_errors(form, error) -> None:
    """Put a service's ValidationFailed messages beside the form fields they name, and
    flash its summary."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    flash(error.message, "error")


def url_with(_endpoint: str | None = None, **changes) -> str:
    """The current URL (or ``_endpoint``) keeping the query arguments, some replaced.

    A change to None or "" removes that argument.
    """
    args: dict[str, Any] = request.args.to_dict(flat=True)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    if _endpoint is not None:
        return url_for(_endpoint, **args)
    # Only pages call this, and a page's request always matched an endpoint.
    assert request.endpoint is not None
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def format_date(value) -> str:
    """A date as people read it everywhere in the portal: "15 Mar 2027". A datetime
    (stored in UTC) adds its time, "15 Mar 2027 14:30 UTC"; None is empty. The ``date``
    filter."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%-d %b %Y %H:%M UTC")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    return str(value)


def format_day(value) -> str:
    """Only the day of a date or datetime, "15 Mar 2027", where the time would be noise
    (a close date, a due date). The ``day`` filter."""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value)


def format_number(value, places: int = 0) -> str:
    """A count or amount with thousands separators: 12345 is "12,345"; ``places`` digits
    after the point for a fraction (``3.14159|number(1)`` is "3.1"). None is "—". The
    ``number`` filter."""
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool) and not places:
        return f"{value:,}"
    return f"{value:,.{places}f}"


def format_percent(share, places: int = 0) -> str:
    """A share (0.67) as a percent with no space before the sign, "67%"; None is "—".
    The ``percent`` filter."""
    if share is None:
        return "—"
    return f"{share * 100:.{places}f}%"


def format_days(days) -> str:
    """A duration given in days, in words that do not pretend to more precision than a
    median of a few deals has: under one day is "under a day"; then to the nearest half
    day, "1 day", "1.5 days", "12 days"; from 30 days, whole days. None is "—". The
    ``days`` filter."""
    if days is None:
        return "—"
    if days < 1:
        return "under a day"
    rounded = round(days * 2) / 2 if days < 30 else round(days)
    if rounded == 1:
        return "1 day"
    return f"{rounded:,.1f}".removesuffix(".0") + " days"


def format_size(size: int | None) -> str:
    if size is None:
        return ""
    amount = float(size)
    for unit in ("bytes", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{amount:.0f} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount} bytes"


def initials(name: str) -> str:
    """Up to two capital letters for a person's name, for the header's account button:
    "Riley Chen" is "RC", "Cher" is "C"."""
    words = name.split()
    picked = words[:1] + words[1:][-1:]
    return "".join(word[0] for word in picked).upper()


def register_template_helpers(app: Flask) -> None:
    """The helpers every template shares."""
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["initials"] = initials
    app.jinja_env.filters["date"] = format_date
    # A datetime reads the same under either name; "datetime" says so where one is meant.
    app.jinja_env.filters["datetime"] = format_date
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["days"] = format_days
    app.jinja_env.filters["filesize"] = format_size
    # A global, not a context processor, so imported macros can use it too.
    app.jinja_env.globals["can"] = lambda action, obj=None: can(current_user, action, obj)
