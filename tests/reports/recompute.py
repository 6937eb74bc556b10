"""The seeded world's raw rows, and the report figures recomputed from them in plain
Python, to compare with what the database aggregates."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from content.deals.models import Deal
from content.library.models import Asset, ContentType, asset_stages
from content.usage.models import Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.reporting import Period, ReportFilters
from tests.reports.seed import ZONE


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(ZONE)).date()


def in_period(moment: datetime, period: Period) -> bool:
    return period.first <= local_day(moment) <= period.last


@dataclass
class Raw:
    """Every row the reports read, loaded once per test."""

    events: list[UsageEvent]
    assets: dict[int, Asset]
    stages: dict[int, set[int]]  # asset id -> stage ids
    users: dict[int, User]
    deals: dict[int, Deal]
    ratings: list[Rating]

    @classmethod
    def load(cls) -> "Raw":
        stages = defaultdict(set)
        for asset_id, stage_id in db.session.execute(select(asset_stages)):
            stages[asset_id].add(stage_id)
        return cls(
            events=list(db.session.scalars(select(UsageEvent))),
            assets={a.id: a for a in db.session.scalars(select(Asset))},
            stages=stages,
            users={u.id: u for u in db.session.scalars(select(User))},
            deals={d.id: d for d in db.session.scalars(select(Deal))},
            ratings=list(db.session.scalars(select(Rating))),
        )

    def asset_kept(self, asset_id: int, filters: ReportFilters) -> bool:
        asset = self.assets[asset_id]
        return (
            (filters.stage_id is None or filters.stage_id in self.stages[asset_id])
            and (
                filters.content_type_id is None or asset.content_type_id == filters.content_type_id
            )
            and (filters.owner_id is None or asset.owner_id == filters.owner_id)
        )

    def events_kept(self, filters: ReportFilters) -> list[UsageEvent]:
        """The events of the period that the filters keep."""
        return [
            event
            for event in self.events
            if in_period(event.created_at, filters.period)
            and self.asset_kept(event.asset_id, filters)
            and (
                filters.team is None
                or (
                    event.user_id is not None
                    and self.users[event.user_id].department == filters.team
                )
            )
        ]

    def rating(self, asset_id: int) -> tuple[float | None, int]:
        stars = [r.stars for r in self.ratings if r.asset_id == asset_id]
        return (sum(stars) / len(stars) if stars else None), len(stars)


def content_usage(raw: Raw, filters: ReportFilters) -> dict[int, dict]:
    """Report 1's figures per asset, from the raw events."""
    rows: dict[int, dict] = {}
    for event in raw.events_kept(filters):
        row = rows.setdefault(
            event.asset_id,
            {"views": 0, "reps": set(), "downloads": 0, "shares": 0, "buyer_views": 0,
             "deals": 0, "deals_won": 0, "deals_lost": 0, "revenue": 0, "last_used": None},
        )  # fmt: skip
        user = raw.users.get(event.user_id)
        if user is not None and user.role == "rep":
            row["reps"].add(user.id)
        simple = {"view": "views", "download": "downloads", "share": "shares"}
        if event.kind in simple:
            row[simple[event.kind]] += 1
        elif event.kind == "buyer_view":
            row["buyer_views"] += 1
        elif event.kind == "used_in_deal":
            deal = raw.deals[event.deal_id]
            row["deals"] += 1
            row["deals_won"] += deal.status == "won"
            row["deals_lost"] += deal.status == "lost"
            row["revenue"] += (deal.amount_cents or 0) if deal.status == "won" else 0
        if event.kind != "view" and (
            row["last_used"] is None or event.created_at > row["last_used"]
        ):
            row["last_used"] = event.created_at
    for asset_id, row in rows.items():
        row["reps"] = len(row["reps"])
        row["rating_average"], row["rating_count"] = raw.rating(asset_id)
    return rows


def filters_for(world, days, ends_ago=0, stage=None, content_type=None, owner=None, team=None):
    """The filters of a test case: ``days`` whole days ending ``ends_ago`` days before
    the world's today, and the named stage, content type, owner and team."""
    last = world.today - timedelta(days=ends_ago)
    filters = ReportFilters(Period(last - timedelta(days=days - 1), last), team=team)
    filters.stage_id = world.stages[stage] if stage else None
    if content_type:
        filters.content_type_id = db.session.scalar(
            select(ContentType.id).where(ContentType.slug == content_type)
        )
    filters.owner_id = world.people[owner] if owner else None
    return filters
