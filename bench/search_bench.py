"""Search benchmark: Tandem's own indexing and search code beside SQLite FTS5.

Generates a seeded corpus of realistic sales assets, indexes it with
``search.indexing.rebuild()``, replays a fixed set of rep queries through
``search.service.search()``, measures publish-to-searchable latency through the outbox
and the background indexer, and runs the same corpus and queries through SQLite FTS5
(bm25) in the same run as the baseline. With ``--backend postgres`` the portal's database
is PostgreSQL and its full-text backend is measured, beside the Whoosh backend built over
the same database and timed in the same run. See bench/README.md.

    .venv/bin/python bench/search_bench.py --assets 10000
    .venv/bin/python bench/search_bench.py --assets 10000 --backend postgres
"""

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

import http_bench  # beside this file, as ``python bench/search_bench.py`` runs it
from bulk_load import move_id_sequences_past_ids
from sqlalchemy import create_engine, func, insert, inspect, make_url, select, text, update
from sqlalchemy.exc import OperationalError

from content.library.markdown import plain_text
from content.library.models import (
    Asset,
    AssetRevision,
    ContentType,
    Industry,
    Persona,
    Stage,
    Tag,
    asset_industries,
    asset_personas,
    asset_stages,
    asset_tags,
)
from content.library.services import AssetInput, create_asset
from content.taxonomy.services import ensure_defaults
from content.usage.models import Rating, UsageEvent
from portal import create_app
from portal.accounts.services import create_user
from portal.kernel.extensions import db
from portal.kernel.jobs import job_queue
from portal.kernel.models import Role, User
from search import indexing
from search.backend import SearchRequest
from search.documents import all_asset_ids, load_documents
from search.models import SearchOutbox
from search.postgres_table import SEARCH_TABLE, create_schema
from search.query import parse_query
from search.service import search
from search.whoosh_backend import WhooshBackend
from workflows.review import collaborators
from workflows.review.machine import transition

# The server a PostgreSQL run makes its schema on, unless --database-url names a database.
PG_URL = os.environ.get("TANDEM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RATERS = 20  # reps who rate the corpus; an asset has up to this many ratings


def _items(text: str) -> list[str]:
    """Vocabulary written compactly: items separated by "|" or new lines."""
    return [item.strip() for item in text.replace("\n", "|").split("|") if item.strip()]


# ---- vocabularies (all names are fictional) ----------------------------------------------

PRODUCTS = _items("""Ledgerline | Beacon Analytics | Keystone Procure | Relay Workflows
    Harbor Payments | Atlas Data Hub | Summit Forecast | Pathway CRM""")
COMPETITORS = _items("""Brightbook | Coreplex | Datavane | Expensio | Fintrix | Hyperledge
    Quotient Cloud | Spendwise""")
NAME_HEADS = _items("""Halvor | Bright | North | Stone | Clear | Red | Silver | Oak | Iron | Blue
    Maple | Harbor | Cedar | Summit | Pine | Granite | Willow | Falcon | Copper | River | Aspen
    Ember | Lark | Moor | Thorn""")
NAME_TAILS = _items("""sen | water | field | bridge | ridge | gate | wood | stone | mark | dale
    view | works | point | line | crest | haven | ford | well | brook | vale""")
INDUSTRY_WORDS = {  # slug -> customer suffix, then phrases about the industry
    "financial-services": _items("Bank | credit union | SOX controls | loan officers"),
    "healthcare": _items("Health | hospital network | HIPAA | clinicians"),
    "manufacturing": _items("Manufacturing | plant | supplier quality | line supervisors"),
    "retail": _items("Retail Group | store network | seasonal demand | store managers"),
    "software": _items("Software | SaaS company | ARR growth | engineering leads"),
}
PERSONA_WORDS = {
    "cfo": "CFO",
    "cio": "CIO",
    "vp-sales": "VP Sales",
    "head-of-marketing": "Head of Marketing",
    "operations-manager": "operations manager",
    "end-user": "end user",
}
SYSTEMS = _items("""Salesforce | HubSpot | NetSuite | SAP | Workday | Slack | Microsoft Teams
    Okta | Snowflake | Zendesk | QuickBooks | Jira""")
TEAMS = _items("""finance | procurement | sales | marketing | IT | operations | legal | security
    customer success | revenue operations | accounts payable""")
METRICS = _items("""month-end close | days sales outstanding | cost per invoice | win rate
    sales cycle length | time to first value | support tickets | forecast accuracy
    seat utilisation | onboarding time | audit findings | contract turnaround""")
PROCESSES = _items("""purchase approvals | expense reports | vendor onboarding | invoice matching
    quote approvals | contract reviews | bookings forecasting | territory planning | lead routing
    budget tracking | card reconciliation | travel booking | supplier payments | accruals
    commission statements | pipeline reviews | headcount planning | cash forecasting
    policy exceptions | receipt matching | capacity planning | account planning""")
FIRST_NAMES = _items("""Priya | Marcus | Dana | Sofia | Jonas | Amara | Kenji | Lucia | Omar
    Ingrid | Tomas | Mei | Rafael | Aisha | Henrik | Nadia | Owen | Zara | Luca | Yara | Felix
    Hana | Idris | Greta | Mateo | Leila""")
LAST_NAMES = _items("""Raman | Okafor | Whitfield | Marquez | Lindqvist | Adeyemi | Tanaka
    Moretti | Haddad | Berg | Novak | Chen | Duarte | Karimi | Vogel | Petrov | Walsh | Nakamura
    Rossi | Mensah | Keller | Sato | Abara""")
ROLES = _items("""controller | head of procurement | CFO | CIO | VP of sales operations
    finance director | IT manager | sales enablement lead | AP supervisor
    chief operating officer | regional sales director | compliance officer""")
# A small grammar for everyday sentences, so that common words are common and rare ones rare.
SUBJECTS = _items("""the {team} team | the {persona} | {customer} | every regional office
    the project sponsor | the shared services centre | field reps | new hires
    the steering committee | department heads | regional managers | the data team
    each business unit | the finance leadership | store managers | plant managers
    the help desk | branch staff | the analytics group | the operations lead""")
VERBS = _items("""reduced the effort behind | standardised | automated | consolidated | tracked
    simplified | replaced spreadsheets for | centralised | streamlined | measured | sped up
    audited | reviewed | benchmarked | documented | prioritised | rebuilt | took ownership of
    cleaned up | got visibility into""")
OBJECTS = _items("""{process} | {metric} | approval chains | spend visibility | supplier records
    quarterly reporting | cost centres | ledger entries | close tasks | territory maps
    usage reports | licence counts | field data | warehouse counts | clinical supplies
    patient billing | branch budgets | store inventory | subscription metrics
    board packs | audit trails | month-end checklists | regional forecasts
    freight invoices""")
COMPLEMENTS = _items("""with {product} | in {n2} weeks | without extra headcount
    across {n} countries | using {system} | before the audit | ahead of the busy season
    for the first time | while keeping controls | with fewer manual steps | in one workspace
    at a fraction of the old cost | after a short trial run | during the switchover
    by the end of the quarter | with help from the partner team
    on mobile as well as desktop""")


@dataclass(frozen=True)
class Topic:
    name: str
    tag: str | None
    stages: tuple[str, ...]  # the stages assets on this topic usually serve
    sentences: tuple[str, ...]


def _topic(name: str, tag: str | None, stages: str, sentences: str) -> Topic:
    lines = tuple(line.strip() for line in sentences.strip().splitlines())
    return Topic(name, tag, tuple(stages.split()), lines)


TOPICS = {
    "pricing": _topic(
        "Pricing",
        "pricing",
        "decision consideration",
        """
        List pricing starts at ${n} per seat per month, with discounts above {big} seats.
        The pricing tiers are Starter, Growth and Enterprise; most {industry} buyers pick Growth.
        Annual prepay earns a {pct}% discount; multi-year terms need deal desk approval.
        Never lead with the discount: anchor on the {metric} improvement first.
        Usage-based pricing for {product} is billed quarterly in arrears.""",
    ),
    "roi": _topic(
        "ROI",
        "roi",
        "decision",
        """
        Customers typically see payback within {n} months and {pct}% lower {metric}.
        The ROI calculator models savings from automating {process} across {team}.
        Ask the {persona} for current {metric} figures before you build the business case.
        A three-year total cost of ownership comparison shows {product} {pct}% cheaper.
        Use the payback period, not the ROI multiple, when the {persona} owns the budget.""",
    ),
    "security": _topic(
        "Security questionnaire",
        "security",
        "consideration decision",
        """
        We answer the standard security questionnaire (SIG Lite or CAIQ) in {n} business days.
        {product} holds a SOC report and ISO 27001 certification, renewed every year.
        Single sign-on (SSO) through {system} and SCIM provisioning come with every tier.
        Data is encrypted at rest and in transit; customers choose EU or US hosting.
        Route penetration test requests to the security team with the NDA attached.""",
    ),
    "onboarding": _topic(
        "Onboarding checklist",
        "integration",
        "onboarding",
        """
        The onboarding checklist covers {n} steps, from kickoff to the first {process} run.
        A named onboarding manager runs weekly check-ins for the first {n} weeks.
        Training sessions for {team} users are recorded and added to the help center.
        Most customers go live in {n} weeks; {industry} customers with audits take longer.
        Adoption dashboards show the {persona} which teams have not logged in yet.
        Support SLAs promise a first response within {n} hours on business days.""",
    ),
    "integration": _topic(
        "Integration",
        "integration",
        "consideration onboarding",
        """
        The native {system} integration syncs {process} data every {n} minutes.
        A REST API and webhooks cover anything the prebuilt connectors do not.
        Integration with {system} takes about {n} days with the implementation partner.
        Field mapping templates for {system} ship with {product} out of the box.""",
    ),
    "negotiation": _topic(
        "Negotiation",
        "pricing",
        "decision",
        """
        In negotiation, trade discount for term length, never for nothing.
        Procurement will ask for a {pct}% concession; offer onboarding credits instead.
        Redlines on liability caps go to legal; payment terms go to the deal desk.
        When the {persona} asks for a discount, ask which {metric} goal it unlocks.""",
    ),
    "procurement": _topic(
        "Procurement",
        "pricing",
        "decision",
        """
        The procurement process at {industry} buyers usually needs a vendor risk assessment.
        Send the master services agreement and the DPA before the procurement kickoff.
        Expect {n} rounds of contract terms review with {team} and legal.
        Register {product} as a supplier early; vendor onboarding can take {n} weeks.""",
    ),
    "competitive": _topic(
        "Competitor",
        "competitive",
        "consideration",
        """
        Against {competitor}, lead with {metric} results and the {system} integration.
        {competitor} discounts heavily at quarter end; remind buyers of its renewal uplifts.
        This competitor battlecard lists the top objections and how to handle them.
        Customers who switched from {competitor} cite faster {process} and better support.
        {competitor} lacks native {system} sync, so {team} teams re-key data by hand.""",
    ),
    "renewal": _topic(
        "Renewal and expansion",
        "customer-story",
        "expansion",
        """
        Start the renewal conversation {n} days before the contract end date.
        Show the {persona} the {metric} trend since go-live before talking price.
        Expansion follows adoption: find the team still doing {process} in spreadsheets.
        Churn risk rises when seat utilisation falls under {pct}%.
        Upsell the analytics add-on to customers who export reports weekly.""",
    ),
    "discovery": _topic(
        "Discovery questions",
        None,
        "awareness consideration",
        """
        Good discovery questions start with the cost of doing nothing about {process}.
        Ask who signs, who uses and who blocks; the {persona} is rarely all three.
        Map the current {process} workflow before you demo anything.
        Objection handling works best when you repeat the objection in the buyer's words.""",
    ),
    "trends": _topic(
        "Industry trends",
        None,
        "awareness",
        """
        Industry trends show {industry} teams spending {pct}% more time on {process}.
        Analysts expect {metric} to matter more than headcount in the next budget cycle.
        This whitepaper explains why manual {process} breaks at {big} transactions a month.
        Executive briefing: what the {persona} should ask about automation this year.""",
    ),
    "implementation": _topic(
        "Implementation plan",
        "integration",
        "onboarding",
        """
        The implementation plan has {n} phases: design, configure, migrate, train and launch.
        Data migration from {competitor} keeps {n} years of history.
        The implementation timeline assumes a project lead on the customer side.
        A pilot with one {team} team de-risks the rollout before the company-wide launch.""",
    ),
}


@dataclass(frozen=True)
class Kind:
    """A content type: how its titles read, what it covers, how its body opens."""

    titles: list[str]
    topics: list[str]
    leads: list[str]


CONTENT_TYPES = {
    "case-study": Kind(
        _items("""{customer} cuts {metric} by {pct}% with {product}
            How {customer} automated {process}
            {industry_name} case study: {customer} and {product}"""),
        ["roi", "onboarding", "implementation", "renewal"],
        _items("""This case study shows how {customer} changed {process} with {product}.
            Use this customer story with {industry} prospects who doubt the numbers."""),
    ),
    "one-pager": Kind(
        _items("{product} {topic} one-pager | {product} for {industry_name} teams"),
        ["pricing", "security", "integration"],
        _items("""This one-pager summarises {product} for busy buyers.
            Leave this one-pager behind after the first meeting."""),
    ),
    "slide-deck": Kind(
        _items("{topic} pitch deck for the {persona} | {product} overview deck: {topic}"),
        ["trends", "discovery", "roi"],
        _items("""The deck has {n2} slides; skip the appendix unless asked.
            Present this deck to the {persona} and the buying committee."""),
    ),
    "battlecard": Kind(
        _items("{product} vs {competitor}: competitive battlecard | Winning against {competitor}"),
        ["competitive", "pricing"],
        _items("""Keep this battlecard open during calls where {competitor} is shortlisted.
            The battlecard is for internal use only; do not send it to prospects."""),
    ),
    "whitepaper": Kind(
        _items("""{topic} in {industry_name}: a practical guide
            Whitepaper: the hidden cost of manual {process}"""),
        ["trends", "security"],
        _items("""This whitepaper is gated on the website and works as a nurture asset.
            Share the whitepaper with the {persona} early in the cycle."""),
    ),
    "roi-calculator": Kind(
        _items("{product} ROI calculator for {industry_name} | Business case: {product} payback"),
        ["roi", "pricing"],
        _items("""The ROI calculator is a spreadsheet; fill in the yellow cells only.
            Walk the {persona} through the calculator instead of emailing it."""),
    ),
    "email-template": Kind(
        _items(
            "Follow-up email after the {topic} call | Email template: {topic} for the {persona}"
        ),
        ["negotiation", "renewal", "procurement", "discovery"],
        _items("""Copy this email template and personalise the first line.
            Send this email within a day of the call."""),
    ),
    "demo-script": Kind(
        _items("{product} demo script: {process} | Demo script for the {persona}"),
        ["discovery", "integration", "competitive"],
        _items("""Run this demo script in the sandbox tenant, never in production.
            The demo script takes {n2} minutes including questions."""),
    ),
}
STAGES = ["awareness", "consideration", "decision", "onboarding", "expansion"]

# What reps type: 1-3 words, a third with a stage filter ("query @stage"), two typos.
QUERIES = [
    (text.partition("@")[0].strip(), text.partition("@")[2].strip() or None)
    for text in _items("""
    pricing | roi calculator | security questionnaire @consideration | cfo
    onboarding checklist | competitor battlecard | pricing @decision | healthcare case study
    negotiation | procurement @decision | salesforce integration | discount | total cost
    roi @decision | business case | renewal | case study @consideration | data migration
    soc report | sso | onboarding @onboarding | implementation timeline | executive briefing
    training @onboarding | objection handling | discovery questions | manufacturing
    battlecard @consideration | retail case study | payback period | contract terms
    negotiation @decision | pilot | api | churn | upsell @expansion | forecast accuracy
    email template | renewal @expansion | demo script | vp sales | cfo @decision
    expense reports | industry trends @awareness | invoice matching | pricing tiers
    whitepaper @awareness | customer story | netsuite | brightbook @consideration
    fintrix pricing | hipaa @awareness | seat utilisation | roi calculator @decision
    pricng | integration @onboarding | sla | expansion @expansion | vendor risk assessment
    implementation plan @onboarding | onbording | board reporting""")
]

# ---- corpus -------------------------------------------------------------------------------


@dataclass
class CorpusAsset:
    title: str
    summary: str
    body: str
    content_type: str
    stages: list[str]
    personas: list[str]
    industries: list[str]
    tags: list[str]
    published_at: datetime
    review_by: date | None
    signal: tuple[tuple[int, ...], int] | None  # each rating's stars, ranked uses


class CorpusWriter:
    """Writes one asset's text from the vocabularies with a seeded random generator."""

    def __init__(self, rng: Random):
        self.rng = rng

    def slots(self, industry: str, persona: str, topic: str) -> dict:
        r = self.rng
        names = INDUSTRY_WORDS[industry]
        return {
            "customer": f"{r.choice(NAME_HEADS)}{r.choice(NAME_TAILS)} {names[0]}",
            "product": r.choice(PRODUCTS),
            "competitor": r.choice(COMPETITORS),
            "persona": PERSONA_WORDS[persona],
            "industry": r.choice(names[1:]),
            "industry_name": industry.replace("-", " ").title(),
            "metric": r.choice(METRICS),
            "process": r.choice(PROCESSES),
            "topic": TOPICS[topic].name,
            "pct": r.randint(8, 60),
            "n2": r.randint(3, 20),
            "big": r.choice([50, 100, 250, 500, 1000]),
        }

    def sentence(self, topics: list[str], slots: dict) -> str:
        """A topic sentence (35%), a customer quote (10%) or an everyday sentence."""
        r = self.rng
        slots = {
            **slots,
            "system": r.choice(SYSTEMS),
            "team": r.choice(TEAMS),
            "process": r.choice(PROCESSES),
            "n": r.randint(2, 12),
        }
        roll = r.random()
        if roll < 0.35:
            return r.choice(TOPICS[r.choice(topics)].sentences).format(**slots)
        if roll < 0.45:
            speaker = f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}, {r.choice(ROLES)}"
            claim = f"{r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(COMPLEMENTS)}"
            return f"“We {claim.format(**slots)},” says {speaker}."
        text = " ".join(r.choice(part) for part in (SUBJECTS, VERBS, OBJECTS, COMPLEMENTS))
        text = text.format(**slots)
        return text[0].upper() + text[1:] + "."

    def body(self, kind: Kind, topics: list[str], slots: dict) -> str:
        """150-400 words of Markdown under a few headings."""
        target = self.rng.randint(150, 400)
        headings = ["Overview", "Why it matters", "How to use it", "Proof points", "Next steps"]
        paragraphs = []
        words = 0
        while words < target:
            sentences = [self.sentence(topics, slots) for _ in range(self.rng.randint(3, 5))]
            if not paragraphs:
                sentences.insert(0, self.rng.choice(kind.leads).format(**slots))
            paragraph = " ".join(sentences)
            words += len(paragraph.split())
            paragraphs.append(f"## {headings[len(paragraphs) % len(headings)]}\n\n{paragraph}")
        return "\n\n".join(paragraphs)

    def asset(self, now: datetime) -> CorpusAsset:
        r = self.rng
        content_type = r.choice(list(CONTENT_TYPES))
        kind = CONTENT_TYPES[content_type]
        topics = r.sample(kind.topics, k=min(2, len(kind.topics))) + [r.choice(list(TOPICS))]
        industries = r.sample(list(INDUSTRY_WORDS), k=r.choice([0, 1, 1, 2]))
        personas = r.sample(list(PERSONA_WORDS), k=r.choice([1, 1, 2]))
        industry = industries[0] if industries else r.choice(list(INDUSTRY_WORDS))
        slots = self.slots(industry, personas[0], topics[0])
        stages = {r.choice(TOPICS[topics[0]].stages)}
        if r.random() < 0.35:
            stages.add(r.choice(STAGES))
        review = r.random()
        review_by = None
        if review < 0.15:  # overdue for review: ranks lower as stale
            review_by = (now - timedelta(days=r.randint(1, 300))).date()
        elif review < 0.65:
            review_by = (now + timedelta(days=r.randint(1, 400))).date()
        signal = None
        if r.random() < 0.4:
            stars = tuple(r.randint(1, 5) for _ in range(r.randint(0, RATERS)))
            signal = (stars, r.randint(0, 30))
        return CorpusAsset(
            title=r.choice(kind.titles).format(**slots)[:200],
            summary=" ".join(self.sentence(topics, slots) for _ in range(2))[:1000],
            body=self.body(kind, topics, slots),
            content_type=content_type,
            stages=sorted(stages, key=STAGES.index),
            personas=personas,
            industries=industries,
            tags=sorted({TOPICS[t].tag for t in topics if TOPICS[t].tag}),
            published_at=now - timedelta(days=r.uniform(1, 3 * 365)),
            review_by=review_by,
            signal=signal,
        )


def generate_corpus(count: int, seed: int) -> list[CorpusAsset]:
    writer = CorpusWriter(Random(seed))
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)  # fixed, so every run has the same corpus
    return [writer.asset(now) for _ in range(count)]


# ---- the Tandem side ------------------------------------------------------------------------


def build_app(workdir: Path, database_url: str, backend: str = "whoosh"):
    return create_app(
        {
            "SECRET_KEY": "bench-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_BACKEND": backend,
            "INSTANCE_PATH": str(workdir / "instance"),
            "UPLOAD_FOLDER": str(workdir / "uploads"),
            "SEARCH_INDEX_PATH": str(workdir / "search-index"),
            # Jobs run in a thread only once publish_to_searchable starts it, as the
            # first request of a web process would.
            "JOBS": "thread",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_ENABLED": False,
        }
    )


LINKS = [
    (asset_stages, "stage_id", "stages", Stage),
    (asset_personas, "persona_id", "personas", Persona),
    (asset_industries, "industry_id", "industries", Industry),
    (asset_tags, "tag_id", "tags", Tag),
]


def _asset_rows(chunk: list, owner_id: int, type_ids: dict) -> tuple[list, list]:
    assets = [
        {"id": i, "owner_id": owner_id, "content_type_id": type_ids[a.content_type],
         "status": "published", "review_by": a.review_by, "created_at": a.published_at,
         "updated_at": a.published_at, "published_at": a.published_at}
        for i, a in chunk
    ]  # fmt: skip
    revisions = [
        {"id": i, "asset_id": i, "number": 1, "title": a.title, "summary": a.summary,
         "body": a.body, "body_text": plain_text(a.body), "author_id": owner_id,
         "note": "First version", "created_at": a.published_at}
        for i, a in chunk
    ]  # fmt: skip
    return assets, revisions


def _insert_signals(chunk: list, rater_ids: list[int]) -> None:
    """Ratings and ranked uses as the rows the portal keeps: one per rating and use."""
    ratings = [
        {"asset_id": i, "user_id": rater_ids[k], "stars": stars, "comment": "",
         "created_at": a.published_at, "updated_at": a.published_at}
        for i, a in chunk if a.signal
        for k, stars in enumerate(a.signal[0])
    ]  # fmt: skip
    uses = [
        {"asset_id": i, "kind": "download", "evidence": "verified", "note": "",
         "created_at": a.published_at}
        for i, a in chunk if a.signal
        for _ in range(a.signal[1])
    ]  # fmt: skip
    if ratings:
        db.session.execute(insert(Rating.__table__), ratings)
    if uses:
        db.session.execute(insert(UsageEvent.__table__), uses)


def insert_corpus(corpus: list[CorpusAsset], owner_id: int, batch: int = 2000) -> None:
    """Write assets, revisions, taxonomy links and signals with bulk Core inserts.

    Core inserts do not pass through the outbox listeners, on purpose: the index is then
    built by ``rebuild()``, which is what the bulk figure measures.
    """
    type_ids = dict(db.session.execute(select(ContentType.slug, ContentType.id)).all())
    rater_ids = [
        create_user(f"rater{k}@bench.test", f"Bench rater {k}", Role.REP, "bench-password").id
        for k in range(RATERS)
    ]
    term_ids = {
        kind: dict(db.session.execute(select(model.slug, model.id)).all())
        for _table, _column, kind, model in LINKS
    }
    for start in range(0, len(corpus), batch):
        chunk = list(enumerate(corpus[start : start + batch], start=start + 1))
        assets, revisions = _asset_rows(chunk, owner_id, type_ids)
        db.session.execute(insert(Asset.__table__), assets)
        db.session.execute(insert(AssetRevision.__table__), revisions)
        for table, column, kind, _model in LINKS:
            rows = [
                {"asset_id": i, column: term_ids[kind][slug]}
                for i, a in chunk
                for slug in getattr(a, kind)
            ]
            if rows:
                db.session.execute(insert(table), rows)
        _insert_signals(chunk, rater_ids)
    db.session.execute(  # one revision per asset, with the asset's id: live and latest
        update(Asset).values(live_revision_id=Asset.id, latest_revision_id=Asset.id),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    leftover = db.session.scalar(select(func.count(SearchOutbox.id)))
    if leftover:
        raise RuntimeError(f"The bulk insert wrote {leftover} outbox rows; it should write none.")
    settle_after_bulk_insert()


def settle_after_bulk_insert() -> None:
    """On PostgreSQL, what a database that has run for a while has: each id sequence past
    the ids written here (the bulk insert gives explicit ids, and the publish step inserts
    more rows), and statistics. Nothing to do on SQLite, whose ids follow the largest."""
    if db.engine.dialect.name != "postgresql":
        return
    move_id_sequences_past_ids()
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def index_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def search_table_mb() -> float:
    """The PostgreSQL backend's table with its indexes and TOAST, in MB."""
    size = db.session.scalar(text(f"SELECT pg_total_relation_size('{SEARCH_TABLE}')"))
    return (size or 0) / 1e6


def time_rebuild(backend, size_mb: Callable[[], float], load: bool = True) -> dict:
    """Bulk index through ``search.indexing.rebuild()``; document loading is timed apart
    (unless not ``load``: another backend's rebuild timed it already)."""
    total, done = len(all_asset_ids()), [0]

    def progress(count: int) -> None:
        done[0] += count
        if done[0] * 10 // total != (done[0] - count) * 10 // total:
            step(f"  {done[0]:,} of {total:,} documents handed to the index writer")

    started, cpu_started = time.perf_counter(), time.process_time()
    count = indexing.rebuild(backend, progress=progress)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    figures = {
        "assets": count,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "assets_per_s": count / seconds,
        "size_mb": size_mb(),
    }
    if load:
        started = time.perf_counter()
        ids = all_asset_ids()
        for first in range(0, len(ids), indexing.BATCH):
            load_documents(ids[first : first + indexing.BATCH])
            db.session.expunge_all()
        figures["load_documents_s"] = time.perf_counter() - started
    return figures


# ---- timing queries -------------------------------------------------------------------------

MODES = {  # name -> (which queries, highlights)
    "no_filter_hl": ("plain", True),
    "stage_hl": ("staged", True),
    "all_no_hl": ("all", False),
}
MODE_LABELS = {
    "no_filter_hl": "no filter + highlights",
    "stage_hl": "stage filter + highlights",
    "all_no_hl": "all queries, no highlights",
}


def percentiles(samples_ms: list[float]) -> dict:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "n": len(samples_ms),
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "mean": statistics.fmean(samples_ms),
        "max": max(samples_ms),
    }


def _chosen(queries: list, which: str) -> list:
    if which == "plain":
        return [q for q in queries if q[1] is None]
    if which == "staged":
        return [q for q in queries if q[1] is not None]
    return list(queries)


def measure(runners: dict, queries: list, rounds: int) -> tuple[dict, dict]:
    """Percentiles per engine and mode, and the slowest time (ms) of each (query, stage,
    mode) per engine. The engines take turns query by query (in an order that rotates),
    so other work on the machine weighs on each alike and their ratios can be compared."""
    names = list(runners)
    results: dict = {name: {} for name in names}
    slowest: dict = {name: {} for name in names}
    for mode, (which, highlight) in MODES.items():
        chosen = _chosen(queries, which)
        for name in names:  # warm-up: searcher, caches, the miss path
            for query, stage in chosen:
                runners[name](query, stage, highlight)
        samples: dict = {name: [] for name in names}
        cpu: dict = {name: [] for name in names}
        turn = 0
        for _ in range(rounds):
            for query, stage in chosen:
                turn += 1
                for name in names[turn % len(names) :] + names[: turn % len(names)]:
                    started, cpu_started = time.perf_counter(), time.thread_time()
                    runners[name](query, stage, highlight)
                    elapsed = (time.perf_counter() - started) * 1000
                    cpu[name].append((time.thread_time() - cpu_started) * 1000)
                    samples[name].append(elapsed)
                    key = (query, stage, mode)
                    slowest[name][key] = max(slowest[name].get(key, 0.0), elapsed)
        for name in names:
            # CPU time is what the search cost this process, whatever else the machine
            # was doing (a PostgreSQL search's work is mostly the server's, not counted).
            results[name][mode] = {**percentiles(samples[name]), "cpu": percentiles(cpu[name])}
    return results, slowest


@contextmanager
def searching_with(app, backend) -> Iterator[None]:
    """``backend`` answers the app's searches for a while (both are built over one database)."""
    saved = app.extensions["search_backend"]
    app.extensions["search_backend"] = backend
    try:
        yield
    finally:
        app.extensions["search_backend"] = saved


def tandem_runner(app, backend, rep):
    def run(query: str, stage: str | None, highlight: bool):
        filters = {"stages": stage} if stage else {}
        with searching_with(app, backend):
            return search(rep, query, filters, per_page=20, highlight=highlight)

    return run


# Longer queries whose words rarely meet in one asset, so partial matching runs (the
# timed queries have one to three words and seldom need it).
PARTIAL_QUERIES = [
    ("pricing tiers onboarding checklist", None),
    ("security questionnaire payback period churn", None),
    ("healthcare invoice matching demo script", None),
    ("salesforce integration forecast accuracy pilot", "decision"),
    ("executive briefing objection handling api", None),
    ("retail contract terms expense reports", None),
]


def component_costs(run, queries: list) -> dict:
    """What the visibility re-check and partial matching cost inside the searches: one
    pass over every query (and PARTIAL_QUERIES) with highlights, timing the two steps by
    wrapping them."""
    import search.service as service_module

    spent: dict[str, list[float]] = {"recheck": [], "partial": []}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name].append((time.perf_counter() - started) * 1000)

        return wrapper

    keep_visible, partial = service_module.keep_visible, WhooshBackend.__dict__["_partial"]
    service_module.keep_visible = timed("recheck", keep_visible)
    WhooshBackend._partial = staticmethod(timed("partial", partial.__func__))
    totals = []
    try:
        for query, stage in queries + PARTIAL_QUERIES:
            started = time.perf_counter()
            run(query, stage, True)
            totals.append((time.perf_counter() - started) * 1000)
    finally:
        service_module.keep_visible = keep_visible
        WhooshBackend._partial = partial
    whole = sum(totals) or 1.0
    return {
        "searches": len(totals),
        **{
            name: {
                "runs": len(samples),
                "p50": statistics.median(samples) if samples else 0.0,
                "max": max(samples, default=0.0),
                "share": sum(samples) / whole,
            }
            for name, samples in spent.items()
        },
    }


# ---- publish to searchable ----------------------------------------------------------------


def _nonsense_word(rng: Random) -> str:
    return "zq" + "".join(rng.choice("bdfgklmnprtv") + rng.choice("aeiou") for _ in range(4))


def _found(word: str, asset_id: int) -> bool:
    # Asks the backend directly: the service records every empty search as a miss, and
    # polling through it would write hundreds of rows that compete with the indexer for
    # the SQLite write lock. It is the same backend call the service makes.
    request = SearchRequest(parse_query(word), per_page=5, highlight=False)
    return any(hit.asset_id == asset_id for hit in indexing.get_backend().search(request).hits)


def _drained(asset_id: int) -> bool:
    """True once the indexer has committed the asset and deleted its outbox rows."""
    waiting = db.session.scalar(
        select(func.count(SearchOutbox.id)).where(SearchOutbox.asset_id == asset_id)
    )
    db.session.rollback()  # end the read, so the next one sees the indexer's commit
    return not waiting


def _wait_until_found(word: str, asset_id: int, started: float, timeout: float) -> tuple:
    """(ms until the outbox row was gone, ms until a search found the asset); None on timeout."""
    drained_ms = None
    while time.perf_counter() - started < timeout:
        if drained_ms is None and _drained(asset_id):
            drained_ms = (time.perf_counter() - started) * 1000
        if _found(word, asset_id):
            found_ms = (time.perf_counter() - started) * 1000
            return (drained_ms if drained_ms is not None else found_ms), found_ms
        time.sleep(0.005)
    return drained_ms, None


def publish_to_searchable(
    app, marketer, reviewers: list, count: int, seed: int, timeout: float = 30.0
) -> dict:
    """Create and publish ``count`` assets one at a time; time the publish commit → found
    by a reader's search, with the search.index job run by the background job thread as
    in the embedded default. Each asset is signed off by the reviewers (and that
    committed) before the timed publish."""
    queue = job_queue(app)
    queue.broker.flush_all()  # the bulk load's wake-ups: its index is built already
    queue.start()
    rng = Random(seed + 1)
    writer = CorpusWriter(rng)
    stages = {s.slug: s for s in db.session.scalars(select(Stage))}
    found, drained, timeouts = [], [], 0
    for _ in range(count):
        word = _nonsense_word(rng)
        source = writer.asset(datetime.now(UTC))
        data = AssetInput(
            title=source.title,
            summary=source.summary,
            body=f"{source.body}\n\nInternal code word: {word}.",
            stages=[stages[slug] for slug in source.stages],
        )
        asset = create_asset(marketer, data)
        for reviewer in reviewers:
            collaborators.invite(asset, marketer, reviewer.email, "reviewer")
        transition(asset, marketer, "submit")
        for reviewer in reviewers:
            transition(asset, reviewer, "approve")
        db.session.commit()
        transition(asset, marketer, "publish")
        asset_id = asset.id
        started = time.perf_counter()
        db.session.commit()  # writes the outbox row and sends the search.index job
        drained_ms, found_ms = _wait_until_found(word, asset_id, started, timeout)
        if found_ms is None:
            timeouts += 1
            continue
        found.append(found_ms)
        drained.append(drained_ms)
    figures = percentiles(found) if len(found) > 1 else {}
    if len(drained) > 1:
        figures["drained"] = percentiles(drained)
    return {**figures, "timeouts": timeouts}


# ---- the FTS5 baseline --------------------------------------------------------------------

# Top 20 by bm25 (title weighs 10, summary 5, body 1), with the title highlighted and a
# body snippet when highlights are asked for, and the count of all matches.
_TOP = "SELECT rowid, bm25(docs, 10.0, 5.0, 1.0) FROM docs WHERE docs MATCH ?"
_TOP_MARKED = (
    "SELECT rowid, bm25(docs, 10.0, 5.0, 1.0), highlight(docs, 0, '<mark>', '</mark>'),"
    " snippet(docs, 2, '<mark>', '</mark>', '…', 20) FROM docs WHERE docs MATCH ?"
)
_ORDER = " ORDER BY bm25(docs, 10.0, 5.0, 1.0) LIMIT 20"
_STAGE = " AND stages LIKE ?"
_COUNT = "SELECT count(*) FROM docs WHERE docs MATCH ?"
FTS_SQL = {  # (stage filter, highlights) -> (top 20, count)
    (False, False): (_TOP + _ORDER, _COUNT),
    (False, True): (_TOP_MARKED + _ORDER, _COUNT),
    (True, False): (_TOP + _STAGE + _ORDER, _COUNT + _STAGE),
    (True, True): (_TOP_MARKED + _STAGE + _ORDER, _COUNT + _STAGE),
}


def fts_expression(query: str) -> str:
    """Each word quoted, so no input is read as FTS5 syntax; FTS5 ANDs the words."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


def build_fts(path: Path, corpus: list[CorpusAsset]) -> tuple[sqlite3.Connection, dict]:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIRTUAL TABLE docs USING fts5("
        "title, summary, body, stages UNINDEXED, tokenize='porter')"
    )
    rows = [
        (i, a.title, a.summary, a.body, "," + ",".join(a.stages) + ",")
        for i, a in enumerate(corpus, start=1)
    ]
    started, cpu_started = time.perf_counter(), time.process_time()
    with conn:
        conn.executemany(
            "INSERT INTO docs(rowid, title, summary, body, stages) VALUES (?, ?, ?, ?, ?)", rows
        )
    seconds = time.perf_counter() - started
    return conn, {
        "assets": len(rows),
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,
        "assets_per_s": len(rows) / seconds,
        "size_mb": path.stat().st_size / 1e6,
    }


def fts_runner(conn: sqlite3.Connection):
    def run(query: str, stage: str | None, highlight: bool):
        hits_sql, count_sql = FTS_SQL[(stage is not None, highlight)]
        params = [fts_expression(query)] + ([f"%,{stage},%"] if stage else [])
        hits = conn.execute(hits_sql, params).fetchall()
        return hits, conn.execute(count_sql, params).fetchone()[0]

    return run


# ---- report --------------------------------------------------------------------------------

ENGINE_LABELS = {"whoosh": "Whoosh", "postgres": "PostgreSQL", "fts5": "FTS5 bm25"}
WITHIN_WHOOSH = 3.0  # the PostgreSQL backend's target: at most 3x the Whoosh backend's time


def engines(figures: dict) -> list[tuple[str, dict]]:
    """(label, figures) of each engine timed: the backend measured, Whoosh beside it when
    the backend is PostgreSQL, and FTS5."""
    shown = [(ENGINE_LABELS[figures["backend"]], figures["tandem"])]
    if "whoosh" in figures:
        shown.append((ENGINE_LABELS["whoosh"], figures["whoosh"]))
    return [*shown, (ENGINE_LABELS["fts5"], figures["fts5"])]


def targets(figures: dict) -> list[dict]:
    """PASS/MISS per target (query and publish targets exist for 10k and 50k)."""
    n = figures["assets"]
    tandem = figures["tandem"]
    rate = tandem["index"]["assets_per_s"]
    lines = [{"target": "bulk indexing >= 300 assets/s", "pass": rate >= 300,
              "measured": f"{rate:,.0f} assets/s"}]  # fmt: skip
    if n <= 50_000:
        limit = 60 if n <= 10_000 else 200
        p95 = tandem["queries"]["stage_hl"]["p95"]
        lines.append({"target": f"query p95, stage filter + highlights, <= {limit} ms",
                      "pass": p95 <= limit, "measured": f"{p95:.1f} ms"})  # fmt: skip
        if n > 10_000:  # broad queries have a target at 50,000 only
            p95 = tandem["queries"]["no_filter_hl"]["p95"]
            lines.append({"target": "query p95, no filter + highlights, <= 200 ms",
                          "pass": p95 <= 200, "measured": f"{p95:.1f} ms"})  # fmt: skip
        limit = 1000 if n <= 10_000 else 2000
        publish = tandem["publish"]
        p95 = publish.get("p95")
        ok = p95 is not None and p95 < limit and not publish["timeouts"]
        shown = f"{p95:.0f} ms" if p95 is not None else "n/a"
        lines.append({"target": f"publish-to-searchable p95 < {limit} ms", "pass": ok,
                      "measured": shown + f" ({publish['timeouts']} timed out)"})  # fmt: skip
    if "whoosh" in figures:
        ours, whoosh = tandem["queries"]["stage_hl"], figures["whoosh"]["queries"]["stage_hl"]
        ratios = {stat: ours[stat] / whoosh[stat] for stat in ("p50", "p95", "mean")}
        lines.append({
            "target": f"PostgreSQL within {WITHIN_WHOOSH:.0f}x of Whoosh, stage filter + "
                      "highlights (p50, p95, mean)",
            "pass": all(ratio <= WITHIN_WHOOSH for ratio in ratios.values()),
            "measured": ", ".join(f"{stat} {ratio:.2f}x" for stat, ratio in ratios.items()),
        })  # fmt: skip
    return lines


def _row(label: str, values: list[float], fmt: str) -> str:
    """A label, each engine's figure, then the first engine's ratio to each other one."""
    cells = "".join(f"{value:>12{fmt}}" for value in values)
    ratios = "".join(
        f"{values[0] / other:>9.2f}x" if other else f"{'':>10}" for other in values[1:]
    )
    return f"{label:44}{cells}{ratios}"


def print_report(figures: dict) -> None:
    shown = engines(figures)
    tandem = figures["tandem"]
    print(
        f"\nSearch benchmark {figures['date']}: {figures['assets']:,} assets, "
        f"{figures['queries']} queries x {figures['rounds']} rounds, seed {figures['seed']}, "
        f"{figures['cpus']} CPU(s) used"
    )
    print(f"backend {figures['backend']}, database {figures['database_url']}")
    code = figures["search_code"]
    names = ("whoosh_backend.py", "postgres_backend.py", "postgres_results.py", "service.py")
    print("search code: " + ", ".join(f"{name} {code.get(name)}" for name in names) + "\n")
    print(f"load average at start / end: {figures['load_start']} / {figures['load_end']}\n")
    first = shown[0][0]
    header = "".join(f"{label:>12}" for label, _f in shown)
    header += "".join(f"{first[:4] + '÷' + label[:4]:>10}" for label, _f in shown[1:])
    print(f"{'':44}{header}")
    rows = [
        ("bulk index (assets/s)", "assets_per_s", ",.0f"),
        ("bulk index wall time (s)", "seconds", ".1f"),
        ("bulk index CPU time of this process (s)", "cpu_seconds", ".1f"),
        ("index size (MB)", "size_mb", ".1f"),
    ]
    for label, key, fmt in rows:
        print(_row(label, [f["index"][key] for _label, f in shown], fmt))
    print(f"{'  Tandem: loading documents from the DB (s)':44}"
          f"{tandem['index']['load_documents_s']:>12.1f}")  # fmt: skip
    for mode, label in MODE_LABELS.items():
        print(f"{label}, wall time ({tandem['queries'][mode]['n']} timed searches each)")
        for stat in ("p50", "p95", "p99", "mean"):
            values = [f["queries"][mode][stat] for _label, f in shown]
            print(_row(f"  {stat} (ms)", values, ".1f"))
        values = [f["queries"][mode]["cpu"]["p95"] for _label, f in shown]
        print(_row("  p95 CPU time of this process (ms)", values, ".1f"))
    if "whoosh" in figures:
        differ = [
            query
            for query, total in tandem["hits"].items()
            if total != figures["whoosh"]["hits"].get(query)
        ]
        example = f" (e.g. {', '.join(differ[:4])})" if differ else ""
        print(f"queries whose match count differs between the backends: {len(differ)} of "
              f"{len(tandem['hits'])}{example}")  # fmt: skip
    publish = tandem["publish"]
    if "p50" in publish:
        print(f"publish-to-searchable ({publish['n']} assets, {publish['timeouts']} timed out)")
        for stat in ("p50", "p95", "max"):
            print(f"{'  ' + stat + ' (ms)':44}{publish[stat]:>12.0f}")
        drained = publish["drained"]
        print(f"{'  of which indexed, p50 / p95 (ms)':44}"
              f"{drained['p50']:>6.0f} /{drained['p95']:>5.0f}")  # fmt: skip
    costs = tandem.get("costs")
    if costs:
        print(f"inside the searches ({costs['searches']} with highlights, one pass)")
        for name, label in (("recheck", "visibility re-check"), ("partial", "partial matching")):
            cost = costs[name]
            print(f"  {label}: ran {cost['runs']} times, p50 {cost['p50']:.2f} ms, "
                  f"max {cost['max']:.2f} ms, {cost['share']:.1%} of search time")  # fmt: skip
    print("\nTargets (set for one core):")
    for line in figures["targets"]:
        print(f"  {'PASS' if line['pass'] else 'MISS'}  {line['target']}: {line['measured']}")


def profile_slowest(run, slowest: dict, count: int) -> None:
    worst = sorted(slowest.items(), key=lambda item: -item[1])[:count]
    for (query, stage, mode), elapsed in worst:
        print(f"\n--- cProfile: {query!r} stage={stage} {mode} (slowest {elapsed:.0f} ms) ---")
        profiler = cProfile.Profile()
        profiler.runcall(run, query, stage, MODES[mode][1])
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def explain_slowest(run, slowest: dict, count: int, mode: str = "stage_hl") -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement a search on the PostgreSQL backend
    issues, for the ``count`` slowest searches of ``mode``: each statement is recorded as
    the search runs, then run again under EXPLAIN with the same parameters."""
    from sqlalchemy import event

    worst = [item for item in slowest.items() if item[0][2] == mode]
    worst.sort(key=lambda item: -item[1])
    for (query, stage, _mode), elapsed in worst[:count]:
        statements: list = []

        def record(_conn, _cursor, statement, parameters, _context, _many, into=statements):
            into.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            run(query, stage, MODES[mode][1])
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        print(f"\n--- EXPLAIN: {query!r} stage={stage} {mode} (slowest {elapsed:.0f} ms) ---")
        with db.engine.connect() as conn:
            for statement, parameters in statements:
                if SEARCH_TABLE not in statement or not statement.lstrip().startswith(
                    ("SELECT", "WITH")
                ):
                    continue
                plan = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                ).scalars()
                print(f"\n{statement}\n{parameters}\n" + "\n".join(plan))
            conn.rollback()


# ---- main ------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=10_000, help="corpus size")
    parser.add_argument(
        "--queries", type=int, default=len(QUERIES), help="how many of the fixed queries to run"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--publish", type=int, default=20, help="assets for publish latency")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--backend",
        choices=("whoosh", "postgres"),
        help="the search backend measured (default whoosh, or the kept build's with --reuse)",
    )
    parser.add_argument(
        "--database-url",
        help="the portal's database (created if missing; empty unless --reuse). Default: a "
        "SQLite file in the workdir, or for postgres a new schema on TANDEM_BENCH_PG_URL "
        f"({PG_URL}), dropped afterwards unless --keep",
    )
    parser.add_argument(
        "--no-whoosh",
        action="store_true",
        help="with --backend postgres, do not also build and time the Whoosh backend",
    )
    parser.add_argument("--workdir", type=Path, help="an empty folder for the databases/index")
    parser.add_argument("--keep", action="store_true", help="keep the workdir afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time a workdir kept by --keep again, without building it (implies --keep)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--all-cpus", action="store_true", help="do not pin to one CPU (targets are for one)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="K", help="cProfile the K slowest searches"
    )
    parser.add_argument(
        "--explain",
        type=int,
        default=0,
        metavar="K",
        help="postgres: EXPLAIN (ANALYZE, BUFFERS) the statements of the K slowest searches "
        "with a stage filter and highlights",
    )
    return parser.parse_args(argv)


def code_fingerprint() -> dict:
    """Hashes of the search package's files, since its code changes between runs."""
    folder = Path(indexing.__file__).parent
    files = sorted(folder.glob("*.py"))
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in files}


def _load() -> str:
    """The 1-minute load average: other work on the machine shows up in wall times."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pin_to_one_cpu(all_cpus: bool) -> int:
    if not hasattr(os, "sched_setaffinity"):
        return os.cpu_count() or 1
    if not all_cpus:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    return len(os.sched_getaffinity(0))


TEAMS = ("sales", "marketing")
BUILT = "build.json"  # in the workdir: the build's figures, for --reuse


def bench_users() -> tuple[int, int, list[int]]:
    """(marketer id, rep id, reviewer ids): created on a first build, found on --reuse."""
    found = {user.email: user.id for user in db.session.scalars(select(User))}
    if "rep@bench.test" in found:
        return (
            found["marketer@bench.test"],
            found["rep@bench.test"],
            [found[f"{team}@bench.test"] for team in TEAMS],
        )
    marketer = create_user("marketer@bench.test", "Bench Marketer", Role.MARKETER, "bench-password")
    rep = create_user("rep@bench.test", "Bench Rep", Role.REP, "bench-password")
    reviewer_ids = [
        create_user(f"{team}@bench.test", f"Bench {team}", Role.LEADER, "bench-password", team).id
        for team in TEAMS
    ]
    db.session.commit()
    return marketer.id, rep.id, reviewer_ids


def whoosh_beside(app, args, workdir: Path) -> WhooshBackend | None:
    """The Whoosh backend over the same database, timed beside the PostgreSQL one."""
    if args.backend != "postgres" or args.no_whoosh:
        return None
    memory = app.config["SEARCH_REBUILD_MEMORY_MB"]
    return WhooshBackend(workdir / "search-index", rebuild_memory_mb=memory)


def build(args, corpus: list[CorpusAsset], workdir: Path, marketer_id: int, whoosh) -> dict:
    """Insert and index the corpus and load FTS5 (or, with --reuse, read what a kept
    workdir's build measured): {"index": the backend's figures, "whoosh": those of the
    Whoosh backend beside it, "fts5": FTS5's, and which backend and database}."""
    built = workdir / BUILT
    if args.reuse:
        return json.loads(built.read_text())
    step(f"inserting {len(corpus):,} assets")
    insert_corpus(corpus, marketer_id)
    backend = indexing.get_backend()
    step(f"indexing through search.indexing.rebuild() ({backend.name})")
    if backend.name == "postgres":
        index = time_rebuild(backend, search_table_mb)
    else:
        index = time_rebuild(backend, lambda: index_size_mb(workdir / "search-index"))
    figures = {"backend": args.backend, "database_url": args.database_url, "index": index}
    if whoosh is not None:
        step("indexing the same database with the Whoosh backend")
        size = lambda: index_size_mb(workdir / "search-index")  # noqa: E731
        figures["whoosh"] = time_rebuild(whoosh, size, load=False)
    step("loading the FTS5 baseline")
    conn, figures["fts5"] = build_fts(workdir / "fts5.db", corpus)
    conn.close()
    built.write_text(json.dumps(figures, indent=2))
    return figures


def catch_up(backend) -> None:
    """Index into a backend the indexer does not feed (Whoosh beside PostgreSQL) the
    assets the publish steps of earlier runs added, so both search the same assets."""
    missing = sorted(set(all_asset_ids()) - set(backend.indexed()))
    if not missing:
        return
    step(f"indexing the {len(missing)} assets published since into the Whoosh backend too")
    documents, _gone = load_documents(missing)
    writer = backend.writer()
    for document in documents:
        writer.upsert(document)
    writer.commit()


def run_benchmark(app, args, corpus: list[CorpusAsset], workdir: Path) -> dict:
    queries = [QUERIES[i % len(QUERIES)] for i in range(args.queries)]
    db.create_all()
    if args.backend == "postgres":
        create_schema(db.engine)  # a migrated database has it; create_all does not
    ensure_defaults()
    marketer_id, rep_id, reviewer_ids = bench_users()
    whoosh = whoosh_beside(app, args, workdir)
    built = build(args, corpus, workdir, marketer_id, whoosh)
    if whoosh is not None and "whoosh" not in built:
        sys.exit(f"{workdir} was built without the Whoosh backend: reuse it with --no-whoosh.")
    if whoosh is not None:
        catch_up(whoosh)
    rep = db.session.get(User, rep_id)
    run = tandem_runner(app, indexing.get_backend(), rep)
    runners = {"tandem": run}
    if whoosh is not None:
        runners["whoosh"] = tandem_runner(app, whoosh, rep)
    conn = sqlite3.connect(workdir / "fts5.db")
    runners["fts5"] = fts_runner(conn)
    step(f"replaying queries: {', '.join(runners)}, taking turns")
    timed, slowest = measure(runners, queries, args.rounds)
    conn.close()
    hits = {
        name: {f"{q} @{s or '-'}": runners[name](q, s, False).result.total for q, s in queries}
        for name in runners
        if name != "fts5"
    }
    costs = component_costs(run, queries)
    step(f"publish-to-searchable for {args.publish} assets")
    marketer = db.session.get(User, marketer_id)
    reviewers = [db.session.get(User, reviewer_id) for reviewer_id in reviewer_ids]
    # A reused workdir holds the assets earlier runs published, code words included: new
    # words, or a search for a word would find those first and miss the new asset.
    seed = args.seed + (len(all_asset_ids()) if args.reuse else 0)
    publish = publish_to_searchable(app, marketer, reviewers, args.publish, seed)
    if whoosh is not None:
        catch_up(whoosh)
    figures = {
        "backend": args.backend,
        "database_url": args.database_url,
        "date": date.today().isoformat(),
        "load_start": args.load_start,
        "load_end": _load(),
        "assets": args.assets,
        "queries": len(queries),
        "rounds": args.rounds,
        "seed": args.seed,
        "cpus": args.cpus,
        "search_code": args.fingerprint,
        "tandem": {
            "index": built["index"],
            "queries": timed["tandem"],
            "publish": publish,
            "hits": hits["tandem"],
            "costs": costs,
        },
        "fts5": {"index": built["fts5"], "queries": timed["fts5"]},
    }
    if whoosh is not None:
        figures["whoosh"] = {
            "index": built["whoosh"],
            "queries": timed["whoosh"],
            "hits": hits["whoosh"],
        }
    figures["targets"] = targets(figures)
    print_report(figures)
    if args.profile:
        profile_slowest(run, slowest["tandem"], args.profile)
    if args.explain and args.backend == "postgres":
        explain_slowest(run, slowest["tandem"], args.explain)
    return figures


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names when it does not exist yet."""
    engine = create_engine(url)
    try:
        with engine.connect():
            return
    except OperationalError as error:
        if "does not exist" not in str(error):
            raise
    finally:
        engine.dispose()
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    step(f"created the PostgreSQL database {name}")


def holds_assets(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("assets"):
                return False
            return bool(conn.scalar(text("SELECT count(*) FROM assets")))
    finally:
        engine.dispose()


@contextmanager
def portal_database(args, workdir: Path) -> Iterator[str]:
    """The portal's database URL: --database-url (made if missing), a SQLite file in the
    workdir (Whoosh), or a new PostgreSQL schema, dropped afterwards unless --keep."""
    if args.database_url:
        if make_url(args.database_url).get_backend_name() == "postgresql":
            ensure_database(args.database_url)
        if not args.reuse and holds_assets(args.database_url):
            sys.exit(f"{args.database_url} already holds assets; give an empty database.")
        yield args.database_url
        return
    database = "sqlite" if args.backend == "whoosh" else "postgres"
    with http_bench.scratch_database(database, PG_URL, workdir, "search_bench", args.keep) as url:
        yield url


def main(argv=None) -> int:
    args = parse_args(argv)
    args.cpus = pin_to_one_cpu(args.all_cpus)
    args.fingerprint = code_fingerprint()
    args.load_start = _load()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tandem-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.reuse:
        if not (workdir / BUILT).exists():
            sys.exit(f"{workdir} holds no kept build; build one with --keep first.")
        args.keep, corpus = True, []
        kept = json.loads((workdir / BUILT).read_text())
        args.assets = kept["index"]["assets"]
        # Builds kept before the benchmark knew PostgreSQL were Whoosh on SQLite.
        args.backend = args.backend or kept.get("backend", "whoosh")
        args.database_url = args.database_url or kept.get("database_url")
        if args.backend != kept.get("backend", "whoosh"):
            sys.exit(f"{workdir} was built with the {kept.get('backend', 'whoosh')} backend.")
        step(f"reusing the {args.assets:,} assets built in {workdir} ({args.backend})")
    elif any(workdir.iterdir()):
        sys.exit(f"{workdir} is not empty; give an empty or new --workdir.")
    else:
        args.backend = args.backend or "whoosh"
        step(f"generating {args.assets:,} assets (seed {args.seed}) in {workdir}")
        corpus = generate_corpus(args.assets, args.seed)
    try:
        with portal_database(args, workdir) as url:
            args.database_url = url
            app = build_app(workdir, url, args.backend)
            with app.app_context():
                figures = run_benchmark(app, args, corpus, workdir)
                db.session.remove()
                db.engine.dispose()
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
    finally:
        if args.keep:
            step(f"kept {workdir} (database {args.database_url})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
