"""Relevance benchmark: does search find what people mean?

Indexes a labelled library (bench/relevance_corpus.py: assets written for this, five of
them long multi-section articles, plus generated filler assets that share their words)
into each backend, runs every labelled query (plain, partial wording, typos, synonyms,
hyphen and possessive variants, stage filters, passages deep in long articles) and prints
MRR, hits@1, hits@3 and the zero-result rate, beside the baseline measured in the same run:
strict matching (every word must match), no correction and no synonyms.

    .venv/bin/python bench/relevance_bench.py                      # both backends
    .venv/bin/python bench/relevance_bench.py --backends whoosh --json out.json
"""

import argparse
import json
import sys
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from random import Random

from relevance_corpus import ASSETS, LONG_ARTICLES, PADDING, QUERIES, SYNONYMS
from sqlalchemy import create_engine, text

from search.backend import SearchDocument, SearchRequest
from search.query import parse_query
from search.service import corrected_search
from search.synonyms import expand
from search.whoosh_backend import WhooshBackend

TODAY = date(2026, 6, 1)
DEPTH = 10  # a hit below this rank counts as not found
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def documents(filler: int, seed: int) -> list[SearchDocument]:
    """The labelled assets, then ``filler`` assets made of their sentences' words."""
    when = datetime(2026, 1, 1, tzinfo=UTC)
    docs = []
    for asset_id, (title, summary, sections, stages) in ASSETS.items():
        body = list(sections)
        if asset_id in LONG_ARTICLES:
            body = PADDING[:2] + body + PADDING[2:] + PADDING
        docs.append(_document(asset_id, title, summary, "\n\n".join(body), stages, when))
    rng = Random(seed)
    words = sorted({w for _t, s, b, _st in ASSETS.values() for w in " ".join([s, *b]).split()})
    stage_names = sorted({s for *_rest, stages in ASSETS.values() for s in stages})
    for n in range(filler):
        title = " ".join(rng.sample(words, 3)).capitalize()
        body = " ".join(rng.sample(words, 40))
        stages = tuple(rng.sample(stage_names, 1))
        docs.append(_document(1000 + n, title, "", body, stages, when))
    return docs


def _document(asset_id, title, summary, body, stages, when) -> SearchDocument:
    return SearchDocument(
        asset_id=asset_id, title=title, summary=summary, body=body, file_text="",
        stages=list(stages), personas=[], industries=[], content_type="one-pager", tags=[],
        status="published", live=True, owner_id=1, published_at=when, updated_at=when,
        review_by=None,
    )  # fmt: skip


def run_queries(backend, improved: bool) -> dict:
    """Each labelled query's rank of its expected asset (None: not in the top DEPTH)."""
    rows = []
    for query, stage, expected, kind in QUERIES:
        parsed = parse_query(query)
        request = SearchRequest(
            parsed=expand(parsed, SYNONYMS) if improved else parsed,
            filters={"stages": stage} if stage else {},
            per_page=DEPTH,
            today=TODAY,
            partial=improved,
            highlight=False,
        )
        if improved:
            _request, result, correction = corrected_search(backend, request, SYNONYMS, False)
        else:
            result, correction = backend.search(replace(request)), None
        found = [hit.asset_id for hit in result.hits]
        rank = found.index(expected) + 1 if expected in found else None
        rows.append(
            {"query": query, "stage": stage, "kind": kind, "rank": rank,
             "total": result.total, "corrected": correction}
        )  # fmt: skip
    return {"queries": rows, **summary(rows)}


def summary(rows: list[dict]) -> dict:
    count = len(rows)
    return {
        "mrr": round(sum(1 / r["rank"] for r in rows if r["rank"]) / count, 3),
        "hits_at_1": round(sum(1 for r in rows if r["rank"] == 1) / count, 3),
        "hits_at_3": round(sum(1 for r in rows if r["rank"] and r["rank"] <= 3) / count, 3),
        "zero_results": round(sum(1 for r in rows if r["total"] == 0) / count, 3),
    }


def whoosh_backend(workdir: Path):
    return WhooshBackend(workdir / "relevance-index")


def postgres_backend(url: str):
    """A PostgreSQL backend on a schema of its own, and a function that drops it."""
    from search.postgres_backend import PostgresBackend
    from search.postgres_table import create_schema

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(f"{url}?options=-csearch_path%3D{schema}")
    create_schema(engine)

    def drop():
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return PostgresBackend(engine), drop


def measure(backend, docs: list[SearchDocument]) -> dict:
    writer = backend.writer(bulk=True)
    for doc in docs:
        writer.upsert(doc)
    writer.commit()
    return {"baseline": run_queries(backend, False), "improved": run_queries(backend, True)}


def print_report(figures: dict) -> None:
    print(f"{len(QUERIES)} labelled queries, {figures['assets']} assets")
    print(f"{'backend':10} {'mode':9} {'MRR':>6} {'hits@1':>7} {'hits@3':>7} {'zero':>6}")
    for name, modes in figures["backends"].items():
        for mode in ("baseline", "improved"):
            m = modes[mode]
            print(
                f"{name:10} {mode:9} {m['mrr']:6.3f} {m['hits_at_1']:7.3f} "
                f"{m['hits_at_3']:7.3f} {m['zero_results']:6.1%}"
            )
        kinds: dict[str, list[dict]] = {}
        for row in modes["improved"]["queries"]:
            kinds.setdefault(row["kind"], []).append(row)
        by_kind = ", ".join(f"{k} {summary(rows)['mrr']:.2f}" for k, rows in kinds.items())
        print(f"{'':10} MRR by kind (improved): {by_kind}")
        misses = [r["query"] for r in modes["improved"]["queries"] if r["rank"] != 1]
        print(f"{'':10} not first (improved): {', '.join(misses) or 'none'}")
    print("Targets: MRR >= 0.9, zero-result rate <= 3 % (every query here has an answer)")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="whoosh,postgres", help="comma-separated")
    parser.add_argument("--filler", type=int, default=300, help="generated filler assets")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default=PG_URL, help="a database to add a schema to")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    docs = documents(args.filler, args.seed)
    figures: dict = {"assets": len(docs), "backends": {}}
    for name in [n.strip() for n in args.backends.split(",") if n.strip()]:
        if name == "whoosh":
            with tempfile.TemporaryDirectory() as workdir:
                figures["backends"][name] = measure(whoosh_backend(Path(workdir)), docs)
        elif name == "postgres":
            backend, drop = postgres_backend(args.postgres_url)
            try:
                figures["backends"][name] = measure(backend, docs)
            finally:
                drop()
        else:
            print(f"Unknown backend {name!r}", file=sys.stderr)
            return 2
    print_report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
