"""JSON API for content requests: list the ones you may see, ask for content, read one."""

from flask import Blueprint

from content.library.models import Persona, Stage
from content.taxonomy.services import terms_by_slugs
from portal.kernel.models import User
from portal.kernel.schemas import Created, created, operation
from workflows.requests import services as requests
from workflows.requests.schemas import (
    ContentRequest,
    ContentRequestInput,
    ContentRequestList,
    ContentRequestQuery,
)

bp = Blueprint("requests_api", __name__)


def _flag(value: bool | None) -> str:
    return "" if value is None else str(int(value))


@bp.get("/requests")
@operation(
    "Content requests you may see (your own; all for marketers and leaders)",
    answer="A page of requests, open ones first",
)
def list_requests(query: ContentRequestQuery, user: User) -> ContentRequestList:
    args = {
        "status": query.status or "",
        "stage": query.stage or "",
        "overdue": _flag(query.overdue),
        "mine": _flag(query.mine),
    }
    filters = requests.parse_filters(args, user)
    page, per_page = query.pages()
    listed = requests.request_list(user, filters, page, per_page)
    return ContentRequestList.of(listed, lambda item: ContentRequest.shown(item, user))


def _one_term(model, slug: str | None, name: str):
    return terms_by_slugs(model, [slug], name)[0] if slug else None


@bp.post("/requests")
@operation("Ask marketing for content", answer="The new request", errors=(403,))
def create_request(body: ContentRequestInput, user: User) -> Created[ContentRequest]:
    content_request = requests.submit_request(
        user,
        body.need,
        _one_term(Stage, body.stage, "stage"),
        _one_term(Persona, body.persona, "persona"),
        body.deal_context,
        body.due_on or None,
    )
    answer = ContentRequest.shown(content_request, user)
    return created(answer, ".get_request", request_id=content_request.id)


@bp.get("/requests/<id:request_id>")
@operation("Read one content request", answer="The request")
def get_request(request_id: int, user: User) -> ContentRequest:
    return ContentRequest.shown(requests.get_visible_request(user, request_id), user)
