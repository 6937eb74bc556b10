"""Report 3, evidence: how much of the use in deals that reps and the CRM recorded in the
period a buyer confirmed by opening a share link, per asset and per rep."""

from portal.kernel.reporting import Column, ReportFilters, Sort, share
from portal.reports.queries.evidence import evidence_by_asset, evidence_by_rep, evidence_totals
from portal.reports.registry import ASSET_ID, Chart, Headline, ReportSpec, Table

FIGURES = [
    Column("claims", "Claims", help="Self-reported and imported, counted apart next"),
    Column("self_reported", "Self-reported", help="Attached to a deal by the rep"),
    Column("self_reported_verified", "Self-reported, verified"),
    Column("imported", "Imported", help="Attached to a deal by the CRM"),
    Column("imported_verified", "Imported, verified"),
    Column(
        "verified",
        "Verified",
        help="Claims of either kind whose buyer opened a share link to the asset for the deal",
    ),
    Column("verified_share", "Verified share", "percent", help="Verified of all claims"),
]
ASSET_COLUMNS = [Column("title", "Asset", "text"), Column("owner", "Owner", "text"), *FIGURES]
REP_COLUMNS = [
    Column(
        "rep", "Rep", "text", help="The rep who attached it; for a CRM import, the deal's owner"
    ),
    Column("deals", "Deals", help="Deals they recorded content for in the period"),
    *FIGURES,
]
EMPTY = "No content was recorded as used in a deal in this period."
TOP = 10


def _charts(filters: ReportFilters) -> list[Chart]:
    """Verified and unverified claims of the reps with the most claims."""
    top = evidence_by_rep(filters, Sort("claims"), 1, TOP).items
    if not top:
        return []
    return [
        Chart(
            f"Claims verified by a buyer: top {len(top)} reps by claims",
            "bar",
            [row.rep or "Former user" for row in top],
            {
                "Verified": [row.verified for row in top],
                "Not verified": [row.claims - row.verified for row in top],
            },
        )
    ]


def _headlines(filters: ReportFilters) -> list[Headline]:
    totals = evidence_totals(filters)
    return [
        Headline("Claims (self-reported)", totals["self_reported"]),
        Headline("Claims (imported)", totals["imported"]),
        Headline("Verified by a buyer", share(totals["verified"], totals["claims"]), "percent"),
    ]


SPEC = ReportSpec(
    slug="evidence",
    position=3,
    title="Evidence",
    summary="How much of the content reps say they used in deals did a buyer open?",
    tables={
        "assets": Table(
            ASSET_COLUMNS, Sort("claims"), evidence_by_asset, empty=EMPTY, row_id=ASSET_ID
        ),
        "reps": Table(REP_COLUMNS, Sort("claims"), evidence_by_rep, empty=EMPTY),
    },
    tab_labels={"assets": "By asset", "reps": "By rep"},
    charts=_charts,
    headlines=_headlines,
    notes=[
        "A claim is an asset attached to a deal in the period, by the rep "
        "(self-reported) or by the CRM (imported). It is verified when a buyer opened "
        "a share link to that asset for that deal, at any time. Unverified does not "
        "mean untrue: the asset may have reached the buyer another way.",
    ],
)
