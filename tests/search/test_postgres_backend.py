"""The postgres search backend: PostgreSQL full-text search behind the SearchBackend protocol.

All but the configuration test need PostgreSQL and are left out of the SQLite half.
The backend contract shared with Whoosh is in test_contract.py; these cover what is
particular to PostgreSQL (locks, escaping around ts_headline, the migration) and the
behaviour the contract does not pin down.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from markupsafe import escape
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from content.library.models import Asset, Stage
from content.library.services import AssetInput, revise_asset
from content.taxonomy.services import ensure_defaults
from portal.kernel.extensions import db
from portal.kernel.models import User
from search import indexing, service
from search.backend import SearchDocument, SearchRequest, blended_score, quality
from search.indexing import drain, get_backend
from search.postgres_backend import TRY_LOCK, UNLOCK, PostgresBackend
from search.postgres_spelling import Vocabulary
from search.postgres_table import alembic_include_object, create_schema
from search.query import parse_query
from search.spelling import closest
from tests.factories import make_app, make_asset, make_user

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("The postgres search backend needs PostgreSQL; this is the SQLite run.")
    return database_url


@pytest.fixture
def backend(postgres_url, app):
    """A PostgresBackend on the test's schema (this module's own, not conftest's pair)."""
    create_schema(db.engine)
    return PostgresBackend(db.engine)


def document(asset_id: int, title: str, **fields) -> SearchDocument:
    values = {
        "summary": "",
        "body": "",
        "file_text": "",
        "stages": ["awareness"],
        "personas": [],
        "industries": [],
        "content_type": "one-pager",
        "tags": [],
        "status": "published",
        "live": True,
        "owner_id": 1,
        "published_at": NOW - timedelta(days=asset_id),
        "updated_at": NOW,
        "review_by": None,
    }
    values.update(fields)
    return SearchDocument(asset_id=asset_id, title=title, **values)


def index(backend: PostgresBackend, *documents: SearchDocument) -> None:
    writer = backend.writer()
    for doc in documents:
        writer.upsert(doc)
    writer.commit()


def find(backend: PostgresBackend, raw: str, **options):
    options.setdefault("today", NOW.date())
    return backend.search(SearchRequest(parsed=parse_query(raw), **options))


def ids(result) -> list[int]:
    return [hit.asset_id for hit in result.hits]


# ---- writing -----------------------------------------------------------------------------


def test_upserted_documents_are_found_and_deleted_ones_are_not(backend):
    index(backend, document(1, "Pricing one-pager"), document(2, "Security overview"))

    assert ids(find(backend, "pricing")) == [1]
    assert set(backend.indexed()) == {1, 2}

    writer = backend.writer()
    writer.delete(1)
    writer.commit()

    assert find(backend, "pricing").total == 0
    assert backend.indexed() == {2: NOW}


def test_upserting_again_replaces_the_document(backend):
    index(backend, document(1, "Pricing one-pager"))
    index(backend, document(1, "Pricing one-pager"))
    later = NOW + timedelta(hours=1)
    index(backend, document(1, "Discount guide", updated_at=later))

    assert backend.indexed() == {1: later}
    assert find(backend, "pricing").total == 0
    assert ids(find(backend, "discount")) == [1]


def test_cancel_discards_the_changes_and_clear_empties_the_index(backend):
    index(backend, document(1, "Pricing one-pager"))
    writer = backend.writer()
    writer.upsert(document(2, "Pricing FAQ"))
    writer.delete(1)
    writer.cancel()

    assert set(backend.indexed()) == {1}

    backend.clear()

    assert backend.indexed() == {}


def test_the_gin_indexes_take_each_write_at_once(backend):
    # With GIN's fast update, new entries wait in a pending list that every search reads
    # in full until VACUUM merges it.
    with db.engine.connect() as connection:
        options = connection.execute(
            text(
                "SELECT c.relname, c.reloptions FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am am ON am.oid = c.relam AND am.amname = 'gin'"
                " WHERE i.indrelid = 'search_documents'::regclass ORDER BY c.relname"
            )
        ).all()

    assert [name for name, _options in options] == ["ix_search_documents_document_facets"]
    assert all(reloptions == ["fastupdate=off"] for _name, reloptions in options)


def test_a_bulk_write_leaves_the_planner_statistics_of_what_it_wrote(backend):
    writer = backend.writer(bulk=True)
    for asset_id in range(1, 31):
        writer.upsert(document(asset_id, f"Pricing sheet {asset_id}"))
    writer.commit()

    with db.engine.connect() as connection:
        estimate = connection.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = 'search_documents'::regclass")
        )
    assert estimate == 30


def test_indexers_share_the_writer_and_a_rebuild_takes_it_alone(backend):
    first = backend.writer()
    second = backend.writer()  # another indexer, at the same time

    assert first is not None
    assert second is not None
    assert backend.writer(bulk=True) is None, "a rebuild waits for the indexers"
    first.commit()
    second.cancel()

    rebuild = backend.writer(bulk=True)
    assert rebuild is not None
    assert backend.writer() is None, "indexers wait for the rebuild"
    assert backend.writer(bulk=True) is None
    rebuild.cancel()

    with db.engine.connect() as other_process:  # a rebuild on another host
        assert other_process.scalar(TRY_LOCK) is True
        assert backend.writer() is None
        other_process.scalar(UNLOCK)
    third = backend.writer()
    assert third is not None
    third.cancel()


def test_an_asset_is_locked_by_one_indexer_at_a_time(backend):
    with db.engine.connect() as other_process:
        other = Session(bind=other_process)
        assert backend.lock_assets(other, [3, 5]) == [3, 5]

        assert backend.lock_assets(db.session, [5, 7, 3, 9]) == [7, 9]

        other.rollback()  # its transaction ends: its locks go with it
        assert backend.lock_assets(db.session, [5, 3]) == [5, 3]
        assert backend.lock_assets(other, [3, 5, 7, 9]) == []
        db.session.rollback()
        assert backend.lock_assets(other, [3, 5, 7, 9]) == [3, 5, 7, 9]
        other.rollback()


def test_several_indexers_drain_one_outbox_at_once_and_leave_the_latest_of_each_asset(
    postgres_url, tmp_path
):
    with postgres_backend_app(postgres_url, tmp_path) as app:
        marketer = make_user("marketer")
        assets = [make_asset(marketer, f"Pricing sheet {n}", publish=False) for n in range(60)]
        ids = [asset.id for asset in assets]
        db.session.remove()
        processed = drain_together(app, ids, indexers=4)

        assert sum(processed) >= 60
        assert sum(1 for count in processed if count) >= 2, "the work was shared"
        report = indexing.check()
        assert (report.missing, report.stale, report.backlog) == ([], [], 0)
        titles = {
            row.asset_id: row.title
            for row in db.session.execute(text("SELECT asset_id, title FROM search_documents"))
        }
        assert all(titles[i].endswith("(edited)") for i in ids), "the last edit won"


@contextmanager
def postgres_backend_app(postgres_url: str, tmp_path) -> Iterator:
    """An application on the test's schema with the postgres search backend, its tables
    and the default taxonomy built, inside its app context."""
    app = make_app(postgres_url, tmp_path, SEARCH_BACKEND="postgres")
    with app.app_context():
        try:
            db.create_all()
            create_schema(db.engine)
            ensure_defaults()
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def drain_together(app, ids: list[int], indexers: int) -> list[int]:
    """Several indexers drain the outbox while an author edits every asset once more."""
    counts = [0] * indexers
    start = threading.Barrier(indexers + 1)

    def indexer(number: int) -> None:
        with app.app_context():
            start.wait()
            try:
                for _ in range(5):
                    counts[number] += drain(batch=7) or 0
                    time.sleep(0.01)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=indexer, args=(n,)) for n in range(indexers)]
    for thread in threads:
        thread.start()
    with app.app_context():
        start.wait()
        marketer = db.session.scalar(select(User).where(User.role == "marketer"))
        stage = db.session.scalar(select(Stage).where(Stage.slug == "decision"))
        for asset_id in ids:
            asset = db.session.get(Asset, asset_id)
            title = f"{asset.latest_revision.title} (edited)"
            edit = AssetInput(title=title, body="Prices.", stages=[stage])
            revise_asset(asset, marketer, asset.latest_revision_id, edit)
            db.session.commit()
        db.session.remove()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        counts.append(drain() or 0)  # what came after the last pass of each indexer
        db.session.remove()
    return counts


# ---- the query language ------------------------------------------------------------------


def test_words_match_their_stems_in_any_field(backend):
    index(
        backend,
        document(1, "Plans", body="How we priced the plans"),
        document(2, "Onboarding", file_text="Prices for partners"),
        document(3, "Security overview"),
    )

    assert set(ids(find(backend, "pricing"))) == {1, 2}
    assert ids(find(backend, "pricing plans")) == [1]  # every word must match


def test_phrases_match_adjacent_words_only(backend):
    index(
        backend,
        document(1, "Enterprise sales deck"),
        document(2, "A deck about sales"),
    )

    assert ids(find(backend, '"sales deck"')) == [1]
    assert set(ids(find(backend, "sales deck"))) == {1, 2}


def test_excluded_words_remove_documents(backend):
    index(backend, document(1, "Pricing one-pager"), document(2, "Legacy pricing sheet"))

    assert ids(find(backend, "pricing -legacy")) == [1]
    assert ids(find(backend, 'pricing -"legacy"')) == [1]


def test_prefixes_match_words_and_stems(backend):
    index(backend, document(1, "Negotiation playbook"), document(2, "Themes of the quarter"))

    assert ids(find(backend, "negotia*")) == [1]  # the stem is "negoti"
    assert ids(find(backend, "negotiation*")) == [1]
    assert ids(find(backend, "play*")) == [1]
    assert ids(find(backend, "the*")) == [2]  # a stop word is still a prefix


def test_queries_with_nothing_positive_find_nothing(backend):
    index(backend, document(1, "Pricing one-pager"))

    for raw in ("the and of", "-pricing", "", '"the"'):
        result = find(backend, raw)
        assert (result.hits, result.total, result.suggestion) == ([], 0, None), raw


def test_syntax_characters_and_operators_are_plain_text(backend):
    index(backend, document(1, "Pricing one-pager"), document(2, "Sales deck"))

    assert find(backend, "pricing or deck").total == 0  # "or" is a word, not an operator
    for raw in ("pricing & | ! ( ) : * ' \\", "o'brien* d’arcy* <->", "pricing:* !deck"):
        find(backend, raw)  # never a syntax error
    assert ids(find(backend, "(pricing)")) == [1]


# ---- filters, facets, ranking, pages -----------------------------------------------------


def test_facets_count_every_match_and_filters_narrow_them(backend):
    index(
        backend,
        document(1, "Pricing", stages=["awareness", "decision"], personas=["cfo"], tags=["roi"]),
        document(
            2, "Pricing", stages=["decision"], personas=["cfo", "cto"], content_type="case-study"
        ),
        document(3, "Security", stages=["onboarding"]),
    )

    result = find(backend, "pricing", per_page=1)

    assert result.total == 2
    assert result.facets == {
        "stages": [("decision", 2), ("awareness", 1)],
        "personas": [("cfo", 2), ("cto", 1)],
        "industries": [],
        "content_type": [("case-study", 1), ("one-pager", 1)],
        "tags": [("roi", 1)],
    }
    assert ids(find(backend, "pricing", filters={"stages": "awareness"})) == [1]
    assert ids(find(backend, "pricing", filters={"content_type": "case-study"})) == [2]
    assert ids(find(backend, "pricing", filters={"personas": "cto", "stages": "decision"})) == [2]
    assert find(backend, "pricing", filters={"stages": ""}).total == 2
    filtered = find(backend, "pricing", filters={"stages": "awareness"})
    assert filtered.facets["stages"] == [("awareness", 1), ("decision", 1)]


def test_facets_count_documents_whose_facet_lists_differ_in_length_or_are_empty(backend):
    index(
        backend,
        document(1, "Pricing", stages=[], content_type=None),
        document(2, "Pricing", stages=[], personas=[], content_type="battlecard"),
        document(
            3,
            "Pricing",
            stages=["awareness", "decision", "expansion"],
            industries=["retail"],
            tags=["roi", "cfo-ready"],
            content_type="battlecard",
        ),
        document(4, "Pricing", stages=["decision"], personas=["cfo", "cio"], content_type=""),
    )

    assert find(backend, "pricing").facets == {
        "stages": [("decision", 2), ("awareness", 1), ("expansion", 1)],
        "personas": [("cfo", 1), ("cio", 1)],
        "industries": [("retail", 1)],
        "content_type": [("battlecard", 2)],
        "tags": [("cfo-ready", 1), ("roi", 1)],
    }


def test_live_only_hides_drafts(backend):
    index(
        backend,
        document(1, "Pricing one-pager"),
        document(2, "Pricing draft", live=False, status="draft", published_at=None),
    )

    assert ids(find(backend, "pricing")) == [1]
    hits = find(backend, "pricing", live_only=False).hits
    assert {(hit.asset_id, hit.live, hit.status) for hit in hits} == {
        (1, True, "published"),
        (2, False, "draft"),
    }


def test_quality_and_freshness_reorder_equally_relevant_documents(backend):
    well_used = {"rating_average": 5.0, "rating_count": 5, "usage_count": 100}
    index(
        backend,
        document(1, "Pricing one-pager"),
        document(2, "Pricing one-pager", **well_used),
        document(3, "Pricing one-pager", review_by=NOW.date() - timedelta(days=1)),
    )

    result = find(backend, "pricing")

    assert ids(result) == [2, 1, 3]
    relevance = result.hits[1].score
    assert result.hits[0].score == pytest.approx(
        blended_score(relevance, quality(5.0, 5, 100), False), abs=1e-3
    )
    assert result.hits[2].score == pytest.approx(blended_score(relevance, 0.0, True), abs=1e-3)
    assert [hit.stale for hit in result.hits] == [False, False, True]


def test_a_strong_text_match_beats_a_well_rated_weak_one(backend):
    index(
        backend,
        document(1, "Pricing guide", summary="Pricing for every plan", body="pricing pricing"),
        document(2, "Onboarding", body="a note on pricing", rating_average=5.0, rating_count=1),
    )

    assert ids(find(backend, "pricing")) == [1, 2]


def test_newest_sorts_by_publication_date(backend):
    index(
        backend,
        document(1, "Pricing", published_at=NOW - timedelta(days=30)),
        document(2, "Pricing pricing pricing", published_at=NOW - timedelta(days=60)),
        document(3, "Pricing", published_at=NOW - timedelta(days=1)),
    )

    assert ids(find(backend, "pricing", sort="newest")) == [3, 1, 2]


def test_pages_split_every_match_and_total_counts_them(backend):
    index(backend, *(document(n, f"Pricing sheet {n}") for n in range(1, 26)))

    pages = [find(backend, "pricing", page=page, per_page=10) for page in (1, 2, 3)]

    assert [len(page.hits) for page in pages] == [10, 10, 5]
    assert {page.total for page in pages} == {25}
    assert sorted(hit for page in pages for hit in ids(page)) == list(range(1, 26))


# ---- highlights and suggestions ----------------------------------------------------------


def test_highlights_mark_matches_and_never_let_markup_through(backend):
    index(
        backend,
        document(
            1,
            "Pricing <b>bold</b> & co",
            body="Our pricing guide <script>alert(1)</script> explains every pricing tier.",
        ),
    )

    hit = find(backend, "pricing").hits[0]

    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>pricing</mark>" in hit.snippet
    assert "<script" not in hit.snippet
    assert hit.title == "<mark>Pricing</mark> &lt;b&gt;bold&lt;/b&gt; &amp; co"
    assert "<mark>script</mark>" in find(backend, "script").hits[0].snippet


def test_without_highlights_title_and_snippet_are_escaped_text(backend):
    title = "Pricing <i>\"quoted\"</i> & 'single'"
    index(backend, document(1, title, summary="<em>Summary</em> of pricing"))

    hit = find(backend, "pricing", highlight=False).hits[0]

    assert hit.title == escape(title)
    assert hit.summary == escape("<em>Summary</em> of pricing")


def test_the_snippet_comes_from_the_body_or_file_and_the_summary_stands_apart(backend):
    index(
        backend,
        document(1, "Guide", summary="A short guide", body="Discounts explained", file_text="x"),
        document(2, "Sheet", summary="All about discounts", body="Discounts again"),
        document(3, "Scan", summary="A scanned file", file_text="Discount tables inside"),
    )

    hits = {hit.asset_id: hit for hit in find(backend, "discount").hits}
    snippets = {asset_id: str(hit.snippet) for asset_id, hit in hits.items()}

    assert snippets[1] == "<mark>Discounts</mark> explained"  # the summary has no match
    assert snippets[2] == "<mark>Discounts</mark> again"  # the body, not the summary
    assert str(hits[2].summary) == "All about <mark>discounts</mark>"
    assert snippets[3] == "<mark>Discount</mark> tables inside"  # only the file matches


def test_unknown_words_get_a_suggestion_when_nothing_is_found(backend):
    index(backend, document(1, "Pricing one-pager", body="Customer onboarding checklist"))

    assert find(backend, "pricng").suggestion == "pricing"
    assert find(backend, "custmer onboardng -legacy").suggestion == "customer onboarding -legacy"
    assert find(backend, "pricing onboarding").suggestion is None  # found: no suggestion
    assert find(backend, "pricing zzzzqqq").suggestion is None  # nothing close enough


def test_suggestions_only_name_words_the_reader_could_find(backend):
    index(
        backend,
        document(1, "Pricing guide", stages=["decision"]),
        document(2, "Project kingfisher", live=False, status="draft"),
    )

    assert find(backend, "kingfishr").suggestion is None
    assert find(backend, "kingfishr", live_only=False).suggestion == "kingfisher"
    assert find(backend, "pricng", filters={"stages": "awareness"}).suggestion is None


def test_the_words_near_a_typo_are_every_word_within_its_edits(backend):
    body = (
        "security secure securities pricing prices price priced renewal renew review "
        "onboarding boarding roi q4 2026 soc2 co-selling naïve café negotiation"
    )
    index(backend, document(1, "Vocabulary", body=body))
    vocabulary = Vocabulary()

    with db.engine.connect() as connection:
        every = [word for word, _letters in vocabulary.words(connection)]
        for typo in ("secuirty", "pricng", "renwal", "onbording", "q5", "2062", "naive", "cafe"):
            near = vocabulary.near(connection, typo)
            assert set(near) < set(every)
            assert closest(typo, near) == closest(typo, every), typo


def test_the_vocabulary_follows_writes_made_by_this_process(backend):
    index(backend, document(1, "Security overview"))
    assert find(backend, "pricng").suggestion is None

    index(backend, document(2, "Pricing one-pager"))

    assert find(backend, "pricng").suggestion == "pricing"


# ---- wiring: configuration, migration, the whole service ---------------------------------


def test_the_postgres_backend_refuses_other_databases(tmp_path):
    with pytest.raises(RuntimeError, match="needs a PostgreSQL DATABASE_URL"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, SEARCH_BACKEND="postgres")
    with pytest.raises(RuntimeError, match="Unknown TANDEM_SEARCH_BACKEND"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, SEARCH_BACKEND="solr")


def test_service_searches_with_the_postgres_backend(postgres_url, tmp_path):
    with postgres_backend_app(postgres_url, tmp_path):
        marketer = make_user("marketer")
        rep = make_user("rep")
        asset = make_asset(marketer, "Pricing one-pager", body="What our plans cost.")
        make_asset(marketer, "Pricing draft", publish=False)

        assert isinstance(get_backend(), PostgresBackend)
        assert drain() > 0
        page = service.search(rep, "pricing", {})

        assert [hit.asset_id for hit in page.result.hits] == [asset.id]
        assert page.result.hits[0].title == "<mark>Pricing</mark> one-pager"
        corrected = service.search(rep, "pricng", {})
        assert (corrected.query, corrected.corrected_from) == ("pricing", "pricng")
        assert [hit.asset_id for hit in corrected.result.hits] == [asset.id]


def _table_definition(connection) -> dict:
    columns = connection.execute(
        text(
            "SELECT attname, format_type(atttypid, atttypmod), attnotnull, attgenerated,"
            " pg_get_expr(adbin, adrelid) FROM pg_attribute"
            " LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
            " WHERE attrelid = 'search_documents'::regclass AND attnum > 0"
            " AND NOT attisdropped ORDER BY attnum"
        )
    ).all()
    indexes = connection.execute(
        text(
            "SELECT indexname, regexp_replace(indexdef, ' ON \\S+ ', ' ON ') FROM pg_indexes"
            " WHERE tablename = 'search_documents' AND schemaname = current_schema()"
            " ORDER BY indexname"
        )
    ).all()
    return {"columns": columns, "indexes": indexes}


def test_the_migration_builds_the_table_create_schema_builds(
    postgres_url,
    tmp_path,
    keep_logging,
):
    app = make_app(postgres_url, tmp_path)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                migrated = _table_definition(connection)
                context = MigrationContext.configure(
                    connection, opts={"include_object": alembic_include_object}
                )
                assert compare_metadata(context, db.metadata) == []

            flask_migrate.downgrade(revision="b65e749e52e8")  # the one before the search table
            with db.engine.connect() as connection:
                assert connection.scalar(text("SELECT to_regclass('search_documents')")) is None
            create_schema(db.engine)
            with db.engine.connect() as connection:
                assert _table_definition(connection) == migrated
        finally:
            db.session.remove()
            db.engine.dispose()
