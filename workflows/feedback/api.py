"""JSON API for field feedback: list what you may see, send feedback, read one item, and
triage it (marketers and admins), with the same rules and messages as the pages.

A triage (PATCH) names the ``version`` it was based on, as read from the item; a PATCH
based on an older version is a 409 that says what the item holds now.
"""

from flask import Blueprint, request, url_for

from content.library.models import Stage
from content.taxonomy.services import terms_by_slugs
from portal.kernel.api import api_user
from portal.kernel.errors import PermissionDenied
from portal.kernel.permissions import can
from portal.kernel.schemas import operation
from workflows.feedback import services as feedback
from workflows.feedback.schemas import (
    Feedback,
    FeedbackInput,
    FeedbackList,
    FeedbackQuery,
    FeedbackTriageInput,
)

bp = Blueprint("feedback_api", __name__)


@bp.get("/feedback")
@operation(
    "Field feedback you may see (a rep's own; all for marketing and leaders)",
    response=FeedbackList,
    answer="A page of feedback",
    query=FeedbackQuery,
    errors=(422,),
)
def list_feedback(query: FeedbackQuery):
    user = api_user()
    filters = feedback.parse_filters(request.args, user)
    page, per_page = query.pages()
    listed = feedback.feedback_list(user, filters, page, per_page)
    return FeedbackList.of(listed, lambda item: Feedback.shown(item, user))


@bp.post("/feedback")
@operation(
    "Send field feedback (reps and leaders)",
    response=Feedback,
    status=201,
    answer="The feedback sent",
    body=FeedbackInput,
    errors=(403, 422),
)
def send_feedback(body: FeedbackInput):
    user = api_user()
    stage = terms_by_slugs(Stage, [body.stage], "stage")[0] if body.stage else None
    item = feedback.send_feedback(
        user,
        feedback.FeedbackInput(
            kind=body.kind,
            text=body.text,
            stage_id=stage.id if stage else None,
            asset_id=body.asset_id,
            deal_id=body.deal_id,
            campaign_id=body.campaign_id,
        ),
    )
    location = url_for(".get_feedback", feedback_id=item.id)
    return Feedback.shown(item, user), 201, {"Location": location}


@bp.get("/feedback/<id:feedback_id>")
@operation("Read one item of feedback", response=Feedback, answer="The feedback", errors=(404,))
def get_feedback(feedback_id: int):
    user = api_user()
    return Feedback.shown(feedback.get_visible_feedback(user, feedback_id), user)


@bp.patch("/feedback/<id:feedback_id>")
@operation(
    "Triage: set the status and the reply (marketers and admins)",
    response=Feedback,
    answer="The feedback as saved",
    body=FeedbackTriageInput,
    errors=(403, 404, 409, 422),
)
def triage_feedback(feedback_id: int, body: FeedbackTriageInput):
    user = api_user()
    item = feedback.get_visible_feedback(user, feedback_id)
    if not can(user, "triage", item):
        raise PermissionDenied("Marketers and admins triage feedback; leaders read it.")
    status = body.status if body.status is not None else item.status
    reply = body.reply if body.given("reply") else item.reply
    feedback.triage(item, user, status, reply or "", feedback.parse_version(body.version))
    return Feedback.shown(item, user)
