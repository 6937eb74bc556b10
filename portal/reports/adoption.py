"""Report 6, rep adoption: per rep, the content they used in the period and how many of
their closed deals had content attached; reps who did nothing are listed with zeros."""

from portal.kernel.reporting import Column, ReportFilters, Sort
from portal.reports.queries.adoption import BUCKETS, adoption_summary, rep_adoption, reps_per_share
from portal.reports.queries.consumption import DEFINITION, consumption_by_team
from portal.reports.registry import Chart, Headline, ReportSpec, Table

COLUMNS = [
    Column("rep", "Rep", "text"),
    Column(
        "assets_used",
        "Assets used",
        help="Distinct assets downloaded, shared, opened by a buyer or attached to a deal",
    ),
    Column("views", "Views"),
    Column("shares", "Share links", help="Share links made for buyers"),
    Column("buyer_views", "Buyer views", help="Opens of the rep's share links by buyers"),
    Column("closed_deals", "Closed deals", help="Won or lost, with a close date in the period"),
    Column(
        "deals_with_content",
        "With content",
        help="Closed deals with content attached or shared, recorded at any time",
    ),
    Column("content_share", "Share with content", "percent"),
    Column("ratings_given", "Ratings given", help="Ratings saved in the period"),
    Column("verified_uses", "Verified uses", help="Downloads, share links and buyer views"),
    Column("self_reported_uses", "Self-reported uses", help="Assets the rep attached to deals"),
    Column("imported_uses", "Imported uses", help="Assets the CRM attached to their deals"),
    Column("last_sign_in", "Last sign-in", "time", help="Only the latest sign-in is kept"),
]
TEAM_COLUMNS = [
    Column("team", "Team", "text"),
    Column("active_reps", "Active reps", help="Signed in or did something in the period"),
    Column("reps_using", "Used content", help="Active reps with a use of any evidence"),
    Column("using_share", "Share using content", "percent"),
    Column("verified", "Verified", help="Reps with a download, share link or buyer view"),
    Column("self_reported", "Self-reported", help="Reps who attached an asset to a deal"),
    Column("imported", "Imported", help="Reps whose deals the CRM attached an asset to"),
]


def _charts(filters: ReportFilters) -> list[Chart]:
    counts = reps_per_share(filters)
    if not any(counts.values()):
        return []
    return [
        Chart(
            "Reps by share of closed deals with content",
            "bar",
            [BUCKETS[key] for key in BUCKETS],
            {"Reps": [counts[key] for key in BUCKETS]},
        )
    ]


def _headlines(filters: ReportFilters) -> list[Headline]:
    summary = adoption_summary(filters)
    return [
        Headline("Reps with content on under half their closed deals", summary["under_half"]),
        Headline("Reps who used no asset", summary["no_assets"]),
        Headline("Closed deals with content", summary["content_share"], "percent"),
    ]


SPEC = ReportSpec(
    slug="rep-adoption",
    position=6,
    title="Rep adoption",
    summary="Per rep: the content they used in the period, and how many of their closed "
    "deals had content attached.",
    tables={
        "": Table(
            COLUMNS,
            Sort("assets_used", descending=False),
            rep_adoption,
            empty="No rep viewed, used or rated content or closed a deal in this period.",
        ),
        "teams": Table(
            TEAM_COLUMNS,
            Sort("using_share"),
            consumption_by_team,
            empty="No rep signed in or did anything in this period.",
        ),
    },
    tab_labels={"": "By rep", "teams": "By team"},
    filters=("team",),
    charts=_charts,
    headlines=_headlines,
    notes=[
        "Every active rep is listed, with zeros when they did nothing in the period; a "
        "deactivated rep only when they did something. Views are not use: assets used "
        "count downloads, share links, buyer views and deals.",
        "A closed deal has content when any use names it: attached by the rep or the "
        "CRM (self-reported or imported) or a share link made or opened for it "
        "(verified), recorded at any time. Team keeps the reps of that department.",
        "By team: " + DEFINITION,
    ],
)
