"""What the PostgreSQL backend reads for a page of results: the hits with their
highlighted titles and summaries, each hit's best passage, and the facet counts over all
matches."""

from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import func, literal, select, union_all

from search.backend import FACETS, Hit, SearchRequest, best_passage
from search.postgres_query import escaped, marked
from search.postgres_table import ARRAY_FACETS, BODY_INDEXED, FILE_TEXT_INDEXED, search_documents

HEADLINE_OPTIONS = (
    "StartSel=<mark>, StopSel=</mark>, MaxFragments=1, MaxWords=35, MinWords=15, "
    'FragmentDelimiter=" … "'
)
TITLE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, HighlightAll=true"


def page_hits(connection, query, page, request: SearchRequest, missing) -> list[Hit]:
    """The page's hits, in page order, with highlights when asked for."""
    if not page:
        return []
    table = search_documents
    ids = [asset_id for _score, asset_id in page]
    title = escaped(table.c.title)
    summary = escaped(table.c.summary)
    if request.highlight:
        title = func.ts_headline("english", title, query, TITLE_OPTIONS)
        summary = func.ts_headline("english", summary, query, TITLE_OPTIONS)
    opening = func.left(table.c.body, 240)
    columns = (table.c.stages, table.c.content_type, table.c.live, table.c.status)
    statement = select(table.c.asset_id, title, summary, opening, table.c.review_by, *columns)
    rows = {row[0]: row for row in connection.execute(statement.where(table.c.asset_id.in_(ids)))}
    snippets = passages(connection, query, ids) if request.highlight else {}
    today = request.today or date.today()
    hits = []
    for score, asset_id in page:
        _id, shown_title, shown_summary, opening, review_by, *rest = rows[asset_id]
        stages, content_type, live, status = rest
        hits.append(
            Hit(
                asset_id=asset_id,
                title=marked(shown_title),
                snippet=snippets.get(asset_id) or escape(opening or ""),
                score=round(score, 4),
                stages=list(stages),
                content_type=content_type or None,
                stale=stale(review_by, today),
                live=live,
                status=status,
                missing=missing.get(asset_id, []),
                summary=marked(shown_summary or ""),
            )
        )
    return hits


def passages(connection, query, ids: list[int]) -> dict[int, Markup]:
    """The best passage of the body or the file text, per asset: of the two, the one
    marking more different query words (the summary is shown on its own)."""
    table = search_documents
    passages = [
        func.ts_headline("english", escaped(field), query, HEADLINE_OPTIONS)
        for field in (
            func.left(table.c.body, BODY_INDEXED),
            func.left(table.c.file_text, FILE_TEXT_INDEXED),
        )
    ]
    rows = connection.execute(select(table.c.asset_id, *passages).where(table.c.asset_id.in_(ids)))
    snippets = {}
    for asset_id, *fragments in rows:
        best = best_passage(fragments)
        if best:
            snippets[asset_id] = marked(best)
    return snippets


def facet_counts(connection, conditions) -> dict[str, list[tuple[str, int]]]:
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
        name: sorted(pairs, key=lambda pair: (-pair[1], pair[0])) for name, pairs in facets.items()
    }


def stale(review_by: date | None, today: date) -> bool:
    return review_by is not None and review_by < today
