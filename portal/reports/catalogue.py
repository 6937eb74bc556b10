"""Every report the portal offers; the reports feature registers them when it is added to
an application, and the API lists their slugs."""

from portal.reports import (
    adoption,
    campaign_results,
    content_usage,
    coverage,
    deal_stages,
    evidence,
    feedback,
    gaps,
    ghostwriting,
    influence,
    search_gaps,
)
from portal.reports.registry import ReportSpec

SPECS: tuple[ReportSpec, ...] = (
    content_usage.SPEC,
    evidence.SPEC,
    influence.SPEC,
    adoption.SPEC,
    coverage.SPEC,
    gaps.SPEC,
    ghostwriting.SPEC,
    feedback.SPEC,
    search_gaps.SPEC,
    campaign_results.SPEC,
    deal_stages.SPEC,
)


def slugs() -> list[str]:
    """The slugs of every report, sorted."""
    return sorted(spec.slug for spec in SPECS)
