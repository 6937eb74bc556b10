"""The scale-out search backend: PostgreSQL full-text search in the app's own database.

Every app host reads the same table (``search.postgres_table``), so there is no index to
copy between hosts.

Any number of processes index at once: each writer holds the table's advisory lock in
shared mode (a rebuild takes it alone, and ``writer()`` returns None at once when it cannot
have it), and the indexer locks each asset it indexes (``lock_assets``), so two workers
never index one asset at the same time and the later snapshot of an asset always wins.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    and_,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Engine

from search.backend import (
    FACETS,
    FEW_RESULTS,
    PARTIAL_BELOW,
    SearchDocument,
    SearchRequest,
    SearchResult,
    blended_score,
    should_match,
)
from search.postgres_query import both, either, query_parts, split_candidates
from search.postgres_results import facet_counts, page_hits, read_facets, stale
from search.postgres_spelling import Vocabulary
from search.postgres_table import ARRAY_FACETS, search_documents
from search.query import ParsedQuery

CANDIDATES = 300  # relevance window re-ranked by quality, as in the Whoosh backend
LOCK_NAMESPACE = 0x54414E44  # "TAND": the first key of the advisory lock
SCALAR_FILTERS = ("content_type", "status")

# The second key is the table's oid, so databases shared by several schemas (one per
# test, or per tenant) each get a writer of their own.
TRY_LOCK = text(
    "SELECT pg_try_advisory_lock(:namespace, CAST(CAST('search_documents' AS regclass) AS integer))"
).bindparams(namespace=LOCK_NAMESPACE)
UNLOCK = text(
    "SELECT pg_advisory_unlock(:namespace, CAST(CAST('search_documents' AS regclass) AS integer))"
).bindparams(namespace=LOCK_NAMESPACE)
TRY_LOCK_SHARED = text(
    "SELECT pg_try_advisory_lock_shared(:namespace, "
    "CAST(CAST('search_documents' AS regclass) AS integer))"
).bindparams(namespace=LOCK_NAMESPACE)
UNLOCK_SHARED = text(
    "SELECT pg_advisory_unlock_shared(:namespace, "
    "CAST(CAST('search_documents' AS regclass) AS integer))"
).bindparams(namespace=LOCK_NAMESPACE)
# One lock per asset, held until the indexer's transaction ends: the first key is the
# table's oid (a schema of its own never waits on another's), the second the asset id.
LOCK_ASSETS = text(
    "SELECT asset_id FROM unnest(CAST(:ids AS integer[])) AS asset_id "
    "WHERE pg_try_advisory_xact_lock(CAST(CAST('search_documents' AS regclass) AS integer), "
    "asset_id)"
)


def _utc(value: datetime | None) -> datetime | None:
    # Naive times are UTC throughout Tandem; PostgreSQL would read them in its zone.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _row(document: SearchDocument) -> dict:
    return {
        "asset_id": document.asset_id,
        "title": document.title,
        "summary": document.summary or "",
        "body": document.body or "",
        "file_text": document.file_text or "",
        "stages": list(document.stages),
        "personas": list(document.personas),
        "industries": list(document.industries),
        "tags": list(document.tags),
        "content_type": document.content_type or None,
        "status": document.status,
        "live": document.live,
        "owner_id": document.owner_id,
        "published_at": _utc(document.published_at),
        "updated_at": _utc(document.updated_at),
        "review_by": document.review_by,
        "quality": float(document.quality),
        "expires_on": document.expires_on,
        "collaborator_ids": list(document.collaborator_ids),
    }


class PostgresWriter:
    """Changes made on one connection in one transaction, under the table's advisory lock
    (shared by the indexers, alone for a rebuild)."""

    def __init__(self, backend: "PostgresBackend", connection: Connection, bulk: bool = False):
        self._backend = backend
        self._connection = connection
        self._bulk = bulk
        self._unlock = UNLOCK if bulk else UNLOCK_SHARED

    def upsert(self, document: SearchDocument) -> None:
        row = _row(document)
        statement = pg_insert(search_documents).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=["asset_id"],
            set_={name: statement.excluded[name] for name in row if name != "asset_id"},
        )
        self._connection.execute(statement)

    def delete(self, asset_id: int) -> None:
        self._connection.execute(
            delete(search_documents).where(search_documents.c.asset_id == asset_id)
        )

    def commit(self) -> None:
        try:
            if self._bulk:
                # A rebuild rewrote every row: without fresh statistics the planner takes
                # a word found in 800 documents for one found in 50 and plans for that.
                self._connection.execute(text("ANALYZE search_documents"))
            self._connection.commit()
            self._backend.forget_vocabulary()
        finally:
            self._release()

    def cancel(self) -> None:
        try:
            self._connection.rollback()
        finally:
            self._release()

    def _release(self) -> None:
        try:
            self._connection.execute(self._unlock)
            self._connection.commit()
        except Exception:
            # A connection that cannot unlock must not go back to the pool holding the
            # lock: closing the session is what releases it then.
            self._connection.invalidate()
            raise
        finally:
            self._connection.close()


class PostgresBackend:
    """Search over the ``search_documents`` table of the app's PostgreSQL database."""

    name = "postgres"
    # Several workers may drain the outbox at once (search.indexing.drain).
    parallel = True

    def __init__(self, engine: Engine):
        self._engine = engine
        self._vocabulary = Vocabulary()

    # ---- writing --------------------------------------------------------------------

    def writer(self, bulk: bool = False) -> PostgresWriter | None:
        """A writer holding the advisory lock (alone for a rebuild, shared otherwise), or
        None at once if it cannot have it."""
        connection = self._engine.connect()
        try:
            locked = connection.scalar(TRY_LOCK if bulk else TRY_LOCK_SHARED)
            connection.commit()  # the lock belongs to the session, not this transaction
        except Exception:
            connection.close()
            raise
        if not locked:
            connection.close()
            return None
        return PostgresWriter(self, connection, bulk)

    @staticmethod
    def lock_assets(session, asset_ids: list[int]) -> list[int]:
        """Lock ``asset_ids`` for indexing until ``session``'s transaction ends; returns
        those locked (another indexer holds the rest), in the order given."""
        if not asset_ids:
            return []
        locked = set(session.scalars(LOCK_ASSETS, {"ids": list(asset_ids)}))
        return [asset_id for asset_id in asset_ids if asset_id in locked]

    @staticmethod
    def outdated() -> bool:
        """Never: the table's layout changes with the migrations."""
        return False

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""
        with self._engine.begin() as connection:
            connection.execute(delete(search_documents))
        self.forget_vocabulary()

    def readiness(self) -> str | None:
        """None when the ``search_documents`` table exists (its migration has run)."""
        with self._engine.connect() as connection:
            found = connection.scalar(text("SELECT to_regclass('search_documents')"))
        return None if found else "The search_documents table is missing: run `flask db upgrade`."

    def indexed(self) -> dict[int, datetime]:
        """asset id → the updated_at the index holds, for `search check`."""
        table = search_documents
        with self._engine.connect() as connection:
            rows = connection.execute(select(table.c.asset_id, table.c.updated_at))
            return {asset_id: updated.astimezone(UTC) for asset_id, updated in rows}

    # ---- searching ------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        with self._engine.connect() as connection:
            optional, mandatory, excluded = self._rendered(connection, request.parsed)
            if not optional and not mandatory:  # only stop words or only exclusions
                return SearchResult([], 0, {})
            filters = self._filters(request)
            unwanted = [not_(_matches(either(excluded)))] if excluded else []
            # Each rendered tsquery is read back as a constant, so the planner can use the
            # GIN index and each later statement need not rebuild it.
            query = _tsquery(both([text for _word, text in optional] + mandatory))
            conditions = [search_documents.c.document.bool_op("@@")(query), *unwanted, *filters]
            ranked, total, missing, facets = self._candidates(
                connection, query, conditions, request
            )
            if request.partial and total < PARTIAL_BELOW and len(optional) > 2:
                query = _tsquery(either([text for _word, text in optional] + mandatory))
                conditions = [*self._partial(optional, mandatory), *unwanted, *filters]
                ranked, total, missing, facets = self._candidates(
                    connection, query, conditions, request, optional
                )
            start = (request.page - 1) * request.per_page
            page = ranked[start : start + request.per_page]
            hits = page_hits(connection, query, page, request, missing)
            # Few results: a respelt query may find more (the service decides).
            suggestion = (
                self._vocabulary.suggestion(connection, request.parsed, filters)
                if total < FEW_RESULTS
                else None
            )
        return SearchResult(hits=hits, total=total, facets=facets, suggestion=suggestion)

    @staticmethod
    def _rendered(connection, parsed: ParsedQuery) -> tuple[list[tuple[str, str]], list, list]:
        """The query's parts as PostgreSQL renders them (tsquery text): optional words as
        (word, text), mandatory parts, excluded parts; stop words (empty) dropped."""
        candidates = split_candidates(parsed)
        known: set[str] = set()
        if candidates:
            part = func.unnest(literal(candidates, ARRAY(Text))).column_valued("part")
            stems = func.plainto_tsquery("english", part)
            found = exists().where(search_documents.c.document.bool_op("@@")(stems))
            # One stem only: a stop word (no stem) is no word of a compound.
            known = set(connection.scalars(select(part).where(func.numnode(stems) == 1, found)))
        optional, mandatory, excluded = query_parts(parsed, known)
        expressions = [q for _word, q in optional] + mandatory + excluded
        texts = list(connection.execute(select(*(cast(q, Text) for q in expressions))).one())
        shown = [(word, texts[i]) for i, (word, _q) in enumerate(optional) if texts[i]]
        rest = texts[len(optional) :]
        return (
            shown,
            [t for t in rest[: len(mandatory)] if t],
            [t for t in rest[len(mandatory) :] if t],
        )

    @staticmethod
    def _partial(optional: list[tuple[str, str]], mandatory: list[str]) -> list:
        """Conditions for documents with at least ``should_match`` of the optional words
        and every mandatory part."""
        conditions = [
            _matches(either([text for _word, text in optional])),
            _matched_count(optional) >= should_match(len(optional)),
        ]
        if mandatory:
            conditions.append(_matches(both(mandatory)))
        return conditions

    @staticmethod
    def _filters(request: SearchRequest) -> list:
        """What the request may see: its facet filters and, for readers, live assets."""
        table = search_documents
        conditions = []
        for name, slug in request.filters.items():
            if not slug:
                continue
            if name in ARRAY_FACETS:
                # Served with the words by the index over both (search.postgres_table).
                conditions.append(table.c[name].contains([slug]))
            elif name in SCALAR_FILTERS:
                conditions.append(table.c[name] == slug)
            else:  # like a Whoosh term on a field the index does not have
                conditions.append(false())
        if request.live_only:
            today = request.today or date.today()
            readable = and_(
                table.c.live.is_(True),
                or_(table.c.expires_on.is_(None), table.c.expires_on >= today),
            )
            if request.user_id is not None:
                readable = or_(readable, table.c.collaborator_ids.contains([request.user_id]))
            conditions.append(readable)
        return conditions

    @staticmethod
    def _candidates(connection, query, conditions, request: SearchRequest, optional=()):
        """The best ``window`` matches as (score, asset id) in page order, the total,
        asset id → the optional words it lacks (a partial match ranks by how many it has),
        and the facet counts over all matches.

        One statement: the matches are read once, ranked, and counted by facet from the
        same rows (a second pass over the matches cost a fifth of a search's SQL)."""
        table = search_documents
        has = [_matches(text).label(f"has_{i}") for i, (_word, text) in enumerate(optional)]
        matches = (
            select(
                table.c.asset_id,
                func.ts_rank_cd(table.c.document, query, 32).label("relevance"),  # rank/(rank+1)
                table.c.quality,
                table.c.review_by,
                table.c.published_at,
                *(table.c[name] for name in FACETS),
                *has,
            )
            .where(*conditions)
            .cte("matches")
        )
        found = matches.c
        matched = [found[f"has_{i}"] for i in range(len(optional))]
        newest = request.sort == "newest"
        order: tuple[ColumnElement[Any], ...]
        if newest:
            order = (found.published_at.desc().nulls_last(), found.asset_id.desc())
        elif optional:
            order = (_count_true(matched).desc(), found.relevance.desc(), found.asset_id)
        else:
            order = (found.relevance.desc(), found.asset_id)
        window = max(CANDIDATES, request.page * request.per_page)
        rows = connection.execute(
            select(
                found.asset_id,
                found.relevance,
                found.quality,
                found.review_by,
                func.count().over().label("total"),
                # On the first row only: each row's copy was decoded into Python objects.
                case((func.row_number().over(order_by=order) == 1, facet_counts(matches))).label(
                    "facets"
                ),
                *matched,
            )
            .order_by(*order)
            .limit(window)
        ).all()
        today = request.today or date.today()
        missing = {
            row[0]: [word for (word, _t), has in zip(optional, row[6:], strict=True) if not has]
            for row in rows
        }
        ranked = [
            (blended_score(relevance, quality, stale(review_by, today)), asset_id)
            for asset_id, relevance, quality, review_by, _total, _facets, *_has in rows
        ]
        if not newest:
            # Stable: ties keep text order; documents lacking fewer words stay first.
            ranked.sort(key=lambda pair: (-len(missing[pair[1]]), pair[0]), reverse=True)
        if not rows:
            return ranked, 0, missing, {name: [] for name in FACETS}
        counted = next((row.facets for row in rows if row.facets is not None), None)
        return ranked, rows[0].total, missing, read_facets(counted)

    # ---- did you mean ---------------------------------------------------------------

    def forget_vocabulary(self) -> None:
        """Drop the cached vocabulary (after this process changed the index)."""
        self._vocabulary.forget()


def _tsquery(rendered: str):
    return cast(literal(rendered, Text), TSQUERY)


def _matches(rendered: str):
    return search_documents.c.document.bool_op("@@")(_tsquery(rendered))


def _matched_count(optional: list[tuple[str, str]]):
    """How many of the optional words a document has."""
    return _count_true([_matches(text) for _word, text in optional])


def _count_true(conditions: list):
    counts = [cast(condition, Integer) for condition in conditions]
    total: ColumnElement[int] = counts[0]
    for count in counts[1:]:
        total = total + count
    return total
