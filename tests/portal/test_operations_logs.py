"""Log lines: JSON or text, each carrying the id of the request (or job) it belongs to, and
one access line per request."""

import io
import json
import logging
import re

import pytest

from portal.kernel import logs
from portal.kernel.extensions import db
from tests.factories import make_app
from tests.portal.sql_count import counting_statements


@pytest.fixture
def log_output():
    """Switch the portal's handler to a buffer: ``log_output("json")`` returns it. The
    handler goes back to stderr, the text format and the root logger's level afterwards."""
    handler = logs.configure("text")
    previous = handler.setStream(io.StringIO())
    root = logging.getLogger()
    # Under the test runner the root logger keeps its WARNING; a server's shows INFO.
    level = root.level
    root.setLevel(logging.INFO)

    def capture(log_format: str) -> io.StringIO:
        logs.configure(log_format)
        return handler.stream

    yield capture
    root.setLevel(level)
    handler.setStream(previous)
    logs.configure("text")


def json_lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def access_lines(buffer: io.StringIO) -> list[dict]:
    return [line for line in json_lines(buffer) if line["logger"] == "portal.requests"]


def test_json_lines_carry_the_request_id_the_response_echoes(app, client_as, users, log_output):
    buffer = log_output("json")
    browser = client_as("rep")
    buffer.truncate(0)
    buffer.seek(0)

    response = browser.get("/notifications")
    anonymous = app.test_client().get("/healthz")

    lines = access_lines(buffer)
    assert response.status_code == 200
    assert len(lines) == 2
    signed_in, probe = lines
    assert signed_in["request_id"] == response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", signed_in["request_id"])
    assert signed_in["level"] == "INFO"
    assert signed_in["method"] == "GET"
    assert signed_in["path"] == "/notifications"
    assert signed_in["status"] == 200
    assert signed_in["duration_ms"] >= 0
    assert signed_in["user_id"] == users["rep"].id
    assert signed_in["message"].startswith("GET /notifications 200")
    assert "time" in signed_in
    assert probe["user_id"] is None
    assert probe["request_id"] == anonymous.headers["X-Request-ID"]
    assert probe["request_id"] != signed_in["request_id"]


def test_every_record_of_a_request_carries_its_id(app, log_output):
    buffer = log_output("json")

    @app.get("/test-logs")
    def logs_something():
        logging.getLogger("portal.test").warning("Inside the view")
        return "ok"

    response = app.test_client().get("/test-logs", headers={"X-Request-ID": "lb-7f3a.42_x"})

    view_line = next(line for line in json_lines(buffer) if line["logger"] == "portal.test")
    assert response.headers["X-Request-ID"] == "lb-7f3a.42_x"
    assert view_line["request_id"] == "lb-7f3a.42_x"
    assert view_line["level"] == "WARNING"
    assert view_line["message"] == "Inside the view"


@pytest.mark.parametrize(
    "hostile",
    ["x" * 65, 'quoted"id', "it's", "two words", "a{b}", "<script>", "tab\there"],
)
def test_a_hostile_request_id_is_replaced(app, log_output, hostile):
    buffer = log_output("json")

    response = app.test_client().get("/healthz", headers={"X-Request-ID": hostile})

    echoed = response.headers["X-Request-ID"]
    assert echoed != hostile
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)
    assert access_lines(buffer)[0]["request_id"] == echoed


def test_a_request_id_with_a_line_break_is_replaced():
    # The test client refuses such a header; a raw server may still pass one on.
    assert logs.sane_request_id("abc\ndef") != "abc\ndef"
    assert logs.sane_request_id("abc\r\nX-Injected: 1") != "abc\r\nX-Injected: 1"
    assert logs.sane_request_id("") != ""
    assert logs.sane_request_id("x" * 64) == "x" * 64


def test_a_bound_id_marks_records_outside_a_request(log_output):
    buffer = log_output("json")
    job_log = logging.getLogger("portal.test.jobs")

    assert logs.current_request_id() is None
    with logs.bound_request_id("job-42"):
        assert logs.current_request_id() == "job-42"
        job_log.info("Sending the digest")
        with logs.bound_request_id("job-43"):
            job_log.info("Nested")
        job_log.info("Back")
    job_log.info("Unbound")

    ids = [(line["message"], line["request_id"]) for line in json_lines(buffer)]
    assert ids == [
        ("Sending the digest", "job-42"),
        ("Nested", "job-43"),
        ("Back", "job-42"),
        ("Unbound", None),
    ]


def test_text_lines_read_as_one_line_per_request(app, log_output):
    buffer = log_output("text")

    response = app.test_client().get("/healthz")
    logging.getLogger("portal.test").warning("Outside a request")

    request_line, outside = buffer.getvalue().splitlines()
    request_id = response.headers["X-Request-ID"]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    pattern = rf"{stamp} INFO \[{request_id}\] portal\.requests: GET /healthz 200 \d+\.\d ms"
    assert re.fullmatch(pattern, request_line)
    assert re.fullmatch(rf"{stamp} WARNING \[-\] portal\.test: Outside a request", outside)


def test_a_line_break_in_the_path_cannot_forge_a_line(app, log_output):
    buffer = log_output("text")

    app.test_client().get("/x%0A2026-01-01 00:00:00,000 INFO [-] portal.requests: GET /")

    lines = buffer.getvalue().splitlines()
    assert len(lines) == 1
    assert "GET /x\\n2026-01-01 00:00:00,000 INFO" in lines[0]
    assert lines[0].endswith(" ms")


def test_building_apps_again_never_doubles_a_line(app, tmp_path, log_output):
    buffer = log_output("json")
    for name in ("second", "third"):
        other = make_app(f"sqlite:///{tmp_path / name}.db", tmp_path / name, LOG_FORMAT="json")
        with other.app_context():
            db.engine.dispose()

    logging.getLogger("portal.test").warning("Once")

    portal_handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logs.PortalHandler)
    ]
    assert len(portal_handlers) == 1
    assert [line["message"] for line in json_lines(buffer)] == ["Once"]


def test_the_access_line_runs_no_query(app, client_as, log_output):
    log_output("json")
    browser = client_as("rep")
    browser.get("/notifications")

    with counting_statements() as logged:
        browser.get("/notifications")
    logs.access_log.disabled = True
    try:
        with counting_statements() as unlogged:
            browser.get("/notifications")
    finally:
        logs.access_log.disabled = False

    assert len(logged) == len(unlogged)
