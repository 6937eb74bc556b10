"""The scale-out search backend: PostgreSQL full-text search in the app's own database.

Every app host reads the same table, so there is no index to copy between hosts. One
table, ``search_documents``, holds what a hit and the facets need plus a weighted
``document`` tsvector (title A, summary B, body C, file text D) that PostgreSQL computes
itself on every write, and the unstemmed ``words`` that "did you mean" picks from. The
table lives outside ``db.metadata``: SQLite's ``create_all`` must never see a tsvector, so
it is created by its own migration (PostgreSQL only) or by ``create_schema`` in tests.

Only one process writes at a time: ``writer()`` takes a session-level advisory lock on a
connection of its own and returns None at once when another process holds it, exactly as
the Whoosh backend does with its lock file.
"""

import difflib
import re
import threading
import time
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Computed,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    cast,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Engine

from portal.kernel.extensions import NAMING_CONVENTION
from search.backend import FACETS, Hit, SearchDocument, SearchRequest, SearchResult, blended_score
from search.query import ParsedQuery

SEARCH_TABLE = "search_documents"
CANDIDATES = 300  # relevance window re-ranked by quality, as in the Whoosh backend
# A tsvector may not exceed 1 MB; dense text costs up to ~2.3 bytes a character, so the
# indexed (and highlighted) text is capped, or one huge file would stop the indexer for good.
BODY_INDEXED = 200_000
FILE_TEXT_INDEXED = 200_000
LOCK_NAMESPACE = 0x54414E44  # "TAND": the first key of the advisory lock
VOCABULARY_TTL = 60.0  # seconds a process reuses its "did you mean" vocabulary
HEADLINE_OPTIONS = (
    "StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=10, "
    'FragmentDelimiter=" … "'
)
TITLE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, HighlightAll=true"
ARRAY_FACETS = ("stages", "personas", "industries", "tags")
SCALAR_FILTERS = ("content_type", "status")

# The second key is the table's oid, so databases shared by several schemas (one per
# test, or per tenant) each get a writer of their own.
TRY_LOCK = text(
    "SELECT pg_try_advisory_lock(:namespace, CAST(CAST('search_documents' AS regclass) AS integer))"
).bindparams(namespace=LOCK_NAMESPACE)
UNLOCK = text(
    "SELECT pg_advisory_unlock(:namespace, CAST(CAST('search_documents' AS regclass) AS integer))"
).bindparams(namespace=LOCK_NAMESPACE)

# PostgreSQL's parser skips anything shaped like an HTML tag, where Whoosh and readers see
# words: angle brackets are read as spaces.
DOCUMENT_SQL = " || ".join(
    f"setweight(to_tsvector('english'::regconfig, translate({text}, '<>', '  ')), '{weight}')"
    for text, weight in (
        ("title", "A"),
        ("summary", "B"),
        (f"left(body, {BODY_INDEXED})", "C"),
        (f"left(file_text, {FILE_TEXT_INDEXED})", "D"),
    )
)
# The unstemmed words readers typed, for "did you mean" (as the Whoosh corrector reads
# title, summary and body). Parsing is slow (about 4 MB/s: 1.2 s for 1,000 assets), so it
# happens once per write, not on every vocabulary refresh; strip() drops the positions.
WORDS_SQL = (
    "strip(to_tsvector('simple'::regconfig, "
    f"translate(title || ' ' || summary || ' ' || left(body, {BODY_INDEXED}), '<>', '  ')))"
)
VOCABULARY_SQL = "SELECT words FROM search_documents"

metadata = MetaData(naming_convention=NAMING_CONVENTION)  # the same names as the migration
search_documents = Table(
    SEARCH_TABLE,
    metadata,
    Column("asset_id", Integer, primary_key=True, autoincrement=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
    Column("body", Text, nullable=False, server_default=""),
    Column("file_text", Text, nullable=False, server_default=""),
    Column("stages", ARRAY(Text), nullable=False, server_default="{}"),
    Column("personas", ARRAY(Text), nullable=False, server_default="{}"),
    Column("industries", ARRAY(Text), nullable=False, server_default="{}"),
    Column("tags", ARRAY(Text), nullable=False, server_default="{}"),
    Column("content_type", Text),
    Column("status", Text, nullable=False),
    Column("live", Boolean, nullable=False),
    Column("owner_id", Integer),
    Column("published_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("review_by", Date),
    Column("quality", Double, nullable=False, server_default="0"),
    Column("document", TSVECTOR, Computed(DOCUMENT_SQL, persisted=True)),
    Column("words", TSVECTOR, Computed(WORDS_SQL, persisted=True)),
    # Added after the table was first created (see the migrations): kept last, in order.
    Column("expires_on", Date),
    Column("collaborator_ids", ARRAY(Integer), nullable=False, server_default="{}"),
    Index("ix_search_documents_document", "document", postgresql_using="gin"),
    *(Index(f"ix_search_documents_{name}", name, postgresql_using="gin") for name in ARRAY_FACETS),
)


def create_schema(bind: Engine | Connection) -> None:
    """Create the table and its indexes unless they exist (the migration does this in
    deployments; tests and scripts that use ``create_all`` call this instead)."""
    search_documents.create(bind, checkfirst=True)


def alembic_include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: the search table is not in the models, so autogenerate and
    ``compare_metadata`` must neither drop nor describe it."""
    table = object_ if type_ == "table" else getattr(object_, "table", None)
    return getattr(table, "name", name) != SEARCH_TABLE


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
    """Changes made on one connection in one transaction, under the advisory lock."""

    def __init__(self, backend: "PostgresBackend", connection: Connection):
        self._backend = backend
        self._connection = connection

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
            self._connection.execute(UNLOCK)
            self._connection.commit()
        except Exception:
            # A connection that cannot unlock must not go back to the pool holding the
            # lock: closing the session is what releases it then.
            self._connection.invalidate()
            raise
        finally:
            self._connection.close()


def _escaped(column):
    """The column as ``markupsafe.escape`` renders it. ts_headline does not escape, so it
    is given escaped text and can only add its own <mark> tags."""
    for char, entity in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ('"', "&#34;"),
        ("'", "&#39;"),
    ):
        column = func.replace(column, char, entity)
    return column


_STRAY_TAG = re.compile(r"<(?!/?mark>)|(?<!<mark)(?<!</mark)>")


def _marked(fragment: str) -> Markup:
    # Defence in depth: whatever ts_headline does, only <mark> and </mark> survive as tags.
    return Markup(_STRAY_TAG.sub(lambda m: "&lt;" if m.group() == "<" else "&gt;", fragment))  # noqa: S704


def _tsquery(parsed: ParsedQuery):
    """The query as a tsquery expression; every part of the text is a bound parameter."""
    terms = [f'"{word}"' for word in parsed.words]
    terms += [f'"{" ".join(phrase)}"' for phrase in parsed.phrases]
    terms += [f'-"{word}"' for word in parsed.excluded]
    terms += [f'-"{" ".join(phrase)}"' for phrase in parsed.excluded_phrases]
    query: ColumnElement[Any] = func.websearch_to_tsquery("english", literal(" ".join(terms), Text))
    for prefix in parsed.prefixes:
        query = query.op("&&", return_type=TSQUERY)(_prefix_query(prefix))
    return query


def _prefix_query(prefix: str):
    # The index holds English stems, which may be shorter than the typed prefix
    # (negotia* → negoti) or drop stop words: as in the Whoosh backend, also try the
    # prefix unstemmed and with its last letters dropped.
    query: ColumnElement[Any] = func.to_tsquery("english", literal(prefix, Text) + ":*")
    forms = [prefix] + [prefix[:-cut] for cut in (1, 2) if len(prefix) - cut >= 4]
    for form in forms:
        query = query.op("||", return_type=TSQUERY)(
            func.to_tsquery("simple", literal(form, Text) + ":*")
        )
    return query


class PostgresBackend:
    """Search over the ``search_documents`` table of the app's PostgreSQL database."""

    name = "postgres"

    def __init__(self, engine: Engine):
        self._engine = engine
        self._lock = threading.Lock()
        self._vocabulary: list[str] | None = None
        self._vocabulary_at = 0.0

    # ---- writing --------------------------------------------------------------------

    def writer(self, bulk: bool = False) -> PostgresWriter | None:
        """A writer holding the advisory lock, or None at once if another process has it."""
        connection = self._engine.connect()
        try:
            locked = connection.scalar(TRY_LOCK)
            connection.commit()  # the lock belongs to the session, not this transaction
        except Exception:
            connection.close()
            raise
        if not locked:
            connection.close()
            return None
        return PostgresWriter(self, connection)

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""
        with self._engine.begin() as connection:
            connection.execute(delete(search_documents))
        self.forget_vocabulary()

    def indexed(self) -> dict[int, datetime]:
        """asset id → the updated_at the index holds, for `search check`."""
        table = search_documents
        with self._engine.connect() as connection:
            rows = connection.execute(select(table.c.asset_id, table.c.updated_at))
            return {asset_id: updated.astimezone(UTC) for asset_id, updated in rows}

    # ---- searching ------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        with self._engine.connect() as connection:
            built = select(_tsquery(request.parsed).label("query")).subquery()
            query_text, tree = connection.execute(
                select(cast(built.c.query, Text), func.querytree(built.c.query))
            ).one()
            if tree in ("", "T"):  # only stop words or only exclusions: nothing to find
                return SearchResult([], 0, {})
            # PostgreSQL's own rendering of the tsquery, read back as a constant so the
            # planner can use the GIN index and each later statement need not rebuild it.
            query = cast(literal(query_text, Text), TSQUERY)
            filters = self._filters(request)
            conditions = [search_documents.c.document.bool_op("@@")(query), *filters]
            ranked, total = self._candidates(connection, query, conditions, request)
            start = (request.page - 1) * request.per_page
            page = ranked[start : start + request.per_page]
            hits = self._hits(connection, query, page, request)
            facets = self._facets(connection, conditions) if total else {n: [] for n in FACETS}
            suggestion = (
                self._suggestion(connection, request.parsed, filters) if not total else None
            )
        return SearchResult(hits=hits, total=total, facets=facets, suggestion=suggestion)

    @staticmethod
    def _filters(request: SearchRequest) -> list:
        """What the request may see: its facet filters and, for readers, live assets."""
        table = search_documents
        conditions = []
        for name, slug in request.filters.items():
            if not slug:
                continue
            if name in ARRAY_FACETS:
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
    def _candidates(connection, query, conditions, request: SearchRequest):
        """The best ``window`` matches as (score, asset id) in page order, and the total."""
        table = search_documents
        relevance = func.ts_rank_cd(table.c.document, query, 32)  # 32: rank / (rank + 1)
        newest = request.sort == "newest"
        order: tuple[ColumnElement[Any], ...]
        if newest:
            order = (table.c.published_at.desc().nulls_last(), table.c.asset_id.desc())
        else:
            order = (relevance.desc(), table.c.asset_id)
        window = max(CANDIDATES, request.page * request.per_page)
        rows = connection.execute(
            select(
                table.c.asset_id,
                relevance,
                table.c.quality,
                table.c.review_by,
                func.count().over().label("total"),
            )
            .where(*conditions)
            .order_by(*order)
            .limit(window)
        ).all()
        today = request.today or date.today()
        ranked = [
            (blended_score(relevance, quality, _stale(review_by, today)), asset_id)
            for asset_id, relevance, quality, review_by, _total in rows
        ]
        if not newest:
            ranked.sort(key=lambda pair: pair[0], reverse=True)  # stable: ties keep text order
        return ranked, rows[0].total if rows else 0

    def _hits(self, connection, query, page, request: SearchRequest) -> list[Hit]:
        """The page's hits, in page order, with highlights when asked for."""
        if not page:
            return []
        table = search_documents
        ids = [asset_id for _score, asset_id in page]
        title = _escaped(table.c.title)
        if request.highlight:
            title = func.ts_headline("english", title, query, TITLE_OPTIONS)
        opening = func.left(func.coalesce(func.nullif(table.c.summary, ""), table.c.body), 240)
        columns = (table.c.stages, table.c.content_type, table.c.live, table.c.status)
        statement = select(table.c.asset_id, title, opening, table.c.review_by, *columns)
        rows = {
            row[0]: row for row in connection.execute(statement.where(table.c.asset_id.in_(ids)))
        }
        snippets = self._snippets(connection, query, ids) if request.highlight else {}
        today = request.today or date.today()
        hits = []
        for score, asset_id in page:
            _id, shown_title, opening, review_by, stages, content_type, live, status = rows[
                asset_id
            ]
            hits.append(
                Hit(
                    asset_id=asset_id,
                    title=_marked(shown_title),
                    snippet=snippets.get(asset_id) or escape(opening or ""),
                    score=round(score, 4),
                    stages=list(stages),
                    content_type=content_type or None,
                    stale=_stale(review_by, today),
                    live=live,
                    status=status,
                )
            )
        return hits

    @staticmethod
    def _snippets(connection, query, ids: list[int]) -> dict[int, Markup]:
        """The first of summary, body and file text with a highlighted match, per asset.

        Fields are tried in turn for the assets still without one, because ts_headline
        reads the whole text and most hits are found in the summary or body."""
        table = search_documents
        fields = (
            table.c.summary,
            func.left(table.c.body, BODY_INDEXED),
            func.left(table.c.file_text, FILE_TEXT_INDEXED),
        )
        snippets: dict[int, Markup] = {}
        for field in fields:
            missing = [asset_id for asset_id in ids if asset_id not in snippets]
            if not missing:
                break
            headline = func.ts_headline("english", _escaped(field), query, HEADLINE_OPTIONS)
            rows = connection.execute(
                select(table.c.asset_id, headline).where(table.c.asset_id.in_(missing), field != "")
            )
            snippets.update(
                (asset_id, _marked(html)) for asset_id, html in rows if "<mark>" in html
            )
        return snippets

    @staticmethod
    def _facets(connection, conditions) -> dict[str, list[tuple[str, int]]]:
        """Counts of each facet value over all matches (not only the page)."""
        table = search_documents
        matches = select(*(table.c[name] for name in FACETS)).where(*conditions).cte("matches")
        counts = []
        for name in ARRAY_FACETS:
            values = select(func.unnest(matches.c[name]).label("slug")).subquery()
            counts.append(
                select(literal(name).label("facet"), values.c.slug, func.count()).group_by(
                    values.c.slug
                )
            )
        counts.append(
            select(literal("content_type").label("facet"), matches.c.content_type, func.count())
            .where(matches.c.content_type.is_not(None))
            .group_by(matches.c.content_type)
        )
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
        for facet, slug, count in connection.execute(union_all(*counts)):
            if slug:
                facets[facet].append((slug, count))
        return {
            name: sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
            for name, pairs in facets.items()
        }

    # ---- did you mean ---------------------------------------------------------------

    def forget_vocabulary(self) -> None:
        """Drop the cached vocabulary (after this process changed the index)."""
        with self._lock:
            self._vocabulary = None

    def _words(self, connection) -> list[str]:
        with self._lock:
            if (
                self._vocabulary is not None
                and time.monotonic() - self._vocabulary_at < VOCABULARY_TTL
            ):
                return self._vocabulary
        stat = func.ts_stat(literal(VOCABULARY_SQL, Text)).table_valued("word")
        words = list(connection.scalars(select(stat.c.word)))
        with self._lock:
            self._vocabulary, self._vocabulary_at = words, time.monotonic()
        return words

    @staticmethod
    def _known(connection, word: str) -> bool:
        # A word that analyses to nothing (a stop word) is never called misspelt.
        stems = func.plainto_tsquery("english", literal(word, Text))
        found = exists().where(search_documents.c.document.bool_op("@@")(stems))
        return bool(connection.scalar(select(or_(func.numnode(stems) == 0, found))))

    @staticmethod
    def _findable(connection, word: str, filters: list) -> bool:
        """True when ``word`` occurs in a document this request may see."""
        stems = func.plainto_tsquery("english", literal(word, Text))
        found = exists().where(search_documents.c.document.bool_op("@@")(stems), *filters)
        return bool(connection.scalar(select(found)))

    def _suggestion(self, connection, parsed: ParsedQuery, filters: list) -> str | None:
        """A respelt query when some word is unknown to the index, e.g. pricng → pricing."""
        changed, words = False, []
        for word in parsed.words:
            if not 3 <= len(word) <= 30 or self._known(connection, word):
                words.append(word)
                continue
            # Like the Whoosh corrector's two edits: only words of a similar length. The
            # vocabulary holds drafts' words too: suggest only what this request can find.
            vocabulary = [w for w in self._words(connection) if abs(len(w) - len(word)) <= 2]
            options = difflib.get_close_matches(word, vocabulary, n=3)
            best = next((o for o in options if self._findable(connection, o, filters)), None)
            changed = changed or best is not None
            words.append(best or word)
        if not changed:
            return None
        rest = parsed.text().split()[len(parsed.words) :]
        return " ".join(words + rest)


def _stale(review_by: date | None, today: date) -> bool:
    return review_by is not None and review_by < today
