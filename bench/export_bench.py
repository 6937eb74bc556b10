"""Export benchmark: the peak memory of writing ``--events`` usage events into the export's
ZIP archive, beside the peak memory of reading the same table whole, on SQLite.

The export reads each table in pages by id and writes each page straight into the
archive, so its peak should stay flat as the table grows, while reading the table whole
grows with it. Peaks are Python allocations (tracemalloc), measured after the rows are
inserted and committed.

    .venv/bin/python bench/export_bench.py                     # 200,000 events
    .venv/bin/python bench/export_bench.py --events 20000 --json out.json
"""

import argparse
import gc
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from content.library.models import Asset, Stage  # noqa: E402
from content.library.services import AssetInput, create_asset  # noqa: E402
from content.taxonomy.services import ensure_defaults  # noqa: E402
from content.usage.models import UsageEvent  # noqa: E402
from portal import create_app  # noqa: E402
from portal.accounts.services import create_user  # noqa: E402
from portal.export.archive import write_zip  # noqa: E402
from portal.export.table import Scope  # noqa: E402
from portal.kernel.extensions import db  # noqa: E402
from portal.kernel.models import Role, utcnow  # noqa: E402

CHUNK = 10_000


def seed(events: int) -> None:
    """An admin, one asset and ``events`` verified views of it."""
    ensure_defaults()
    admin = create_user("admin@example.com", "Ada Admin", Role.ADMIN, "bench-password-1")
    stage = db.session.scalar(select(Stage).where(Stage.slug == "awareness"))
    data = AssetInput(title="Pricing one-pager", body="Why customers choose us.", stages=[stage])
    asset: Asset = create_asset(admin, data, None)
    db.session.commit()
    now = utcnow()
    for start in range(0, events, CHUNK):
        rows = [
            {"asset_id": asset.id, "kind": "view", "evidence": "verified", "user_id": admin.id,
             "note": "", "created_at": now}
            for _ in range(start, min(events, start + CHUNK))
        ]  # fmt: skip
        db.session.execute(insert(UsageEvent), rows)
        db.session.commit()


def peak(work) -> tuple[int, float]:
    """Peak traced bytes and seconds of ``work()``."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    _current, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, seconds


def measure(events: int, workdir: Path) -> dict:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "UPLOAD_FOLDER": str(workdir / "uploads"),
            "SECRET_KEY": "bench",
            "JOBS": "held",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        db.create_all()
        seed(events)
        admin_scope = Scope(None)

        def read_whole() -> None:
            rows = db.session.execute(select(UsageEvent.__table__)).all()
            assert len(rows) == events
            db.session.rollback()

        def export() -> None:
            with (workdir / "export.zip").open("wb") as target:
                summary = write_zip(admin_scope, target)
            assert summary.rows["usage_events.csv"] == events
            db.session.rollback()

        baseline, baseline_seconds = peak(read_whole)
        exported, export_seconds = peak(export)
    return {
        "events": events,
        "read_whole_table": {"peak_bytes": baseline, "seconds": round(baseline_seconds, 2)},
        "export": {
            "peak_bytes": exported,
            "seconds": round(export_seconds, 2),
            "archive_bytes": (workdir / "export.zip").stat().st_size,
        },
    }


def report(figures: dict) -> None:
    mib = 1024 * 1024
    print(f"{figures['events']:,} usage events")
    whole = figures["read_whole_table"]
    export = figures["export"]
    print(
        f"  read the table whole: peak {whole['peak_bytes'] / mib:8.1f} MiB, {whole['seconds']} s"
    )
    print(
        f"  export to a ZIP:      peak {export['peak_bytes'] / mib:8.1f} MiB, {export['seconds']} s"
        f" ({export['archive_bytes'] / mib:.1f} MiB archive)"
    )


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = measure(args.events, workdir)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
