"""The embedded search backend: a Whoosh index in the instance folder.

Facts this design respects (measured on this machine): a second process opening a
writer gets LockError at once, so `writer()` asks with timeout 0 and returns None;
opening a searcher is expensive on a large index, so each process keeps one searcher
and replaces it only when the index changed; storing character positions makes
highlighting far cheaper.
"""

import logging
import threading
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from markupsafe import Markup, escape
from whoosh import highlight, index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import And, AndNot, Every, Or, Phrase, Prefix, Term

from search.backend import (
    FACETS,
    Hit,
    SearchDocument,
    SearchRequest,
    SearchResult,
    blended_score,
)

log = logging.getLogger(__name__)
TEXT_FIELDS = ("title", "summary", "body", "file_text")
QUALITY_SCALE = 10_000
CANDIDATES = 300  # relevance window re-ranked by quality; deeper pages fall back to text order
# Titles are short: show them whole, not as a fragment around the match.
TITLE_HIGHLIGHTER = highlight.Highlighter(
    fragmenter=highlight.WholeFragmenter(), formatter=highlight.HtmlFormatter(tagname="mark")
)


def _text(boost: float = 1.0, spelling: bool = True) -> TEXT:
    return TEXT(
        analyzer=StemmingAnalyzer(),
        stored=True,
        chars=True,
        field_boost=boost,
        spelling=spelling,
    )


SCHEMA = Schema(
    asset_id=ID(stored=True, unique=True),
    title=_text(3.0),
    summary=_text(2.0),
    body=_text(),
    file_text=_text(spelling=False),
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
)


def _epoch(value: datetime | None) -> int:
    return int(value.timestamp() * 1_000_000) if value else 0


def _from_epoch(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, tz=UTC)


class WhooshWriter:
    def __init__(self, writer):
        self._writer = writer

    def upsert(self, document: SearchDocument) -> None:
        self._writer.update_document(
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
            published_at=_epoch(document.published_at),
            updated_at=_epoch(document.updated_at),
            review_by=document.review_by.toordinal() if document.review_by else 0,
            quality=round(document.quality * QUALITY_SCALE),
        )

    def delete(self, asset_id: int) -> None:
        self._writer.delete_by_term("asset_id", str(asset_id))

    def commit(self) -> None:
        self._writer.commit()

    def cancel(self) -> None:
        self._writer.cancel()


class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._searcher = None
        self._facet_cache = None
        self._lock = threading.Lock()

    def _index(self):
        self.path.mkdir(parents=True, exist_ok=True)
        if index.exists_in(str(self.path)):
            return index.open_dir(str(self.path))
        try:
            return index.create_in(str(self.path), SCHEMA)
        except LockError:  # another process is creating it right now
            return index.open_dir(str(self.path))

    def outdated(self) -> bool:
        """True when the index on disk was built with an older schema of this module;
        `search rebuild` then starts from an empty index."""
        if not index.exists_in(str(self.path)):
            return False
        schema = index.open_dir(str(self.path)).schema
        if set(schema.names()) != set(SCHEMA.names()):
            return True
        return any(
            (schema[name].column_type is None) != (SCHEMA[name].column_type is None)
            for name in SCHEMA.names()
        )

    def writer(self) -> WhooshWriter | None:
        try:
            return WhooshWriter(self._index().writer(timeout=0))
        except LockError:
            return None

    def clear(self) -> None:
        """Replace the index with an empty one (the caller holds no writer)."""
        self.path.mkdir(parents=True, exist_ok=True)
        index.create_in(str(self.path), SCHEMA)
        with self._lock:
            self._searcher = None

    def _current_searcher(self):
        """The process's searcher, replaced by a new one when the index has changed."""
        with self._lock:
            if self._searcher is None or not self._searcher.up_to_date():
                old = self._searcher
                self._searcher = self._index().searcher()
                if old is not None:
                    old.close()
            return self._searcher

    def indexed(self) -> dict[int, datetime]:
        searcher = self._current_searcher()
        return {
            int(fields["asset_id"]): _from_epoch(fields["updated_at"])
            for fields in searcher.all_stored_fields()
        }

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self._current_searcher()
        text_query = self._text_query(searcher, request)
        if text_query is None:
            return SearchResult([], 0, {})
        schema = searcher.schema
        if any(
            name not in schema.names() or schema[name].column_type is None
            for name in ("quality", "review_by")
        ):
            log.warning("The search index uses an old schema: run `flask search rebuild`.")
            return SearchResult([], 0, {})
        sort = request.sort == "newest"
        window = max(CANDIDATES, request.page * request.per_page)
        filter_query = self._filter(request)
        matching = list(searcher.docs_for_query(And([text_query, filter_query])))
        results = searcher.search(
            text_query,
            filter=filter_query,
            limit=window,
            sortedby="published_at" if sort else None,
            reverse=sort,
            terms=request.highlight,
        )
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        today = request.today or date.today()
        positions = self._ranked_positions(searcher, results, today, sort)
        start = (request.page - 1) * request.per_page
        shown = positions[start : start + request.per_page]
        if sort:
            shown = self._scored_by_relevance(searcher, text_query, results, shown, today)
        hits = [
            self._hit(results[position], score, today, request.highlight)
            for score, position in shown
        ]
        total = len(matching)
        return SearchResult(
            hits=hits,
            total=total,
            facets=self._facet_counts(searcher, matching),
            suggestion=self._suggestion(searcher, request) if total == 0 else None,
        )

    # ---- building queries -----------------------------------------------------------

    @staticmethod
    def _analyse(word: str) -> list[str]:
        return [token.text for token in SCHEMA["body"].analyzer(word, mode="query")]

    def _any_field(self, make) -> Or:
        return Or([make(name) for name in TEXT_FIELDS])

    def _text_query(self, searcher, request: SearchRequest):
        parsed = request.parsed
        parts = []
        for word in parsed.words:
            stems = self._analyse(word)
            if stems:  # stop words analyse to nothing and are skipped
                parts.append(self._any_field(lambda f, s=stems[0]: Term(f, s)))
        for phrase in parsed.phrases:
            stems = [s for word in phrase for s in self._analyse(word)]
            if len(stems) > 1:
                parts.append(self._any_field(lambda f, s=stems: Phrase(f, s)))
            elif stems:
                parts.append(self._any_field(lambda f, s=stems[0]: Term(f, s)))
        for prefix in parsed.prefixes:
            # The index holds stems, and a stem may be shorter than the typed prefix
            # (negotiation → negoti): also try the prefix with its last letters dropped.
            forms = {prefix, *self._analyse(prefix)}
            forms |= {prefix[:-cut] for cut in (1, 2) if len(prefix) - cut >= 4}
            parts.append(Or([Prefix(f, form) for f in TEXT_FIELDS for form in forms]))
        if not parts:
            return None
        query = And(parts) if len(parts) > 1 else parts[0]
        excluded = [s for word in parsed.excluded for s in self._analyse(word)]
        if excluded:
            query = AndNot(query, Or([Term(f, s) for f in TEXT_FIELDS for s in excluded]))
        return query

    @staticmethod
    def _filter(request: SearchRequest):
        clauses = [Term(name, slug) for name, slug in request.filters.items() if slug]
        if request.live_only:
            clauses.append(Term("live", True))
        if not clauses:
            return Every()
        return And(clauses) if len(clauses) > 1 else clauses[0]

    # ---- reading results ------------------------------------------------------------

    @staticmethod
    def _stale(fields: dict, today: date) -> bool:
        return bool(fields.get("review_by")) and fields["review_by"] < today.toordinal()

    @staticmethod
    def _blended(searcher, scored: list[tuple[float, int]], today: date) -> list[float]:
        """Each (relevance, docnum) blended with quality and freshness read from column
        storage (cheap: no stored text is loaded)."""
        if not scored:  # an empty index has no columns to read
            return []
        reader = searcher.reader()
        quality = reader.column_reader("quality")
        review_by = reader.column_reader("review_by")
        cutoff = today.toordinal()
        return [
            blended_score(
                score or 0.0, quality[docnum] / QUALITY_SCALE, 0 < review_by[docnum] < cutoff
            )
            for score, docnum in scored
        ]

    @classmethod
    def _ranked_positions(cls, searcher, results, today: date, newest: bool):
        """(score, position in results) in display order, re-ranked by quality and
        freshness unless sorted by date."""
        if newest:
            return [(score, position) for position, (score, _doc) in enumerate(results.top_n)]
        scores = cls._blended(searcher, results.top_n, today)
        ranked = list(zip(scores, range(len(scores)), strict=True))
        ranked.sort(key=lambda pair: pair[0], reverse=True)
        return ranked

    @classmethod
    def _scored_by_relevance(cls, searcher, text_query, results, shown, today: date):
        """Sorted by date, Whoosh reports each hit's sort key as its score: score the
        shown hits by relevance instead, as a relevance search would."""
        pairs = [(results.docnum(position), position) for _key, position in shown]
        if not pairs:
            return shown
        scored = searcher.search(text_query, filter={d for d, _p in pairs}, limit=len(pairs))
        relevance = {hit.docnum: hit.score for hit in scored}
        scores = cls._blended(searcher, [(relevance.get(d, 0.0), d) for d, _p in pairs], today)
        return [(score, position) for score, (_d, position) in zip(scores, pairs, strict=True)]

    @staticmethod
    def _hit(hit, score: float, today: date, with_highlights: bool) -> Hit:
        fields = hit.fields()
        title = escape(fields["title"])
        snippet = Markup("")
        if with_highlights:
            marked = TITLE_HIGHLIGHTER.highlight_hit(hit, "title", minscore=0)
            title = Markup(marked or title)  # noqa: S704 - Whoosh escapes stored text
            for name in ("summary", "body", "file_text"):
                fragment = hit.highlights(name)
                if fragment:
                    snippet = Markup(fragment)  # noqa: S704 - Whoosh escapes stored text
                    break
        if not snippet:
            snippet = escape((fields.get("summary") or fields.get("body") or "")[:240])
        return Hit(
            asset_id=int(fields["asset_id"]),
            title=title,
            snippet=snippet,
            score=round(score, 4),
            stages=[s for s in fields.get("stages", "").split(",") if s],
            content_type=fields.get("content_type") or None,
            stale=WhooshBackend._stale(fields, today),
            live=bool(fields.get("live")),
            status=fields.get("status", ""),
        )

    def _facet_values(self, searcher) -> dict[str, dict[int, list[str]]]:
        """docnum → facet values, built once per searcher (the index does not change
        under a searcher), so counting a search's facets is a walk over its matches."""
        cached = self._facet_cache
        if cached is not None and cached[0] is searcher:
            return cached[1]
        reader = searcher.reader()
        values: dict[str, dict[int, list[str]]] = {}
        for name in FACETS:
            by_doc: dict[int, list[str]] = {}
            for slug in reader.field_terms(name):
                for docnum in reader.postings(name, slug).all_ids():
                    by_doc.setdefault(docnum, []).append(slug)
            values[name] = by_doc
        self._facet_cache = (searcher, values)
        return values

    def _facet_counts(self, searcher, matching: list[int]) -> dict[str, list[tuple[str, int]]]:
        counts = {}
        for name, by_doc in self._facet_values(searcher).items():
            tally = Counter(slug for docnum in matching for slug in by_doc.get(docnum, ()))
            counts[name] = sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))
        return counts

    @staticmethod
    def _findable(searcher, request: SearchRequest, word: str) -> bool:
        """True when ``word`` occurs in a document this request may see."""
        stems = WhooshBackend._analyse(word)
        if not stems:
            return False
        query = Or([Term(name, stems[0]) for name in TEXT_FIELDS])
        return not searcher.search(query, filter=WhooshBackend._filter(request), limit=1).is_empty()

    @staticmethod
    def _suggestion(searcher, request: SearchRequest) -> str | None:
        """A respelt query when some word is unknown to the index, e.g. pricng → pricing."""
        parsed = request.parsed
        changed, words = False, []
        correctors = [searcher.corrector(name) for name in ("title", "summary", "body")]
        for word in parsed.words:
            known = any(searcher.doc_frequency(f, s) for f in TEXT_FIELDS for s in
                        WhooshBackend._analyse(word))  # fmt: skip
            if known or not 3 <= len(word) <= 30:
                words.append(word)
                continue
            # The spelling lists hold the words of every document, drafts included:
            # suggest only a word this request could find.
            options = [option for c in correctors for option in c.suggest(word, limit=3)]
            best = next((o for o in options if WhooshBackend._findable(searcher, request, o)), None)
            changed = changed or best is not None
            words.append(best or word)
        if not changed:
            return None
        rest = parsed.text().split()[len(parsed.words) :]
        return " ".join(words + rest)
