"""The ``search_documents`` table the PostgreSQL backend searches.

It holds what a hit and the facets need plus a weighted ``document`` tsvector (title A,
summary B, body C, file text D) that PostgreSQL computes itself on every write, and the
unstemmed ``words`` that "did you mean" picks from. The table lives outside
``db.metadata``: SQLite's ``create_all`` must never see a tsvector, so it is created by its
own migration (PostgreSQL only) or by ``create_schema`` in tests.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.engine import Connection, Engine

from portal.kernel.extensions import NAMING_CONVENTION

SEARCH_TABLE = "search_documents"
# A tsvector may not exceed 1 MB; dense text costs up to ~2.3 bytes a character, so the
# indexed (and highlighted) text is capped, or one huge file would stop the indexer for good.
BODY_INDEXED = 200_000
FILE_TEXT_INDEXED = 200_000
ARRAY_FACETS = ("stages", "personas", "industries", "tags")
SEARCH_INDEX = "ix_search_documents_document_facets"

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

# GIN's fast update parks new entries in a pending list that every search reads in full
# until VACUUM merges it: a rebuild left all 10,000 documents there and each lookup of a
# word read the whole index. Writes here are one asset at a time (or a rare rebuild), so
# they pay for the merge and searches never do.
GIN = {"fastupdate": "off"}

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
    # One GIN index over the words and the facet lists: a search with a facet filter finds
    # the documents having both in one index scan. With an index per column the planner
    # could start from every document of a stage and test the words on each, reading each
    # tsvector out of TOAST, which its cost model counts as free (3-6x slower).
    Index(
        SEARCH_INDEX,
        "document",
        *ARRAY_FACETS,
        postgresql_using="gin",
        postgresql_with=GIN,
    ),
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
