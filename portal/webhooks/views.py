"""The admins' webhook pages: endpoints, their secrets, test events and delivery logs."""

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.kernel.events import EVENTS, PING
from portal.kernel.forms import EmptyForm
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, get_visible
from portal.kernel.templating import template_filter
from portal.kernel.transaction import press, submit
from portal.webhooks import services
from portal.webhooks.forms import EndpointForm
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
MISSING = "There is no such webhook endpoint: it may have been deleted."
DELIVERY_MISSING = "There is no such delivery: it may have been pruned from the log."


@bp.before_request
@login_required
def _admins_only():
    # Non-admins are told nothing exists here.
    if not can(current_user, "manage_webhooks"):
        abort(404)


@template_filter("pretty_json")
def pretty_json(body: str) -> str:
    """A delivery's body indented for reading (the body itself is sent compact)."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return get_visible(current_user, WebhookEndpoint, endpoint_id, MISSING)


def _input(form: EndpointForm) -> services.EndpointInput:
    return services.EndpointInput(
        url=form.url.data or "",
        description=form.description.data or "",
        events=list(form.events.data or []),
        active=bool(form.active.data),
    )


@bp.get("")
def index():
    page, per_page = requested_page()
    return render_template(
        "webhooks/index.html",
        page=services.endpoints_page(page, per_page),
        failed=services.failed_count(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = EndpointForm()
    if request.method == "GET":
        form.events.data = []
    submission = submit(form, lambda: services.create_endpoint(current_user, _input(form)))
    if submission.saved:
        endpoint = submission.result
        flash(
            "Endpoint added. Give its signing secret (below) to the receiving system so it "
            "can check each delivery.",
            "success",
        )
        return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))
    return render_template(
        "webhooks/form.html", form=form, endpoint=None, events=EVENTS
    ), submission.status


@bp.route("/<id:endpoint_id>/edit", methods=["GET", "POST"])
def edit(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    form = EndpointForm(obj=endpoint if request.method == "GET" else None)
    if request.method == "GET":
        form.events.data = endpoint.events
    submission = submit(
        form, lambda: services.update_endpoint(current_user, endpoint, _input(form))
    )
    if submission.saved:
        flash("Endpoint saved.", "success")
        return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))
    return render_template(
        "webhooks/form.html", form=form, endpoint=endpoint, events=EVENTS
    ), submission.status


@bp.get("/<id:endpoint_id>")
def show(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    page, per_page = requested_page()
    return render_template(
        "webhooks/show.html",
        endpoint=endpoint,
        secret=services.secret_of(current_user, endpoint),
        deliveries=services.deliveries_page(endpoint, page, per_page),
        events=EVENTS,
        ping=PING,
        form=EmptyForm(),
    )


def _back(endpoint: WebhookEndpoint):
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))


@bp.post("/<id:endpoint_id>/test")
def send_test(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    done = "A test event is on its way; its delivery is listed below."
    press(EmptyForm(), lambda: services.send_test(current_user, endpoint), done=done)
    return _back(endpoint)


@bp.post("/<id:endpoint_id>/rotate")
def rotate(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    done = (
        "The endpoint has a new signing secret; deliveries are signed with it from now on. "
        "Give it to the receiving system."
    )
    press(EmptyForm(), lambda: services.rotate_secret(current_user, endpoint), done=done)
    return _back(endpoint)


@bp.post("/<id:endpoint_id>/delete")
def delete(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    url = endpoint.url
    submission = press(EmptyForm(), lambda: services.delete_endpoint(current_user, endpoint))
    if not submission.saved:
        return _back(endpoint)
    flash(f"The endpoint {url} is deleted with its delivery log.", "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/<id:endpoint_id>/deliveries/<id:delivery_id>/again")
def send_again(endpoint_id: int, delivery_id: int):
    endpoint = _endpoint(endpoint_id)
    delivery = get_visible(current_user, WebhookDelivery, delivery_id, DELIVERY_MISSING)
    if delivery.endpoint_id != endpoint.id:
        abort(404)
    done = f"The {delivery.event} event is queued again, after what this endpoint has waiting."
    press(EmptyForm(), lambda: services.send_again(current_user, delivery), done=done)
    return _back(endpoint)
