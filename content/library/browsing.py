"""Browsing the library: the stage board and the filtered, paginated asset list."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnExpressionArgument, Select, case, func, select
from sqlalchemy.orm import QueryableAttribute, selectinload

from content.library.models import (
    TAXONOMIES,
    Asset,
    AssetCollaborator,
    AssetRevision,
    ContentType,
    Industry,
    Persona,
    Stage,
    Tag,
    TaxonomyTerm,
)
from content.library.rules import visible_assets
from content.taxonomy.filters import SLUG_MAX, chosen_term
from content.usage.ratings import UNRATED, RatingSummary, summaries
from portal.kernel.extensions import db
from portal.kernel.list_filters import check_filters
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.permissions import can

SORTS = ("newest", "title")
STATUS_VIEWS = ("live", "draft", "archived", "all")
READER_VIEWS = ("live", "all")
BOARD_CARDS_PER_STAGE = 6


@dataclass
class LibraryFilters:
    """Slugs chosen in the filter bar; empty means no restriction."""

    stage: str = ""
    persona: str = ""
    industry: str = ""
    content_type: str = ""
    tag: str = ""
    status: str = "live"
    sort: str = "newest"
    chosen: dict[str, TaxonomyTerm] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return any([self.stage, self.persona, self.industry, self.content_type, self.tag])


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
    )
    errors: dict[str, str] = {}
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


def _filtered(user: User, filters: LibraryFilters) -> Select:
    query = visible_assets(user)
    for name in ("persona", "industry", "tag"):
        term = filters.chosen.get(name)
        if term is not None:
            relation = getattr(Asset, "industries" if name == "industry" else name + "s")
            query = query.where(relation.any(id=term.id))
    if "content_type" in filters.chosen:
        query = query.where(Asset.content_type_id == filters.chosen["content_type"].id)
    if "stage" in filters.chosen:
        query = query.where(Asset.stages.any(id=filters.chosen["stage"].id))
    if filters.status == "live":
        query = query.where(Asset.live_clause())
    elif filters.status == "archived":
        query = query.where(Asset.status == "archived")
    elif filters.status == "draft":
        query = query.where(Asset.live_revision_id.is_(None), Asset.status != "archived")
    return query


def _with_revision(query: Select, filters: LibraryFilters, user: User) -> Select:
    shown: ColumnExpressionArgument[int | None]
    if filters.status == "live":
        shown = Asset.live_revision_id
    elif can(user, "view_drafts"):
        shown = Asset.latest_revision_id
    else:  # a reader sees the latest words only of the assets they were invited to
        invited = select(AssetCollaborator.asset_id).where(AssetCollaborator.user_id == user.id)
        shown = case(
            (Asset.id.in_(invited), Asset.latest_revision_id), else_=Asset.live_revision_id
        )
    query = query.join(AssetRevision, AssetRevision.id == shown).add_columns(AssetRevision)
    if filters.sort == "title":
        query = query.order_by(func.lower(AssetRevision.title), Asset.id)
    elif filters.status == "live":
        query = query.order_by(Asset.published_at.desc(), Asset.id.desc())
    else:
        query = query.order_by(Asset.updated_at.desc(), Asset.id.desc())
    return query.options(
        selectinload(Asset.stages),
        selectinload(Asset.content_type),
        selectinload(Asset.owner),
        selectinload(Asset.personas),
    )


def _cards(query: Select) -> list[Card]:
    rows = db.session.execute(query).all()
    ratings = summaries(asset.id for asset, _revision in rows)
    return [Card(asset, revision, ratings.get(asset.id, UNRATED)) for asset, revision in rows]


@dataclass
class StageColumn:
    stage: Stage
    cards: list[Card]
    total: int


def board(user: User, filters: LibraryFilters) -> list[StageColumn]:
    """One column per buyer stage, in journey order, each with its first few cards."""
    columns = []
    stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()
    for stage in stages:
        if "stage" in filters.chosen and filters.chosen["stage"].id != stage.id:
            continue
        query = _filtered(user, filters).where(Asset.stages.any(id=stage.id))
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        cards = _cards(_with_revision(query, filters, user).limit(BOARD_CARDS_PER_STAGE))
        columns.append(StageColumn(stage, cards, total))
    return columns


def asset_list(user: User, filters: LibraryFilters, page: int, per_page: int) -> Page:
    """A page of cards matching the filters, in the chosen order."""
    query = _filtered(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    shown = _with_revision(query, filters, user)
    cards = _cards(shown.limit(per_page).offset((page - 1) * per_page))
    return Page(cards, page, per_page, total)


def taxonomy_choices() -> dict[str, Sequence[TaxonomyTerm]]:
    """Every taxonomy's terms, for filter bars and forms."""
    order: dict[type[TaxonomyTerm], tuple[QueryableAttribute[object], ...]] = {
        Stage: (Stage.position, Stage.id)
    }
    return {
        key: db.session.scalars(select(model).order_by(*order.get(model, (model.name,)))).all()
        for key, model in TAXONOMIES.items()
    }
