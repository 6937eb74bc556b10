"""The mapping of the CRM's opportunity stages to buyer stages, which the deal import
uses to give each imported deal its buyer stage. Services flush; callers commit."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from content.crm.models import CRM_STAGE_MAX, CrmStageMapping
from content.library.models import Stage
from portal.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.permissions import can
from portal.kernel.sql import upsert_insert

# Salesforce's standard opportunity stages.
DEFAULT_MAPPINGS = {
    "Prospecting": "awareness",
    "Qualification": "consideration",
    "Needs Analysis": "consideration",
    "Value Proposition": "consideration",
    "Id. Decision Makers": "consideration",
    "Perception Analysis": "consideration",
    "Proposal/Price Quote": "decision",
    "Negotiation/Review": "decision",
    "Closed Won": "onboarding",
    "Closed Lost": "decision",
}
STAGE_STATUSES = {"closed won": "won", "closed lost": "lost"}


def stage_key(label: str) -> str:
    """How CRM stage labels are compared: case and runs of spaces do not matter."""
    return " ".join((label or "").split()).casefold()


def _check_actor(actor: User | None) -> None:
    """``None`` is the command line, run by whoever operates the server."""
    if actor is not None and not can(actor, "import_deals"):
        raise PermissionDenied("Only admins map CRM stages.")


def _insert_mapping(label: str, stage: Stage):
    return upsert_insert(CrmStageMapping).values(
        crm_stage=label, key=stage_key(label), stage_id=stage.id, updated_at=utcnow()
    )


def ensure_default_mappings(actor: User | None = None) -> int:
    """Map Salesforce's standard stages whose label is not mapped yet, to the default
    buyer stages that exist; never changes a mapping. Returns how many were added."""
    _check_actor(actor)
    stages = {stage.slug: stage for stage in db.session.scalars(select(Stage))}
    added = 0
    for label, slug in DEFAULT_MAPPINGS.items():
        if slug in stages:
            statement = (
                _insert_mapping(label, stages[slug])
                .on_conflict_do_nothing(index_elements=[CrmStageMapping.key])
                .returning(CrmStageMapping.id)
            )
            added += len(db.session.scalars(statement).all())
    db.session.flush()
    return added


def ensure_mappings_on_first_use() -> None:
    """Before the first import: the standard stages, so a Salesforce export works without
    setup. Once any mapping exists, deleting one is respected."""
    if db.session.scalar(select(func.count(CrmStageMapping.id))) == 0:
        ensure_default_mappings()


def mappings() -> Sequence[CrmStageMapping]:
    """Every mapping, in buyer-stage order, then by CRM label."""
    return db.session.scalars(
        select(CrmStageMapping)
        .join(CrmStageMapping.stage)
        .order_by(Stage.position, Stage.id, CrmStageMapping.key)
    ).all()


def save_mapping(actor: User | None, crm_stage: str, stage: Stage | None) -> CrmStageMapping:
    """Map a CRM stage label to a buyer stage, replacing what that label meant before
    (one atomic upsert on the label's key, so concurrent edits cannot duplicate it)."""
    _check_actor(actor)
    label = " ".join((crm_stage or "").split())
    errors = {}
    if not label:
        errors["crm_stage"] = "Give the stage as your CRM writes it, e.g. “Needs Analysis”."
    elif len(label) > CRM_STAGE_MAX:
        errors["crm_stage"] = f"Keep the CRM stage under {CRM_STAGE_MAX} characters."
    if stage is None:
        errors["stage"] = "Choose the buyer stage it means."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    assert stage is not None, "a missing stage is refused above"
    statement = _insert_mapping(label, stage)
    statement = statement.on_conflict_do_update(
        index_elements=[CrmStageMapping.key],
        set_={
            "crm_stage": label,
            "stage_id": stage.id,
            "updated_at": statement.excluded.updated_at,
        },
    )
    db.session.execute(statement)
    db.session.flush()
    # The upsert bypassed the session: read the row back over any copy it holds.
    return db.session.scalars(
        select(CrmStageMapping)
        .where(CrmStageMapping.key == stage_key(label))
        .execution_options(populate_existing=True)
    ).one()


def delete_mapping(actor: User | None, mapping_id: int) -> str:
    """Remove a mapping; returns its CRM label. Rows with that stage are then refused."""
    _check_actor(actor)
    mapping = db.session.get(CrmStageMapping, mapping_id)
    if mapping is None:
        raise NotFound("No such CRM stage mapping.")
    label = mapping.crm_stage
    db.session.delete(mapping)
    db.session.flush()
    return label


@dataclass
class StageResolver:
    """Finds the buyer stage a CRM stage label means: a mapping first, else a buyer
    stage whose slug or name it is. Loaded once per import: no query per row."""

    by_key: dict[str, Stage]

    @classmethod
    def load(cls) -> "StageResolver":
        stages = {stage.id: stage for stage in db.session.scalars(select(Stage))}
        by_key = {}
        for stage in stages.values():
            by_key[stage_key(stage.slug)] = stage
            by_key[stage_key(stage.name)] = stage
        for key, stage_id in db.session.execute(
            select(CrmStageMapping.key, CrmStageMapping.stage_id)
        ):
            by_key[key] = stages[stage_id]
        return cls(by_key)

    def resolve(self, label: str) -> Stage | None:
        return self.by_key.get(stage_key(label))


def status_from_stage(label: str) -> str:
    """The deal's status when the export has none: "Closed Won" is won, "Closed Lost"
    lost, any other stage open."""
    return STAGE_STATUSES.get(stage_key(label), "open")
