"""The embedded search backend: a Whoosh index in the instance folder.

Facts this design respects (measured on this machine): a second process opening a
writer gets LockError at once, so `writer()` asks with timeout 0 and returns None;
opening a searcher is expensive on a large index, so each process keeps one searcher
and replaces it only when the index changed; storing character positions makes
highlighting far cheaper.
"""

import logging
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from markupsafe import Markup, escape
from whoosh import highlight, index
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import And, AndNot, Every, Not, NumericRange, Or, Phrase, Prefix, Term
from whoosh.support.levenshtein import damerau_levenshtein

from search.analysis import EnglishAnalyzer
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
# Extracted file text is too noisy (hyphenation, headers) to suggest spellings from.
SPELLING_FIELDS = ("title", "summary", "body")
QUALITY_SCALE = 10_000
CREATE_ATTEMPTS = 3
FILTER_CACHE_SIZE = 256  # filter combinations kept per searcher
CANDIDATES = 300  # relevance window re-ranked by quality; deeper pages fall back to text order
# Titles are short: show them whole, not as a fragment around the match.
TITLE_HIGHLIGHTER = highlight.Highlighter(
    fragmenter=highlight.WholeFragmenter(), formatter=highlight.HtmlFormatter(tagname="mark")
)


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


def _epoch(value: datetime | None) -> int:
    return int(value.timestamp() * 1_000_000) if value else 0


def _from_epoch(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, tz=UTC)


def _matching(searcher, query) -> set[int]:
    """Every document ``query`` matches, by set algebra over posting lists where the query
    is made of terms (Whoosh's matchers step through a union one document at a time in
    Python, which dominated broad searches); phrases and prefixes go through Whoosh."""
    if isinstance(query, Term):
        reader = searcher.reader()
        if (query.fieldname, query.text) not in reader:
            return set()
        return set(reader.postings(query.fieldname, query.text).all_ids())
    if isinstance(query, Or):
        found: set[int] = set()
        for part in query.subqueries:
            found |= _matching(searcher, part)
        return found
    if isinstance(query, And):
        parts = iter(query.subqueries)
        found = _matching(searcher, next(parts))
        for part in parts:
            if not found:
                break
            found &= _matching(searcher, part)
        return found
    if isinstance(query, AndNot):
        return _matching(searcher, query.a) - _matching(searcher, query.b)
    return set(searcher.docs_for_query(query))


def _schema_outdated(schema: Schema) -> bool:
    """True when an index's schema is not this module's (its fields or column storage)."""
    if set(schema.names()) != set(SCHEMA.names()):
        return True
    return any(
        (schema[name].column_type is None) != (SCHEMA[name].column_type is None)
        for name in SCHEMA.names()
    )


class WhooshWriter:
    def __init__(self, writer, fresh: bool = False):
        self._writer = writer
        # Into an empty index (a first build, or a rebuild after a schema change) every
        # document is new: skip the delete-by-id that an update costs.
        self._add = writer.add_document if fresh else writer.update_document

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
            published_at=_epoch(document.published_at),
            updated_at=_epoch(document.updated_at),
            review_by=document.review_by.toordinal() if document.review_by else 0,
            quality=round(document.quality * QUALITY_SCALE),
            expires=document.expires_on.toordinal() if document.expires_on else 0,
            collaborators=",".join(str(user_id) for user_id in document.collaborator_ids),
        )

    def delete(self, asset_id: int) -> None:
        self._writer.delete_by_term("asset_id", str(asset_id))

    def commit(self) -> None:
        self._writer.commit()

    def cancel(self) -> None:
        self._writer.cancel()


class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: str | Path, rebuild_memory_mb: int = 512):
        self.path = Path(path)
        self.rebuild_memory_mb = rebuild_memory_mb
        self._searcher = None
        self._facet_cache: tuple[object, dict[str, dict[str, set[int]]]] | None = None
        self._filter_cache: tuple[object, dict] | None = None
        self._lock = threading.Lock()
        # Held while the index's files are replaced or opened (see _index).
        self._create_lock = threading.RLock()

    def _index(self):
        # Creating an index first deletes the folder's index files, so two threads (the
        # indexer replacing an outdated index, a search opening it) must not do it at
        # once; another process doing it makes a file vanish mid-read: try again.
        with self._create_lock:
            self.path.mkdir(parents=True, exist_ok=True)
            for _attempt in range(CREATE_ATTEMPTS):
                try:
                    if index.exists_in(str(self.path)):
                        return index.open_dir(str(self.path))
                    return index.create_in(str(self.path), SCHEMA)
                except LockError:  # another process is creating it right now
                    return index.open_dir(str(self.path))
                except FileNotFoundError:
                    time.sleep(0.05)
            return index.open_dir(str(self.path))

    def outdated(self) -> bool:
        """True when the index on disk was built with an older schema of this module;
        `search rebuild` then starts from an empty index."""
        with self._create_lock:
            if not index.exists_in(str(self.path)):
                return False
            return _schema_outdated(index.open_dir(str(self.path)).schema)

    def writer(self, bulk: bool = False) -> WhooshWriter | None:
        with self._create_lock:
            store = self._index()
            try:
                # A rebuild sorts its postings in memory as far as it may: past the limit
                # Whoosh spills sorted runs to disk (one pickle per posting) and merges
                # them at the commit, which is slow (see bench/README.md).
                limit = {"limitmb": self.rebuild_memory_mb} if bulk else {}
                writer = store.writer(timeout=0, **limit)
            except LockError:
                return None
            # Read under the writer's lock, so no other writer can add documents meanwhile.
            return WhooshWriter(writer, fresh=store.doc_count_all() == 0)

    def clear(self) -> None:
        """Replace the index with an empty one (the caller holds no writer)."""
        with self._create_lock:
            self.path.mkdir(parents=True, exist_ok=True)
            index.create_in(str(self.path), SCHEMA)
        with self._lock:
            self._searcher = None

    def _current_searcher(self):
        """The process's searcher, replaced by a new one when the index has changed."""
        with self._lock, self._create_lock:
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
        if _schema_outdated(searcher.schema):
            log.warning("The search index uses an old schema: run `flask search rebuild`.")
            return SearchResult([], 0, {})
        sort = request.sort == "newest"
        window = max(CANDIDATES, request.page * request.per_page)
        allowed = self._allowed(searcher, request)
        if allowed is not None and not allowed:  # Whoosh reads an empty filter as none
            return SearchResult([], 0, {})
        matching = _matching(searcher, text_query)
        if allowed is not None:
            matching &= allowed
        if not matching:  # Whoosh reads an empty filter as none
            return SearchResult(
                hits=[],
                total=0,
                facets=self._facet_counts(searcher, matching),
                suggestion=self._suggestion(searcher, request),
            )
        # The hits are drawn from ``matching`` itself, not from Whoosh's own evaluation of
        # the query: its AndNot matcher lets some excluded documents through, and the list
        # must never show what the count (and the exclusion) removed.
        results = searcher.search(
            text_query,
            filter=matching,
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
        excluded = [
            Term(f, stem) for word in parsed.excluded for stem in self._analyse(word)
            for f in TEXT_FIELDS
        ]  # fmt: skip
        for phrase in parsed.excluded_phrases:
            stems = [s for word in phrase for s in self._analyse(word)]
            if len(stems) > 1:
                excluded += [Phrase(f, stems) for f in TEXT_FIELDS]
            elif stems:
                excluded += [Term(f, stems[0]) for f in TEXT_FIELDS]
        if excluded:
            query = AndNot(query, Or(excluded))
        return query

    @staticmethod
    def _facet_clauses(request: SearchRequest) -> list:
        return [Term(name, slug) for name, slug in request.filters.items() if slug]

    @classmethod
    def _filter(cls, request: SearchRequest, for_user: bool = True):
        """What the request may see as a query: its facet filters and, for readers, live
        assets not past their expiry date (plus, ``for_user``, the assets they were
        invited to)."""
        clauses = cls._facet_clauses(request)
        if request.live_only:
            today = (request.today or date.today()).toordinal()
            readable = And([Term("live", True), Not(NumericRange("expires", 1, today - 1))])
            if for_user and request.user_id is not None:
                readable = Or([readable, Term("collaborators", str(request.user_id))])
            clauses.append(readable)
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

    def _allowed(self, searcher, request: SearchRequest) -> set[int] | None:
        """The documents a request's filters let through (None: all of them).

        The part shared by every reader (facet filters, live and not expired) is kept per
        searcher: "live only" alone lets nearly every document through, and building
        that set twice per search was a fifth of a search's time. A reader's own drafts
        (assets they were invited to) are added to it per search.
        """
        shared = self._shared_allowed(searcher, request)
        if not request.live_only or request.user_id is None or shared is None:
            return shared
        user = str(request.user_id)
        if ("collaborators", user) not in searcher.reader():
            return shared
        mine = And([Term("collaborators", user), *self._facet_clauses(request)])
        theirs = set(searcher.docs_for_query(mine))
        return shared | theirs if theirs - shared else shared

    def _shared_allowed(self, searcher, request: SearchRequest) -> set[int] | None:
        today = (request.today or date.today()).toordinal() if request.live_only else None
        facets = tuple(sorted((k, v) for k, v in request.filters.items() if v))
        key = (request.live_only, today, facets)
        if key == (False, None, ()):
            return None
        cached = self._filter_cache
        if cached is None or cached[0] is not searcher:
            cached = (searcher, {})
            self._filter_cache = cached
        sets = cached[1]
        allowed = sets.get(key)  # one lookup: another thread may clear the dict meanwhile
        if allowed is None:
            allowed = set(searcher.docs_for_query(self._filter(request, for_user=False)))
            if len(sets) >= FILTER_CACHE_SIZE:
                sets.clear()
            sets[key] = allowed
        return allowed  # shared between searches: read it, never change it

    def _facet_values(self, searcher) -> dict[str, dict[str, set[int]]]:
        """facet → value → the documents carrying it, built once per searcher (the index
        does not change under a searcher), so counting a search's facets is a few set
        intersections done in C rather than a Python walk over every match."""
        cached = self._facet_cache
        if cached is not None and cached[0] is searcher:
            return cached[1]
        reader = searcher.reader()
        values = {
            name: {
                slug: set(reader.postings(name, slug).all_ids())
                for slug in reader.field_terms(name)
            }
            for name in FACETS
        }
        self._facet_cache = (searcher, values)
        return values

    def _facet_counts(self, searcher, matching: set[int]) -> dict[str, list[tuple[str, int]]]:
        counts = {}
        for name, by_value in self._facet_values(searcher).items():
            tally = [(slug, len(docs & matching)) for slug, docs in by_value.items()]
            counts[name] = sorted(
                ((slug, n) for slug, n in tally if n), key=lambda pair: (-pair[1], pair[0])
            )
        return counts

    @staticmethod
    def _surface_forms(searcher, request: SearchRequest, stem: str) -> set[str]:
        """The words, as written, that analyse to ``stem`` in a few documents this
        request may see (none when it may see none)."""
        query = Or([Term(name, stem) for name in TEXT_FIELDS])
        hits = searcher.search(query, filter=WhooshBackend._filter(request), limit=3)
        analyzer = SCHEMA["body"].analyzer
        forms = set()
        for hit in hits:
            fields = hit.fields()
            for name in SPELLING_FIELDS:
                for token in analyzer(fields.get(name) or "", keeporiginal=True):
                    if token.text == stem:
                        forms.add(token.original.lower())
        return forms

    @staticmethod
    def _suggestion(searcher, request: SearchRequest) -> str | None:
        """A respelt query when some word is unknown to the index, e.g. pricng → pricing.

        The index holds stems only (a separate list of whole words doubled indexing
        time), so the nearest stems are found first, then turned back into the word as
        written in a document the request may see that looks most like the one typed.
        """
        parsed = request.parsed
        changed, words = False, []
        correctors = [searcher.corrector(name) for name in SPELLING_FIELDS]
        for word in parsed.words:
            typed = word.lower()
            stems = WhooshBackend._analyse(typed)
            known = any(searcher.doc_frequency(f, s) for f in TEXT_FIELDS for s in stems)
            if known or not 3 <= len(word) <= 30:
                words.append(word)
                continue
            # prefix=1: assume the first letter is right, so only that part of the term
            # list is compared (a scan of every term is slow on a large index).
            candidates = {
                option
                for corrector in correctors
                for form in {typed, *stems}
                for option in corrector.suggest(form, limit=3, prefix=1)
            }
            # Porter stems can be much shorter than the word (negotiation → negoti), too
            # far from a misspelling to be suggested above: try the typed word's prefixes.
            reader = searcher.reader()
            candidates |= {
                typed[:end]
                for end in range(4, len(typed))
                if any((name, typed[:end]) in reader for name in SPELLING_FIELDS)
            }
            forms = set()
            for stem in candidates:
                forms |= WhooshBackend._surface_forms(searcher, request, stem)
            # Fewest edits from what was typed first, then the shorter word, then A-Z.
            best = min(
                forms, key=lambda f: (damerau_levenshtein(typed, f), len(f), f), default=None
            )
            changed = changed or best is not None
            words.append(best or word)
        if not changed:
            return None
        rest = parsed.text().split()[len(parsed.words) :]
        return " ".join(words + rest)
