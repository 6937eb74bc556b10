"""Sales consumption of marketing content: how many active reps used content, by how it
is known, and how much of the live library was used at all, per period and per week.

- An active rep is an account with the rep role that is not deactivated and that signed
  in or did something in the period: viewed, downloaded, shared or attached content
  (any usage event credited to them), rated an asset, sent feedback or read a campaign
  brief. Only each person's latest sign-in is stored, so in earlier weeks a rep counts
  as active when they did something then.
- A rep used content when a usage event other than a view is credited to them in the
  period (a download, a share link, a buyer opening their link, an asset attached to a
  deal). Its evidence tier says how it is known: ``verified`` (Tandem saw it),
  ``self_reported`` (the rep attached it) or ``imported`` (the CRM sent it, credited to
  the deal's owner). A rep may count in several tiers; "any" counts them once.
- Live assets are the library as it stands today (published, not archived or
  expired); one is used when any usage event other than a view names it in the period.

The team filter keeps the reps of that department; the asset figures are the library's.
The period, the one before it and the last weeks are windows of one pass over their
events: the span is cut into segments at the windows' ends, and each rep with each tier,
and each asset, is read once per segment it appears in (three statements in all).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, String, case, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement

from content.library.models import Asset
from content.usage.models import EVIDENCE, Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import DEPARTMENTS, Role, User
from portal.kernel.pagination import Page
from portal.kernel.reporting import Period, ReportFilters, Sort, local_today, share
from portal.kernel.sql import on_postgresql
from workflows.campaigns.models import CampaignRead
from workflows.feedback.models import FieldFeedback

E = UsageEvent
TREND_WEEKS = 8
TIERS = ("any", *EVIDENCE)
TIER_LABELS = {
    "any": "Any evidence",
    "verified": "Verified",
    "self_reported": "Self-reported",
    "imported": "Imported",
}
DEFINITION = (
    "Active reps: rep accounts that are not deactivated and signed in or did something "
    "in the period (viewed, downloaded, shared or attached content, rated an asset, sent "
    "feedback or read a campaign brief). A rep used content when a download, a share "
    "link, a buyer opening their link or an asset attached to a deal is credited to them: "
    "verified when Tandem saw it, self-reported when the rep attached it, imported when "
    "the CRM sent it. Live assets are the library as it stands today; one is used when "
    "anything but a view names it in the period."
)


@dataclass
class Consumption:
    """The figures of one period (or week): active reps, how many of them used content
    per evidence tier (and "any"), live assets and how many of them were used."""

    first_day: date
    active_reps: int = 0
    reps_using: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIERS, 0))
    live_assets: int = 0
    assets_used: int = 0

    def rep_share(self, tier: str = "any") -> float | None:
        """The share of active reps who used content of ``tier``."""
        return share(self.reps_using[tier], self.active_reps)

    @property
    def asset_share(self) -> float | None:
        return share(self.assets_used, self.live_assets)


@dataclass
class ConsumptionHeadline:
    """The period's figures, the same-length period before it (for the change arrow)
    and the last weeks up to the period's end, oldest first."""

    period: Period
    current: Consumption
    previous: Consumption
    trend: list[Consumption]
    definition: str = DEFINITION
    tiers: dict[str, str] = field(default_factory=lambda: dict(TIER_LABELS))

    def change(self, figure: str, tier: str = "any") -> float | None:
        """The change of a share since the previous period, in fractions (points / 100);
        ``figure`` is "reps" or "assets"; None when either share is unknown."""
        if figure == "reps":
            now, before = self.current.rep_share(tier), self.previous.rep_share(tier)
        else:
            now, before = self.current.asset_share, self.previous.asset_share
        return None if now is None or before is None else now - before


def consumption_headline(filters: ReportFilters, weeks: int = TREND_WEEKS) -> ConsumptionHeadline:
    """Content consumption for the reports dashboard, the leaders' digest and any page
    that includes ``reports/_consumption_headline.html``: the period, the one before it
    and the last ``weeks`` weeks ending with the period's last day (three statements)."""
    period = filters.period
    before = Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))
    trend = Period(period.last - timedelta(days=7 * weeks - 1), period.last)
    windows = [before, period, *(Period(day, day + timedelta(days=6)) for day in trend.weeks())]
    figures = consumption_in(windows, filters.team, with_assets=True)
    return ConsumptionHeadline(period, figures[1], figures[0], figures[2:])


def consumption_in(
    windows: list[Period], team: str | None, with_assets: bool = False
) -> list[Consumption]:
    """The figures of each window, from one pass over the events of them all: the span
    they cover is cut into segments at every window's ends, and each rep with each tier,
    and each asset, comes once per segment it appears in."""
    cuts = sorted({moment for w in windows for moment in (w.start, w.end)})
    inside = [
        [n for n, w in enumerate(windows) if w.start <= cuts[k] and cuts[k + 1] <= w.end]
        for k in range(len(cuts) - 1)
    ]
    live = live_assets() if with_assets else 0
    found = [Consumption(window.first, live_assets=live) for window in windows]
    active: list[set[int]] = [set() for _ in windows]
    using: list[dict[str, set[int]]] = [defaultdict(set) for _ in windows]
    reps = _rep_ids(team)
    for user_id, tier, segment in _segments(_rep_activity(cuts), 2):
        if user_id not in reps:
            continue
        for n in inside[segment]:
            active[n].add(user_id)
            if tier is not None:
                using[n][tier].add(user_id)
                using[n]["any"].add(user_id)
    for n, figures in enumerate(found):
        figures.active_reps = len(active[n])
        figures.reps_using = {tier: len(using[n][tier]) for tier in TIERS}
    if with_assets:
        assets: list[set[int]] = [set() for _ in windows]
        for asset_id, segment in _segments(_assets_used(cuts), 1):
            for n in inside[segment]:
                assets[n].add(asset_id)
        for figures, used in zip(found, assets, strict=True):
            figures.assets_used = len(used)
    return found


def _instant(moment) -> ColumnElement:
    return literal(moment, type_=E.created_at.type)


def _segment(column, cuts: list) -> ColumnElement:
    """The number of the segment between two cuts that a time falls in (0 first)."""
    whens = [(column < _instant(cut), k) for k, cut in enumerate(cuts[1:-1])]
    return case(*whens, else_=len(cuts) - 2) if whens else literal(0)


def _hashed() -> bool:
    """Whether the database groups by hashing (PostgreSQL): see ``_per_segment``."""
    return on_postgresql()


def _per_segment(keys: list, at, cuts: list, constants: tuple = ()) -> Select:
    """``keys`` with the segments of ``at`` they occur in. SQLite: distinct (keys,
    segment) rows, which it keeps in a b-tree as it reads. PostgreSQL: one row per key
    with the bits of its segments OR-ed, which it hashes; it sorted the distinct rows
    instead, on disk, at twice the cost, not knowing how few they are."""
    segment = _segment(at, cuts)
    if not _hashed():
        return select(*keys, *constants, segment).distinct()
    mask = func.bit_or(literal(1).op("<<")(segment))
    return select(*keys, *constants, mask).group_by(*keys)


def _segments(statement, width: int):
    """The rows of a ``_per_segment`` statement as (keys…, segment), one per segment."""
    flagged = _hashed()
    for *keys, found in db.session.execute(statement):
        if not flagged:
            yield (*keys[:width], found)
            continue
        segment = 0
        while found:
            if found & 1:
                yield (*keys[:width], segment)
            found, segment = found >> 1, segment + 1


def _spanned(column, cuts: list) -> list:
    return [column >= cuts[0], column < cuts[-1]]


def _rep_ids(team: str | None) -> set[int]:
    """The rep accounts not deactivated (of ``team`` when given): a few hundred ids, kept
    here rather than joined to every event of the span."""
    reps = select(User.id).where(User.role == Role.REP, User.active)
    if team is not None:
        reps = reps.where(User.department == team)
    return set(db.session.scalars(reps))


def _rep_activity(cuts: list):
    """Distinct (rep, tier, segment) of what made reps active: for a usage event the tier
    is its evidence, None for a view (active, but no use); None too for the rest: their
    latest sign-in, ratings, feedback and campaign briefs read."""
    tier = case((E.kind == "view", None), else_=E.evidence)
    # ``user_id + 0``: grouped by the column itself, SQLite would walk the whole table
    # in the order of the index on it instead of reading the span by time.
    events = _per_segment([(E.user_id + 0).label("user_id"), tier], E.created_at, cuts)
    events = events.where(*_spanned(E.created_at, cuts))
    return union_all(events, _rep_doings(cuts))


def _rep_doings(cuts: list) -> Select:
    """(rep, None, segment) of everything but usage that makes a rep active."""
    sources = union_all(
        select(User.id.label("user_id"), User.last_login_at.label("at")).where(
            *_spanned(User.last_login_at, cuts)
        ),
        select(Rating.user_id, Rating.updated_at).where(*_spanned(Rating.updated_at, cuts)),
        select(FieldFeedback.author_id, FieldFeedback.created_at).where(
            *_spanned(FieldFeedback.created_at, cuts)
        ),
        select(CampaignRead.user_id, CampaignRead.read_at).where(
            *_spanned(CampaignRead.read_at, cuts)
        ),
    ).subquery("doings")
    return _per_segment([sources.c.user_id], sources.c.at, cuts, (literal(None, String()),))


def _assets_used(cuts: list) -> Select:
    """Distinct (live asset, segment) that anything but a view named: the pairs come
    from the index on (time, kind, asset) alone, and only they are joined to the assets."""
    pairs = (
        _per_segment([E.asset_id.label("asset_id")], E.created_at, cuts)
        .where(*_spanned(E.created_at, cuts), E.kind != "view")
        .subquery("pairs")
    )
    return (
        select(pairs)
        .join(Asset, Asset.id == pairs.c.asset_id)
        .where(Asset.live_clause(local_today()))
    )


def live_assets() -> int:
    """How many assets are live today."""
    live = select(func.count(Asset.id)).where(Asset.live_clause(local_today()))
    return db.session.scalar(live) or 0


@dataclass
class TeamConsumption:
    """One team's row of the adoption report's "By team" list."""

    team: str
    active_reps: int
    reps_using: int
    using_share: float | None
    verified: int
    self_reported: int
    imported: int


def team_consumption(filters: ReportFilters) -> list[TeamConsumption]:
    """Each team's consumption in the period (the chosen team only, when one is), in
    the order of DEPARTMENTS; a team without an active rep is left out."""
    rows = []
    for team in [filters.team] if filters.team else DEPARTMENTS:
        (figures,) = consumption_in([filters.period], team)
        if not figures.active_reps:
            continue
        using = figures.reps_using
        rows.append(
            TeamConsumption(
                team=team.capitalize(),
                active_reps=figures.active_reps,
                reps_using=using["any"],
                using_share=figures.rep_share(),
                verified=using["verified"],
                self_reported=using["self_reported"],
                imported=using["imported"],
            )
        )
    return rows


def consumption_by_team(filters: ReportFilters, sort: Sort, page: int, per_page: int) -> Page:
    """A page of ``team_consumption`` in the chosen order (two teams at most: sorted
    here rather than in the database)."""
    rows = team_consumption(filters)
    known = [row for row in rows if getattr(row, sort.key) is not None]
    known.sort(key=lambda row: getattr(row, sort.key), reverse=sort.descending)
    ordered_rows = known + [row for row in rows if getattr(row, sort.key) is None]
    start = (page - 1) * per_page
    return Page(ordered_rows[start : start + per_page], page, per_page, len(rows))
