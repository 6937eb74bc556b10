"""The deploy path works as a production install uses it: deploy/entrypoint.sh migrates,
serves and stops cleanly; a backup restored into an emptied database and upload folder
gives back every row and every file, on PostgreSQL and on SQLite; and the deploy files
name only commands, subcommands and settings that exist."""

import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import click
import psycopg
import pytest
import yaml
from flask.cli import ScriptInfo
from flask.cli import cli as flask_cli
from psycopg import sql
from sqlalchemy import create_engine, func, inspect, make_url, select, table

from content.taxonomy.services import ensure_defaults
from portal.kernel.extensions import db
from tests.factories import (
    PASSWORD,
    PG_ADMIN_URL,
    make_app,
    make_asset,
    make_user,
    pdf_bytes,
    require_postgres,
    selected_databases,
)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
GUIDE = ROOT / "docs" / "deploying.md"
# The virtualenv running the tests: its bin goes first on PATH, as in the image.
VENV_BIN = Path(sys.executable).parent


def deploy_env(tmp_path: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of an install: the test's own TANDEM_* settings left out, the
    virtualenv first on PATH, an instance folder of its own."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TANDEM_") and name not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        DATABASE_URL=database_url,
        TANDEM_INSTANCE_PATH=str(tmp_path / "instance"),
        **settings,
    )
    return env


def run(env: dict[str, str], *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    """Run ``entrypoint.sh args``; fail with its output when it exits otherwise."""
    done = subprocess.run(
        [str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == expect, (
        f"{args} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    )
    return done


def row_counts(database_url: str) -> dict[str, int]:
    """Rows in every table of the database."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in inspect(conn).get_table_names()
        }
    engine.dispose()
    return counts


def without_outbox(counts: dict[str, int]) -> dict[str, int]:
    """The counts but the search outbox's, which a rebuild of the index empties."""
    return {name: rows for name, rows in counts.items() if name != "search_outbox"}


def upload_files(folder: Path) -> dict[str, bytes]:
    """Every file under the upload folder, by its path inside it."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def seed(env: dict[str, str], database_url: str, tmp_path: Path, *, init: bool) -> None:
    """A portal as a first week leaves it: migrated by the entry point, prepared by
    ``entrypoint.sh init`` (or, to spare a process start, the same steps in this one),
    then a few assets (one with a PDF) written through the portal's own services.
    Lighter than seed-demo, which alone takes seconds."""
    run(env, "migrate")
    if init:
        admin = ["--admin-email", "admin@example.com", "--admin-name", "Ada Admin"]
        run(env, "init", *admin, "--admin-password", PASSWORD)
    app = make_app(database_url, tmp_path, UPLOAD_FOLDER=env["TANDEM_INSTANCE_PATH"] + "/uploads")
    with app.app_context():
        if not init:
            ensure_defaults()
            make_user("admin", "admin@example.com")
        marketer = make_user("marketer")
        make_asset(marketer, "Pricing one-pager", file=("pricing.pdf", pdf_bytes("Pricing")))
        make_asset(marketer, "ROI calculator guide", stages=("decision",), tags=())
        make_asset(marketer, "Onboarding checklist", publish=False)
        db.session.remove()
        db.engine.dispose()


def add_uploads(folder: Path) -> None:
    """Files as the portal stores them (nested folders, any bytes) and an awkward name."""
    (folder / "ab" / "cd").mkdir(parents=True, exist_ok=True)
    (folder / "ab" / "cd" / "deck.pptx").write_bytes(bytes(range(256)) * 40)
    (folder / "ab" / "brief.pdf").write_bytes(b"%PDF-1.4 a brief\n")
    (folder / "notes with spaces.txt").write_text("é – ünïcödé\n", encoding="utf-8")


def round_trip(
    env: dict[str, str], database_url: str, wipe: Callable[[], None], tmp_path: Path
) -> None:
    """Back up, check that restore refuses to overwrite, wipe, restore, compare."""
    uploads = tmp_path / "instance" / "uploads"
    add_uploads(uploads)
    counts, files = row_counts(database_url), upload_files(uploads)
    assert (counts["assets"], counts["stored_files"], len(files)) == (3, 1, 4)
    backup = tmp_path / "backup"
    run(env, "backup", str(backup))
    assert {path.name for path in backup.iterdir()} >= {"manifest.json", "uploads.tar.gz"}

    refused = run(env, "restore", str(backup), expect=3)
    assert "--force" in refused.stderr
    assert row_counts(database_url) == counts
    (uploads / "after-the-backup.txt").write_text("not in the backup")

    wipe()
    for path in sorted(uploads.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    uploads.rmdir()
    restored = run(env, "restore", str(backup), "--force")
    assert "Indexed" in restored.stdout  # the search index, never in a backup, is rebuilt

    # restore.sh compared every table before rebuilding the search index (no MISMATCH
    # below); the rebuild then empties the index's outbox, which the backup may hold.
    assert without_outbox(row_counts(database_url)) == without_outbox(counts)
    assert upload_files(uploads) == files
    # The restore printed the backup's counts beside the restored ones.
    assert "MISMATCH" not in restored.stdout
    users = counts["users"]
    assert re.search(rf"^users +{users} +{users}$", restored.stdout, re.MULTILINE)


@pytest.fixture
def pg_database() -> Iterator[tuple[str, Callable[[], None]]]:
    """A database of its own on the test server, and a function that drops and creates
    it again; dropped at the end."""
    if "postgres" not in selected_databases():
        pytest.skip("PostgreSQL is not among TANDEM_TEST_DATABASES")
    require_postgres()
    admin = make_url(PG_ADMIN_URL)
    name = f"tandem_restore_{uuid.uuid4().hex[:12]}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)

    def create(drop: bool = False) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            if drop:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    create()
    try:
        yield (
            admin.set(database=name).render_as_string(hide_password=False),
            lambda: create(drop=True),
        )
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_backup_and_restore_on_postgresql(pg_database, tmp_path):
    database_url, recreate = pg_database
    env = deploy_env(tmp_path, database_url)
    seed(env, database_url, tmp_path, init=True)

    round_trip(env, database_url, recreate, tmp_path)


def test_backup_and_restore_on_sqlite(tmp_path):
    database = tmp_path / "instance" / "tandem.db"
    database_url = f"sqlite:///{database}"
    env = deploy_env(tmp_path, database_url)
    seed(env, database_url, tmp_path, init=False)

    def wipe() -> None:
        for path in database.parent.glob("tandem.db*"):
            path.unlink()

    round_trip(env, database_url, wipe, tmp_path)

    # A backup whose rows do not come back as its manifest says fails the restore.
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    users = manifest["database"]["tables"]["users"]
    manifest["database"]["tables"]["users"] = users + 1
    manifest_path.write_text(json.dumps(manifest))
    failed = run(env, "restore", str(tmp_path / "backup"), "--force", expect=1)
    mismatch = rf"^users +{users + 1} +{users}  MISMATCH$"
    assert re.search(mismatch, failed.stdout, re.MULTILINE), failed.stdout


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answer(url: str, seconds: float) -> tuple[int, bytes]:
    """The first answer ``url`` gives within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http://127.0.0.1
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_web_migrates_serves_and_stops_on_sigterm(tmp_path):
    port = free_port()
    database = tmp_path / "web.db"
    env = deploy_env(
        tmp_path, f"sqlite:///{database}", TANDEM_BIND=f"127.0.0.1:{port}", TANDEM_WEB_WORKERS="1"
    )
    log = tmp_path / "web.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(ENTRYPOINT), "web"], env=env, stdout=output, stderr=output, start_new_session=True
        )
    try:
        status, body = answer(f"http://127.0.0.1:{port}/login", seconds=30)
        assert status == 200, log.read_text()
        assert b'name="password"' in body
        # The entrypoint became gunicorn (exec), so the signal reaches gunicorn itself,
        # which lets its worker finish and exits cleanly.
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0, log.read_text()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert "Running upgrade" in log.read_text()  # TANDEM_MIGRATE_ON_START's default
    assert row_counts(f"sqlite:///{database}")["alembic_version"] == 1


# Every `flask --app portal` command the deploy files and the guide may name.
EXPECTED_COMMANDS = {
    "db upgrade",
    "init",
    "create-user",
    "seed-demo",
    "search rebuild",
    "search check",
    "search drain",
    "digest send",
    "worker",
    "scheduler",
    "jobs status",
    "jobs failed",
    "jobs retry",
    "jobs run",
    "previews rebuild",
    "users break-glass",
    "export",
}
DEPLOY_TEXTS = [path for path in DEPLOY.rglob("*") if path.is_file()] + [GUIDE]


def mentioned_commands() -> set[str]:
    """`flask --app portal X [Y]` as written in the deploy files and the guide."""
    found = set()
    for path in DEPLOY_TEXTS:
        for match in re.finditer(r"flask --app portal ([a-z-]+)(?: ([a-z-]+))?", path.read_text()):
            group, sub = match.groups()
            found.add(f"{group} {sub}" if f"{group} {sub}" in EXPECTED_COMMANDS else group)
    return found


def portal_commands(app) -> dict[str, set[str]]:
    """The commands `flask --app portal --help` lists, each with its subcommands: read
    through the same click group the `flask` script runs, in this process, since each
    `flask` process spends seconds importing the portal."""
    info = ScriptInfo(create_app=lambda: app)
    with click.Context(flask_cli, obj=info) as ctx:
        commands = {}
        for name in flask_cli.list_commands(ctx):
            command = flask_cli.get_command(ctx, name)
            group = isinstance(command, click.Group)
            commands[name] = set(command.list_commands(ctx)) if group else set()
    return commands


def test_deploy_files_name_only_commands_that_exist(tmp_path):
    mentioned = mentioned_commands()
    assert {"db upgrade", "init", "search rebuild", "worker", "scheduler"} <= mentioned
    assert mentioned <= EXPECTED_COMMANDS, "add new commands to EXPECTED_COMMANDS"
    existing = portal_commands(make_app(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path))
    for command in sorted(mentioned):
        group, _, sub = command.partition(" ")
        assert group in existing, f"`flask --app portal {group}` does not exist"
        assert not sub or sub in existing[group], f"`flask --app portal {command}` does not exist"


def entrypoint_subcommands() -> set[str]:
    """The subcommands entrypoint.sh's case statement names (not its catch-all)."""
    labels = re.findall(r"^    ([a-z]+)\)$", ENTRYPOINT.read_text(), re.MULTILINE)
    return set(labels)


def test_systemd_units_run_entrypoint_subcommands_under_a_hardened_tandem_user():
    subcommands = entrypoint_subcommands()
    assert subcommands == {"web", "worker", "scheduler", "migrate", "init", "backup", "restore"}
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {unit.stem for unit in units} >= {
        "tandem-web",
        "tandem-worker",
        "tandem-scheduler",
        "tandem-migrate",
    }
    for unit in units:
        text = unit.read_text()
        used = re.findall(r"deploy/entrypoint\.sh ([a-z]+)", text)
        assert used, f"{unit.name} does not run entrypoint.sh"
        assert set(used) <= subcommands, unit.name
        for line in (
            "User=tandem",
            "EnvironmentFile=/etc/tandem/tandem.env",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/tandem",
            "PrivateTmp=yes",
        ):
            assert line in text.splitlines(), f"{unit.name} lacks {line}"
    for name in ("tandem-web", "tandem-worker", "tandem-scheduler"):
        assert "Restart=on-failure" in (DEPLOY / "systemd" / f"{name}.service").read_text()


def configuration_names() -> set[str]:
    """Every variable README's Configuration table documents."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_env_example_holds_only_documented_settings():
    settings = re.findall(
        r"^([A-Z][A-Z0-9_]*)=", (DEPLOY / "env.example").read_text(), re.MULTILINE
    )
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "TANDEM_ENV",
        "TANDEM_REDIS_URL",
        "TANDEM_SEARCH_BACKEND",
        "TANDEM_BASE_URL",
        "TANDEM_TRUSTED_PROXIES",
        "TANDEM_MAIL_SERVER",
    } <= set(settings)
    undocumented = {name for name in settings if name.startswith("TANDEM_")} - configuration_names()
    assert not undocumented, f"not in README's Configuration table: {sorted(undocumented)}"


def test_image_installs_the_portal_lock_only():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "pip install -r requirements.lock" in dockerfile
    assert "requirements-test.lock" not in dockerfile
    assert "requirements-test.lock" in (ROOT / ".dockerignore").read_text().split()
    assert re.search(r"^USER tandem$", dockerfile, re.MULTILINE)
    assert 'ENTRYPOINT ["deploy/entrypoint.sh"]' in dockerfile


def test_compose_web_waits_for_the_one_off_migration():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "scheduler", "migrate", "postgres", "redis", "caddy"} <= set(services)
    web = services["web"]
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert web["environment"]["TANDEM_MIGRATE_ON_START"] == "false"
    assert services["migrate"]["command"] == ["migrate"]
    assert {services[name]["command"][0] for name in services if "build" in services[name]} <= (
        entrypoint_subcommands()
    )


def test_gunicorn_settings_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TANDEM_BIND", "127.0.0.1:9123")
    monkeypatch.setenv("TANDEM_WEB_WORKERS", "3")
    monkeypatch.setenv("TANDEM_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (settings["bind"], settings["workers"], settings["worker_class"]) == (
        "127.0.0.1:9123",
        3,
        "sync",
    )
    assert settings["forwarded_allow_ips"] == "*"
    assert settings["accesslog"] is None
    assert settings["max_requests"] > 0
    assert settings["max_requests_jitter"] > 0

    # A dead worker's live gauges are dropped; other processes' files stay.
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "gauge_livesum_4343.db").write_bytes(b"")
    settings["child_exit"](None, SimpleNamespace(pid=4242))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["gauge_livesum_4343.db"]
