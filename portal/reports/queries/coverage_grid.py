"""The stage × persona grid of the stage-coverage report: for each buyer stage and
persona, the live assets made for both, the content requests still open for both and the
searches that found nothing for both, so a missing combination stands out.

"No persona" holds assets tagged with no persona, requests that named none, and misses
whose searcher chose no persona filter. The grid is small (stages × personas), so its
cells are counted in three grouped queries and assembled, sorted and paged here.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from content.library.models import Asset, Persona, Stage, asset_personas, asset_stages
from portal.kernel.extensions import db
from portal.kernel.pagination import Page
from portal.kernel.reporting import ReportFilters, Sort
from portal.reports.queries.content_usage import restrict_assets
from portal.reports.queries.gaps import in_library
from portal.reports.queries.requests import open_at_end
from portal.reports.queries.searches import miss_stages
from workflows.requests.models import ContentRequest

Cell = tuple[int, int | None]  # (stage id, persona id or None for "no persona")
NO_PERSONA = "No persona"


@dataclass
class GridRow:
    stage: str
    persona: str
    assets: int
    open_requests: int
    misses: int
    position: tuple


def _assets(filters: ReportFilters) -> dict[Cell, int]:
    persona = asset_personas.c.persona_id
    query = (
        select(asset_stages.c.stage_id, persona, func.count(Asset.id.distinct()))
        .select_from(asset_stages)
        .join(Asset, Asset.id == asset_stages.c.asset_id)
        .outerjoin(asset_personas, asset_personas.c.asset_id == Asset.id)
        .where(in_library(filters))
        .group_by(asset_stages.c.stage_id, persona)
    )
    counts = db.session.execute(restrict_assets(query, filters))
    return {(stage, persona): n for stage, persona, n in counts}


def _requests(filters: ReportFilters) -> dict[Cell, int]:
    R = ContentRequest
    query = (
        open_at_end(filters)
        .add_columns(R.stage_id, R.persona_id, func.count(R.id))
        .where(R.stage_id.is_not(None))
        .group_by(R.stage_id, R.persona_id)
    )
    return {(stage, persona): n for stage, persona, n in db.session.execute(query)}


def _misses(filters: ReportFilters) -> dict[Cell, int]:
    pairs = miss_stages(filters)
    query = select(pairs.c.stage_id, pairs.c.persona_id, func.count(pairs.c.miss_id)).group_by(
        pairs.c.stage_id, pairs.c.persona_id
    )
    return {(stage, persona): n for stage, persona, n in db.session.execute(query)}


def coverage_grid(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """One page of stage × persona cells (every stage with every persona and "No
    persona"), in the chosen order; empty when no cell has anything."""
    figures = {"assets": _assets(filters), "open_requests": _requests(filters)}
    figures["misses"] = _misses(filters)
    stages = db.session.execute(select(Stage.id, Stage.name, Stage.position)).all()
    personas = [*db.session.execute(select(Persona.id, Persona.name)).all(), (None, NO_PERSONA)]
    rows = [
        GridRow(
            stage=stage_name,
            persona=persona_name,
            position=(position, stage_id, persona_id is None, persona_name.lower()),
            **{name: counts.get((stage_id, persona_id), 0) for name, counts in figures.items()},
        )
        for stage_id, stage_name, position in stages
        for persona_id, persona_name in personas
    ]
    if not any(row.assets or row.open_requests or row.misses for row in rows):
        return Page([], page, per_page, 0)
    rows.sort(key=lambda row: row.position)  # journey order, personas A–Z, "No persona" last
    if sort.key == "persona":
        rows.sort(key=lambda row: (row.persona == NO_PERSONA, row.persona.lower()))
    elif sort.key != "stage":
        rows.sort(key=lambda row: getattr(row, sort.key), reverse=sort.descending)
    if sort.descending and sort.key in ("stage", "persona"):
        rows.reverse()
    start = (page - 1) * per_page
    return Page(rows[start : start + per_page], page, per_page, len(rows))
