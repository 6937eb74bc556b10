"""The operations endpoints: /healthz, /readyz and /metrics.

None of them uses the session or signs anyone in, and none may be kept by a cache: a
probe must see the process as it is now.
"""

from flask import Blueprint, Response, abort, current_app, jsonify

from portal.kernel import metrics
from portal.operations.access import may_scrape
from portal.operations.health import readiness

bp = Blueprint("operations", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and answers requests; nothing else is checked (no database), so
    an orchestrator restarts the process only when the process itself is stuck."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when the database, the migrations, the search index and Redis (when set) are
    ready, else 503 with each failing check's reason: a load balancer sends traffic
    elsewhere meanwhile."""
    ready, checks = readiness(current_app)
    body = jsonify(status="ready" if ready else "unready", checks=checks)
    return _no_store(body), 200 if ready else 503


@bp.get("/metrics")
def metrics_page() -> Response:
    """Every metric in the Prometheus text format, for scrapers allowed by
    TANDEM_METRICS_TOKEN or TANDEM_METRICS_ALLOW (loopback only by default)."""
    if not may_scrape(current_app):
        abort(404)
    return _no_store(metrics.exposition(current_app))
