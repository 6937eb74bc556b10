"""Liveness, readiness and metrics: what load balancers, orchestrators and Prometheus read."""

import socket
import time

import flask_migrate
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from portal.kernel.extensions import db
from portal.kernel.metrics import register_gauge
from search.models import SearchOutbox
from search.postgres_backend import PostgresBackend
from tests.factories import make_app, make_asset, make_user
from tests.portal.sql_count import counting_statements


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) → value, from one GET /metrics that must succeed."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def requests_counted(samples, endpoint: str, status: str) -> float:
    key = ("tandem_http_requests_total", (("endpoint", endpoint), ("status", status)))
    return samples.get(key, 0.0)


@pytest.fixture
def migrated_app(database_url, tmp_path, keep_logging):
    """An application on a database built by the migrations, as `flask db upgrade` does."""
    app = make_app(database_url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_healthz_answers_without_the_database_or_the_session(app):
    client = app.test_client()

    with counting_statements() as statements:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert len(statements) == 0
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_on_a_migrated_database_and_not_when_a_migration_is_missing(
    migrated_app, database
):
    client = migrated_app.test_client()
    if database == "postgres":
        # Its table comes from a migration too: ready on the migrated schema.
        migrated_app.extensions["search_backend"] = PostgresBackend(db.engine)

    ready = client.get("/readyz")
    head = ready.json["checks"]["migrations"]["revision"]
    config = Config()
    config.set_main_option("script_location", migrated_app.extensions["migrate"].directory)
    below = ScriptDirectory.from_config(config).get_revision(head[0]).down_revision
    # The head may join two branches: one of them is enough to be behind.
    older = below[0] if isinstance(below, tuple) else below
    flask_migrate.stamp(revision=older, purge=True)
    db.session.remove()
    behind = client.get("/readyz")

    assert ready.status_code == 200, ready.json
    assert ready.json["status"] == "ready"
    assert set(ready.json["checks"]) == {"database", "migrations", "search_index", "redis"}
    assert all(check["ok"] for check in ready.json["checks"].values())
    assert ready.headers["Cache-Control"] == "no-store"
    assert behind.status_code == 503
    assert behind.json["status"] == "unready"
    failing = {name for name, check in behind.json["checks"].items() if not check["ok"]}
    assert failing == {"migrations"}
    assert older in behind.json["checks"]["migrations"]["message"]
    assert "flask db upgrade" in behind.json["checks"]["migrations"]["message"]


def test_readyz_names_a_database_built_without_migrations(app):
    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["checks"]["database"] == {"ok": True}
    assert response.json["checks"]["migrations"]["ok"] is False
    assert "no migration revision" in response.json["checks"]["migrations"]["message"]


def test_readyz_fails_fast_when_redis_does_not_answer(database_url, tmp_path):
    app = make_app(database_url, tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    with app.app_context():
        started = time.monotonic()
        response = app.test_client().get("/readyz")
        elapsed = time.monotonic() - started
        db.engine.dispose()

    assert response.status_code == 503
    assert elapsed < 2
    assert response.json["checks"]["redis"]["ok"] is False
    assert "Redis did not answer" in response.json["checks"]["redis"]["message"]
    assert response.json["checks"]["database"]["ok"] is True


def test_readyz_leaves_redis_out_when_none_is_configured(app):
    checks = app.test_client().get("/readyz").json["checks"]

    assert checks["redis"] == {"ok": True, "configured": False}


def test_readyz_names_a_whoosh_index_that_does_not_open(app):
    # A file where the index's folder should be: nothing can open or create it.
    with open(app.config["SEARCH_INDEX_PATH"], "w") as blocker:
        blocker.write("not an index")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    check = response.json["checks"]["search_index"]
    assert check["ok"] is False
    assert "Whoosh search index does not open" in check["message"]
    assert app.config["SEARCH_INDEX_PATH"] not in response.get_data(as_text=True)


@pytest.mark.postgres_only
def test_readyz_names_a_missing_postgres_search_table(app):
    # The test schema is built by create_all, which leaves the search table out.
    app.extensions["search_backend"] = PostgresBackend(db.engine)

    check = app.test_client().get("/readyz").json["checks"]["search_index"]

    assert check["ok"] is False
    assert "search_documents table is missing" in check["message"]


def test_readyz_never_shows_the_database_password(tmp_path):
    password = "Secr3t-Passw0rd"
    url = f"postgresql+psycopg://tandem:{password}@127.0.0.1:{closed_port()}/tandem"
    app = make_app(url, tmp_path)

    with app.app_context():
        response = app.test_client().get("/readyz")
        db.engine.dispose()

    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False
    assert "did not answer" in response.json["checks"]["database"]["message"]
    assert password not in body
    assert "Traceback" not in body


def test_metrics_count_requests_by_endpoint_and_status(app):
    client = app.test_client()
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    client.get("/no/other/page")
    client.get("/login")

    samples = scrape(client)

    assert requests_counted(samples, "operations.healthz", "200") == 2
    assert requests_counted(samples, "none", "404") == 2
    assert requests_counted(samples, "auth.login", "200") == 1
    assert not any("/no/such/page" in str(labels) for _name, labels in samples)
    count = ("tandem_http_request_duration_seconds_count", (("endpoint", "operations.healthz"),))
    assert samples[count] == 2
    bucket = (
        "tandem_http_request_duration_seconds_bucket",
        (("endpoint", "operations.healthz"), ("le", "+Inf")),
    )
    assert samples[bucket] == 2


def test_registered_gauges_are_read_at_each_scrape_and_a_broken_one_is_skipped(app, caplog):
    level = {"value": 3.0}
    register_gauge(app, "tandem_test_level", "A level.", lambda: level["value"])
    register_gauge(
        app,
        "tandem_test_queues",
        "Depth per queue.",
        lambda: {("default",): 4, ("mail",): 1},
        labels=("queue",),
    )
    register_gauge(app, "tandem_test_broken", "Always fails.", lambda: 1 / 0)
    client = app.test_client()

    first = scrape(client)
    level["value"] = 7.5
    second = scrape(client)

    assert first[("tandem_test_level", ())] == 3.0
    assert second[("tandem_test_level", ())] == 7.5
    assert second[("tandem_test_queues", (("queue", "default"),))] == 4
    assert second[("tandem_test_queues", (("queue", "mail"),))] == 1
    assert not any(name.startswith("tandem_test_broken") for name, _labels in second)
    assert "tandem_test_broken could not be read" in caplog.text
    with pytest.raises(ValueError, match="registered twice"):
        register_gauge(app, "tandem_test_level", "Again.", lambda: 1.0)


def test_the_search_outbox_backlog_is_its_row_count(app):
    marketer = make_user("marketer")
    make_asset(marketer, "Battlecard")
    make_asset(marketer, "Security FAQ")
    rows = db.session.scalar(select(func.count(SearchOutbox.id)))

    samples = scrape(app.test_client())

    assert rows >= 2
    assert samples[("tandem_search_outbox_backlog", ())] == rows


@pytest.fixture
def metrics_app(tmp_path):
    """An application with the given metrics settings (only HTTP is involved: SQLite)."""
    apps = []

    def build(**settings):
        app = make_app(f"sqlite:///{tmp_path / f'{len(apps)}.db'}", tmp_path, **settings)
        apps.append(app)
        with app.app_context():
            db.create_all()
        return app.test_client()

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def scrape_status(client, address: str = "127.0.0.1", token: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)
    return response.status_code


def test_metrics_answer_only_loopback_by_default(metrics_app):
    client = metrics_app()

    assert scrape_status(client, "127.0.0.1") == 200
    assert scrape_status(client, "::1") == 200
    assert scrape_status(client, "10.0.0.5") == 404
    assert scrape_status(client, "203.0.113.9") == 404


def test_metrics_need_the_token_when_one_is_set(metrics_app):
    client = metrics_app(METRICS_TOKEN="scrape-me-please")

    assert scrape_status(client, "10.0.0.5", token="scrape-me-please") == 200
    assert scrape_status(client, "127.0.0.1") == 404
    assert scrape_status(client, "127.0.0.1", token="scrape-me-pleasE") == 404
    assert scrape_status(client, "127.0.0.1", token="scrape") == 404


def test_metrics_answer_the_allowed_networks(metrics_app):
    client = metrics_app(METRICS_ALLOW="10.0.0.0/8, 192.0.2.7")

    assert scrape_status(client, "10.20.30.40") == 200
    assert scrape_status(client, "192.0.2.7") == 200
    assert scrape_status(client, "192.0.2.8") == 404
    assert scrape_status(client, "127.0.0.1") == 404


def test_metrics_with_networks_and_a_token_need_both(metrics_app):
    client = metrics_app(METRICS_ALLOW="10.0.0.0/8", METRICS_TOKEN="scrape-me-please")

    assert scrape_status(client, "10.1.1.1", token="scrape-me-please") == 200
    assert scrape_status(client, "10.1.1.1") == 404
    assert scrape_status(client, "172.16.0.1", token="scrape-me-please") == 404


def test_a_mistyped_network_stops_the_start(tmp_path):
    with pytest.raises(RuntimeError, match="TANDEM_METRICS_ALLOW"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, METRICS_ALLOW="10.0.0.0/33")


def test_a_missing_multiprocess_folder_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "absent"))

    with pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR must name an existing"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)


def test_probes_are_never_rate_limited(metrics_app):
    client = metrics_app(
        RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute", RATELIMIT_STORAGE_URI="memory://"
    )

    probes = [client.get(url).status_code for url in ["/healthz", "/readyz", "/metrics"] * 3]
    pages = [client.get("/login").status_code for _ in range(3)]

    assert 429 not in probes
    assert pages == [200, 200, 429]
