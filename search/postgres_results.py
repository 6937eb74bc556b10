"""What the PostgreSQL backend reads for a page of results: the hits with their
highlighted titles and summaries, each hit's best passage, and the facet counts over all
matches."""

from datetime import date

from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import array

from search.backend import FACETS, Hit, SearchRequest, best_passage
from search.postgres_query import escaped, marked
from search.postgres_table import ARRAY_FACETS, BODY_INDEXED, FILE_TEXT_INDEXED, search_documents

HEADLINE_OPTIONS = (
    "StartSel=<mark>, StopSel=</mark>, MaxFragments=1, MaxWords=35, MinWords=15, "
    'FragmentDelimiter=" … "'
)
TITLE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, HighlightAll=true"


def page_hits(connection, query, page, request: SearchRequest, missing) -> list[Hit]:
    """The page's hits, in page order, with highlights when asked for: one statement
    over the page's rows only, so ts_headline never runs on a document not shown."""
    if not page:
        return []
    table = search_documents
    ids = [asset_id for _score, asset_id in page]
    title = escaped(table.c.title)
    summary = escaped(table.c.summary)
    fragments = []
    if request.highlight:
        title = func.ts_headline("english", title, query, TITLE_OPTIONS)
        summary = func.ts_headline("english", summary, query, TITLE_OPTIONS)
        fragments = passages(query)
    opening = func.left(table.c.body, 240)
    columns = (table.c.stages, table.c.content_type, table.c.live, table.c.status)
    statement = select(
        table.c.asset_id, title, summary, opening, table.c.review_by, *columns, *fragments
    )
    rows = {row[0]: row for row in connection.execute(statement.where(table.c.asset_id.in_(ids)))}
    today = request.today or date.today()
    hits = []
    for score, asset_id in page:
        _id, shown_title, shown_summary, opening, review_by, *rest = rows[asset_id]
        stages, content_type, live, status, *found = rest
        best = best_passage(found)
        hits.append(
            Hit(
                asset_id=asset_id,
                title=marked(shown_title),
                snippet=marked(best) if best else escape(opening or ""),
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


def passages(query) -> list:
    """The best passage of the body and of the file text; the hit shows the one marking
    more different query words (the summary is shown on its own)."""
    table = search_documents
    return [
        func.ts_headline("english", escaped(field), query, HEADLINE_OPTIONS)
        for field in (
            func.left(table.c.body, BODY_INDEXED),
            func.left(table.c.file_text, FILE_TEXT_INDEXED),
        )
    ]


def facet_counts(matches):
    """The counts of each facet value over all ``matches`` (a CTE with the facet
    columns), as one JSON array of [stage, persona, industry, content type, tag, count]
    rows for ``read_facets``: a scalar subquery the ranking statement carries, so the
    matches are read once for both."""
    found = matches.c
    # Unnested side by side, the arrays of a match give as many rows as the longest one,
    # the shorter padded with NULL; the content type, as an array of one, gives every
    # match a row even when its arrays are empty, and is counted once.
    values = select(
        *(
            func.unnest(found[name] if name in ARRAY_FACETS else array([found[name]])).label(name)
            for name in FACETS
        )
    ).subquery("facet_values")
    columns = values.c
    counted = (
        select(*columns, func.count().label("matches"))
        .group_by(func.grouping_sets(*columns))
        .subquery("facet_counts")
    )
    return select(func.json_agg(func.json_build_array(*counted.c))).scalar_subquery()


def read_facets(rows: list | None) -> dict[str, list[tuple[str, int]]]:
    """facet → (value, count), most matches first, from what ``facet_counts`` gave."""
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    for *slugs, count in rows or ():
        # A row of one grouping set has its facet's value and NULL in the other columns.
        found = next(((name, slug) for name, slug in zip(FACETS, slugs, strict=True) if slug), None)
        if found:
            facets[found[0]].append((found[1], count))
    return {
        name: sorted(pairs, key=lambda pair: (-pair[1], pair[0])) for name, pairs in facets.items()
    }


def stale(review_by: date | None, today: date) -> bool:
    return review_by is not None and review_by < today
