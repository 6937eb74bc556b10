"""The demo seed: who can sign in, what reps find, and that a second run changes nothing."""

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import docx
import pptx
import pypdf
import pytest
from sqlalchemy import func, select

from content.deals.models import Deal, DealStageChange
from content.files.storage import file_store
from content.library.models import (
    Asset,
    AssetRevision,
    ContentType,
    Industry,
    Persona,
    Stage,
    StoredFile,
    Tag,
)
from content.rooms import queries as room_queries
from content.rooms.models import Room
from content.taxonomy.services import ensure_defaults
from content.usage.models import Rating, ShareLink, UsageEvent
from portal.demo.seed import DEMO_ASSET_COUNT, seed_demo
from portal.demo.usage import DEMO_DEALS, PROVEN
from portal.kernel.extensions import db
from portal.kernel.models import Role, User, find_user, utcnow
from portal.kernel.notifications import Notification
from portal.kernel.reporting import ReportFilters, Sort, default_period
from portal.reports.queries.influence import influence
from tests.factories import fresh_database, make_app, selected_databases
from workflows.posts.models import GhostPost, GhostPostRevision, VoiceProfile
from workflows.review.models import Approval

DEMO_ACCOUNTS = {
    "rep@example.com": ("rep", "sales"),
    "rep2@example.com": ("rep", "sales"),
    "marketer@example.com": ("marketer", "marketing"),
    "marketer2@example.com": ("marketer", "marketing"),
    "leader@example.com": ("leader", "sales"),
    "marketing-lead@example.com": ("leader", "marketing"),
    "admin@example.com": ("admin", "sales"),
}


def _live_assets() -> list[Asset]:
    return db.session.scalars(
        select(Asset).where(Asset.live_revision_id.is_not(None), Asset.status == "published")
    ).all()


def _row_counts() -> dict:
    models = (
        User, Asset, AssetRevision, StoredFile, Stage, Tag, GhostPost, GhostPostRevision,
        Deal, Rating, UsageEvent, ShareLink,
    )  # fmt: skip
    return {model: db.session.scalar(select(func.count()).select_from(model)) for model in models}


def _first_title(stored: StoredFile) -> str:
    return db.session.scalar(
        select(AssetRevision.title)
        .where(AssetRevision.file_id == stored.id)
        .order_by(AssetRevision.number)
        .limit(1)
    )


@pytest.fixture(scope="module", params=selected_databases())
def seeded(request, tmp_path_factory) -> Iterator[dict]:
    """One demo seed per database, shared by the tests that only read it; yields the
    counts the seed returned, inside the seeded app's context."""
    folder = tmp_path_factory.mktemp("demo")
    with fresh_database(request.param, folder) as url:
        app = make_app(url, folder)
        with app.app_context():
            db.create_all()
            ensure_defaults()
            counts = seed_demo()
            db.session.commit()
            yield counts
            db.session.remove()
            db.engine.dispose()


def test_seed_creates_the_seven_demo_users(seeded):
    assert seeded["users_created"] == 7
    for email, (role, department) in DEMO_ACCOUNTS.items():
        user = find_user(email)
        assert (user.role, user.department) == (role, department), email
        assert user.check_password("tandem-demo")
        assert user.name
        assert user.active


def test_every_seeded_user_has_one_of_the_roles_and_every_role_is_seeded(seeded):
    assert set(db.session.scalars(select(User.role))) == set(Role)


def test_custom_password_is_given_to_demo_users(app, db_session):
    seed_demo(password="correct horse battery")

    rep = find_user("rep@example.com")
    assert rep.check_password("correct horse battery")
    assert not rep.check_password("tandem-demo")


def test_seed_publishes_at_least_forty_assets(seeded):
    counts = seeded
    assert counts["assets_created"] == DEMO_ASSET_COUNT
    assert len(_live_assets()) >= 40
    assert counts["assets_published"] == len(_live_assets())


@pytest.mark.parametrize(
    ("model", "terms_of"),
    [
        (Stage, lambda asset: asset.stages),
        (Persona, lambda asset: asset.personas),
        (Industry, lambda asset: asset.industries),
        (ContentType, lambda asset: [asset.content_type]),
        (Tag, lambda asset: asset.tags),
    ],
)
def test_every_taxonomy_term_has_several_live_assets(seeded, model, terms_of):

    used = Counter(term.slug for asset in _live_assets() for term in terms_of(asset))
    slugs = db.session.scalars(select(model.slug)).all()
    assert slugs
    assert {slug: used[slug] for slug in slugs if used[slug] < 3} == {}


def test_marketer_has_unpublished_drafts(seeded):

    marketer = find_user("marketer@example.com")
    drafts = db.session.scalars(
        select(Asset).where(Asset.owner_id == marketer.id, Asset.live_revision_id.is_(None))
    ).all()
    assert len(drafts) == 2
    # One is still being written; the other waits for a sales and a marketing reviewer.
    assert sorted(draft.status for draft in drafts) == ["draft", "in_review"]
    in_review = next(draft for draft in drafts if draft.status == "in_review")
    assert sorted((c.user.email, c.role) for c in in_review.collaborators) == [
        ("marketing-lead@example.com", "reviewer"),
        ("rep@example.com", "reviewer"),
    ]


def test_published_assets_were_signed_off_by_both_teams(seeded):

    for asset in _live_assets():
        approvals = db.session.scalars(
            select(Approval).where(Approval.revision_id == asset.live_revision_id)
        ).all()
        assert sorted(approval.side for approval in approvals) == ["marketing", "sales"], asset


def test_some_assets_have_a_published_second_revision(seeded):

    revised = [asset for asset in _live_assets() if asset.live_revision.number == 2]
    assert len(revised) >= 2
    assert all(asset.live_revision_id == asset.latest_revision_id for asset in revised)


def test_review_dates_include_stale_and_upcoming_assets(seeded):

    today = datetime.now(UTC).date()
    review_dates = [asset.review_by for asset in _live_assets()]
    assert sum(review_by < today for review_by in review_dates) >= 3
    assert sum(review_by > today for review_by in review_dates) >= 30


def test_second_run_creates_nothing(seeded):
    before = _row_counts()

    again = seed_demo()
    db.session.commit()

    assert set(again.values()) == {0}
    assert _row_counts() == before


def test_riley_has_a_post_to_review_and_a_published_one(seeded):
    counts = seeded
    riley = find_user("rep@example.com")
    riley_posts = db.session.scalars(select(GhostPost).where(GhostPost.rep_id == riley.id)).all()
    statuses = Counter(post.status for post in riley_posts)
    unread = db.session.scalars(
        select(Notification.kind).where(
            Notification.user_id == riley.id, Notification.read_at.is_(None)
        )
    ).all()
    published = next(post for post in riley_posts if post.status == "published")

    assert counts["posts_created"] == 3
    assert statuses == {"with_rep": 1, "published": 1}
    assert unread.count("post_sent") == 1
    assert published.published_url.startswith("https://www.linkedin.com/")
    assert 0 < published.rep_word_count < published.word_count
    assert db.session.get(VoiceProfile, riley.id).topics


def test_riley_has_a_pipeline_with_content_used_shared_and_opened(seeded):
    riley = find_user("rep@example.com")
    riley_deals = db.session.scalars(select(Deal).where(Deal.owner_id == riley.id)).all()
    kinds = Counter(
        db.session.scalars(select(UsageEvent.kind).where(UsageEvent.user_id == riley.id))
    )

    assert seeded["deals_created"] == len(DEMO_DEALS)
    assert {deal.status for deal in riley_deals} == {"open", "won", "lost"}
    assert any(deal.stage.slug == "decision" and deal.status == "open" for deal in riley_deals)
    assert kinds["used_in_deal"] >= 2 * len(riley_deals)
    assert kinds["share"] == len(riley_deals)
    assert kinds["buyer_view"] > 0
    assert kinds["view"] > 0
    assert db.session.scalar(select(func.count(Rating.id))) >= 20
    assert not db.session.scalar(
        select(func.count(UsageEvent.id)).where(UsageEvent.created_at > utcnow())
    ), "no usage is dated in the future"


def test_a_few_assets_have_enough_closed_deals_to_show_a_win_rate_interval(seeded):
    filters = ReportFilters(default_period())

    rows = influence(filters, Sort("deals_with"), 1, 100).items

    enough = [row for row in rows if row.enough]
    assert 3 <= len(enough) <= 5, [(row.title, row.deals_with, row.deals_without) for row in rows]
    assert all(row.interval_with and row.interval_without for row in enough)
    assert len({row.title for row in enough} & set(PROVEN)) >= 3


def test_every_demo_deal_walked_the_stages_to_where_it_stands(seeded):
    deals = db.session.scalars(select(Deal).where(Deal.external_id.like("DEMO-%"))).all()
    positions = {stage.id: stage.position for stage in db.session.scalars(select(Stage))}
    now = utcnow().replace(tzinfo=None)

    for deal in deals:
        rows = db.session.scalars(
            select(DealStageChange)
            .where(DealStageChange.deal_id == deal.id)
            .order_by(DealStageChange.changed_at, DealStageChange.id)
        ).all()
        last = rows[-1]
        assert (last.stage_id, last.status, last.ended_at) == (deal.stage_id, deal.status, None)
        assert (rows[0].from_stage_id, rows[0].from_status) == (None, None)
        for earlier, later in itertools.pairwise(rows):
            assert earlier.ended_at == later.changed_at
            assert (later.from_stage_id, later.from_status) == (earlier.stage_id, earlier.status)
            assert positions[later.stage_id] >= positions[earlier.stage_id]
        assert deal.created_at == rows[0].changed_at
        assert all(row.changed_at.replace(tzinfo=None) <= now for row in rows)
    journeys = [
        db.session.scalar(
            select(func.count(DealStageChange.id)).where(DealStageChange.deal_id == deal.id)
        )
        for deal in deals
    ]
    assert max(journeys) >= 4, "some deal went through several stages and closed"


def test_riley_has_a_deal_room_read_by_two_people_at_the_buyer(seeded):
    room = db.session.scalar(select(Room))
    (stats,) = room_queries.room_stats([room])
    deal_visits = room_queries.latest_deal_visits([room])

    assert seeded["rooms_created"] == 1
    assert room.deal.external_id == "DEMO-OPP-1001"
    assert room.created_by.email == "rep@example.com"
    assert [item.view_only for item in room.items] == [True, False]  # the deck is view only
    assert (stats.opens, stats.visitors) == (3, 2)
    assert [visit.summary.visitor for visit in deal_visits] == [1, 2, 1]
    first = deal_visits[-1].summary
    assert [(reading.pages_seen, reading.seconds) for reading in first.items] == [(5, 157), (1, 30)]
    room_views = select(func.count(UsageEvent.id)).where(UsageEvent.room_id == room.id)
    assert db.session.scalar(room_views) == 5  # one buyer view per visit and asset read


def test_progress_is_reported_once_per_demo_asset(seeded):
    steps = []

    seed_demo(progress=steps.append)  # a second run reports every asset too
    db.session.commit()

    assert steps == [1] * DEMO_ASSET_COUNT


def test_attached_pdfs_are_readable(seeded):

    pdfs = db.session.scalars(select(StoredFile).where(StoredFile.kind == "pdf")).all()
    assert pdfs
    for stored in pdfs:
        reader = pypdf.PdfReader(file_store().path(stored.storage_name), strict=True)
        assert len(reader.pages) == 1
        assert _first_title(stored) in reader.pages[0].extract_text()


def test_attached_office_files_open(seeded):

    files = db.session.scalars(select(StoredFile).where(StoredFile.kind != "pdf")).all()
    assert {stored.kind for stored in files} == {"docx", "pptx"}
    for stored in files:
        path = file_store().path(stored.storage_name)
        if stored.kind == "docx":
            first_line = docx.Document(path).paragraphs[0].text
        else:
            first_line = pptx.Presentation(path).slides[0].shapes.title.text
        assert first_line == _first_title(stored)
