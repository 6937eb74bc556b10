"""How the Whoosh backend orders and shows its hits: relevance re-ranked by proximity
(search.proximity), quality and freshness read from column storage, and each shown hit
turned into a Hit with its highlighted title, summary and best passage."""

from datetime import date

from markupsafe import Markup, escape
from whoosh import highlight

from search.backend import Hit, best_passage, blended_score
from search.proximity import PROXIMITY_WINDOW, near_pairs, proximity_factor
from search.whoosh_index import QUALITY_SCALE, TEXT_FIELDS


def whole_field_highlighter() -> highlight.Highlighter:
    """A highlighter of a whole field (titles and summaries are short), one per hit: its
    formatter numbers the words it marks in a dict it keeps, which a highlighter shared
    by every search (and thread) let grow for ever and number differently each time."""
    return highlight.Highlighter(
        fragmenter=highlight.WholeFragmenter(), formatter=highlight.HtmlFormatter(tagname="mark")
    )


def stale(fields: dict, today: date) -> bool:
    return bool(fields.get("review_by")) and fields["review_by"] < today.toordinal()


def blended(searcher, scored: list[tuple[float, int]], today: date) -> list[float]:
    """Each (relevance, docnum) blended with quality and freshness read from column
    storage (cheap: no stored text is loaded)."""
    if not scored:  # an empty index has no columns to read
        return []
    reader = searcher.reader()
    quality = reader.column_reader("quality")
    review_by = reader.column_reader("review_by")
    cutoff = today.toordinal()
    return [
        blended_score(score or 0.0, quality[docnum] / QUALITY_SCALE, 0 < review_by[docnum] < cutoff)
        for score, docnum in scored
    ]


def proximity(searcher, stems: list[str], docnums: list[int]) -> dict[int, float]:
    """docnum → its proximity factor (search.proximity), read from the positions the
    index holds for each typed word's stem, for these documents only."""
    pairs = len(stems) - 1
    if pairs < 1 or not docnums:
        return {}
    reader = searcher.reader()
    wanted = sorted(set(docnums))
    fields = []
    for name in TEXT_FIELDS:
        per_word = []
        for stem in stems:
            found: dict[int, list[int]] = {}
            if (name, stem) in reader:
                postings = reader.postings(name, stem)
                for docnum in wanted:
                    if postings.id() < docnum:
                        postings.skip_to(docnum)
                    if not postings.is_active():
                        break
                    if postings.id() == docnum:
                        found[docnum] = postings.value_as("positions")
            per_word.append(found)
        fields.append(per_word)
    return {
        docnum: proximity_factor(
            near_pairs([[word.get(docnum, ()) for word in field] for field in fields]),
            pairs,
        )
        for docnum in wanted
    }


def ranked_positions(searcher, results, today: date, newest: bool, missing, stems):
    """(score, position in results) in display order, re-ranked by proximity, quality
    and freshness unless sorted by date; documents lacking fewer words first."""
    if newest:
        return [(score, position) for position, (score, _doc) in enumerate(results.top_n)]
    head = results.top_n[:PROXIMITY_WINDOW]
    near = proximity(searcher, stems, [docnum for _score, docnum in head])
    scored = [(score * near.get(docnum, 1.0), docnum) for score, docnum in results.top_n]
    scores = blended(searcher, scored, today)
    lacking = [len(missing.get(docnum, ())) for _score, docnum in results.top_n]
    ranked = list(zip(scores, range(len(scores)), strict=True))
    ranked.sort(key=lambda pair: (-lacking[pair[1]], pair[0]), reverse=True)
    return ranked


def scored_by_relevance(searcher, query, results, shown, today: date, stems):
    """Sorted by date, Whoosh reports each hit's sort key as its score: score the
    shown hits by relevance instead, as a relevance search would."""
    pairs = [(results.docnum(position), position) for _key, position in shown]
    if not pairs:
        return shown
    scored = searcher.search(query, filter={d for d, _p in pairs}, limit=len(pairs))
    near = proximity(searcher, stems, [d for d, _p in pairs])
    relevance = {hit.docnum: hit.score * near.get(hit.docnum, 1.0) for hit in scored}
    scores = blended(searcher, [(relevance.get(d, 0.0), d) for d, _p in pairs], today)
    return [(score, position) for score, (_d, position) in zip(scores, pairs, strict=True)]


def hit_of(hit, score: float, today: date, with_highlights: bool, missing) -> Hit:
    fields = hit.fields()
    title = escape(fields["title"])
    summary = escape(fields.get("summary") or "")
    snippet = Markup("")
    if with_highlights:
        whole = whole_field_highlighter()
        marked = whole.highlight_hit(hit, "title", minscore=0)
        title = Markup(marked or title)  # noqa: S704 - Whoosh escapes stored text
        if summary:
            marked_summary = whole.highlight_hit(hit, "summary", minscore=0)
            summary = Markup(marked_summary or summary)  # noqa: S704 - Whoosh escapes stored text
        # The best passage of each long field; the summary is shown on its own.
        passages = [
            hit.highlights(name, top=1) for name in ("body", "file_text") if fields.get(name)
        ]
        snippet = Markup(best_passage(passages))  # noqa: S704 - Whoosh escapes stored text
    if not snippet:
        snippet = escape((fields.get("body") or "")[:240])
    return Hit(
        asset_id=int(fields["asset_id"]),
        title=title,
        snippet=snippet,
        score=round(score, 4),
        stages=[s for s in fields.get("stages", "").split(",") if s],
        content_type=fields.get("content_type") or None,
        stale=stale(fields, today),
        live=bool(fields.get("live")),
        status=fields.get("status", ""),
        missing=missing.get(hit.docnum, []),
        summary=summary,
    )
