"""Lists of deals: the filters a list page reads, its rows, and the rep's open deals."""

from dataclasses import dataclass, field, replace

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from content.deals.models import DEAL_STATUSES, Deal
from content.taxonomy.filters import StagedFilters, stage_filter
from content.usage.models import UsageEvent
from content.usage.rules import visible_deals
from portal.kernel.extensions import db
from portal.kernel.list_filters import check_filters, search_words
from portal.kernel.models import User, normalize_email
from portal.kernel.pagination import Page, paginate
from portal.kernel.permissions import can

SORTS = ("close_date", "amount", "updated", "name")
STATUS_VIEWS = (*DEAL_STATUSES, "all")


@dataclass
class DealFilters(StagedFilters):
    status: str = "open"
    q: str = ""
    owner: str = ""  # an email; leaders only
    sort: str = "close_date"
    chosen_owner: User | None = None

    @property
    def active(self) -> bool:
        return bool(self.stage or self.q or self.owner) or self.status != "open"


def parse_filters(args, user: User) -> DealFilters:
    """Read list filters from query arguments; anything not understood is a
    ValidationFailed naming it."""
    filters = DealFilters(
        status=(args.get("status") or "open").strip(),
        q=search_words(args, 100),
        owner=(args.get("owner") or "").strip()[:254],
        sort=(args.get("sort") or "close_date").strip(),
    )
    errors: dict[str, str] = {}
    if filters.status not in STATUS_VIEWS:
        errors["status"] = "Show open, won, lost or all deals."
    if filters.sort not in SORTS:
        errors["sort"] = "Sort by close date, amount, last change or name."
    filters.stage, filters.chosen_stage = stage_filter(args, errors)
    if filters.owner:
        filters.chosen_owner = db.session.scalar(
            select(User).where(User.email == normalize_email(filters.owner))
        )
        if filters.chosen_owner is None or not can(user, "view_all_deals"):
            errors["owner"] = f"There is no rep with the email “{filters.owner}”."
    check_filters(errors)
    return filters


def _filtered(user: User, filters: DealFilters) -> Select:
    query = filters.in_stage(filters.in_status(visible_deals(user), Deal.status), Deal.stage_id)
    if filters.chosen_owner is not None:
        query = query.where(Deal.owner_id == filters.chosen_owner.id)
    if filters.q:
        pattern = "%" + filters.q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            or_(func.lower(Deal.name).like(pattern), func.lower(Deal.account).like(pattern))
        )
    return query


_ORDER = {
    # Open deals closing soonest first; deals without a date after them.
    "close_date": (case((Deal.close_date.is_(None), 1), else_=0), Deal.close_date, Deal.id),
    "amount": (case((Deal.amount_cents.is_(None), 1), else_=0), Deal.amount_cents.desc(), Deal.id),
    "updated": (Deal.updated_at.desc(), Deal.id.desc()),
    "name": (func.lower(Deal.name), Deal.id),
}


@dataclass
class DealRow:
    deal: Deal
    attached: int
    # Of ``attached``, per evidence ("self_reported", "imported"): lists show them apart.
    by_evidence: dict[str, int] = field(default_factory=dict)


def deal_list(user: User, filters: DealFilters, page: int, per_page: int) -> Page:
    """A page of deals with the number of assets attached to each."""
    query = _filtered(user, filters)
    listed = paginate(
        query,
        page,
        per_page,
        order=_ORDER[filters.sort],
        options=(selectinload(Deal.owner), selectinload(Deal.stage)),
    )
    counts = attachment_counts([deal.id for deal in listed.items])
    rows = [
        DealRow(deal, sum(counts.get(deal.id, {}).values()), counts.get(deal.id, {}))
        for deal in listed.items
    ]
    return replace(listed, items=rows)


def attachment_counts(deal_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deal id -> {evidence: number of assets attached with it}."""
    counts: dict[int, dict[str, int]] = {}
    if deal_ids:
        for deal_id, evidence, number in db.session.execute(
            select(UsageEvent.deal_id, UsageEvent.evidence, func.count(UsageEvent.id))
            .where(UsageEvent.kind == "used_in_deal", UsageEvent.deal_id.in_(deal_ids))
            .group_by(UsageEvent.deal_id, UsageEvent.evidence)
        ):
            assert deal_id is not None, "the query keeps events of the given deals"
            counts.setdefault(deal_id, {})[evidence] = number
    return counts


def open_deals(user: User) -> list[Deal]:
    """The rep's open deals, closing soonest first: the choices of "Used in a deal…"."""
    if not can(user, "track_deals"):
        return []
    deals = db.session.scalars(
        select(Deal)
        .where(Deal.owner_id == user.id, Deal.status == "open")
        .order_by(*_ORDER["close_date"])
    )
    return list(deals)
