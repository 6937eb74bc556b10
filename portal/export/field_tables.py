"""The export's files about the field and the portal's own record: deals, deal-room
visits, feedback, the glossary's history and the audit log."""

from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Row, Select, select
from sqlalchemy.orm import aliased

from content.deals.models import Deal
from content.library.models import Stage
from content.rooms.models import Room, RoomVisit
from content.rooms.rules import visible_rooms
from content.usage.rules import visible_deals
from portal.export.table import Scope, Table
from portal.kernel.extensions import db
from portal.kernel.models import User
from workflows.audit.models import WorkflowEvent
from workflows.feedback.models import FieldFeedback
from workflows.feedback.rules import visible_feedback
from workflows.glossary.models import SIDES, GlossarySignoff, GlossaryTerm, GlossaryTermVersion

Handler = aliased(User, name="handler")


def _deals(scope: Scope) -> Select:
    return (
        select(
            Deal.id,
            Deal.external_id,
            Deal.name,
            Deal.account,
            Deal.amount_cents,
            Stage.slug,
            Deal.status,
            Deal.owner_id,
            User.email,
            Deal.close_date,
            Deal.source,
            Deal.created_at,
            Deal.updated_at,
        )
        .join(User, User.id == Deal.owner_id)
        .outerjoin(Stage, Stage.id == Deal.stage_id)
        .where(*scope.narrowed(visible_deals, Deal.id))
    )


def _deal_rows(_scope: Scope, rows: Sequence[Row]) -> Iterable[Sequence[Any]]:
    currency = current_app.config["CURRENCY"]
    for deal_id, external_id, name, account, cents, *rest in rows:
        yield [
            deal_id,
            external_id,
            name,
            account,
            cents,
            currency if cents is not None else "",
            *rest,
        ]


DEALS = Table(
    "deals.csv",
    "Every deal: the CRM's opportunity id, name, account, amount in cents and its "
    "currency, buyer stage, status, owning rep, close date and where it came from.",
    (
        "deal_id",
        "external_id",
        "name",
        "account",
        "amount_cents",
        "currency",
        "stage",
        "status",
        "owner_id",
        "owner_email",
        "close_date",
        "source",
        "created_at",
        "updated_at",
    ),  # fmt: skip
    Deal.id,
    _deals,
    _deal_rows,
)


def _room_visits(scope: Scope) -> Select:
    return (
        select(
            RoomVisit.id,
            RoomVisit.room_id,
            Room.deal_id,
            Room.title,
            Room.created_by_id,
            RoomVisit.started_at,
            RoomVisit.last_seen_at,
        )
        .join(Room, Room.id == RoomVisit.room_id)
        .where(*scope.narrowed(visible_rooms, Room.id))
    )


ROOM_VISITS = Table(
    "room_visits.csv",
    "Each page load of a deal room by a buyer, with its room and deal.",
    (
        "visit_id",
        "room_id",
        "deal_id",
        "room_title",
        "room_created_by_id",
        "started_at",
        "last_seen_at",
    ),  # fmt: skip
    RoomVisit.id,
    _room_visits,
)


def _feedback(scope: Scope) -> Select:
    return (
        select(
            FieldFeedback.id,
            FieldFeedback.kind,
            FieldFeedback.status,
            FieldFeedback.text,
            FieldFeedback.reply,
            FieldFeedback.author_id,
            User.email,
            FieldFeedback.asset_id,
            FieldFeedback.deal_id,
            FieldFeedback.campaign_id,
            Stage.slug,
            FieldFeedback.handled_by_id,
            Handler.email,
            FieldFeedback.replied_at,
            FieldFeedback.created_at,
            FieldFeedback.updated_at,
        )
        .join(User, User.id == FieldFeedback.author_id)
        .outerjoin(Handler, Handler.id == FieldFeedback.handled_by_id)
        .outerjoin(Stage, Stage.id == FieldFeedback.stage_id)
        .where(*scope.narrowed(visible_feedback, FieldFeedback.id))
    )


FEEDBACK = Table(
    "feedback.csv",
    "What reps heard from customers: kind, status, text, marketing's reply and what it "
    "is about (asset, deal, campaign, buyer stage).",
    (
        "feedback_id",
        "kind",
        "status",
        "text",
        "reply",
        "author_id",
        "author_email",
        "asset_id",
        "deal_id",
        "campaign_id",
        "stage",
        "handled_by_id",
        "handled_by_email",
        "replied_at",
        "created_at",
        "updated_at",
    ),  # fmt: skip
    FieldFeedback.id,
    _feedback,
)


def _glossary(scope: Scope) -> Select | None:
    if not scope.may("view_glossary"):
        return None
    return (
        select(
            GlossaryTermVersion.id,
            GlossaryTermVersion.term_id,
            GlossaryTermVersion.number,
            GlossaryTermVersion.name,
            GlossaryTermVersion.aliases,
            GlossaryTermVersion.definition,
            GlossaryTermVersion.note,
            GlossaryTermVersion.editor_id,
            User.email,
            GlossaryTermVersion.created_at,
            GlossaryTerm.status,
            GlossaryTerm.version,
        )
        .join(User, User.id == GlossaryTermVersion.editor_id)
        .join(GlossaryTerm, GlossaryTerm.id == GlossaryTermVersion.term_id)
    )


def _glossary_rows(_scope: Scope, rows: Sequence[Row]) -> Iterable[Sequence[Any]]:
    """Each version with the sign-off of each side, read in one query per batch."""
    signed: dict[tuple[int, str], tuple[str, Any]] = {
        (version_id, side): (email, at)
        for version_id, side, email, at in db.session.execute(
            select(
                GlossarySignoff.version_id,
                GlossarySignoff.side,
                User.email,
                GlossarySignoff.signed_at,
            )
            .join(User, User.id == GlossarySignoff.leader_id)
            .where(GlossarySignoff.version_id.in_([row[0] for row in rows]))
        )
    }
    for *version, status, current in rows:
        sides = [value for side in SIDES for value in signed.get((version[0], side), (None, None))]
        yield [*version, version[2] == current and status == "agreed", *sides]


GLOSSARY_HISTORY = Table(
    "glossary_history.csv",
    "Every version of every glossary term, with who signed it for sales and for "
    "marketing; agreed_version marks the version both sides agreed to that is current.",
    (
        "version_id",
        "term_id",
        "number",
        "name",
        "aliases",
        "definition",
        "note",
        "editor_id",
        "editor_email",
        "created_at",
        "agreed_version",
        "sales_signed_by_email",
        "sales_signed_at",
        "marketing_signed_by_email",
        "marketing_signed_at",
    ),  # fmt: skip
    GlossaryTermVersion.id,
    _glossary,
    _glossary_rows,
)


def _audit(scope: Scope) -> Select | None:
    if not scope.may("view_audit_log"):
        return None
    return select(
        WorkflowEvent.id,
        WorkflowEvent.created_at,
        WorkflowEvent.subject_type,
        WorkflowEvent.subject_id,
        WorkflowEvent.revision_number,
        WorkflowEvent.actor_id,
        User.email,
        WorkflowEvent.action,
        WorkflowEvent.from_state,
        WorkflowEvent.to_state,
        WorkflowEvent.comment,
    ).join(User, User.id == WorkflowEvent.actor_id)


AUDIT_LOG = Table(
    "audit_log.csv",
    "Every workflow transition of assets, posts and content requests: who moved what "
    "from which state to which, with their comment.",
    (
        "event_id",
        "created_at",
        "subject_type",
        "subject_id",
        "revision_number",
        "actor_id",
        "actor_email",
        "action",
        "from_state",
        "to_state",
        "comment",
    ),  # fmt: skip
    WorkflowEvent.id,
    _audit,
)
