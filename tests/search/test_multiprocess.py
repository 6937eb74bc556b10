"""Several app processes publishing at once against one database and one index: every
asset is found afterwards, no process saw an error and the outbox is empty."""

import json
import subprocess
import sys
import time
from pathlib import Path

from portal.kernel.extensions import db
from search import service
from tests.factories import make_asset, reviewers
from tests.search.helpers import index_now, outbox_size

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 2
ASSETS_EACH = 15


def _start(app, marketer, tmp_path: Path, name: str, words: list[str]) -> subprocess.Popen:
    settings = {
        "database_url": app.config["SQLALCHEMY_DATABASE_URI"],
        "index_path": app.config["SEARCH_INDEX_PATH"],
        "instance_path": str(tmp_path / f"instance-{name}"),
        "upload_folder": app.config["UPLOAD_FOLDER"],
        "marketer_id": marketer.id,
        "reviewer_ids": [reviewer.id for reviewer in reviewers()],
        "words": words,
        "ready_file": str(tmp_path / f"ready-{name}"),
        "go_file": str(tmp_path / "go"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.search.publisher", json.dumps(settings)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_ready(tmp_path: Path, names: list[str], processes) -> None:
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{name}").exists() for name in names):
        crashed = [p for p in processes if p.poll() is not None]
        assert not crashed, crashed[0].communicate()
        assert time.monotonic() < deadline, "the publishers never got ready"
        time.sleep(0.02)


def test_processes_publishing_at_once_lose_no_update(app, marketer, rep, tmp_path):
    make_asset(marketer, "Deal desk overview")
    index_now()  # the index exists before the race, as in a running deployment
    names = [chr(ord("a") + n) for n in range(PROCESSES)]
    words = {name: [f"tok{name}{n:03d}" for n in range(ASSETS_EACH)] for name in names}
    processes = [_start(app, marketer, tmp_path, name, words[name]) for name in names]
    try:
        _wait_until_ready(tmp_path, names, processes)
        (tmp_path / "go").touch()  # all start publishing at the same moment
        outputs = [process.communicate(timeout=90) for process in processes]
    finally:
        for process in processes:
            process.kill()

    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr, stderr
        assert len(json.loads(stdout)) == ASSETS_EACH
    index_now()  # whatever a process left behind when the other held the writer
    db.session.rollback()
    for word in (w for name in names for w in words[name]):
        found = service.search(rep, word, {}).result
        assert [hit.title.striptags() for hit in found.hits] == [f"Deal desk note {word}"]
    assert service.search(rep, "deal desk", {}).result.total == PROCESSES * ASSETS_EACH + 1
    assert outbox_size() == 0
