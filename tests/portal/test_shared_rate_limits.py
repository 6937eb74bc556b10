"""With ``TANDEM_RATELIMIT_STORAGE_URI=redis://…`` the portal starts, and the sign-in limit
holds across processes: two applications (as two gunicorn workers or hosts would be)
share one budget per address."""

import uuid

from portal.kernel.extensions import db
from tests.factories import make_app


def attempts_from_two_workers(database_url, tmp_path, storage: str) -> list[int]:
    """Two sign-in attempts through one application, then two through a second one built
    afterwards: building an application starts its limiter's storage afresh, as a new
    process would, so only a storage outside the process carries the count over."""
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": storage,
        "LOGIN_RATE_LIMIT": "3 per minute",
    }
    # The budget is per address and Redis outlives the test: each run comes from its own.
    address = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    statuses = []
    for worker in ("first", "second"):
        app = make_app(database_url, tmp_path / worker, **settings)
        with app.app_context():
            db.create_all()
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = address
            for _ in range(2):
                attempt = client.form(
                    "/login", {"email": "nobody@example.com", "password": "x" * 12}
                )
                statuses.append(attempt.status_code)
            db.session.remove()
            db.engine.dispose()
    return statuses


def test_the_sign_in_limit_holds_across_two_workers_sharing_redis(
    redis_url, database_url, tmp_path
):
    shared = attempts_from_two_workers(database_url, tmp_path / "redis", redis_url)
    apart = attempts_from_two_workers(database_url, tmp_path / "memory", "memory://")

    assert shared == [200, 200, 200, 429]
    assert apart == [200, 200, 200, 200]  # each process counting alone: what Redis fixes
