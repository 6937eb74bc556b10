"""Deal-room beacon benchmark: the reading-time endpoint of a buyer's room page under
concurrent buyers, beside the plain share-link page in the same run, then a check that
the database holds exactly what was sent.

For each database (SQLite, PostgreSQL) it makes a tiny portal (a rep, a deal, two assets
with page previews, a room and a share link), serves it with gunicorn (2 sync workers,
as bench/http_bench.py does), opens the room once per buyer (each buyer is a browser of
its own, so a visitor of its own), and then, for a few seconds, has ``--buyers`` threads
post beacons as the viewer does: each with the next ``seq`` of its visit and a few page
views, and every tenth one sent twice (a resent batch, which must count once). Then the
same threads load the share page ``/s/<token>`` for as long. It prints requests/s, p50
and p99 for both, and the check: beacon rows, page-view rows and summed milliseconds
against what the buyers sent (none lost, none doubled).

    .venv/bin/python bench/room_beacon_bench.py                   # both databases
    .venv/bin/python bench/room_beacon_bench.py --database sqlite --seconds 2
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import http_bench  # beside this file, as ``python bench/room_beacon_bench.py`` runs it
from sqlalchemy import func, select

from content.deals.models import Deal
from content.library.models import Asset, AssetRevision, StoredFile
from content.rooms import services as rooms
from content.rooms.models import RoomBeacon, RoomPageView, RoomVisit
from content.usage import share_links
from portal import create_app
from portal.accounts.services import create_user
from portal.kernel.extensions import db
from portal.kernel.models import hash_token, utcnow

PAGES = 5


@dataclass
class Buyer:
    """One buyer's browser: its visit key and what it sent."""

    number: int
    key: str = ""
    seq: int = 0
    latencies: list[float] = field(default_factory=list)
    sent_ms: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    beacons: int = 0  # distinct (visit, seq) sent and answered 204
    errors: int = 0

    @property
    def agent(self) -> str:
        return f"Mozilla/5.0 (bench buyer {self.number}) AppleWebKit/537.36 Chrome/126.0"


def _asset(owner, title: str, number: int) -> Asset:
    stored = StoredFile(
        original_name=f"{title}.pdf", mime_type="application/pdf", kind="pdf", size=1000,
        sha256="0" * 64, storage_name=f"{uuid.uuid4().hex}.pdf", uploaded_by_id=owner.id,
        preview_status="ready", preview_pages=PAGES,
    )  # fmt: skip
    asset = Asset(owner_id=owner.id, status="published", published_at=utcnow())
    revision = AssetRevision(asset=asset, number=1, title=title, author_id=owner.id, file=stored)
    db.session.add_all([asset, revision])
    db.session.flush()
    asset.live_revision_id = asset.latest_revision_id = revision.id
    db.session.flush()
    return asset


def seed(app) -> tuple[str, str, list[int]]:
    """A room of two previewed assets and a share link: (room token, share token, items)."""
    with app.app_context():
        db.create_all()
        rep = create_user("rep@bench.test", "Riley Rep", "rep", "bench-password-1")
        marketer = create_user("mk@bench.test", "Morgan Marketer", "marketer", "bench-password-1")
        assets = [_asset(marketer, f"Deck {n}", n) for n in (1, 2)]
        deal = Deal(name="Acme renewal", account="Acme", owner_id=rep.id)
        db.session.add(deal)
        db.session.flush()
        room, token = rooms.create_room(
            rep, deal, "Acme: the plan", items=[rooms.NewItem(a, False) for a in assets]
        )
        _link, share_token = share_links.create_link(assets[0], rep, deal)
        items = [item.id for item in room.items]
        db.session.commit()
        db.session.remove()
    return token, share_token, items


def _request(port: int, method: str, path: str, agent: str, body: bytes | None = None):
    """One request on a fresh connection (gunicorn's sync workers close each one)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"User-Agent": agent}
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, data, (time.perf_counter() - started) * 1000


def open_room(port: int, token: str, buyer: Buyer) -> None:
    status, data, _ms = _request(port, "GET", f"/r/{token}", buyer.agent)
    html = data.decode()
    if status != 200 or 'data-visit="' not in html:
        raise RuntimeError(f"the room answered {status} without a visit")
    start = html.index('data-visit="') + len('data-visit="')
    buyer.key = html[start : html.index('"', start)]


def _beacon_body(buyer: Buyer, items: list[int]) -> tuple[bytes, list[tuple[int, int, int]]]:
    buyer.seq += 1
    n = buyer.seq
    views = [(items[n % 2], 1 + n % PAGES, 1000 + n % 700), (items[0], 1, 250)]
    body = {"visit": buyer.key, "seq": n,
            "views": [{"item": i, "page": p, "ms": ms} for i, p, ms in views]}  # fmt: skip
    return json.dumps(body).encode(), views


def send_beacons(port: int, token: str, items: list[int], buyer: Buyer, until: float) -> None:
    while time.perf_counter() < until:
        body, views = _beacon_body(buyer, items)
        sends = 2 if buyer.seq % 10 == 0 else 1  # a resent batch counts once
        answered = []
        for _ in range(sends):
            status, _data, ms = _request(port, "POST", f"/r/{token}/beacon", buyer.agent, body)
            buyer.latencies.append(ms)
            answered.append(status)
        if all(status == 204 for status in answered):
            buyer.beacons += 1
            for item, page, view_ms in views:
                buyer.sent_ms[item, page] += view_ms
        else:
            buyer.errors += 1


def load_share(port: int, share_token: str, buyer: Buyer, until: float, out: list) -> None:
    while time.perf_counter() < until:
        status, _data, ms = _request(port, "GET", f"/s/{share_token}", buyer.agent)
        out.append(ms if status == 200 else None)


def _together(targets) -> float:
    threads = [threading.Thread(target=target) for target in targets]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _timed(latencies: list[float], seconds: float) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rate": len(ordered) / seconds,
        "p50_ms": statistics.median(ordered) if ordered else 0.0,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] if len(ordered) > 1 else 0.0,
    }


def check(app, buyers: list[Buyer]) -> dict:
    """What the database holds against what the buyers sent."""
    sent: dict[tuple[str, int, int], int] = {}
    for buyer in buyers:
        for (item, page), ms in buyer.sent_ms.items():
            sent[buyer.key, item, page] = ms
    with app.app_context():
        keys = {v.id: v.key_hash for v in db.session.scalars(select(RoomVisit))}
        by_hash = {hash_token(b.key): b.key for b in buyers}
        stored = {
            (by_hash[keys[row.visit_id]], row.item_id, row.page): row.ms
            for row in db.session.scalars(select(RoomPageView))
        }
        beacons = db.session.scalar(select(func.count()).select_from(RoomBeacon))
        db.session.remove()
    return {
        "beacons_sent": sum(b.beacons for b in buyers),
        "beacon_rows": beacons,
        "page_view_rows": len(stored),
        "page_views_sent": len(sent),
        "ms_sent": sum(sent.values()),
        "ms_stored": sum(stored.values()),
        "exact": stored == sent and beacons == sum(b.beacons for b in buyers),
        "errors": sum(b.errors for b in buyers),
    }


def run_database(name: str, args, workdir: Path) -> dict:
    with http_bench.scratch_database(name, args.pg_url, workdir, "room_bench") as url:
        return _measure(url, args, workdir)


class Server(http_bench.Server):
    """http_bench's gunicorn, stopped at once: the load is over and every answer was read,
    so no worker holds anything to finish (a graceful stop costs seconds)."""

    def stop(self) -> None:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for pid in children.read_text().split():
            os.kill(int(pid), signal.SIGKILL)
        self.process.kill()
        self.process.wait(timeout=30)
        self.log.close()


def _measure(url: str, args, workdir: Path) -> dict:
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": http_bench.SECRET,
              "INSTANCE_PATH": str(workdir / "instance"), "JOBS": "held"}  # fmt: skip
    app = create_app(config)
    token, share_token, items = seed(app)
    buyers = [Buyer(number) for number in range(args.buyers)]
    server = Server("portal:create_app()", http_bench.portal_env(url, workdir), 2)
    try:
        for buyer in buyers:
            open_room(server.port, token, buyer)
        _wait_for_visits(app, len(buyers))
        until = time.perf_counter() + args.seconds
        spent = _together(
            [lambda b=b: send_beacons(server.port, token, items, b, until) for b in buyers]
        )
        beacons = _timed([ms for b in buyers for ms in b.latencies], spent)
        share: list = []
        until = time.perf_counter() + args.seconds
        spent = _together(
            [lambda b=b: load_share(server.port, share_token, b, until, share) for b in buyers]
        )
        page = _timed([ms for ms in share if ms is not None], spent)
        page["errors"] = sum(ms is None for ms in share)
    finally:
        server.stop()
    figures = {"beacon": beacons, "share page": page, "check": check(app, buyers)}
    with app.app_context():
        db.engine.dispose()
    return figures


def _wait_for_visits(app, expected: int) -> None:
    """Visits are written after each room page has gone out: wait until they are."""
    deadline = time.monotonic() + 10
    with app.app_context():
        while time.monotonic() < deadline:
            found = db.session.scalar(select(func.count()).select_from(RoomVisit))
            db.session.remove()
            if found >= expected:
                return
            time.sleep(0.05)
    raise RuntimeError("the room's visits were not recorded")


def report(results: dict, args) -> None:
    print(f"{args.buyers} buyers at once, {args.seconds} s each; gunicorn, 2 sync workers\n")
    print("| database | endpoint | requests | req/s | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for database, figures in results.items():
        for endpoint in ("beacon", "share page"):
            f = figures[endpoint]
            print(f"| {database} | {endpoint} | {f['requests']} | {f['rate']:,.1f} | "
                  f"{f['p50_ms']:.1f} | {f['p99_ms']:.1f} |")  # fmt: skip
    print()
    for database, figures in results.items():
        c = figures["check"]
        verdict = "exact" if c["exact"] and not c["errors"] else "MISMATCH"
        print(f"{database}: {c['beacons_sent']} beacons sent, {c['beacon_rows']} beacon rows; "
              f"{c['page_views_sent']} page views sent, {c['page_view_rows']} rows; "
              f"{c['ms_sent']} ms sent, {c['ms_stored']} ms stored: {verdict}")  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--buyers", type=int, default=8)
    parser.add_argument("--pg-url", default=http_bench.PG_URL)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="room-bench-"))
    names = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    results = {}
    for name in names:
        print(f"{name}…", file=sys.stderr, flush=True)
        results[name] = run_database(name, args, workdir / name)
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    exact = all(f["check"]["exact"] and not f["check"]["errors"] for f in results.values())
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
