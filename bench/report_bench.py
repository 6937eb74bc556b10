"""Report benchmark: every registered report page beside one full scan of the usage events.

Seeds a portal with bulk inserts (by default 10,000 assets, 200 reps, 50,000 deals and
1,000,000 usage events spread over two years), then requests every report registered in
``portal.reports.registry.REPORTS`` through the Flask test client, signed in as a sales
leader: each report's page for the default 90 days, each of its other tabs, one sorted
variant, the dashboard and the CSV of report 1. Reports that register later are measured
without changing this file. Beside them it times, in the same rounds, one plain scan of
the whole usage table: what reading every event once costs, the floor for a report over
all of them. See bench/README.md.

    .venv/bin/python bench/report_bench.py                       # both databases
    .venv/bin/python bench/report_bench.py --database sqlite --tiny
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from bisect import bisect
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, islice
from pathlib import Path
from random import Random
from types import SimpleNamespace
from urllib.parse import urlencode

from bulk_load import move_id_sequences_past_ids  # beside this file
from sqlalchemy import create_engine, event, func, insert, inspect, select, text, update
from werkzeug.security import generate_password_hash

from content.deals.models import Deal, DealStageChange
from content.library.models import (
    Asset,
    AssetRevision,
    ContentType,
    Industry,
    Persona,
    Stage,
    Tag,
    asset_industries,
    asset_personas,
    asset_stages,
    asset_tags,
)
from content.taxonomy.services import ensure_defaults
from content.usage.models import Rating, ShareLink, UsageEvent
from portal import create_app
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.reporting import DEFAULT_DAYS
from portal.reports.registry import REPORTS, in_order
from search.models import SearchMiss
from workflows.campaigns.models import Campaign, CampaignRead, campaign_assets
from workflows.feedback.models import FieldFeedback
from workflows.posts.models import GhostPost, GhostPostRevision, post_assets
from workflows.requests.models import ContentRequest

PASSWORD = "bench-password"  # noqa: S105 - the benchmark's throwaway accounts
READER = "leader@bench.test"  # a sales leader: reports are for leaders
PG_URL = os.environ.get("TANDEM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BATCH = 10_000
HISTORY_DAYS = 730  # usage and deals spread over two years
PAGE_LIMIT_S = 1.0  # the targets: every page under a second...
FLOOR_FACTOR = 5.0  # ...and within five times the full scan of the usage events
# Reads every row of the usage table: count(*) alone could be answered from the smallest
# index, but kind and created_at together are in no index, so both databases read the
# table itself (the plan is printed beside the figure).
FLOOR_SQL = "SELECT count(*), sum(length(kind)), max(created_at) FROM usage_events"


@dataclass(frozen=True)
class Sizes:
    assets: int
    reps: int
    deals: int
    events: int

    @property
    def marketers(self) -> int:
        return max(2, self.reps // 10)


TINY = Sizes(assets=60, reps=6, deals=120, events=3_000)

# ---- vocabularies (all names are fictional) ---------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words("Priya Marcus Dana Sofia Jonas Amara Kenji Lucia Omar Ingrid Tomas Mei Rafael")
LAST = _words("Raman Okafor Whitfield Marquez Lindqvist Adeyemi Tanaka Moretti Haddad Berg")
HEADS = _words("Halvor Bright North Stone Clear Red Silver Oak Iron Blue Maple Harbor Cedar")
TAILS = _words("sen water field bridge ridge gate wood stone mark dale view works point")
PRODUCTS = ["Ledgerline", "Beacon", "Keystone", "Relay", "Harbor", "Atlas", "Summit", "Pathway"]
TOPICS = (
    "pricing", "ROI", "security review", "onboarding", "integration", "negotiation",
    "procurement", "competitive", "renewal", "discovery", "industry trends", "implementation",
)  # fmt: skip
CHANNELS = ("linkedin", "blog", "newsletter")
STAGE_WEIGHTS = {  # assets per stage: most serve the middle of the funnel
    "awareness": 2, "consideration": 4, "decision": 4, "onboarding": 1.5, "expansion": 1,
}  # fmt: skip


# ---- seeding --------------------------------------------------------------------------------


def _default(column):
    """The value Core would insert for a column left out of a row (COPY does not know it)."""
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    value = default.arg if default.is_scalar else default.arg(None)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def bulk(table, rows) -> int:
    """Insert ``rows`` (dicts with the same keys) in batches of BATCH: Core executemany on
    SQLite, COPY through the driver on PostgreSQL. Times are naive UTC, as stored."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _copy(table, rows)
    count = 0
    rows = iter(rows)
    while chunk := list(islice(rows, BATCH)):
        db.session.execute(insert(table), chunk)
        count += len(chunk)
    return count


def _copy(table, rows) -> int:
    columns = list(table.columns)
    names = ", ".join(f'"{column.name}"' for column in columns)
    defaults = {column.name: _default(column) for column in columns}
    raw = db.session.connection().connection.dbapi_connection
    count = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(name, defaults[name]) for name in defaults])
            count += 1
    return count


class Chooser:
    """Weighted choices over a fixed population, fast for millions of draws."""

    def __init__(self, rng: Random, population: list, weights: list[float]):
        self.rng, self.population = rng, population
        self.cumulative = list(accumulate(weights))

    def one(self):
        return self.population[bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]

    def many(self, k: int) -> list:
        return self.rng.choices(self.population, cum_weights=self.cumulative, k=k)


@dataclass
class World:
    """What the seeder made, for the later steps and the report."""

    now: datetime
    leaders: list[int] = field(default_factory=list)
    marketers: list[int] = field(default_factory=list)
    reps: list[int] = field(default_factory=list)
    sales_reps: list[int] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)
    published: dict[int, datetime] = field(default_factory=dict)  # asset id -> when
    by_stage: dict[int, Chooser] = field(default_factory=dict)  # stage id -> its assets
    popular: Chooser | None = None
    deals: list[tuple] = field(default_factory=list)  # (id, owner, stage, start, end)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class Seeder:
    """Writes a portal that looks used for two years; every step commits."""

    def __init__(self, sizes: Sizes, seed: int):
        self.sizes, self.rng = sizes, Random(seed)
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        self.world = World(now=now)
        self.start = now - timedelta(days=HISTORY_DAYS)
        self.statuses: dict[int, str] = {}  # deal id -> open, won or lost
        self.sources: dict[int, str] = {}  # deal id -> manual, import or api

    def run(self) -> World:
        for name, step_ in (
            ("users and taxonomy", self.users),
            ("assets", self.assets),
            ("ratings", self.ratings),
            ("deals", self.deals),
            ("usage events and share links", self.usage),
            ("requests, misses and posts", self.requests_and_posts),
            ("campaigns, sign-ins and field feedback", lambda: seed_campaigns(self)),
        ):
            started = time.perf_counter()
            step(f"  seeding {name}")
            step_()
            db.session.commit()
            self.world.seconds[name] = time.perf_counter() - started
        return self.world

    def moment(self, first: datetime, last: datetime) -> datetime:
        span = max(0.0, (last - first).total_seconds())
        return first + timedelta(seconds=int(self.rng.random() * span))

    def count(self, name: str, number: int) -> None:
        self.world.rows[name] = self.world.rows.get(name, 0) + number

    # -- people and taxonomy --

    def users(self) -> None:
        ensure_defaults()
        db.session.flush()
        w, r, rows = self.world, self.rng, []
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

        def add(email: str, role: str, department: str, into: list) -> None:
            user_id = len(rows) + 1
            name = f"{r.choice(FIRST)} {r.choice(LAST)}"
            rows.append({
                "id": user_id, "email": email, "name": name, "password_hash": password_hash,
                "role": role, "department": department, "active": True, "session_version": 1,
                "created_at": self.start - timedelta(days=r.randint(1, 400)),
                "last_login_at": None,
            })  # fmt: skip
            into.append(user_id)

        add(READER, Role.LEADER, "sales", w.leaders)
        add("marketing-lead@bench.test", Role.LEADER, "marketing", w.leaders)
        add("leader2@bench.test", Role.LEADER, "sales", w.leaders)
        add("marketing-lead2@bench.test", Role.LEADER, "marketing", w.leaders)
        add("admin@bench.test", Role.ADMIN, "sales", [])
        for n in range(self.sizes.marketers):
            add(f"marketer{n}@bench.test", Role.MARKETER, "marketing", w.marketers)
        for n in range(self.sizes.reps):  # one rep in twenty works in marketing
            department = "marketing" if n % 20 == 19 else "sales"
            add(f"rep{n}@bench.test", Role.REP, department, w.reps)
            if department == "sales":
                w.sales_reps.append(w.reps[-1])
        self.count("users", bulk(User.__table__, rows))
        w.stages = dict(db.session.execute(select(Stage.slug, Stage.id)).all())

    # -- assets --

    def assets(self) -> None:
        w, r, n = self.world, self.rng, self.sizes.assets
        terms = {
            model: db.session.scalars(select(model.id).order_by(model.id)).all()
            for model in (ContentType, Persona, Industry, Tag)
        }
        stage_chooser = Chooser(r, [w.stages[s] for s in STAGE_WEIGHTS], STAGE_WEIGHTS.values())
        owners = Chooser(r, w.marketers, [1 / (k + 1) for k in range(len(w.marketers))])
        assets, revisions, links = [], [], {table: [] for table in LINK_TABLES}
        today = w.now.date()
        first, last = w.now - timedelta(days=3 * 365), w.now - timedelta(days=2)
        arrivals = sorted(self.moment(first, last) for _ in range(n))  # ids in arrival order
        for asset_id, created in enumerate(arrivals, start=1):
            published = created + timedelta(hours=r.randint(2, 24 * 14))
            archived = r.random() < 0.04
            review = r.random()
            review_by = None
            if review < 0.06:  # past its review date
                review_by = today - timedelta(days=r.randint(1, 200))
            elif review < 0.6:
                review_by = today + timedelta(days=r.randint(1, 400))
            owner = owners.one()
            title = f"{r.choice(PRODUCTS)} {r.choice(TOPICS)} {asset_id}"
            assets.append({
                "id": asset_id, "owner_id": owner, "content_type_id": r.choice(terms[ContentType]),
                "status": "archived" if archived else "published", "review_by": review_by,
                "expires_on": today - timedelta(days=5) if r.random() < 0.01 else None,
                "live_revision_id": None, "latest_revision_id": None, "created_at": created,
                "updated_at": published, "published_at": published,
                "archived_at": self.moment(published, w.now) if archived else None,
            })  # fmt: skip
            revisions.append({
                "id": asset_id, "asset_id": asset_id, "number": 1, "title": title,
                "summary": f"How {title} helps.", "body": f"# {title}\n\nAbout {title}.",
                "body_text": f"{title}\nAbout {title}.", "file_id": None, "author_id": owner,
                "note": "First version", "created_at": created,
            })  # fmt: skip
            w.published[asset_id] = published
            stages = {stage_chooser.one() for _ in range(r.choice((1, 1, 2)))}
            chosen = {
                asset_stages: stages,
                asset_personas: set(r.sample(terms[Persona], r.choice((1, 1, 2)))),
                asset_industries: set(r.sample(terms[Industry], r.choice((0, 1, 1, 2)))),
                asset_tags: set(r.sample(terms[Tag], r.choice((0, 1, 2)))),
            }
            for table, ids in chosen.items():
                links[table] += [{"asset_id": asset_id, LINK_TABLES[table]: i} for i in ids]
        self.count("assets", bulk(Asset.__table__, assets))
        self.count("asset_revisions", bulk(AssetRevision.__table__, revisions))
        for table, rows in links.items():
            self.count(table.name, bulk(table, rows))
        db.session.execute(  # one revision each, with the asset's id: live and latest
            update(Asset).values(live_revision_id=Asset.id, latest_revision_id=Asset.id),
            execution_options={"synchronize_session": False},
        )
        self._popularity(assets, links[asset_stages])

    def _popularity(self, assets: list[dict], stage_links: list[dict]) -> None:
        """A long tail: a few assets get most of the use, one in sixteen is never used."""
        w, r = self.world, self.rng
        ids = [row["id"] for row in assets]
        r.shuffle(ids)
        weight = {
            asset_id: 0.0 if rank % 16 == 5 else 1 / (rank + 10) ** 0.9
            for rank, asset_id in enumerate(ids)
        }
        for row in assets:
            if row["status"] == "archived":
                weight[row["id"]] *= 0.2
        used = [asset_id for asset_id in sorted(weight) if weight[asset_id]]
        w.popular = Chooser(r, used, [weight[i] for i in used])
        per_stage: dict[int, list[int]] = {}
        for link in stage_links:
            if weight[link["asset_id"]]:
                per_stage.setdefault(link["stage_id"], []).append(link["asset_id"])
        w.by_stage = {
            stage: Chooser(r, members, [weight[i] for i in members])
            for stage, members in per_stage.items()
        }

    # -- ratings and deals --

    def ratings(self) -> None:
        w, r = self.world, self.rng
        raters = w.reps + w.leaders
        rows = []
        for asset_id, published in w.published.items():
            quality = r.choice((2, 3, 3, 4, 4, 5))
            for user_id in r.sample(raters, r.choice((0, 0, 1, 2, 3, 4, 6))):
                stars = max(1, min(5, quality + r.choice((-1, 0, 0, 1))))
                when = self.moment(published, w.now)
                rows.append({
                    "id": len(rows) + 1, "asset_id": asset_id, "user_id": user_id,
                    "stars": stars, "comment": "", "created_at": when, "updated_at": when,
                })  # fmt: skip
        self.count("ratings", bulk(Rating.__table__, rows))

    def deals(self) -> None:
        w, r = self.world, self.rng
        today = w.now.date()
        owners = Chooser(r, w.reps, [3 if rep in w.sales_reps else 0.3 for rep in w.reps])
        stage_ids = list(w.stages.values())
        rows = []
        for _ in range(self.sizes.deals):
            close = today + timedelta(days=r.randint(-HISTORY_DAYS + 30, 90))
            created = datetime.combine(close, datetime.min.time()) - timedelta(
                days=r.randint(14, 200), hours=r.randint(0, 23)
            )
            created = min(created, w.now - timedelta(hours=1))
            if close >= today:
                status = "open"
            else:
                status = r.choices(("won", "lost", "open"), weights=(42, 43, 15))[0]
            source = r.choices(("import", "manual", "api"), weights=(6, 3, 1))[0]
            amount = int(r.lognormvariate(10.4, 0.8)) * 100 if r.random() < 0.95 else None
            rows.append(
                {
                    "created_at": created,
                    "close_date": close,
                    "status": status,
                    "source": source,
                    "stage_id": r.choice(stage_ids),
                    "owner_id": owners.one(),
                    "amount_cents": amount,
                }
            )
        rows.sort(key=lambda row: row["created_at"])  # ids in the order deals arrived
        for deal_id, row in enumerate(rows, start=1):
            account = f"{r.choice(HEADS)}{r.choice(TAILS)} {r.choice(('Inc', 'Group', 'Ltd'))}"
            external = f"BENCH-OPP-{deal_id:07d}" if row["source"] != "manual" else None
            closed_at = datetime.combine(row["close_date"], datetime.min.time())
            row.update({
                "id": deal_id, "external_id": external, "account": account,
                "name": f"{account}: {r.choice(PRODUCTS)} {r.choice(TOPICS)}",
                "updated_at": min(w.now, max(row["created_at"], closed_at)),
            })  # fmt: skip
            end = min(w.now, closed_at) if row["status"] != "open" else w.now
            start = max(row["created_at"], self.start)
            if start < end:
                w.deals.append((deal_id, row["owner_id"], row["stage_id"], start, end))
        self.count("deals", bulk(Deal.__table__, rows))
        self.statuses = {row["id"]: row["status"] for row in rows}
        self.sources = {row["id"]: row["source"] for row in rows}

    # -- usage --

    def usage(self) -> None:
        """Used in deals (7 %), share links made (5 %), buyers opening them (10 %),
        downloads (14 %) and views (the rest), sorted by time as the portal writes them."""
        events: list[tuple] = []
        budget = self.sizes.events
        self._used_in_deals(events, int(budget * 0.07))
        links = self._shares(events, int(budget * 0.05))
        self._buyer_views(events, links, int(budget * 0.10))
        self._browsing(events, budget - len(events))
        events.sort(key=lambda e: e[0])
        names = ("created_at", "asset_id", "kind", "evidence", "user_id", "deal_id",
                 "share_link_id", "visitor_hash")  # fmt: skip
        rows = (
            {"id": n, **dict(zip(names, e, strict=True)), "revision_id": e[1], "note": ""}
            for n, e in enumerate(events, start=1)
        )
        started = time.perf_counter()
        self.count("usage_events", bulk(UsageEvent.__table__, rows))
        self.world.seconds["inserting the usage events"] = time.perf_counter() - started

    def _asset_for(self, stage_id: int | None, when: datetime) -> int:
        """A popular asset, mostly one of the stage, already published at ``when`` (a few
        tries: an event never precedes its asset, and the events spread evenly in time)."""
        w = self.world
        for _ in range(6):
            chooser = w.by_stage.get(stage_id)
            asset_id = (chooser if chooser and self.rng.random() < 0.8 else w.popular).one()
            if w.published[asset_id] <= when:
                break
        return asset_id

    def _used_in_deals(self, events: list, limit: int) -> None:
        """Won deals used more content than lost or open ones; an asset once per deal."""
        r, count = self.rng, 0
        wanted = {"won": (1, 2, 2, 3, 4), "lost": (0, 1, 1, 2), "open": (0, 0, 1, 1, 2)}
        deals = list(self.world.deals)
        r.shuffle(deals)  # the limit, when reached, leaves out deals of any time alike
        for deal_id, owner, stage_id, start, end in deals:
            attached = set()
            for _ in range(r.choice(wanted[self.statuses[deal_id]])):
                when = self.moment(start, end)
                asset_id = self._asset_for(stage_id, when)
                when = max(when, self.world.published[asset_id])
                if asset_id in attached or when >= self.world.now or count >= limit:
                    continue
                attached.add(asset_id)
                imported = self.sources[deal_id] == "import" and r.random() < 0.5
                evidence = "imported" if imported else "self_reported"
                events.append(
                    (when, asset_id, "used_in_deal", evidence, owner, deal_id, None, None)
                )
                count += 1
        self.count("used_in_deal", count)

    def _shares(self, events: list, number: int) -> list[tuple]:
        """Share links, seven in ten made for one of the rep's deals."""
        w, r = self.world, self.rng
        links, rows = [], []
        for link_id in range(1, number + 1):
            if r.random() < 0.7 and w.deals:
                deal_id, creator, stage_id, start, end = r.choice(w.deals)
            else:
                deal_id, creator, stage_id = None, r.choice(w.reps), None
                start, end = self.start, w.now
            when = self.moment(start, end)
            asset_id = self._asset_for(stage_id, when)
            when = max(when, w.published[asset_id])
            expires = when + timedelta(days=r.choice((7, 30, 30, 30, 90)))
            rows.append({
                "id": link_id, "token_hash": f"{link_id:064x}", "asset_id": asset_id,
                "revision_id": asset_id, "created_by_id": creator, "deal_id": deal_id,
                "recipient": "", "expires_at": expires, "created_at": when,
                "revoked_at": when + timedelta(days=1) if r.random() < 0.02 else None,
                "revoked_by_id": None,
            })  # fmt: skip
            events.append((when, asset_id, "share", "verified", creator, deal_id, link_id, None))
            links.append((link_id, asset_id, creator, deal_id, when, min(expires, w.now)))
        self.count("share_links", bulk(ShareLink.__table__, rows))
        return links

    def _buyer_views(self, events: list, links: list[tuple], number: int) -> None:
        """Six links in ten are opened, most within days, by one to three visitors."""
        r = self.rng
        opened = [link for link in links if r.random() < 0.6 and link[5] > link[4]]
        if not opened:
            return
        for link_id, asset_id, creator, deal_id, made, last in r.choices(opened, k=number):
            when = made + timedelta(days=r.expovariate(1 / 2.5))
            if when >= last:
                when = self.moment(made, last)
            visitor = f"{link_id:x}-{r.randint(1, 3)}"
            events.append((when, asset_id, "buyer_view", "verified", creator, deal_id, link_id,
                           visitor))  # fmt: skip

    def _browsing(self, events: list, number: int) -> None:
        w, r = self.world, self.rng
        readers = Chooser(
            r,
            w.reps + w.marketers + w.leaders,
            [8] * len(w.reps) + [6] * len(w.marketers) + [10] * len(w.leaders),
        )
        for user_id in readers.many(number):
            kind = "download" if r.random() < 0.18 else "view"
            when = self.moment(self.start, w.now)
            asset_id = self._asset_for(None, when)
            when = max(when, w.published[asset_id])
            events.append((when, asset_id, kind, "verified", user_id, None, None, None))

    # -- requests, misses and posts --

    def requests_and_posts(self) -> None:
        w, r = self.world, self.rng
        stage_chooser = Chooser(r, list(w.stages.values()), [3, 3, 2, 4, 5])  # gaps at the end
        personas = db.session.scalars(select(Persona.id)).all()
        rows = []
        for request_id in range(1, max(10, self.sizes.deals // 25) + 1):
            created = self.moment(self.start, w.now)
            status = r.choices(("open", "accepted", "declined", "fulfilled"), (25, 15, 15, 45))[0]
            rows.append({
                "id": request_id, "requester_id": r.choice(w.reps),
                "need": f"A {r.choice(TOPICS)} piece for a {r.choice(HEADS)} deal",
                "stage_id": stage_chooser.one(), "persona_id": r.choice(personas),
                "deal_context": "", "due_on": (created + timedelta(days=14)).date(),
                "status": status, "decline_reason": "Out of scope" if status == "declined" else "",
                "handled_by_id": r.choice(w.marketers) if status != "open" else None,
                "asset_id": w.popular.one() if status == "fulfilled" else None,
                "created_at": created, "updated_at": created,
            })  # fmt: skip
        self.count("content_requests", bulk(ContentRequest.__table__, rows))
        slugs = list(w.stages)
        misses = [
            {"id": n, "query": f"{r.choice(TOPICS)} {r.choice(PRODUCTS).lower()}",
             "stage_slug": r.choice(slugs) if r.random() < 0.6 else "",
             "role": r.choices((Role.REP, Role.MARKETER, Role.LEADER), (17, 2, 1))[0],
             "user_id": r.choice(w.reps), "created_at": self.moment(self.start, w.now)}
            for n in range(1, max(20, self.sizes.events // 50) + 1)
        ]  # fmt: skip
        self.count("search_misses", bulk(SearchMiss.__table__, misses))
        self._posts(max(10, self.sizes.reps * 2))

    def _posts(self, number: int) -> None:
        w, r = self.world, self.rng
        posts, revisions, attached = [], [], []
        statuses = ("draft", "with_rep", "changes_requested", "approved", "published", "declined")
        for post_id in range(1, number + 1):
            status = r.choices(statuses, weights=(1, 2, 1, 1, 6, 1))[0]
            created = self.moment(self.start, w.now - timedelta(days=2))
            sent = status != "draft"
            words = r.randint(80, 600)
            done = created + timedelta(days=r.randint(1, 10))
            rep, writer = r.choice(w.reps), r.choice(w.marketers)
            posts.append({
                "id": post_id, "rep_id": rep, "ghostwriter_id": writer,
                "channel": r.choice(CHANNELS), "topic": r.choice(TOPICS),
                "due_on": (created + timedelta(days=r.randint(3, 30))).date(),
                "status": status, "latest_revision_id": None,
                "sent_revision_number": 1 if sent else None,
                "published_url": f"https://example.com/{post_id}" if status == "published" else "",
                "decline_reason": "Not my voice" if status == "declined" else "",
                "rounds": r.randint(1, 3) if sent else 0,
                "first_sent_at": created + timedelta(hours=5) if sent else None,
                "sent_at": created + timedelta(hours=5) if sent else None,
                "seconds_with_rep": r.randint(3_600, 9 * 86_400) if sent else 0,
                "approved_at": done if status in {"approved", "published"} else None,
                "published_at": done + timedelta(days=1) if status == "published" else None,
                "declined_at": done if status == "declined" else None,
                "word_count": words, "rep_word_count": r.randint(0, words // 2) if sent else 0,
                "created_at": created, "updated_at": done if sent else created,
            })  # fmt: skip
            for number_ in range(1, (2 if sent and r.random() < 0.5 else 1) + 1):
                revisions.append({
                    "id": len(revisions) + 1, "post_id": post_id, "number": number_,
                    "title": f"{r.choice(TOPICS).capitalize()} lessons", "body": "Words. " * 20,
                    "author_id": writer if number_ == 1 else rep, "created_at": created,
                })  # fmt: skip
            for asset_id in {w.popular.one() for _ in range(r.choice((0, 1, 2)))}:
                attached.append({"post_id": post_id, "asset_id": asset_id})
        self.count("ghost_posts", bulk(GhostPost.__table__, posts))
        self.count("ghost_post_revisions", bulk(GhostPostRevision.__table__, revisions))
        bulk(post_assets, attached)
        latest = (
            select(func.max(GhostPostRevision.id))
            .where(GhostPostRevision.post_id == GhostPost.id)
            .scalar_subquery()
        )
        db.session.execute(
            update(GhostPost).values(latest_revision_id=latest),
            execution_options={"synchronize_session": False},
        )


LINK_TABLES = {
    asset_stages: "stage_id",
    asset_personas: "persona_id",
    asset_industries: "industry_id",
    asset_tags: "tag_id",
}


# ---- deal stage histories ----------------------------------------------------------------

STAGE_CHANGES = 5  # history rows per deal: its first stage and four changes
STAGE_REPORTS = ("deal-stages",)  # the reports judged against the stage history's floor
# Reads every history row: no index holds status and changed_at together with the rest.
STAGE_FLOOR_SQL = (
    "SELECT count(*), sum(length(status)), max(changed_at), max(ended_at) FROM deal_stage_changes"
)


def _stage_walk(rng: Random, journey: list[int], final: int, closed: bool) -> list[int]:
    """Stage ids of a deal's stage rows, ending at ``final``: mostly forward, with a step
    back now and then; consecutive rows differ (each is a change)."""
    count = STAGE_CHANGES - 1 if closed else STAGE_CHANGES
    positions = [journey.index(final)]
    while len(positions) < count:
        later = positions[0]
        step = rng.choice((1, 1, 1, 2, -1))
        earlier = min(len(journey) - 1, max(0, later - step))
        positions.insert(0, earlier if earlier != later else (later + 1) % len(journey))
    return [journey[p] for p in positions]


def _stage_rows(rng: Random, deal, journey: list[int], now: datetime) -> list[dict]:
    closed = deal.status != "open"
    end = min(now, datetime.combine(deal.close_date, datetime.min.time())) if closed else now
    start = deal.naive_created
    span = max(60.0, (end - start).total_seconds())
    moments = [start] + sorted(
        start + timedelta(seconds=rng.uniform(1, span - 1)) for _ in range(STAGE_CHANGES - 1)
    )
    stages = _stage_walk(rng, journey, deal.stage_id, closed)
    states = [(stage, "open") for stage in stages]
    if closed:
        states.append((stages[-1], deal.status))
    rows, previous = [], (None, None)
    for n, ((stage, status), moment) in enumerate(zip(states, moments, strict=True)):
        rows.append({
            "deal_id": deal.id, "stage_id": stage, "status": status,
            "from_stage_id": previous[0], "from_status": previous[1], "changed_at": moment,
            "ended_at": moments[n + 1] if n + 1 < len(moments) else None,
            "source": rng.choice(("import", "import", "manual", "api")), "known_since": False,
        })  # fmt: skip
        previous = (stage, status)
    return rows


def seed_stage_histories(seed: int) -> int:
    """Five history rows for every deal, from its creation to its close (or now), ending at
    its stage and status; returns the rows written."""
    rng = Random(seed + 5)
    journey = list(db.session.scalars(select(Stage.id).order_by(Stage.position, Stage.id)))
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    deals = db.session.execute(
        select(Deal.id, Deal.stage_id, Deal.status, Deal.created_at, Deal.close_date)
        .where(Deal.stage_id.is_not(None))
        .order_by(Deal.id)
    ).all()
    rows = (row for deal in deals for row in _stage_rows(rng, _naive(deal), journey, now))
    numbered = ({"id": n, **row} for n, row in enumerate(rows, start=1))
    written = bulk(DealStageChange.__table__, numbered)
    db.session.commit()
    return written


def _naive(deal):
    """The deal's row with its creation time as stored (naive UTC), as bulk() writes."""
    created = deal.created_at.astimezone(UTC).replace(tzinfo=None)
    return SimpleNamespace(**deal._asdict(), naive_created=created)


def time_stage_floor(app, rounds: int) -> list[float]:
    """``rounds`` full scans of the stage history, the floor of the stage reports."""
    times = []
    for _ in range(rounds):
        with app.app_context():
            started = time.perf_counter()
            db.session.execute(text(STAGE_FLOOR_SQL)).one()
            times.append(time.perf_counter() - started)
            db.session.remove()
    return times


def judge_stage_pages(figures: dict, floor: list[float]) -> None:
    """Judge the stage reports' pages against the stage history's floor, not the events'."""
    median = statistics.median(floor)
    figures["stage_floor"] = {
        "sql": STAGE_FLOOR_SQL, "median_s": median, "p95_s": percentile(floor, 0.95),
    }  # fmt: skip
    for row in figures["pages"]:
        if row["report"] in STAGE_REPORTS:
            row["ratio"] = row["median_s"] / median
            row["within_floor"] = row["median_s"] <= FLOOR_FACTOR * median


def print_stage_floor(figures: dict) -> None:
    floor = figures.get("stage_floor")
    if floor:
        print(
            f"stage floor (for {', '.join(STAGE_REPORTS)}): {floor['sql']}\n"
            f"  median {floor['median_s'] * 1000:.0f} ms, p95 {floor['p95_s'] * 1000:.0f} ms"
        )


def after_seeding() -> None:
    """What a database that has run for a while has: sequences past the ids written here,
    and statistics (PostgreSQL's autovacuum); SQLite's WAL checkpointed."""
    engine = db.engine
    tables = [table.name for table in db.metadata.sorted_tables]
    if engine.dialect.name == "postgresql":
        move_id_sequences_past_ids()
        db.session.commit()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE " + ", ".join(f'"{name}"' for name in tables))
    else:
        db.session.commit()
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def set_indexes(without: list[str]) -> list[str]:
    """Drop the named indexes (to measure what they buy) and create any other index of the
    models that is missing (a reused database may lack one dropped by an earlier run)."""
    engine = db.engine
    present = {
        index["name"]
        for table in inspect(engine).get_table_names()
        for index in inspect(engine).get_indexes(table)
    }
    known = {index.name: index for table in db.metadata.sorted_tables for index in table.indexes}
    unknown = sorted(set(without) - set(known))
    if unknown:
        sys.exit(f"No model index is called {', '.join(unknown)}.")
    changed = []
    for name, index in known.items():
        if name in without and name in present:
            index.drop(engine)
            changed.append(f"dropped {name}")
        elif name not in without and name not in present:
            index.create(engine)
            changed.append(f"created {name}")
    return changed


def usage_sizes() -> dict[str, float]:
    """Megabytes of the usage table and of each of its indexes."""
    names = ["usage_events"] + [
        index["name"] for index in inspect(db.engine).get_indexes("usage_events")
    ]
    if db.engine.dialect.name == "postgresql":
        size = "SELECT pg_relation_size(CAST(:name AS regclass))"
    else:
        size = "SELECT sum(pgsize) FROM dbstat WHERE name = :name"
    return {name: (db.session.scalar(text(size), {"name": name}) or 0) / 1e6 for name in names}


# ---- campaigns and field feedback (content consumption, campaign results) --------------

CAMPAIGN_EVERY_DAYS = 14  # a campaign starts every fortnight...
CAMPAIGN_DAYS = 30  # ...and runs for a month, so two overlap most of the time
CAMPAIGN_ASSETS = 6
CAMPAIGN_TIMED = 40  # the campaign whose page is timed: one that ended a few months ago
FEEDBACK_KINDS = ("objection", "question", "competitor", "win_story", "loss_reason", "content_gap")


def seed_campaigns(seeder: "Seeder") -> None:
    """Published campaigns every fortnight for two years, each linking popular assets and
    read by about half the reps; ten pieces of field feedback per rep (a third about a
    campaign); every rep's latest sign-in within the last month."""
    w, r = seeder.world, seeder.rng
    assert w.popular is not None, "the assets are seeded first"
    campaigns, links, reads = [], [], []
    starts = range(0, HISTORY_DAYS - CAMPAIGN_DAYS, CAMPAIGN_EVERY_DAYS)
    for campaign_id, offset in enumerate(starts, start=1):
        first = (seeder.start + timedelta(days=offset)).date()
        campaigns.append({
            "id": campaign_id, "name": f"{r.choice(PRODUCTS)} {r.choice(TOPICS)} {campaign_id}",
            "starts_on": first, "ends_on": first + timedelta(days=CAMPAIGN_DAYS - 1),
            "audience": "", "key_messages": "Lead with the outcome.", "talking_points": "",
            "status": "published", "owner_id": r.choice(w.marketers),
            "published_at": seeder.start + timedelta(days=offset - 1),
            "created_at": seeder.start, "updated_at": seeder.start,
        })  # fmt: skip
        for asset_id in set(w.popular.many(CAMPAIGN_ASSETS)):
            links.append({"campaign_id": campaign_id, "asset_id": asset_id})
        for rep in r.sample(w.reps, len(w.reps) // 2):
            read_at = seeder.start + timedelta(days=offset, hours=r.randint(1, 24 * 10))
            reads.append({"id": len(reads) + 1, "campaign_id": campaign_id, "user_id": rep,
                          "read_at": read_at})  # fmt: skip
    seeder.count("campaigns", bulk(Campaign.__table__, campaigns))
    bulk(campaign_assets, links)
    seeder.count("campaign_reads", bulk(CampaignRead.__table__, reads))
    _field_feedback(seeder, len(campaigns))
    for rep in w.reps:
        db.session.execute(
            update(User)
            .where(User.id == rep)
            .values(last_login_at=seeder.moment(w.now - timedelta(days=30), w.now))
        )


def _field_feedback(seeder: "Seeder", campaigns: int) -> None:
    w, r = seeder.world, seeder.rng
    stages = [*w.stages.values(), None]
    rows = []
    for feedback_id in range(1, len(w.reps) * 10 + 1):
        created = seeder.moment(seeder.start, w.now)
        status = r.choices(("new", "acknowledged", "acted_on"), (3, 2, 5))[0]
        rows.append({
            "id": feedback_id, "author_id": r.choice(w.reps), "kind": r.choice(FEEDBACK_KINDS),
            "text": f"Buyers keep asking about {r.choice(TOPICS)}", "stage_id": r.choice(stages),
            "asset_id": w.popular.one() if r.random() < 0.3 else None,  # type: ignore[union-attr]
            "deal_id": None,
            "campaign_id": r.randint(1, campaigns) if r.random() < 0.3 else None,
            "status": status, "reply": "Thanks, on it." if status != "new" else "",
            "handled_by_id": r.choice(w.marketers) if status != "new" else None,
            "replied_at": created + timedelta(days=2) if status != "new" else None,
            "created_at": created, "updated_at": created,
        })  # fmt: skip
    seeder.count("field_feedback", bulk(FieldFeedback.__table__, rows))


def campaign_pages() -> list["PageToTime"]:
    """One campaign's page with its results, beside the reports."""
    return [PageToTime("campaign", "page", f"/campaigns/{CAMPAIGN_TIMED}")]


# ---- the pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class PageToTime:
    report: str
    variant: str
    url: str


def pages_to_time(days: int = DEFAULT_DAYS) -> list[PageToTime]:
    """Every registered report's page, its other tabs and one sorted variant, then the
    dashboard and report 1's CSV; for the last ``days`` days (the pages' default: 90)."""
    period = {}
    if days != DEFAULT_DAYS:  # the bench's portal keeps its calendar in UTC
        today = datetime.now(UTC).date()
        period = {"from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat()}

    def page(report: str, variant: str, path: str, **args) -> PageToTime:
        query = urlencode({**period, **args})
        return PageToTime(report, variant, f"{path}?{query}" if query else path)

    pages = []
    for spec in in_order():
        path, tabs = f"/reports/{spec.slug}", list(spec.tables)
        pages.append(page(spec.slug, "page", path))
        pages += [page(spec.slug, f"list={tab}", path, list=tab) for tab in tabs[1:]]
        table = spec.tables[tabs[0]]
        other = [c.key for c in table.columns if c.sortable and c.key != table.default_sort.key]
        if other:
            pages.append(page(spec.slug, f"sort={other[0]}", path, sort=other[0], dir="asc"))
    pages.append(page("dashboard", "page", "/reports"))
    pages += campaign_pages()
    if REPORTS:
        first = in_order()[0].slug
        pages.append(page(first, "csv", f"/reports/{first}", format="csv"))
    return pages


class SqlRecorder:
    """Collects each statement's time while a page is timed."""

    def __init__(self, engine):
        self.statements: list[tuple[float, str, object]] | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, _cursor, _statement, _parameters, _context, _many):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, _cursor, statement, parameters, _context, _many):
        if self.statements is not None:
            elapsed = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
            self.statements.append((elapsed, statement, parameters))


def percentile(samples: list[float], share: float) -> float:
    ordered_ = sorted(samples)
    return ordered_[min(len(ordered_) - 1, int(round(share * (len(ordered_) - 1))))]


def time_pages(app, pages: list[PageToTime], rounds: int, recorder: SqlRecorder) -> dict:
    """Every page once to warm up, then ``rounds`` passes over all pages and the floor,
    interleaved so that a busy moment on the machine does not fall on one page only."""
    client = app.test_client()
    response = client.post("/login", data={"email": READER, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"Signing in failed: {response.status_code}")
    results = {page: {"wall": [], "sql": [], "queries": [], "slowest": None} for page in pages}
    errors = {}
    for page in pages:
        response = client.get(page.url)
        if response.status_code != 200:
            errors[page.url] = f"{response.status_code}: {response.get_data(as_text=True)[:300]}"
    floor = []
    for _ in range(rounds):
        floor.append(time_floor(app))
        for page in pages:
            if page.url in errors:
                continue
            recorder.statements = []
            started = time.perf_counter()
            response = client.get(page.url)
            wall = time.perf_counter() - started
            statements, recorder.statements = recorder.statements, None
            if response.status_code != 200:
                errors[page.url] = f"{response.status_code} in a timed round"
                continue
            figures = results[page]
            figures["wall"].append(wall)
            figures["sql"].append(sum(s[0] for s in statements))
            figures["queries"].append(len(statements))
            slowest = max(statements, key=lambda s: s[0], default=None)
            if slowest and (figures["slowest"] is None or slowest[0] > figures["slowest"][0]):
                figures["slowest"] = slowest
    return {"pages": results, "floor": floor, "errors": errors}


def time_floor(app) -> float:
    with app.app_context():
        started = time.perf_counter()
        db.session.execute(text(FLOOR_SQL)).one()
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed


def plan(statement: str, parameters, analyze: bool = True) -> str:
    """The query plan: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        return "\n".join(row[0] for row in rows)
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(f"{'  ' * (row[1] > 0)}{row[-1]}" for row in rows)


# ---- one database -------------------------------------------------------------------------


def bench_config(url: str, workdir: Path) -> dict:
    return {
        "SECRET_KEY": "bench-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        "SEARCH_INDEX_PATH": str(workdir / "search-index"),
        "JOBS": "held",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
    }


def seeded(app) -> bool:
    """True when the database already holds a seeded benchmark (``--reuse``)."""
    with app.app_context():
        if "users" not in inspect(db.engine).get_table_names():
            return False
        return db.session.scalar(select(User.id).where(User.email == READER)) is not None


def prepare(app, args, sizes: Sizes) -> dict:
    """Create and seed the database (or reuse a seeded one); returns the seeding figures."""
    with app.app_context():
        if args.reuse and seeded(app):
            step("reusing the seeded database")
            changed = set_indexes(args.without)
            counts = {
                "usage_events": db.session.scalar(select(func.count()).select_from(UsageEvent)),
                "deals": db.session.scalar(select(func.count()).select_from(Deal)),
            }
            db.session.commit()
            return {"reused": True, "indexes": changed, "rows": counts, "sizes": usage_sizes()}
        db.create_all()
        changed = set_indexes(args.without)
        step(f"seeding {sizes.events:,} usage events ({', '.join(changed) or 'all indexes'})")
        started = time.perf_counter()
        world = Seeder(sizes, args.seed).run()
        stage_started = time.perf_counter()
        world.rows["deal_stage_changes"] = seed_stage_histories(args.seed)
        world.seconds["deal stage histories"] = time.perf_counter() - stage_started
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        after_seeding()
        figures = {
            "reused": False,
            "indexes": changed,
            "seconds": seconds,
            "steps": world.seconds,
            "after_seeding_s": time.perf_counter() - started,
            "rows": world.rows,
            "sizes": usage_sizes(),
        }
        db.session.remove()
    return figures


def run_database(name: str, args, sizes: Sizes, workdir: Path) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    if name == "sqlite":
        url, schema = f"sqlite:///{workdir / 'tandem.db'}", None
    else:
        schema = args.pg_schema or f"report_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    app = create_app(bench_config(url, workdir))
    try:
        seeding = prepare(app, args, sizes)
        if not seeding["reused"]:
            step(f"seeded in {seeding['seconds']:.1f} s")
        with app.app_context():
            recorder = SqlRecorder(db.engine)
            floor_plan = plan(FLOOR_SQL, (), analyze=False)
        pages = [p for p in pages_to_time(args.days) if not args.only or p.report in args.only]
        step(f"timing {len(pages)} pages x {args.rounds} rounds on {name}")
        timed = time_pages(app, pages, args.rounds, recorder)
        figures = summarise(name, seeding, timed, floor_plan)
        judge_stage_pages(figures, time_stage_floor(app, args.rounds))
        if args.explain:
            explain_slowest(app, timed, args.explain)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return figures
    finally:
        if schema and not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        if schema:
            admin.dispose()
            if args.keep:
                step(f"kept PostgreSQL schema {schema} (reuse: --pg-schema {schema} --reuse)")


def summarise(name: str, seeding: dict, timed: dict, floor_plan: str) -> dict:
    floor = statistics.median(timed["floor"])
    rows = []
    for page, figures in timed["pages"].items():
        if not figures["wall"]:
            continue
        median = statistics.median(figures["wall"])
        rows.append({
            "report": page.report, "variant": page.variant, "url": page.url,
            "median_s": median, "p95_s": percentile(figures["wall"], 0.95),
            "sql_s": statistics.median(figures["sql"]),
            "queries": int(statistics.median(figures["queries"])),
            "ratio": median / floor, "under_1s": median < PAGE_LIMIT_S,
            "within_floor": median <= FLOOR_FACTOR * floor,
            "slowest_sql_s": figures["slowest"][0] if figures["slowest"] else None,
        })  # fmt: skip
    return {
        "database": name,
        "seeding": seeding,
        "floor": {
            "sql": FLOOR_SQL,
            "plan": floor_plan,
            "median_s": floor,
            "p95_s": percentile(timed["floor"], 0.95),
        },  # fmt: skip
        "pages": rows,
        "errors": timed["errors"],
        "reports": sorted(REPORTS),
    }


def explain_slowest(app, timed: dict, count: int) -> None:
    """Print the plans of the ``count`` slowest statements seen while timing."""
    slowest = sorted(
        (
            (figures["slowest"], page)
            for page, figures in timed["pages"].items()
            if figures["slowest"]
        ),
        key=lambda item: -item[0][0],
    )[:count]
    with app.app_context():
        for (seconds, statement, parameters), page in slowest:
            print(f"\n--- {page.url}: slowest statement {seconds * 1000:.0f} ms ---\n{statement}")
            print(f"parameters: {parameters}\nplan:\n{plan(statement, parameters)}")
            db.session.rollback()


# ---- output -------------------------------------------------------------------------------


def print_figures(figures: dict, sizes: Sizes, args) -> None:
    seeding, floor = figures["seeding"], figures["floor"]
    print(
        f"\nReport benchmark {date.today()} on {figures['database']}: {sizes.assets:,} assets, "
        f"{sizes.reps:,} reps, {sizes.deals:,} deals, {sizes.events:,} usage events, "
        f"period {args.days} days, seed {args.seed}, {args.rounds} rounds; load average {_load()}"
    )
    print(f"reports registered: {', '.join(figures['reports']) or 'none'}")
    if seeding["reused"]:
        print("seeding: reused an earlier run's database")
    else:
        steps = dict(seeding["steps"])
        inserting = steps.pop("inserting the usage events")
        settle = "VACUUM ANALYZE" if figures["database"] == "postgres" else "WAL checkpoint"
        print(
            f"seeding: {seeding['seconds']:.1f} s ("
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items())
            + f"), then {seeding['after_seeding_s']:.1f} s of {settle}; the usage events "
            f"alone were inserted in {inserting:.1f} s "
            f"({seeding['rows']['usage_events'] / inserting:,.0f} a second)"
        )
    if seeding["indexes"]:
        print(f"indexes: {', '.join(seeding['indexes'])}")
    sizes_ = seeding["sizes"]
    print(
        f"usage_events: table {sizes_['usage_events']:.1f} MB; indexes "
        + ", ".join(f"{name} {mb:.1f}" for name, mb in sizes_.items() if name != "usage_events")
        + " MB"
    )
    print(f"floor: {floor['sql']}\n  plan: {floor['plan'].strip().replace(chr(10), ' / ')}")
    print(f"  median {floor['median_s'] * 1000:.0f} ms, p95 {floor['p95_s'] * 1000:.0f} ms")
    print_stage_floor(figures)
    print()
    header = f"{'report':22}{'page':22}{'median ms':>10}{'p95 ms':>8}{'SQL ms':>8}{'queries':>8}"
    print(f"{header}{'x floor':>8}  < 1 s  <= 5x floor")
    for row in figures["pages"]:
        print(
            f"{row['report'][:21]:22}{row['variant'][:21]:22}{row['median_s'] * 1000:>10.0f}"
            f"{row['p95_s'] * 1000:>8.0f}{row['sql_s'] * 1000:>8.0f}{row['queries']:>8}"
            f"{row['ratio']:>7.1f}x  {_verdict(row['under_1s']):5}  {_verdict(row['within_floor'])}"
        )
    for url, error in figures["errors"].items():
        print(f"ERROR {url}: {error}")
    passed = [r for r in figures["pages"] if r["under_1s"] and r["within_floor"]]
    print(f"\n{len(passed)} of {len(figures['pages'])} pages meet both targets.")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- main -----------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=1_000_000, help="usage events")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the pages")
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help="the reports' period, in days to today"
    )
    parser.add_argument("--workdir", type=Path, help="folder for the SQLite file and instance")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL database (own schema made)")
    parser.add_argument("--pg-schema", help="schema name (default: a new random one)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept, seeded database")
    parser.add_argument(
        "--without", action="append", default=[], metavar="INDEX",
        help="drop this model index first (repeatable), to measure what it buys",
    )  # fmt: skip
    parser.add_argument("--explain", type=int, default=0, metavar="K",
                        help="print the plans of the K slowest statements")  # fmt: skip
    parser.add_argument(
        "--only", action="append", default=[], metavar="SLUG",
        help="time only this report (repeatable; 'dashboard' for the dashboard)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = TINY if args.tiny else Sizes(args.assets, args.reps, args.deals, args.events)
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tandem-report-bench-"))
    if not args.reuse and (workdir / "sqlite" / "tandem.db").exists():
        sys.exit(f"{workdir} holds a database already: give a new --workdir or --reuse.")
    results = {"date": date.today().isoformat(), "sizes": asdict(sizes), "databases": {}}
    try:
        for name in databases:
            step(f"{name}: {sizes}")
            figures = run_database(name, args, sizes, workdir / name)
            results["databases"][name] = figures
            print_figures(figures, sizes, args)
    finally:
        if args.keep:
            step(f"kept {workdir} (reuse: --workdir {workdir} --reuse)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    errors = sum(len(figures["errors"]) for figures in results["databases"].values())
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
