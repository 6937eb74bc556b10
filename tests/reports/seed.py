"""A seeded world for the report tests: people of both teams, assets across stages, types
and owners, deals, ratings, usage events over four months (some pinned to the edges of
days in the portal's time zone), share links, content requests, searches that found
nothing and ghost-written posts.

Rows are written directly (not through the workflows) so one world is cheap to build;
the tests then recompute every report figure from these raw rows in Python.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from content.assets import AssetInput, create_asset
from content.models import Asset, ContentType, Stage
from content.usage_models import Deal, Rating, ShareLink, UsageEvent
from portal.extensions import db
from portal.models import utcnow
from search.models import SearchMiss
from tests.conftest import make_user
from workflows.post_models import GhostPost
from workflows.requests import ContentRequest

ZONE = "America/New_York"  # the reports' calendar in these tests: not UTC on purpose
SEED = 7
DAYS = 120


@dataclass
class World:
    """Ids of what was seeded, by name, and the local date it was seeded on."""

    today: date
    people: dict[str, int] = field(default_factory=dict)
    assets: dict[str, int] = field(default_factory=dict)
    deals: list[int] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)


PEOPLE = [
    # key, role, department
    ("priya", "marketer", "marketing"),
    ("jonas", "marketer", "marketing"),
    ("riley", "rep", "sales"),
    ("marcus", "rep", "sales"),
    ("ana", "rep", "sales"),
    ("kim", "rep", "sales"),
    ("dana", "leader", "sales"),
    ("sofia", "leader", "marketing"),
]
# key, owner, stages, content type; "old" is archived, "quiet" is never used, "stale" is
# past its review date.
ASSETS = [
    ("roi", "priya", ("decision",), "roi-calculator"),
    ("case", "priya", ("consideration", "decision"), "case-study"),
    ("deck", "jonas", ("awareness",), "slide-deck"),
    ("battle", "jonas", ("decision",), "battlecard"),
    ("onboard", "priya", ("onboarding",), "one-pager"),
    ("expand", "jonas", ("expansion",), "case-study"),
    ("white", "priya", ("awareness", "consideration"), "whitepaper"),
    ("old", "jonas", ("decision",), "one-pager"),
    ("quiet", "priya", ("consideration",), "email-template"),
    ("stale", "jonas", ("decision",), "demo-script"),
]
KINDS = ("view", "download", "share", "buyer_view", "used_in_deal")
APPROVED = {"approved", "published"}


def local_now(zone: str = ZONE) -> datetime:
    return utcnow().astimezone(ZoneInfo(zone))


def at_local(day: date, hour: int, minute: int = 0, zone: str = ZONE) -> datetime:
    """A local wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _stage_ids() -> dict[str, int]:
    return dict(db.session.execute(select(Stage.slug, Stage.id)).all())


def _asset(owner, key: str, stages: tuple, content_type: str, world: World, today: date):
    types = dict(db.session.execute(select(ContentType.slug, ContentType.id)).all())
    data = AssetInput(
        title=f"Asset {key}",
        body=f"About {key}.",
        stages=[db.session.get(Stage, world.stages[slug]) for slug in stages],
        content_type=db.session.get(ContentType, types[content_type]),
        review_by=today - timedelta(days=3) if key == "stale" else today + timedelta(days=60),
    )
    asset = create_asset(owner, data)
    # Published (or archived) directly: the workflow is not what these tests are about.
    asset.live_revision_id = asset.latest_revision_id
    asset.status = "archived" if key == "old" else "published"
    asset.published_at = utcnow() - timedelta(days=DAYS + 10)
    return asset


def build_world() -> World:
    """Seed the world described in the module docstring; commits."""
    rng = random.Random(SEED)
    today = local_now().date()
    world = World(today=today, stages=_stage_ids())
    people = {
        key: make_user(role, f"{key}@example.com", key.title(), department=department)
        for key, role, department in PEOPLE
    }
    world.people = {key: person.id for key, person in people.items()}
    for key, owner, stages, content_type in ASSETS:
        asset = _asset(people[owner], key, stages, content_type, world, today)
        db.session.flush()
        world.assets[key] = asset.id
    reps = ["riley", "marcus", "ana", "kim"]
    _deals(world, rng, reps, today)
    _ratings(world, rng)
    _events(world, rng, today)
    _requests_and_misses(world, rng, today)
    _posts(world, rng, today)
    db.session.commit()
    return world


def _deals(world: World, rng: random.Random, reps: list[str], today: date) -> None:
    stages = list(world.stages.values())
    for n in range(30):
        status = rng.choice(("open", "won", "won", "lost", "lost", "open"))
        deal = Deal(
            name=f"Deal {n}",
            account=f"Account {n % 7}",
            amount_cents=rng.choice((None, 1_000_000, 2_550_050, 480_000)),
            stage_id=rng.choice(stages),
            status=status,
            owner_id=world.people[reps[n % len(reps)]],
            close_date=today - timedelta(days=rng.randint(-20, DAYS)),
            source="manual",
        )
        db.session.add(deal)
        db.session.flush()
        world.deals.append(deal.id)


def _ratings(world: World, rng: random.Random) -> None:
    raters = ["riley", "marcus", "ana", "kim", "dana"]
    for key, asset_id in world.assets.items():
        if key == "quiet":
            continue
        for rater in rng.sample(raters, rng.randint(0, 4)):
            db.session.add(
                Rating(
                    asset_id=asset_id,
                    user_id=world.people[rater],
                    stars=rng.randint(1, 5),
                    comment="",
                    updated_at=utcnow() - timedelta(days=rng.randint(0, DAYS)),
                )
            )


def _events(world: World, rng: random.Random, today: date) -> None:
    """About 600 events; every fifth is pinned just before or after local midnight."""
    actors = ["riley", "marcus", "ana", "kim", "dana", "sofia", "priya"]
    used = [key for key in world.assets if key != "quiet"]
    attached: set[tuple[int, int]] = set()
    links: dict[tuple[int, int], int] = {}
    for n in range(600):
        asset_id = world.assets[rng.choice(used)]
        actor = world.people[rng.choice(actors)]
        day = today - timedelta(days=rng.randint(0, DAYS))
        if n % 5 == 0:
            when = at_local(day, 23, 59) if n % 10 else at_local(day, 0, 0)
        else:
            when = at_local(day, rng.randint(0, 23), rng.randint(0, 59))
        kind = rng.choices(KINDS, weights=(8, 3, 2, 3, 2))[0]
        deal_id = (
            rng.choice(world.deals) if kind in {"share", "buyer_view", "used_in_deal"} else None
        )
        if kind == "used_in_deal":
            if (deal_id, asset_id) in attached:
                continue
            attached.add((deal_id, asset_id))
        event = UsageEvent(
            asset_id=asset_id,
            kind=kind,
            evidence="verified"
            if kind != "used_in_deal"
            else rng.choice(("self_reported", "self_reported", "imported")),
            user_id=actor,
            deal_id=deal_id,
            created_at=when,
        )
        if kind in {"share", "buyer_view"}:
            event.share_link_id = _link(links, asset_id, deal_id, actor, when)
            event.visitor_hash = f"visitor-{rng.randint(1, 4)}" if kind == "buyer_view" else None
        db.session.add(event)


def _link(links: dict, asset_id: int, deal_id: int, actor: int, when: datetime) -> int:
    key = (asset_id, deal_id)
    if key not in links:
        asset = db.session.get(Asset, asset_id)
        link = ShareLink(
            token_hash=f"{len(links):064d}",
            asset_id=asset_id,
            revision_id=asset.live_revision_id,
            created_by_id=actor,
            deal_id=deal_id,
            expires_at=when + timedelta(days=30),
            created_at=when,
        )
        db.session.add(link)
        db.session.flush()
        links[key] = link.id
    return links[key]


def _requests_and_misses(world: World, rng: random.Random, today: date) -> None:
    for n in range(12):
        db.session.add(
            ContentRequest(
                requester_id=world.people[rng.choice(["riley", "marcus", "ana"])],
                need=f"Need {n}",
                stage_id=rng.choice(list(world.stages.values())),
                status=rng.choice(("open", "accepted", "declined", "fulfilled")),
                created_at=at_local(today - timedelta(days=rng.randint(0, DAYS)), 12),
            )
        )
    slugs = list(world.stages)
    for n in range(25):
        db.session.add(
            SearchMiss(
                query=f"missing thing {n}",
                stage_slug=rng.choice([*slugs, ""]),
                role=rng.choice(("rep", "leader")),
                created_at=at_local(today - timedelta(days=rng.randint(0, DAYS)), 9),
            )
        )


def _posts(world: World, rng: random.Random, today: date) -> None:
    writers = ["priya", "jonas"]
    for _n in range(14):
        status = rng.choice(("draft", "with_rep", "approved", "published", "declined"))
        created = at_local(today - timedelta(days=rng.randint(5, DAYS)), 10)
        sent = status != "draft"
        words = rng.randint(80, 400)
        db.session.add(
            GhostPost(
                rep_id=world.people[rng.choice(["riley", "marcus"])],
                ghostwriter_id=world.people[rng.choice(writers)],
                channel=rng.choice(("linkedin", "blog", "newsletter")),
                status=status,
                rounds=rng.randint(1, 3) if sent else 0,
                first_sent_at=created + timedelta(hours=5) if sent else None,
                seconds_with_rep=rng.randint(3_600, 9 * 86_400) if sent else 0,
                approved_at=created + timedelta(days=3)
                if status in {"approved", "published"}
                else None,
                published_at=created + timedelta(days=4) if status == "published" else None,
                declined_at=created + timedelta(days=2) if status == "declined" else None,
                word_count=words,
                rep_word_count=rng.randint(0, words) if sent else 0,
                created_at=created,
                updated_at=created,
            )
        )
