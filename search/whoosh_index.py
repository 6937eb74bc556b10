"""What the Whoosh index holds: its schema, and the writer that puts documents in it."""

from datetime import UTC, datetime

from whoosh import scoring
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.query import Term
from whoosh.reading import SegmentReader

from search.analysis import EnglishAnalyzer
from search.backend import SearchDocument

TEXT_FIELDS = ("title", "summary", "body", "file_text")
# Extracted file text is too noisy (hyphenation, headers) to suggest spellings from.
SPELLING_FIELDS = ("title", "summary", "body")
QUALITY_SCALE = 10_000
# BM25F, with half the usual length normalisation (B 0.75) on the long fields: an article
# of several sections is long because it covers more, not because it repeats itself, and
# at 0.75 a passage that answers the query ranked below short documents sharing a word.
LONG_FIELD_B = 0.5
LENGTH_CACHE_SEGMENTS = 64


class CachedLengthsBM25F(scoring.BM25F):
    """BM25F whose scorers read each document's field length from a list kept per
    segment and field, rather than through the segment's length column on every match
    (a tenth of a broad search's time at 50,000 assets). Same lengths, same formula,
    same scores. A segment's lengths never change (deletions leave them as they are),
    so the lists outlive the readers of a segment."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lengths: dict[tuple[str, str], list[int]] = {}

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        reader = searcher.reader()
        if type(scorer) is scoring.BM25FScorer and isinstance(reader, SegmentReader):
            scorer.dfl = self.field_lengths(reader, fieldname).__getitem__
        return scorer

    def field_lengths(self, reader: SegmentReader, fieldname: str) -> list[int]:
        """Each document's length of ``fieldname`` in this segment, by document number."""
        key = (reader.segment().segment_id(), fieldname)
        lengths = self._lengths.get(key)
        if lengths is None:
            lengths = [
                reader.doc_field_length(docnum, fieldname, 1)
                for docnum in range(reader.doc_count_all())
            ]
            if len(self._lengths) >= LENGTH_CACHE_SEGMENTS * len(TEXT_FIELDS):
                self._lengths.clear()
            self._lengths[key] = lengths
        return lengths


WEIGHTING = CachedLengthsBM25F(body_B=LONG_FIELD_B, file_text_B=LONG_FIELD_B)


def _text(boost: float = 1.0) -> TEXT:
    return TEXT(analyzer=EnglishAnalyzer(), stored=True, chars=True, field_boost=boost)


SCHEMA = Schema(
    asset_id=ID(stored=True, unique=True),
    title=_text(3.0),
    summary=_text(2.0),
    body=_text(),
    file_text=_text(),
    stages=KEYWORD(stored=True, commas=True),
    personas=KEYWORD(stored=True, commas=True),
    industries=KEYWORD(stored=True, commas=True),
    content_type=KEYWORD(stored=True, commas=True),
    tags=KEYWORD(stored=True, commas=True),
    status=ID(stored=True),
    live=BOOLEAN(stored=True),
    owner_id=NUMERIC(stored=True),
    published_at=NUMERIC(bits=64, stored=True, sortable=True),
    updated_at=NUMERIC(bits=64, stored=True, sortable=True),
    # Column-stored, so re-ranking reads them without loading each hit's stored text.
    review_by=NUMERIC(stored=True, sortable=True),
    # Whoosh cannot column-store floats: quality is kept in ten-thousandths.
    quality=NUMERIC(stored=True, sortable=True),
    expires=NUMERIC(),  # day ordinal; 0: never
    collaborators=KEYWORD(commas=True),  # user ids
)


def to_epoch(value: datetime | None) -> int:
    return int(value.timestamp() * 1_000_000) if value else 0


def from_epoch(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, tz=UTC)


def schema_outdated(schema: Schema) -> bool:
    """True when an index's schema is not this module's (its fields or column storage)."""
    if set(schema.names()) != set(SCHEMA.names()):
        return True
    return any(
        (schema[name].column_type is None) != (SCHEMA[name].column_type is None)
        for name in SCHEMA.names()
    )


def segment_key(reader) -> tuple[str, int] | None:
    """(segment id, deleted documents) of a segment reader; None for other readers."""
    segment = reader.segment() if isinstance(reader, SegmentReader) else None
    return None if segment is None else (segment.segment_id(), segment.deleted_count())


class WhooshWriter:
    def __init__(self, writer, fresh: bool = False, searcher=None, release=None):
        self._writer = writer
        # Called once the writer is done with ``searcher`` (committed or cancelled).
        self._release = release
        # Into an empty index (a first build, or a rebuild after a schema change) every
        # document is new: skip the delete-by-id that an update costs.
        self._add = writer.add_document if fresh else self._replace
        # Whoosh finds the old version of a document through a reader of every segment
        # that it opens for the purpose (0.4 s at 50,000 assets, on every drain). The
        # process's searcher serves when it reads exactly the segments this writer
        # starts from, since their document numbers are then the same.
        keys = [(segment.segment_id(), segment.deleted_count()) for segment in writer.segments]
        same = searcher is not None and keys == [
            segment_key(leaf) for leaf, _offset in searcher.reader().leaf_readers()
        ]
        self._searcher = searcher if same else None

    def _replace(self, **fields) -> None:
        if self._searcher is None:
            self._writer.update_document(**fields)
            return
        self._delete_id(fields["asset_id"])
        self._writer.add_document(**fields)

    def _delete_id(self, asset_id: str) -> None:
        if self._searcher is None:
            self._writer.delete_by_term("asset_id", asset_id)
            return
        for docnum in self._searcher.docs_for_query(Term("asset_id", asset_id)):
            self._writer.delete_document(docnum)

    def upsert(self, document: SearchDocument) -> None:
        self._add(
            asset_id=str(document.asset_id),
            title=document.title,
            summary=document.summary,
            body=document.body,
            file_text=document.file_text,
            stages=",".join(document.stages),
            personas=",".join(document.personas),
            industries=",".join(document.industries),
            content_type=document.content_type or "",
            tags=",".join(document.tags),
            status=document.status,
            live=document.live,
            owner_id=document.owner_id,
            published_at=to_epoch(document.published_at),
            updated_at=to_epoch(document.updated_at),
            review_by=document.review_by.toordinal() if document.review_by else 0,
            quality=round(document.quality * QUALITY_SCALE),
            expires=document.expires_on.toordinal() if document.expires_on else 0,
            collaborators=",".join(str(user_id) for user_id in document.collaborator_ids),
        )

    def delete(self, asset_id: int) -> None:
        self._delete_id(str(asset_id))

    def commit(self) -> None:
        try:
            self._writer.commit()
        finally:
            self._done()

    def cancel(self) -> None:
        try:
            self._writer.cancel()
        finally:
            self._done()

    def _done(self) -> None:
        release, self._release, self._searcher = self._release, None, None
        if release is not None:
            release()
