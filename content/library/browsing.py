"""Browsing the library: the stage board and the filtered, paginated asset list."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    ColumnExpressionArgument,
    Select,
    case,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import QueryableAttribute, defer, selectinload

from content.library.models import (
    TAXONOMIES,
    Asset,
    AssetCollaborator,
    AssetRevision,
    Audience,
    ContentType,
    Industry,
    Persona,
    Stage,
    Tag,
    TaxonomyTerm,
    asset_stages,
)
from content.library.rules import visible_assets
from content.taxonomy.filters import SLUG_MAX, chosen_term
from content.usage.ratings import UNRATED, RatingSummary, summaries
from portal.kernel import shared_figures
from portal.kernel.extensions import db
from portal.kernel.list_filters import check_filters
from portal.kernel.models import User, utcnow
from portal.kernel.pagination import Page
from portal.kernel.permissions import can

SORTS = ("newest", "title")
STATUS_VIEWS = ("live", "draft", "archived", "all")
READER_VIEWS = ("live", "all")
BOARD_CARDS_PER_STAGE = 6
# Counts of live assets, which change when assets or their stages do (see feature.py).
LIBRARY_FIGURES = "library"
# What a card shows beside its asset and revision, loaded for all the cards at once.
CARD_LOADS = (
    selectinload(Asset.stages),
    selectinload(Asset.content_type),
    selectinload(Asset.owner),
    selectinload(Asset.personas),
    selectinload(AssetRevision.file),
)
# A card shows a revision's title and summary, not its texts (the API shows the body).
CARD_ONLY = (defer(AssetRevision.body), defer(AssetRevision.body_text))


@dataclass
class LibraryFilters:
    """Slugs chosen in the filter bar; empty means no restriction."""

    stage: str = ""
    persona: str = ""
    industry: str = ""
    content_type: str = ""
    tag: str = ""
    audience: str = ""  # "external", "internal" or "" for both
    status: str = "live"
    sort: str = "newest"
    chosen: dict[str, TaxonomyTerm] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return any(
            [self.stage, self.persona, self.industry, self.content_type, self.tag, self.audience]
        )


@dataclass
class Card:
    """What a list or board shows of one asset: the asset, the revision shown and its
    rating."""

    asset: Asset
    revision: AssetRevision
    rating: RatingSummary = UNRATED


_FILTER_MODELS: dict[str, type[TaxonomyTerm]] = {
    "stage": Stage,
    "persona": Persona,
    "industry": Industry,
    "content_type": ContentType,
    "tag": Tag,
}


def parse_filters(args, user: User) -> LibraryFilters:
    """Read filters from query arguments; unknown slugs are a clear ValidationFailed."""
    filters = LibraryFilters(
        status=(args.get("status") or "live").strip(),
        sort=(args.get("sort") or "newest").strip(),
        audience=(args.get("audience") or "").strip()[:SLUG_MAX],
    )
    errors: dict[str, str] = {}
    if filters.audience and filters.audience not in set(Audience):
        errors["audience"] = "Choose external or internal."
    for name, model in _FILTER_MODELS.items():
        slug = (args.get(name) or "").strip()[:SLUG_MAX]
        setattr(filters, name, slug)
        term = chosen_term(model, name, slug, errors)
        if term is not None:
            filters.chosen[name] = term
    if filters.sort not in SORTS:
        errors["sort"] = "Sort by newest or title."
    if filters.status not in STATUS_VIEWS:
        errors["status"] = "Choose live, draft, archived or all."
    elif filters.status not in READER_VIEWS and not can(user, "view_drafts"):
        # "all" is what this reader may see: live assets and the drafts they were invited to.
        errors["status"] = "Choose live or all."
    check_filters(errors)
    return filters


def _filtered(user: User, filters: LibraryFilters, today: date | None = None) -> Select:
    query = visible_assets(user, live_only=filters.status == "live", today=today)
    for name in ("persona", "industry", "tag"):
        term = filters.chosen.get(name)
        if term is not None:
            relation = getattr(Asset, "industries" if name == "industry" else name + "s")
            query = query.where(relation.any(id=term.id))
    if "content_type" in filters.chosen:
        query = query.where(Asset.content_type_id == filters.chosen["content_type"].id)
    if "stage" in filters.chosen:
        query = query.where(Asset.stages.any(id=filters.chosen["stage"].id))
    if filters.audience:
        query = query.where(Asset.audience == filters.audience)
    if filters.status == "archived":
        query = query.where(Asset.status == "archived")
    elif filters.status == "draft":
        query = query.where(Asset.live_revision_id.is_(None), Asset.status != "archived")
    return query


def _shown_revision(user: User, filters: LibraryFilters) -> ColumnExpressionArgument[int | None]:
    """The id of the revision a card shows: the live one, or the latest one to those who
    may see work in progress."""
    if filters.status == "live":
        return Asset.live_revision_id
    if can(user, "view_drafts"):
        return Asset.latest_revision_id
    # A reader sees the latest words only of the assets they were invited to.
    invited = select(AssetCollaborator.asset_id).where(AssetCollaborator.user_id == user.id)
    return case((Asset.id.in_(invited), Asset.latest_revision_id), else_=Asset.live_revision_id)


def _order(filters: LibraryFilters) -> tuple:
    if filters.sort == "title":
        return (func.lower(AssetRevision.title), Asset.id)
    if filters.status == "live":
        return (Asset.published_at.desc(), Asset.id.desc())
    return (Asset.updated_at.desc(), Asset.id.desc())


def _with_revision(query: Select, filters: LibraryFilters, user: User) -> Select:
    shown = _shown_revision(user, filters)
    query = query.join(AssetRevision, AssetRevision.id == shown).add_columns(AssetRevision)
    return query.order_by(*_order(filters)).options(*CARD_LOADS)


def _cards(query: Select) -> list[Card]:
    rows = db.session.execute(query).all()
    ratings = summaries(asset.id for asset, _revision in rows)
    return [Card(asset, revision, ratings.get(asset.id, UNRATED)) for asset, revision in rows]


@dataclass
class StageColumn:
    stage: Stage
    cards: list[Card]
    total: int


def board(
    user: User, filters: LibraryFilters, stages: Sequence[Stage] | None = None
) -> list[StageColumn]:
    """One column per buyer stage, in journey order, each with its first few cards;
    ``stages`` are every stage in that order when the caller has them already.

    One statement for every stage's first cards, each a LIMIT of its own, which the
    databases answer by walking the list's order (an index for "newest") until they have
    enough, so a column costs the same with 50 assets or 50,000; one more for the totals.
    """
    if stages is None:
        stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()
    stages = [
        stage
        for stage in stages
        if "stage" not in filters.chosen or filters.chosen["stage"].id == stage.id
    ]
    columns = {stage.id: StageColumn(stage, [], 0) for stage in stages}
    if not columns:
        return []
    firsts, totals = _board_statements(user, filters, tuple(columns))
    rows = db.session.execute(firsts).all()
    counted = _stage_totals(totals, filters, tuple(columns))
    ratings = summaries({asset.id for asset, *_ in rows})
    for asset, revision, stage_id in rows:
        columns[stage_id].cards.append(Card(asset, revision, ratings.get(asset.id, UNRATED)))
    for stage_id, column in columns.items():
        column.total = counted.get(stage_id, 0)
    return list(columns.values())


# The live board's statements, which are the same for every reader: built once per day,
# order, filters and stages and reused (SQLAlchemy then also keeps their cache keys).
_LIVE_BOARDS: dict[tuple, tuple[Select, Select]] = {}
_LIVE_BOARDS_KEPT = 64


def _board_statements(
    user: User, filters: LibraryFilters, stage_ids: tuple[int, ...]
) -> tuple[Select, Select]:
    """The statements of the stages' first cards and of their totals."""
    if filters.status != "live":
        return _build_board(user, filters, stage_ids)
    today = utcnow().date()
    key = (today, filters.sort, _chosen_ids(filters), filters.audience, stage_ids)
    built = _LIVE_BOARDS.get(key)
    if built is None:
        if len(_LIVE_BOARDS) >= _LIVE_BOARDS_KEPT:
            _LIVE_BOARDS.clear()
        built = _LIVE_BOARDS[key] = _build_board(user, filters, stage_ids, today)
    return built


def _chosen_ids(filters: LibraryFilters) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((name, term.id) for name, term in filters.chosen.items()))


def _build_board(
    user: User, filters: LibraryFilters, stage_ids: tuple[int, ...], today: date | None = None
) -> tuple[Select, Select]:
    filtered = _filtered(user, filters, today)
    cards = (
        filtered.join(AssetRevision, AssetRevision.id == _shown_revision(user, filters))
        .with_only_columns(Asset.id.label("asset_id"), AssetRevision.id.label("revision_id"))
        .order_by(*_order(filters))
        .limit(BOARD_CARDS_PER_STAGE)
    )
    # Each stage's first cards under a LIMIT of its own; a UNION member may not carry
    # its own ORDER BY and LIMIT, hence the wrapping.
    firsts = union_all(
        *(
            select(
                cards.where(_in_stage(stage_id))
                .add_columns(literal(stage_id).label("stage_id"))
                .subquery()
            )
            for stage_id in stage_ids
        )
    ).subquery()
    shown = (
        select(Asset, AssetRevision, firsts.c.stage_id)
        .join(firsts, firsts.c.asset_id == Asset.id)
        .join(AssetRevision, AssetRevision.id == firsts.c.revision_id)
        .order_by(firsts.c.stage_id, *_order(filters))
        .options(*CARD_LOADS, *CARD_ONLY)
    )
    # Counted from the stages' links (an index) rather than by walking every asset.
    totals = (
        filtered.join(asset_stages, asset_stages.c.asset_id == Asset.id)
        .where(asset_stages.c.stage_id.in_(stage_ids))
        .with_only_columns(asset_stages.c.stage_id, func.count())
        .group_by(asset_stages.c.stage_id)
    )
    return shown, totals


def _stage_totals(totals: Select, filters: LibraryFilters, stage_ids: tuple[int, ...]) -> dict:
    """Each stage's total. Totals of live assets are the same for every reader, so they
    are shared between requests for a few seconds."""

    def count() -> dict[int, int]:
        return dict(db.session.execute(totals).all())

    if filters.status != "live":
        return count()
    key = (utcnow().date(), _chosen_ids(filters), filters.audience, stage_ids)
    return shared_figures.figure(LIBRARY_FIGURES, key, count)


def _in_stage(stage_id: int):
    return exists().where(asset_stages.c.asset_id == Asset.id, asset_stages.c.stage_id == stage_id)


def asset_list(
    user: User, filters: LibraryFilters, page: int, per_page: int, loads: Sequence = ()
) -> Page:
    """A page of cards matching the filters, in the chosen order; ``loads`` are further
    loader options for what the caller shows of each asset."""
    query = _filtered(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    shown = _with_revision(query, filters, user).options(*loads)
    cards = _cards(shown.limit(per_page).offset((page - 1) * per_page))
    return Page(cards, page, per_page, total)


def taxonomy_choices(*keys: str) -> dict[str, Sequence[TaxonomyTerm]]:
    """Every taxonomy's terms, or only those of the taxonomies named by ``keys`` (e.g.
    "stages"), for filter bars and forms."""
    order: dict[type[TaxonomyTerm], tuple[QueryableAttribute[object], ...]] = {
        Stage: (Stage.position, Stage.id)
    }
    return {
        key: db.session.scalars(select(model).order_by(*order.get(model, (model.name,)))).all()
        for key, model in TAXONOMIES.items()
        if not keys or key in keys
    }


def internal_among(asset_ids: Sequence[int]) -> set[int]:
    """Which of these assets are internal only, for badges on lists that do not load the
    assets themselves (search hits)."""
    if not asset_ids:
        return set()
    return set(
        db.session.scalars(
            select(Asset.id).where(Asset.id.in_(asset_ids), Asset.audience == Audience.INTERNAL)
        )
    )
