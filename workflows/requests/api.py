"""JSON API for content requests: list the ones you may see, ask for content, read one."""

from flask import Blueprint, current_app, jsonify, request, url_for

from content.library.models import Persona, Stage
from content.taxonomy.services import terms_by_slugs
from portal.kernel.api import (
    api_user,
    iso,
    json_body,
    json_text,
    page_body,
    parse_date,
    refuse_unknown_fields,
    token_required,
)
from portal.kernel.errors import ValidationFailed
from portal.kernel.models import User
from portal.kernel.pagination import page_args
from portal.kernel.permissions import can
from workflows.requests import services as requests

bp = Blueprint("requests_api", __name__, url_prefix="/api/v1")

_FIELDS = {"need", "stage", "persona", "deal_context", "due_on"}


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "email": user.email}


def serialize_request(content_request, user: User) -> dict:
    """A request as the API shows it; the draft only when ``user`` may see it."""
    asset = content_request.asset
    visible_asset = asset is not None and can(user, "view", asset)
    return {
        "id": content_request.id,
        "need": content_request.need,
        "stage": content_request.stage.slug if content_request.stage else None,
        "persona": content_request.persona.slug if content_request.persona else None,
        "deal_context": content_request.deal_context,
        "due_on": iso(content_request.due_on),
        "overdue": content_request.overdue,
        "status": content_request.status,
        "decline_reason": content_request.decline_reason or None,
        "requester": _person(content_request.requester),
        "handled_by": _person(content_request.handled_by),
        "asset_id": asset.id if visible_asset else None,
        "url": url_for("requests.show", request_id=content_request.id),
        "created_at": iso(content_request.created_at),
        "updated_at": iso(content_request.updated_at),
    }


@bp.get("/requests")
@token_required
def list_requests():
    user = api_user()
    filters = requests.parse_filters(request.args, user)
    page, per_page = page_args(request.args, current_app.config["PER_PAGE"])
    listed = requests.request_list(user, filters, page, per_page)
    return jsonify(page_body(listed, lambda item: serialize_request(item, user)))


def _one_term(model, data: dict, name: str):
    slug = data.get(name)
    if slug in (None, ""):
        return None
    if not isinstance(slug, str):
        raise ValidationFailed("Wrong type.", {name: "Must be a slug."})
    return terms_by_slugs(model, [slug], name)[0]


@bp.post("/requests")
@token_required
def create_request():
    user = api_user()
    data = json_body()
    refuse_unknown_fields(data, _FIELDS)
    content_request = requests.submit_request(
        user,
        json_text(data, "need"),
        _one_term(Stage, data, "stage"),
        _one_term(Persona, data, "persona"),
        json_text(data, "deal_context"),
        parse_date(data.get("due_on"), "due_on"),
    )
    response = jsonify(serialize_request(content_request, user))
    response.headers["Location"] = url_for(
        "requests_api.get_request", request_id=content_request.id
    )
    return response, 201


@bp.get("/requests/<id:request_id>")
@token_required
def get_request(request_id: int):
    user = api_user()
    content_request = requests.get_visible_request(user, request_id)
    return jsonify(serialize_request(content_request, user))
