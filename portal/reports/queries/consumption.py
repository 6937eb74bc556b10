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
Each figure is a grouped query per bucket (the period, the one before it, or each of
the last weeks), so the headline reads the period's events a few times at most.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Integer, Select, String, case, func, literal, select, union, union_all
from sqlalchemy.sql import ColumnElement

from content.library.models import Asset
from content.usage.models import EVIDENCE, Rating, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import DEPARTMENTS, Role, User
from portal.kernel.pagination import Page
from portal.kernel.reporting import Period, ReportFilters, Sort, local_today, share
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
    and the last ``weeks`` weeks ending with the period's last day.

    One pass over the events of all three: each distinct (rep, tier) and (asset) comes
    with two bucket numbers, the period or the one before it, and the week (-1 before
    the weeks), and is tallied per bucket here."""
    period = filters.period
    before = Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))
    trend = Period(period.last - timedelta(days=7 * weeks - 1), period.last)
    span = Period(min(before.first, trend.first), period.last)
    buckets = (_period_split(before, period), _weekly(trend))
    live = live_assets()
    split = {
        n: Consumption(day, live_assets=live) for n, day in enumerate((before.first, period.first))
    }
    weekly = {n: Consumption(day, live_assets=live) for n, day in enumerate(trend.weeks())}
    people = _tally(db.session.execute(_rep_activity(span, filters.team, buckets)))
    for column, figures in ((0, split), (1, weekly)):
        _add_reps(figures, people, column)
    assets: dict[tuple[int, int], set[int]] = defaultdict(set)
    for in_period, week, asset_id in db.session.execute(_assets_used(span, buckets)):
        assets[(0, in_period)].add(asset_id)
        assets[(1, week)].add(asset_id)
    for (column, number), used in assets.items():
        figures = (split, weekly)[column]
        if number in figures:
            figures[number].assets_used = len(used)
    return ConsumptionHeadline(period, split[1], split[0], list(weekly.values()))


Tally = dict[tuple[int, int], dict[str, set[int]]]


def _tally(rows) -> Tally:
    """Per (bucket column, bucket number), the active reps ("active") and the reps with
    a use of each tier and of any ("any")."""
    found: Tally = defaultdict(lambda: defaultdict(set))
    for *numbers, user_id, tier in rows:
        for column, number in enumerate(numbers):
            sets = found[(column, number)]
            sets["active"].add(user_id)
            if tier is not None:
                sets[tier].add(user_id)
                sets["any"].add(user_id)
    return found


def _add_reps(figures: dict[int, Consumption], people: Tally, column: int) -> None:
    for (at, number), sets in people.items():
        if at == column and number in figures:
            figures[number].active_reps = len(sets["active"])
            figures[number].reps_using = {tier: len(sets[tier]) for tier in TIERS}


def _period_split(before: Period, period: Period):
    """Bucket 1 for a time in ``period``, 0 for one in ``before``, -1 for an earlier one
    (read for the weeks)."""

    def bucket(column) -> ColumnElement:
        return case(
            (column < _instant(before.start), -1),
            (column < _instant(period.start), 0),
            else_=1,
        )

    return bucket


def _weekly(span: Period):
    """The seven-day bucket of a time in ``span``, cut at local midnights (a week with a
    change of clocks keeps its own days), and -1 before the span."""
    cuts = [Period(day, day).start for day in span.weeks()]

    def bucket(column) -> ColumnElement:
        whens = [(column < _instant(cut), number - 1) for number, cut in enumerate(cuts)]
        return case(*whens, else_=len(cuts) - 1)

    return bucket


def _instant(moment) -> ColumnElement:
    return literal(moment, type_=E.created_at.type)


def _reps(query: Select, user_id, team: str | None) -> Select:
    """Keep the rows of rep accounts not deactivated (of ``team`` when given). A join,
    not ``IN (the reps' ids)``: SQLite would then read every event of each rep through
    the index on the person, ten times slower than the period's events by time."""
    query = query.join(User, User.id == user_id).where(User.role == Role.REP, User.active)
    return query if team is None else query.where(User.department == team)


def _within(column, span: Period) -> list:
    return [column >= span.start, column < span.end]


def _numbers(buckets, column) -> list:
    return [bucket(column).cast(Integer) for bucket in buckets]


def _rep_activity(span: Period, team: str | None, buckets):
    """Distinct (bucket numbers…, rep, tier) of what made reps active in the span: for a
    usage event the tier is its evidence, None for a view (active, but no use); None too
    for the rest: their latest sign-in, ratings, feedback and campaign briefs read. The
    events of the span are read in time order."""
    tier = case((E.kind == "view", None), else_=E.evidence)
    events = select(*_numbers(buckets, E.created_at), E.user_id, tier).where(
        *_within(E.created_at, span)
    )
    return union(_reps(events, E.user_id, team), _rep_doings(span, team, buckets))


def _rep_doings(span: Period, team: str | None, buckets) -> Select:
    """(bucket numbers…, rep, None) of everything but usage that makes a rep active."""
    sources = union_all(
        select(User.id.label("user_id"), User.last_login_at.label("at")).where(
            *_within(User.last_login_at, span)
        ),
        select(Rating.user_id, Rating.updated_at).where(*_within(Rating.updated_at, span)),
        select(FieldFeedback.author_id, FieldFeedback.created_at).where(
            *_within(FieldFeedback.created_at, span)
        ),
        select(CampaignRead.user_id, CampaignRead.read_at).where(
            *_within(CampaignRead.read_at, span)
        ),
    ).subquery("doings")
    user_id = sources.c.user_id
    query = select(*_numbers(buckets, sources.c.at), user_id, literal(None, String()))
    return _reps(query, user_id, team)


def _assets_used(span: Period, buckets) -> Select:
    """Distinct (bucket numbers…, asset) of the live assets that anything but a view
    named: the pairs come from the index on (time, kind, asset) alone, and only they are
    joined to the assets."""
    numbers = [
        number.label(f"bucket{n}") for n, number in enumerate(_numbers(buckets, E.created_at))
    ]
    pairs = (
        select(*numbers, E.asset_id.label("asset_id"))
        .where(*_within(E.created_at, span), E.kind != "view")
        .distinct()
        .subquery("pairs")
    )
    return (
        select(*(pairs.c[f"bucket{n}"] for n in range(len(buckets))), pairs.c.asset_id)
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


def _one_bucket(column) -> ColumnElement:
    return literal(0)


def team_consumption(filters: ReportFilters) -> list[TeamConsumption]:
    """Each team's consumption in the period (the chosen team only, when one is), in
    the order of DEPARTMENTS; a team without an active rep is left out."""
    rows = []
    for team in [filters.team] if filters.team else DEPARTMENTS:
        statement = _rep_activity(filters.period, team, (_one_bucket,))
        sets = _tally(db.session.execute(statement)).get((0, 0))
        if not sets or not sets["active"]:
            continue
        active, using = len(sets["active"]), {tier: len(sets[tier]) for tier in TIERS}
        rows.append(
            TeamConsumption(
                team=team.capitalize(),
                active_reps=active,
                reps_using=using["any"],
                using_share=share(using["any"], active),
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
