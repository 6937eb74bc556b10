"""HTML routes for content requests: the list (a rep's own or the marketing inbox), the
form to ask for content, and a request's page where marketers accept or decline it."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from content.library.browsing import taxonomy_choices
from content.library.models import Persona, Stage
from portal.kernel.extensions import db
from portal.kernel.forms import NONE_CHOSEN
from portal.kernel.models import User
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import label_global, requested_filters, template_global
from portal.kernel.transaction import Submission, press, submit
from workflows.requests import services as requests
from workflows.requests.forms import AcceptForm, DeclineForm, RequestForm
from workflows.requests.models import ContentRequest

bp = Blueprint("requests", __name__)


request_status_label = label_global("request_status_label", requests.STATUS_LABELS, str.capitalize)


@template_global
def request_actions(content_request) -> list[str]:
    """The forms the request page shows to the signed-in user."""
    return requests.allowed_actions(content_request, current_user)


def _show(content_request):
    return redirect(url_for(".show", request_id=content_request.id))


@bp.get("/requests")
@login_required
def index():
    filters = requested_filters(requests.parse_filters, requests.default_filters(current_user))
    page, per_page = requested_page()
    listed = requests.request_list(current_user, filters, page, per_page)
    return render_template(
        "requests/index.html",
        page=listed,
        filters=filters,
        stages=taxonomy_choices("stages")["stages"],
        inbox=can(current_user, "view_all_requests"),
    )


def _term(model, term_id: int | None):
    return db.session.get(model, term_id) if term_id and term_id != NONE_CHOSEN else None


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def create():
    require("submit_request")
    # ?need= fills the form in, e.g. from a query on the Search gaps report.
    form = RequestForm(need=request.args.get("need", "")[: requests.NEED_MAX] or None)
    submission = submit(
        form,
        lambda: requests.submit_request(
            current_user,
            form.need.data,
            _term(Stage, form.stage.data),
            _term(Persona, form.persona.data),
            form.deal_context.data or "",
            form.due_on.data,
        ),
    )
    if submission.saved:
        flash("Request sent to marketing.", "success")
        return _show(submission.result)
    return render_template("requests/form.html", form=form), submission.status


@bp.get("/requests/<id:request_id>")
@login_required
def show(request_id: int):
    content_request = requests.get_visible_request(current_user, request_id)
    return render_template(
        "requests/show.html",
        content_request=content_request,
        history=requests.request_history(content_request),
        accept_form=AcceptForm(),
        decline_form=DeclineForm(),
    )


def _decide(
    request_id: int, form: FlaskForm, decide: Callable[[ContentRequest, User, str], Any], field
) -> tuple[ContentRequest, Submission]:
    """Marketing's answer to a request, posted from its page: ``decide(request, marketer,
    text)`` with the text of ``field`` (the draft's title, the reason for declining)."""
    content_request = requests.get_visible_request(current_user, request_id)
    return content_request, press(form, lambda: decide(content_request, current_user, field.data))


@bp.post("/requests/<id:request_id>/accept")
@login_required
def accept(request_id: int):
    form = AcceptForm()
    content_request, submission = _decide(request_id, form, requests.accept, form.title)
    if not submission.saved:
        return _show(content_request)
    asset = submission.result
    requester = content_request.requester
    draft = asset.latest_revision
    assert draft is not None, "an asset is created with its first revision"
    message = f"Request accepted: the draft “{draft.title}” is started."
    if asset.collaborator_role(requester) == "reviewer":
        message += f" {requester.name} is invited to review it."
    flash(message, "success")
    return redirect(url_for("content.show", asset_id=asset.id))


@bp.post("/requests/<id:request_id>/decline")
@login_required
def decline(request_id: int):
    form = DeclineForm()
    content_request, submission = _decide(request_id, form, requests.decline, form.reason)
    if submission.saved:
        flash(f"Request declined. {content_request.requester.name} has been told why.", "success")
    return _show(content_request)
