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

from content.deals.models import Deal
from content.library.models import Asset, ContentType, Stage
from content.library.services import AssetInput, create_asset
from content.usage.models import Rating, ShareLink, UsageEvent
from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from search.models import SearchMiss
from tests.factories import make_user
from workflows.posts.models import GhostPost
from workflows.requests.models import ContentRequest

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
    _closed_deals_with_content(world, today)
    _report_posts(world, today)
    _gaps_and_idle_reps(world, today)
    _sign_ins(world, today)
    db.session.commit()
    return world


def _sign_ins(world: World, today: date) -> None:
    """Latest sign-ins, for the active reps of the consumption headline: Lee, who does
    nothing else, three days ago; Riley twenty days ago; Noor, deactivated, yesterday."""
    for key, ago in (("lee", 3), ("riley", 20), ("noor", 1)):
        person = db.session.get(User, world.people[key])
        person.last_login_at = at_local(today - timedelta(days=ago), 10)


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


# asset key -> chance of being attached to a won deal, to a lost one: "roi" leans to wins,
# "battle" to losses, "deck" is rarely attached (below the influence report's minimum).
_ATTACH_ODDS = {"roi": (0.75, 0.3), "case": (0.5, 0.45), "battle": (0.3, 0.6), "deck": (0.1, 0.1)}


def _closed_deals_with_content(world: World, today: date) -> None:
    """36 more closed deals with content attached, so some assets have enough closed deals
    with and without them for the influence report; two close on the first day of the last
    90 days and the day before it. Some attachments were confirmed by a buyer opening a
    share link for the deal (before or after the attachment). A generator of its own keeps
    the rows above unchanged."""
    rng = random.Random(SEED + 36)
    reps = ["riley", "marcus", "ana", "kim"]
    for n in range(36):
        status = "won" if n % 5 < 3 else "lost"
        ago = (89, 90)[n] if n < 2 else rng.randint(0, 110)
        deal = Deal(
            name=f"Closed deal {n}",
            account=f"Closed account {n % 9}",
            amount_cents=rng.choice((None, 750_000, 1_200_000)),
            stage_id=rng.choice(list(world.stages.values())),
            status=status,
            owner_id=world.people[reps[n % len(reps)]],
            close_date=today - timedelta(days=ago),
            source="import" if n % 4 == 0 else "manual",
        )
        db.session.add(deal)
        db.session.flush()
        world.deals.append(deal.id)
        for key, (if_won, if_lost) in _ATTACH_ODDS.items():
            if rng.random() < (if_won if status == "won" else if_lost):
                _attach_with_evidence(world, rng, deal, key, today)


def _attach_with_evidence(world: World, rng: random.Random, deal: Deal, key: str, today):
    """Attach the asset ``key`` to ``deal`` (self-reported or imported) before it closed;
    half the time a buyer also opens a share link to it for the deal."""
    asset_id = world.assets[key]
    attached = at_local(deal.close_date - timedelta(days=rng.randint(0, 30)), rng.randint(0, 23))
    db.session.add(
        UsageEvent(
            asset_id=asset_id,
            kind="used_in_deal",
            evidence=rng.choice(("self_reported", "self_reported", "imported")),
            user_id=deal.owner_id,
            deal_id=deal.id,
            created_at=attached,
        )
    )
    if rng.random() < 0.5:
        opened = min(attached + timedelta(days=rng.randint(-20, 20)), at_local(today, 0))
        link = ShareLink(
            token_hash=f"closed-{deal.id}-{asset_id}".ljust(64, "0"),
            asset_id=asset_id,
            revision_id=db.session.get(Asset, asset_id).live_revision_id,
            created_by_id=deal.owner_id,
            deal_id=deal.id,
            expires_at=opened + timedelta(days=30),
            created_at=opened - timedelta(hours=1),
        )
        db.session.add(link)
        db.session.flush()
        db.session.add(
            UsageEvent(
                asset_id=asset_id,
                kind="buyer_view",
                evidence="verified",
                user_id=deal.owner_id,
                deal_id=deal.id,
                share_link_id=link.id,
                visitor_hash=f"buyer-{deal.id}",
                created_at=opened,
            )
        )


# The ghost-writing report's posts: rep, channel, status, then the local time (days ago,
# hour, minute) it was created, first sent, approved, published and declined, its rounds,
# seconds with the rep, words and words the rep wrote.
_REPORT_POSTS = [
    ("ana", "linkedin", "published", (20, 10), (20, 15), (19, 10), (18, 10), None,
     1, 86_400, 200, 50),
    ("ana", "blog", "published", (18, 10), (17, 10), (15, 10), (14, 10), None,
     2, 172_800, 300, 0),
    ("ana", "linkedin", "declined", (15, 10), (15, 12), None, None, (14, 10),
     1, 86_400, 120, 120),
    ("ana", "newsletter", "approved", (12, 10), (12, 11), (8, 10), None, None,
     3, 345_600, 240, 60),
    ("riley", "linkedin", "published", (33, 10), (32, 10), (31, 10), (29, 0), None,
     1, 90_000, 180, 30),
    ("marcus", "blog", "published", (34, 10), (33, 10), (31, 10), (30, 23, 59), None,
     2, 200_000, 260, 100),
    ("riley", "linkedin", "approved", (31, 10), (30, 23, 59), (29, 0), None, None,
     1, 60, 150, 15),
    ("riley", "newsletter", "changes_requested", (29, 0), (28, 10), None, None, None,
     1, 50_000, 150, 20),
    ("marcus", "linkedin", "draft", (30, 23, 59), None, None, None, None, 0, 0, 90, 0),
    ("riley", "blog", "published", (10, 0), (10, 8), (10, 14), (10, 23, 59), None,
     1, 21_600, 90, 45),
    ("marcus", "newsletter", "published", (45, 10), (44, 10), (40, 10), (1, 10), None,
     2, 400_000, 310, 31),
    ("kim", "linkedin", "published", (6, 10), (6, 12), (3, 10), (0, 0), None,
     1, 259_200, 210, 105),
    ("kim", "blog", "draft", (10, 10), None, None, None, None, 0, 0, 120, 0),
]  # fmt: skip


def _report_posts(world: World, today: date) -> None:
    """13 more ghost-written posts for the ghost-writing report: four of Ana's answered
    within the last 30 days (an even count for the median, two with the same time with
    the rep), steps at the first and last minute of local days (the edges of the last 30
    days, of the day 10 days ago and of today), a post whose changes were requested and
    Kim's lone draft. Fixed values, no generator: the rows above stay unchanged."""

    def local(moment: tuple | None) -> datetime | None:
        if moment is None:
            return None
        ago, hour, minute = (*moment, 0)[:3]
        return at_local(today - timedelta(days=ago), hour, minute)

    for rep, channel, status, *moments, rounds, seconds, words, rep_words in _REPORT_POSTS:
        created, sent, approved, published, declined = map(local, moments)
        db.session.add(
            GhostPost(
                rep_id=world.people[rep],
                ghostwriter_id=world.people["jonas" if rep in {"ana", "kim"} else "priya"],
                channel=channel,
                status=status,
                rounds=rounds,
                first_sent_at=sent,
                sent_at=sent,
                seconds_with_rep=seconds,
                approved_at=approved,
                published_at=published,
                declined_at=declined,
                word_count=words,
                rep_word_count=rep_words,
                created_at=created,
                updated_at=created,
            )
        )


# key, owner, stages, content type: none of them is ever used.
_GAP_ASSETS = [
    ("draft", "priya", ("awareness",), "one-pager"),  # never published
    ("expired", "jonas", ("consideration",), "whitepaper"),  # expired five days ago
    ("fresh", "priya", ("onboarding",), "case-study"),  # published ten days ago
    ("overdue", "jonas", ("awareness", "expansion"), "slide-deck"),  # review 40 days ago
]


def _gaps_and_idle_reps(world: World, today: date) -> None:
    """For the unused-and-stale, stage-coverage and rep-adoption reports: four assets
    nobody uses (a draft, an expired one, one published ten days ago, one 40 days past its
    review date); Lee, an active rep who does nothing; Max, a deactivated rep with a deal
    won five days ago and a lost one with content attached; Noor, a deactivated rep who
    did nothing; content requests and searches that found nothing by named people of
    both teams, so the team filter has something to keep. Fixed values, no generator: the
    rows above stay unchanged."""
    _named_requests_and_misses(world, today)
    for key, owner, stages, content_type in _GAP_ASSETS:
        person = db.session.get(User, world.people[owner])
        asset = _asset(person, key, stages, content_type, world, today)
        if key == "draft":
            asset.live_revision_id, asset.status, asset.published_at = None, "draft", None
        elif key == "expired":
            asset.expires_on = today - timedelta(days=5)
        elif key == "fresh":
            asset.published_at = at_local(today - timedelta(days=10), 9)
        else:
            asset.review_by = today - timedelta(days=40)
        db.session.flush()
        world.assets[key] = asset.id
    for key, active in (("lee", True), ("max", False), ("noor", False)):
        person = make_user("rep", f"{key}@example.com", key.title(), department="sales")
        person.active = active
        world.people[key] = person.id
    for status, ago in (("won", 5), ("lost", 6)):
        deal = Deal(
            name=f"Max's {status} deal",
            account="Max's account",
            amount_cents=300_000,
            stage_id=world.stages["decision"],
            status=status,
            owner_id=world.people["max"],
            close_date=today - timedelta(days=ago),
            source="manual",
        )
        db.session.add(deal)
        db.session.flush()
        world.deals.append(deal.id)
    db.session.add(
        UsageEvent(
            asset_id=world.assets["onboard"],
            kind="used_in_deal",
            evidence="self_reported",
            user_id=world.people["max"],
            deal_id=deal.id,
            created_at=at_local(today - timedelta(days=8), 15),
        )
    )


# person, stage, status, days ago (local noon)
_NAMED_REQUESTS = [
    ("priya", "expansion", "open", 2),
    ("sofia", "onboarding", "accepted", 200),  # asked long before any period shown
    ("riley", "decision", "open", 45),
    ("kim", "awareness", "fulfilled", 20),
]
# person, stage slug ("" for none), days ago (local 23:59, the last minute of the day)
_NAMED_MISSES = [
    ("riley", "decision", 0),
    ("riley", "", 3),
    ("sofia", "expansion", 6),
    ("sofia", "", 6),
    ("priya", "awareness", 30),
    ("ana", "onboarding", 89),
]


def _named_requests_and_misses(world: World, today: date) -> None:
    for person, stage, status, ago in _NAMED_REQUESTS:
        db.session.add(
            ContentRequest(
                requester_id=world.people[person],
                need=f"{person.title()} needs {stage} content",
                stage_id=world.stages[stage],
                status=status,
                created_at=at_local(today - timedelta(days=ago), 12),
            )
        )
    for person, stage, ago in _NAMED_MISSES:
        role = next(role for key, role, _department in PEOPLE if key == person)
        db.session.add(
            SearchMiss(
                query=f"{person} looked for {stage or 'anything'}",
                stage_slug=stage,
                role=role,
                user_id=world.people[person],
                created_at=at_local(today - timedelta(days=ago), 23, 59),
            )
        )
