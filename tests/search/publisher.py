"""One app process for tests/search/test_multiprocess.py: publishes assets through the
services (two reviewers sign each off, then the marketer publishes), drains the outbox
after each commit (as the background indexer would) and searches, as requests would,
while another such process does the same.

Run as ``python -m tests.search.publisher '<json settings>'`` from the project root.
Prints the ids it published as JSON; exits 1 on an exception and 2 when the app logged
an error.
"""

import json
import logging
import sys
import time
import traceback
from pathlib import Path


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _wait_for(path: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.01)


def publish(settings: dict) -> list[int]:
    from sqlalchemy import select

    from content.library.models import Stage
    from content.library.services import AssetInput, create_asset
    from portal import create_app
    from portal.demo.seed import sign_off_and_publish
    from portal.kernel.extensions import db
    from portal.kernel.models import User
    from search import indexing, service

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": settings["database_url"],
            "INSTANCE_PATH": settings["instance_path"],
            "UPLOAD_FOLDER": settings["upload_folder"],
            "SEARCH_INDEX_PATH": settings["index_path"],
            "JOBS": "held",
            "RATELIMIT_ENABLED": False,
        }
    )
    published = []
    with app.app_context():
        marketer = db.session.get(User, settings["marketer_id"])
        reviewers = [db.session.get(User, user_id) for user_id in settings["reviewer_ids"]]
        stage = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
        Path(settings["ready_file"]).touch()
        _wait_for(Path(settings["go_file"]))
        for word in settings["words"]:
            data = AssetInput(title=f"Deal desk note {word}", body="Pricing.", stages=[stage])
            asset = create_asset(marketer, data)
            sign_off_and_publish(asset, marketer, reviewers)
            db.session.commit()
            published.append(asset.id)
            indexing.drain()
            service.search(marketer, "deal desk", {}, per_page=5)
        db.session.remove()
        db.engine.dispose()
    return published


def main() -> int:
    settings = json.loads(sys.argv[1])
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    try:
        published = publish(settings)
    except Exception:
        traceback.print_exc()
        return 1
    print(json.dumps(published))
    if errors.messages:
        print("The app logged errors: " + "; ".join(errors.messages), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
