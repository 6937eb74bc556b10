"""One request, one transaction: services flush, and the request commits once at its end.

``Portal`` is the application class. After a view returns a successful answer (2xx or 3xx)
it commits the session; any other answer, or an exception, rolls it back (the error handlers
in ``portal.kernel.errors`` roll back on exceptions). The commit runs inside the view's
dispatch, before the response is finalised and sent, so a commit that fails (a constraint,
a serialization failure) goes through the error handlers like any other exception and
answers the portal's 500 page or JSON error, never a half response.

``attempt`` is the block views share around a service call: on a refusal it rolls back
what the service flushed and shows why, so the view re-renders or redirects with nothing
saved. ``submit`` is a form page's whole block: validate, call the service, show refusals;
``press`` is a button's, whose refusals are flashed before the view redirects.

Work that must be committed at another moment keeps its own commit and says why (the API
token's last-used time, usage recorded quietly, the digest's claim, CLI commands).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, flash, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from portal.kernel.errors import Conflict, DomainError, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.routing import Route
from portal.kernel.templating import flash_form_errors, flash_refusal, show_field_errors


class Portal(Flask):
    """The portal's Flask application: each request that a view answers is one transaction."""

    url_rule_class = Route

    def dispatch_request(self) -> ResponseReturnValue:
        """Run the view, then commit its work if it answered 2xx or 3xx, or roll it back."""
        response = self.make_response(super().dispatch_request())
        if response.status_code < 400:
            db.session.commit()
        else:
            # A form re-rendered with its errors (422) or any other refusal keeps nothing.
            db.session.rollback()
        return response


class Attempt:
    """What happened to the service call made inside ``attempt``."""

    def __init__(self) -> None:
        self.refusal: DomainError | None = None

    @property
    def refused(self) -> bool:
        """True when the service refused; its changes were rolled back and shown."""
        return self.refusal is not None


@contextmanager
def attempt(
    form: FlaskForm | None = None,
    refusals: tuple[type[DomainError], ...] = (ValidationFailed, Conflict),
    show: Callable[[DomainError], None] | None = None,
) -> Iterator[Attempt]:
    """Run a service call; on one of ``refusals`` roll back and show it, then carry on.

    The refusal is shown by ``show`` when given, else beside the fields of ``form``, else
    flashed. The rollback comes first, so the page rendered next reads a clean session and
    the redirect that follows commits nothing the service flushed before refusing. Any other
    error propagates to the error handlers.
    """
    outcome = Attempt()
    try:
        yield outcome
    except refusals as error:
        db.session.rollback()
        outcome.refusal = error
        if show is not None:
            show(error)
        elif form is not None:
            show_field_errors(form, error)
        else:
            flash_refusal(error)


@dataclass
class Submission:
    """What ``submit`` did with a form: ``saved`` with the service's ``result``, or not, with
    the ``status`` to render the form again with (422 after a refused post) and the service's
    ``refusal`` if it refused."""

    saved: bool
    result: Any = None
    status: int = 200
    refusal: DomainError | None = None


def submit(
    form: FlaskForm,
    save: Callable[[], Any],
    refusals: tuple[type[DomainError], ...] = (ValidationFailed,),
    show: Callable[[DomainError], None] | None = None,
) -> Submission:
    """Validate a posted ``form`` and call ``save`` (the service call) with it.

    Invalid input is flashed; a refusal from ``save`` is rolled back and shown by ``show``
    when given, else its messages are put beside the form's fields. A form that is only
    displayed (GET) is neither.
    """
    if form.validate_on_submit():
        with attempt(form, refusals, show) as outcome:
            result = save()
        if not outcome.refused:
            return Submission(saved=True, result=result)
        return Submission(saved=False, status=422, refusal=outcome.refusal)
    if request.method == "POST":
        flash_form_errors(form)
    return Submission(saved=False, status=422 if request.method == "POST" else 200)


def press(
    form: FlaskForm,
    action: Callable[[], Any],
    refusals: tuple[type[DomainError], ...] = (ValidationFailed, Conflict),
    show: Callable[[DomainError], None] = flash_refusal,
    done: str | None = None,
) -> Submission:
    """A button's whole block: check its posted ``form`` (an expired one is flashed), then
    call ``action`` (the service call); a refusal is rolled back and flashed by ``show``.
    ``done`` is flashed as a success when the action went through; a view whose message
    depends on the outcome flashes it when ``saved``. The view redirects either way."""
    submission = submit(form, action, refusals, show)
    if submission.saved and done is not None:
        flash(done, "success")
    return submission
