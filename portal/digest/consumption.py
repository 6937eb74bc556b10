"""Content consumption in leaders' and admins' digests: the week's share of active reps
who used marketing content and of the live library used, against the week before, per
evidence tier and over the last eight weeks (``portal.reports.queries.consumption``)."""

from portal.digest.contents import DigestItem, DigestSection
from portal.digest.weeks import Week
from portal.kernel.reporting import ReportFilters
from portal.reports.queries.consumption import ConsumptionHeadline, consumption_headline


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _change(value: float | None) -> str:
    if value is None:
        return "no figure for the week before"
    points = round(value * 100)
    if points == 0:
        return "as the week before"
    return f"{'up' if points > 0 else 'down'} {abs(points)} pts on the week before"


def consumption_section(week: Week) -> DigestSection:
    """The week's content consumption as four lines, each linked to the dashboard."""
    headline = consumption_headline(ReportFilters(week.period))
    now = headline.current
    link = f"/reports?from={week.monday.isoformat()}&to={week.sunday.isoformat()}"
    tiers = ", ".join(
        f"{label.lower()} {_share(now.rep_share(tier))}"
        for tier, label in headline.tiers.items()
        if tier != "any"
    )
    items = [
        DigestItem(
            f"Active reps who used content: {_share(now.rep_share())}",
            link,
            f"{now.reps_using['any']} of {now.active_reps} active reps, "
            f"{_change(headline.change('reps'))}",
        ),
        DigestItem(
            f"Live assets used: {_share(now.asset_share)}",
            link,
            f"{now.assets_used} of {now.live_assets} live assets, "
            f"{_change(headline.change('assets'))}",
        ),
        DigestItem("Reps who used content, by evidence", link, tiers),
        DigestItem("The last eight weeks", link, _trend(headline)),
    ]
    section = DigestSection(
        "Content consumption", items, len(items), ("figure", "figures"), headline.definition
    )
    section.label = "content consumption"
    return section


def _trend(headline: ConsumptionHeadline) -> str:
    """Each week's share of active reps who used content, oldest first."""
    return " · ".join(
        f"{week.first_day:%-d %b}: {_share(week.rep_share())}" for week in headline.trend
    )
