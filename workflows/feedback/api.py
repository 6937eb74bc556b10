"""JSON API for field feedback: list what you may see, send feedback, read one item, and
triage it (marketers and admins), with the same rules and messages as the pages.

A triage (PATCH) names the ``version`` it was based on, as read from the item; a PATCH
based on an older version is a 409 that says what the item holds now.
"""

from flask import Blueprint, request

from content.library.models import Stage
from content.taxonomy.services import terms_by_slugs
from portal.kernel.api import require
from portal.kernel.models import User
from portal.kernel.schemas import Created, created, operation
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
    answer="A page of feedback",
)
def list_feedback(query: FeedbackQuery, user: User) -> FeedbackList:
    filters = feedback.parse_filters(request.args, user)
    page, per_page = query.pages()
    listed = feedback.feedback_list(user, filters, page, per_page)
    return FeedbackList.of(listed, lambda item: Feedback.shown(item, user))


@bp.post("/feedback")
@operation("Send field feedback (reps and leaders)", answer="The feedback sent", errors=(403,))
def send_feedback(body: FeedbackInput, user: User) -> Created[Feedback]:
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
    return created(Feedback.shown(item, user), ".get_feedback", feedback_id=item.id)


@bp.get("/feedback/<id:feedback_id>")
@operation("Read one item of feedback", answer="The feedback")
def get_feedback(feedback_id: int, user: User) -> Feedback:
    return Feedback.shown(feedback.get_visible_feedback(user, feedback_id), user)


@bp.patch("/feedback/<id:feedback_id>")
@operation(
    "Triage: set the status and the reply (marketers and admins)",
    answer="The feedback as saved",
    errors=(403, 409),
)
def triage_feedback(feedback_id: int, body: FeedbackTriageInput, user: User) -> Feedback:
    item = feedback.get_visible_feedback(user, feedback_id)
    require(user, "triage", item, refusal="Marketers and admins triage feedback; leaders read it.")
    status = body.status if body.status is not None else item.status
    reply = body.reply if body.given("reply") else item.reply
    feedback.triage(item, user, status, reply or "", feedback.parse_version(body.version))
    return Feedback.shown(item, user)
