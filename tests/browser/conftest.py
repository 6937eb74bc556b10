"""Browser fixtures: one headless Chromium per worker, a live server per test, a context
per page.

The live server serves the very app the ``app`` fixture built (fresh database, SQLite or
PostgreSQL) from a background thread; each request there gets its own app context and
database session, so data made in the test thread must be committed before the browser
looks at it (the factories in tests/conftest.py commit).
"""

import logging
import os
import threading
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.browser.helpers import sign_in
from tests.factories import PASSWORD, login

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 5_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"Chromium not found at {CHROMIUM}: the CI image must install the Debian "
                "package `chromium` to run browser tests."
            )
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium to run browser tests"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class _ErrorLog(logging.Handler):
    """Collects errors the app logs (unhandled exceptions become a logged 500 page)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test's app served on 127.0.0.1 on a free port; yields its base URL.

    A test fails if the server logged an unhandled error, even when the page it drove
    looked fine.
    """
    errors = _ErrorLog()
    app.logger.addHandler(errors)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Closing the server waits for requests still being answered (a buyer page's beacon
    # sent as its browser context closes): one still running when the test's database is
    # dropped would hold locks the drop waits for.
    server.daemon_threads = False
    thread = threading.Thread(
        target=server.serve_forever,
        # shutdown() waits up to one poll interval: the default half second, per test.
        kwargs={"poll_interval": 0.05},
        name="live-server",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        app.logger.removeHandler(errors)
    messages = [
        f"{record.getMessage()}: {record.exc_info[1]!r}" if record.exc_info else record.getMessage()
        for record in errors.records
    ]
    assert not messages, f"The live server logged errors: {messages}"


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[[], Page]]:
    """``new_page()`` opens a page in a fresh browser context (its own cookies)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(base_url=live_server, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.fixture
def page_as(new_page) -> Callable[..., Page]:
    """``page_as(user)`` returns a page in its own context, signed in as ``user``."""

    def signed_in(user, password: str = PASSWORD) -> Page:
        return sign_in(new_page(), user, password)

    return signed_in


@pytest.fixture
def page_signed_in(app, new_page, live_server) -> Callable[..., Page]:
    """``page_signed_in(user, path)``: a page already signed in as ``user``, showing ``path``.

    For journeys about something other than signing in: the session cookie comes from a
    sign-in through the test client, which saves the login form's round trips.
    """

    def open_as(user, path: str = "/library") -> Page:
        # A context of its own: test-client requests would otherwise share the test's app
        # context, and Flask-Login's user cached in ``g`` would leak from one sign-in to
        # the next.
        with app.app_context():
            client = login(app.test_client(), user)
            client.get("/library")  # consumes the welcome flash
        page = new_page()
        cookie = client.get_cookie("session")
        page.context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server}])
        page.goto(path)
        return page

    return open_as
