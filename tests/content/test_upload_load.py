"""Slow uploads cannot stall the portal: the real app under gunicorn (2 sync workers, as
deployed) takes two uploads whose text is slow to read, and a cheap page keeps answering
about as fast as when the portal is idle.

Reading a file's text is left to the background reader, so an upload answers once the
file is stored. Were the text read inside the upload request, both workers would be
busy for seconds and the probe page would wait for them (measured before the change: a
7 ms page took 18 s). Latencies are compared with the idle latency measured in the same
run, never with absolute bounds, so a slow or loaded machine does not fail the test.

SQLite only: the test starts a server of its own on a database in its temporary folder.
"""

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from sqlalchemy import create_engine, select, text

from content.library.models import Stage
from content.taxonomy.services import ensure_defaults
from portal.accounts.services import create_user
from portal.kernel.extensions import db
from tests.factories import PASSWORD, make_app, pdf_with_content

REPO = Path(__file__).resolve().parents[2]
# A probe during the uploads may be this many times slower than the idle median: on a
# busy 2-core machine it stays within a few times; reading the files inside the uploads
# made it hundreds of times slower.
PROBE_SLOWDOWN = 25
PROBES_IDLE = 15
# Probes are sent every 50 ms or so while the files are read: enough to take a median.
PROBES_BUSY_AT_LEAST = 8


def slow_pdf(text_megabytes: float = 0.75) -> bytes:
    """A one-page PDF of a few kilobytes whose content stream inflates to
    ``text_megabytes`` of text operators: seconds of CPU for a text extractor."""
    operator = b"(pricing) Tj "
    stream = b"BT /F1 12 Tf 72 720 Td " + operator * int(text_megabytes * 2**20 / 13) + b"ET"
    return pdf_with_content(stream, flate=True)


class Browser:
    """A signed-in visitor: cookies and the CSRF token of the last form page it read."""

    def __init__(self, base: str):
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict, file: tuple[str, bytes] | None = None) -> int:
        """Send the form at ``path`` with its CSRF token, as multipart when a file goes."""
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)
        boundary = uuid.uuid4().hex
        parts = []
        for name, values in {**fields, "csrf_token": token}.items():
            for value in values if isinstance(values, list) else [values]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
        if file is not None:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{file[0]}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                + file[1]
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = Request(self.base + path, data=body, method="POST")  # noqa: S310 - http://127.0.0.1
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        with self.opener.open(request, timeout=60) as response:
            return response.status


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_database(folder: Path) -> tuple[str, list[int]]:
    """A SQLite database with the schema, the default taxonomy and one marketer; returns
    its URL and the id of the Awareness stage (for the asset form)."""
    url = f"sqlite:///{folder / 'portal.db'}"
    app = make_app(url, folder)
    with app.app_context():
        db.create_all()
        ensure_defaults()
        create_user("marketer@example.com", "Morgan Marketer", "marketer", PASSWORD)
        db.session.commit()
        stage_id = db.session.scalar(select(Stage.id).where(Stage.slug == "awareness"))
        db.session.remove()
        db.engine.dispose()
    return url, stage_id


@pytest.fixture
def portal_server(tmp_path):
    """The portal under gunicorn with 2 sync workers, jobs run by a thread in each, as
    deployed; yields (base URL, database URL, stage id). Stopped with everything it started."""
    url, stage_id = _prepare_database(tmp_path)
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "load-test",
        "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"),
        "TANDEM_UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "TANDEM_RATELIMIT_ENABLED": "false",
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "portal:create_app()"],
        cwd=REPO,
        env=environment,
        # A session of its own, so the workers' extraction children stop with it.
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base, url, stage_id
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            Browser(base).get("/login")
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer within 30 s")


def _probe_time(visitor: Browser) -> float:
    """Seconds one request for the sign-in page took."""
    started = time.perf_counter()
    visitor.get("/login")
    return time.perf_counter() - started


def _files_waiting(database_url: str) -> int:
    """How many stored files still wait for their text (read on a connection of its own)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text(
                    "SELECT count(*) FROM stored_files "
                    "WHERE extraction_status IN ('pending', 'reading')"
                )
            )
    finally:
        engine.dispose()


def test_two_slow_uploads_at_once_leave_other_pages_answering(portal_server):
    base, database_url, stage_id = portal_server
    marketer, prober = Browser(base), Browser(base)
    marketer.post("/login", {"email": "marketer@example.com", "password": PASSWORD})
    # Warm both workers up (first renders compile templates): measured is the steady state.
    for number in range(2):
        marketer.post("/assets/new", {"title": f"Note {number}", "stages": str(stage_id)})
    for _ in range(5):
        _probe_time(prober)
    idle = statistics.median(_probe_time(prober) for _ in range(PROBES_IDLE))
    pdf = slow_pdf()
    upload_times: dict[str, float] = {}

    def upload(name: str) -> None:
        started = time.perf_counter()
        form = {"title": name, "body": "", "stages": str(stage_id)}
        status = marketer.post("/assets/new", form, file=(f"{name}.pdf", pdf))
        upload_times[name] = time.perf_counter() - started
        assert status == 200  # the redirect to the new asset's page, followed

    started = time.perf_counter()
    uploads = [threading.Thread(target=upload, args=(name,)) for name in ("Deck A", "Deck B")]
    for thread in uploads:
        thread.start()
    # Probe on a fixed schedule, each probe on its own, while the uploads run and until
    # both files are read: a probe stuck behind busy workers does not delay the next one,
    # so a stalled portal shows in most probes, not in one.
    busy: list[float] = []
    probes: list[threading.Thread] = []
    while any(thread.is_alive() for thread in uploads) or _files_waiting(database_url):
        assert time.perf_counter() - started < 60, "the background reader never read the files"
        probe = threading.Thread(target=lambda: busy.append(_probe_time(Browser(base))))
        probe.start()
        probes.append(probe)
        time.sleep(0.05)
    read_in = time.perf_counter() - started
    for probe in probes:
        probe.join(timeout=60)

    assert sorted(upload_times) == ["Deck A", "Deck B"]
    assert len(busy) == len(probes) >= PROBES_BUSY_AT_LEAST, f"reading took {read_in:.2f} s"
    assert statistics.median(busy) < PROBE_SLOWDOWN * idle, (idle, sorted(busy))
    # Reading inside the upload request would make an upload last as long as the reading.
    assert max(upload_times.values()) < read_in / 2, (upload_times, read_in)
