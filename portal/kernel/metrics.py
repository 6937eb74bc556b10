"""Metrics in the Prometheus text format: requests counted and timed per endpoint, and
gauges that features register, read when a scrape asks for them.

Each application has its own registry (a process may build many). Requests are labelled
by the Flask endpoint that answered, never the path, so the number of series stays that
of the routes; a request no route matched counts as ``none``.

With several worker processes (gunicorn), each would count only its own requests. When
``PROMETHEUS_MULTIPROC_DIR`` is set, prometheus_client writes every worker's counts to
files in that folder and a scrape adds them up (``MultiProcessCollector``); gunicorn's
``child_exit`` hook must then call ``prometheus_client.multiprocess.mark_process_dead``
(see the README). Gauges are read by the worker that answers the scrape: they read shared
state (the database), not the worker's own.
"""

import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from flask import Flask, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from portal.kernel.extensions import db
from portal.kernel.logs import request_seconds

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "none"

GaugeReading = float | Mapping[tuple[str, ...], float]


@dataclass(frozen=True)
class Gauge:
    """A value read at each scrape: ``read()`` returns a float, or with ``labels`` a
    mapping of label-value tuples to floats."""

    name: str
    documentation: str
    read: Callable[[], GaugeReading]
    labels: tuple[str, ...] = ()


class ReadAtScrape(Collector):
    """Reads the registered gauges when a scrape collects them. A gauge that fails is
    logged and left out; the scrape goes on with the others."""

    def __init__(self) -> None:
        self.gauges: dict[str, Gauge] = {}

    def collect(self) -> Iterator[Metric]:
        for gauge in self.gauges.values():
            try:
                family = _family(gauge, gauge.read())
            except Exception:  # noqa: BLE001 - one broken gauge must not end the scrape
                log.exception(
                    "The gauge %s could not be read; this scrape leaves it out", gauge.name
                )
                # A failed query leaves a PostgreSQL transaction unusable for the next gauge.
                db.session.rollback()
                continue
            yield family


def _family(gauge: Gauge, reading: GaugeReading) -> GaugeMetricFamily:
    if not gauge.labels:
        assert not isinstance(reading, Mapping), f"{gauge.name} has no labels"
        return GaugeMetricFamily(gauge.name, gauge.documentation, value=float(reading))
    assert isinstance(reading, Mapping), f"{gauge.name} has labels: read a mapping"
    family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels))
    for values, value in reading.items():
        family.add_metric([str(label) for label in values], float(value))
    return family


class Metrics:
    """An application's registry, its request metrics and its gauges."""

    def __init__(self) -> None:
        folder = os.environ.get(MULTIPROCESS_ENV, "")
        if folder and not os.path.isdir(folder):
            raise RuntimeError(f"{MULTIPROCESS_ENV} must name an existing folder, got {folder!r}")
        self.multiprocess = bool(folder)
        self.registry = CollectorRegistry()
        self.gauges = ReadAtScrape()
        # In multiprocess mode the request metrics live in the shared files, collected
        # from there; registering them here too would expose this worker's twice.
        own = None if self.multiprocess else self.registry
        self.requests = Counter(
            "tandem_http_requests",
            "Requests answered, by Flask endpoint and status code.",
            ("endpoint", "status"),
            registry=own,
        )
        self.latency = Histogram(
            "tandem_http_request_duration_seconds",
            "Time from the start of the request to its answer, by Flask endpoint.",
            ("endpoint",),
            registry=own,
        )
        if self.multiprocess:
            MultiProcessCollector(self.registry)
        self.registry.register(self.gauges)

    def exposition(self) -> bytes:
        """Every metric, in the Prometheus text format."""
        return generate_latest(self.registry)


def metrics_of(app: Flask) -> Metrics:
    """The metrics of ``app``, made on first use (features register gauges before the
    request metrics are installed)."""
    return app.extensions.setdefault("metrics", Metrics())


def register_gauge(
    app: Flask,
    name: str,
    documentation: str,
    read: Callable[[], GaugeReading],
    labels: Sequence[str] = (),
) -> None:
    """Expose ``read()`` as the gauge ``name``, read at each scrape inside the scrape's
    request (so it may query the database). With ``labels``, ``read()`` returns a mapping
    of label-value tuples to floats."""
    gauges = metrics_of(app).gauges.gauges
    if name in gauges:
        raise ValueError(f"The gauge {name} is registered twice")
    gauges[name] = Gauge(name, documentation, read, tuple(labels))


def install(app: Flask) -> None:
    """Count and time every request of ``app`` (timed from the stamp of ``logs.install``,
    which create_app runs first)."""
    metrics = metrics_of(app)

    def finish(response: Response) -> Response:
        seconds = request_seconds()
        if seconds is not None:
            endpoint = request.endpoint or UNMATCHED
            metrics.requests.labels(endpoint, str(response.status_code)).inc()
            metrics.latency.labels(endpoint).observe(seconds)
        return response

    # Last of the after-request hooks (they run in reverse): the time, started by the
    # logs' first before-request hook, covers the other hooks too.
    app.after_request_funcs.setdefault(None, []).insert(0, finish)


def exposition(app: Flask) -> Response:
    """The response to a scrape of ``app``'s metrics."""
    return Response(metrics_of(app).exposition(), content_type=CONTENT_TYPE_LATEST)
