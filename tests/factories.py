"""Factories and helpers every test area imports: databases and apps, users, assets,
files, sign-in and API tokens. Fixtures stay in the conftest files."""

import io
import os
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time

import pytest
from flask import g, request_started
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Engine, create_engine, event, text

from content.library.models import ContentType, Industry, Persona, Stage, Tag
from content.library.services import AssetInput, Upload, create_asset
from content.taxonomy.services import terms_by_slugs
from portal import create_app
from portal.accounts.services import create_user, find_user, issue_token
from portal.alignment.services import MeetingInput, schedule_meeting
from portal.demo.pdfs import pdf_from_objects
from portal.demo.seed import sign_off_and_publish
from portal.kernel.extensions import db
from portal.kernel.reporting import local_today

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "TANDEM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct horse battery"
_pg_state: dict = {}


def selected_databases() -> list[str]:
    raw = os.environ.get("TANDEM_TEST_DATABASES", "sqlite,postgres")
    return [name.strip() for name in raw.split(",") if name.strip()]


# A test module or test whose rules do not depend on the database runs on SQLite only,
# to keep the suite quick: ``pytestmark = SQLITE_ONLY`` or ``@SQLITE_ONLY``.
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
# A browser journey runs on one of the two: its pages and services are tested on both over
# HTTP, and running each journey twice doubled the browser tests' time. About half of the
# journeys take ``POSTGRES_ONLY``, so a real browser drives the portal on both databases.
POSTGRES_ONLY = pytest.mark.parametrize("database", ["postgres"], indirect=True)


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers, otherwise the reason it does not."""
    if "reason" not in _pg_state:
        try:
            engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as exc:  # noqa: BLE001 - any failure means "not available"
            _pg_state["reason"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return _pg_state["reason"]


def require_postgres() -> None:
    """Outside CI a missing PostgreSQL skips the test with a message; in CI it fails."""
    reason = postgres_reachable()
    if reason is None:
        return
    message = (
        f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({reason}). Start it with "
        "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
        "or set TANDEM_TEST_DATABASES=sqlite."
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@event.listens_for(Engine, "connect")
def _sqlite_commits_skip_the_disk(dbapi_connection, _record) -> None:
    """SQLite test databases commit without syncing the disk, for the reason in
    ``schema_url``: each commit cost about 2 ms here and a test makes dozens. Locking and
    visibility are those of the portal's own settings (WAL, busy timeout)."""
    if type(dbapi_connection).__module__ == "sqlite3":
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def schema_url(schema: str) -> str:
    """The URL of a connection whose tables are those of ``schema``.

    Its commits do not wait for the write-ahead log to reach the disk: a test database
    need not survive a crash of the server, and the wait (2 to 9 ms a commit on this
    machine) was most of the time of a PostgreSQL test. What a commit makes visible,
    and when, is unchanged.
    """
    return f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a PostgreSQL schema of its own, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def fresh_database(kind: str, folder) -> Iterator[str]:
    """The URL of a fresh, empty database of ``kind``: a SQLite file in ``folder`` or a
    PostgreSQL schema of its own, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    require_postgres()
    with postgres_schema() as url:
        yield url


class PortalClient(FlaskClient):
    """A test client that can send forms with a valid CSRF token, like a browser would."""

    def open(self, *args, buffered: bool = True, **kwargs):
        """Read and close each response as a WSGI server does, so what a view leaves for
        after its response (``call_on_close``) has run when the call returns."""
        return super().open(*args, buffered=buffered, **kwargs)

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", uuid.uuid4().hex)
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def form(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kwargs)


def _forget_request_globals(_sender, **_extra) -> None:
    for name in list(g):
        g.pop(name)


def make_app(database_url: str, tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PER_PAGE": 5,
        # Tests read their writes at once, whichever way they made them.
        "SHARED_FIGURES_SECONDS": 0,
        "SEARCH_INDEX_PATH": str(tmp_path / "search-index"),
        # Background jobs wait until a test runs them (portal.kernel.jobs.run_held).
        "JOBS": "held",
        "MAX_UPLOAD_BYTES": 2 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": 3 * 1024 * 1024,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = PortalClient
    app.jinja_env.bytecode_cache = _TEMPLATES
    # Tests keep an app context open and test requests reuse it; give every request an
    # empty ``g`` as production does, or Flask-Login's cached user would leak from one
    # client's request into the next client's.
    request_started.connect(_forget_request_globals, app, weak=False)
    return app


class _TemplatesCompiledOnce(BytecodeCache):
    """Every test builds its own application, and so its own Jinja environment, which
    compiled each template a test rendered afresh: most of a page test's time. Jinja
    keys a compiled template by its name and source checksum, so applications in one
    test process can share them."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _TemplatesCompiledOnce()


_engines: dict[tuple[str, str], Engine] = {}
KEPT_ENGINES = 4
_make_engine = type(db)._make_engine


def _engine_shared_by_url(bind_key, options: dict, app) -> Engine:
    """The engine an earlier application of this test process made for the same URL
    and options: the PostgreSQL worker schema's, which every test of a worker uses.
    SQLAlchemy keeps compiled statements per engine, and compiling each statement again
    in every test's new engine was a good part of a page test's time; a shared engine
    also keeps its pooled connections from one test to the next."""
    url = str(options["url"])
    if not url.startswith("postgresql"):
        # A SQLite test has a file, so a URL, of its own: keeping its engine would only
        # keep it alive.
        return _make_engine(db, bind_key, options, app)
    key = (url, repr(sorted((k, repr(v)) for k, v in options.items())))
    engine = _engines.pop(key, None) or _make_engine(db, bind_key, options, app)
    _engines[key] = engine  # the most recently used last
    while len(_engines) > KEPT_ENGINES:  # tests with a schema of their own come and go
        _engines.pop(next(iter(_engines))).dispose()
    return engine


def share_engines_between_apps() -> None:
    """Make every application built in this process reuse the engine of an earlier one
    with the same database URL and engine options."""
    db._make_engine = _engine_shared_by_url  # type: ignore[method-assign]


_counter = {"n": 0}


def make_user(role: str = "rep", email: str | None = None, name: str | None = None, **kwargs):
    """A committed user with password PASSWORD."""
    _counter["n"] += 1
    email = email or f"{role}{_counter['n']}@example.com"
    user = create_user(email, name or f"{role.title()} {_counter['n']}", role, PASSWORD, **kwargs)
    db.session.commit()
    return user


def pdf_bytes(text_line: str = "Tandem test document") -> bytes:
    """A small, valid one-page PDF with one line of text."""
    return pdf_with_content(f"BT /F1 18 Tf 72 720 Td ({text_line}) Tj ET".encode())


def pdf_with_content(stream: bytes, flate: bool = False) -> bytes:
    """A valid one-page PDF whose page draws ``stream``, stored Flate-compressed when
    ``flate`` (so a huge page can be a small file)."""
    dictionary = b"<< /Length %d >>"
    if flate:
        stream = zlib.compress(stream, 9)
        dictionary = b"<< /Length %d /Filter /FlateDecode >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        dictionary % len(stream) + b"\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_from_objects(objects)


def make_asset(
    owner,
    title: str = "Pricing one-pager",
    *,
    stages=("awareness",),
    personas=(),
    industries=(),
    tags=(),
    content_type: str | None = "one-pager",
    body: str = "Why customers choose us.",
    summary: str = "",
    publish: bool = True,
    file: tuple[str, bytes] | None = None,
):
    """A committed asset (published unless told otherwise)."""
    data = AssetInput(
        title=title,
        summary=summary,
        body=body,
        content_type=terms_by_slugs(ContentType, [content_type], "content_type")[0]
        if content_type
        else None,
        stages=terms_by_slugs(Stage, list(stages), "stages"),
        personas=terms_by_slugs(Persona, list(personas), "personas"),
        industries=terms_by_slugs(Industry, list(industries), "industries"),
        tags=terms_by_slugs(Tag, list(tags), "tags"),
    )
    upload = Upload(io.BytesIO(file[1]), file[0]) if file else None
    sign_off = reviewers() if publish else []  # they commit: before the asset, not amid it
    asset = create_asset(owner, data, upload)
    if publish:
        sign_off_and_publish(asset, owner, sign_off)
    db.session.commit()
    return asset


SALES_REVIEWER = "sales.reviewer@example.com"


MARKETING_REVIEWER = "marketing.reviewer@example.com"


def reviewers() -> list:
    """A sales and a marketing leader who sign off the assets make_asset publishes."""
    return [
        find_user(SALES_REVIEWER)
        or make_user("leader", SALES_REVIEWER, "Sam Sales-Review", department="sales"),
        find_user(MARKETING_REVIEWER)
        or make_user("leader", MARKETING_REVIEWER, "Mo Marketing-Review", department="marketing"),
    ]


def login(client, user, password: str = PASSWORD):
    response = client.form("/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.text
    return client


def token_headers(user) -> dict:
    clear = issue_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {clear}"}


def run_together(workers) -> list:
    """Start every callable in its own thread and return their results in order."""
    results: list = [None] * len(workers)

    def run(index, work):
        try:
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def assert_no_errors(results) -> None:
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors


def make_meeting(
    organiser,
    attendees,
    *,
    cadence: str = "weekly",
    first_on: date | None = None,
    name: str = "Revenue sync",
):
    """A committed alignment meeting organised by a leader, first meeting on ``first_on``
    (today by default), at 10:00."""
    first_on = first_on or local_today()
    data = MeetingInput(
        name=name,
        cadence=cadence,
        weekday=first_on.weekday(),
        meets_at=time(10, 0),
        attendee_ids=[user.id for user in attendees],
        starting=first_on,
    )
    meeting = schedule_meeting(organiser, data)
    db.session.commit()
    return meeting
