"""Report 3's figures recomputed in plain Python from the raw usage events."""

from portal.kernel.reporting import ReportFilters
from tests.reports.recompute import Raw


def _confirmed(raw: Raw) -> set[tuple[int, int]]:
    """(deal, asset) pairs a buyer opened a share link for, at any time."""
    return {(e.deal_id, e.asset_id) for e in raw.events if e.kind == "buyer_view"}


def evidence(raw: Raw, filters: ReportFilters, by: str) -> dict:
    """The period's claims grouped ``by`` "asset" (asset id) or "rep" (the credited user's
    id): every figure of each row."""
    confirmed = _confirmed(raw)
    rows: dict = {}
    for event in raw.events_kept(filters):
        if event.kind != "used_in_deal":
            continue
        key = event.asset_id if by == "asset" else event.user_id
        row = rows.setdefault(
            key,
            {"claims": 0, "self_reported": 0, "self_reported_verified": 0, "imported": 0,
             "imported_verified": 0, "verified": 0, "deals": set()},
        )  # fmt: skip
        verified = (event.deal_id, event.asset_id) in confirmed
        row["claims"] += 1
        row[event.evidence] += 1
        row[f"{event.evidence}_verified"] += verified
        row["verified"] += verified
        row["deals"].add(event.deal_id)
    for row in rows.values():
        row["verified_share"] = row["verified"] / row["claims"]
        if by == "rep":
            row["deals"] = len(row["deals"])
        else:
            del row["deals"]
    return rows
