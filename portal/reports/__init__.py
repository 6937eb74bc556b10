"""Leader reports: content usage, influence on wins, evidence, gaps, adoption and
ghost-writing. Views live here; each report's queries live in the package that owns the
data. Importing the report modules registers them; each says its place on the dashboard."""

from portal.reports import (  # noqa: F401
    adoption,
    content_usage,
    coverage,
    evidence,
    feedback,
    gaps,
    ghostwriting,
    influence,
)
from portal.reports.openapi import register_openapi
from portal.reports.views import api_bp, bp

register_openapi()

__all__ = ["api_bp", "bp"]
