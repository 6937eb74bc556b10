"""The meeting pack: what an occurrence of a meeting works from, as a list of sections.

Each section is a :class:`PackSection`: a title, the partial that renders it and the
function that loads its data for a :class:`PackContext` (the meeting, the occurrence,
the period and its previous one, and the reader). The page renders ``SECTIONS`` in order
and the printable version is the same page, so adding a section is one line here and
one partial in ``templates/alignment/``. A headline number is one :class:`Headline` in
``HEADLINES``: its label and its count for a period; its change against the previous
period is computed alike for all.

Figures come from the reports' own queries where a report counts them (content usage,
unused assets, search gaps, searches that found nothing), so the pack and the reports
never disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from content.library.models import Asset
from content.library.rules import visible_assets
from portal.alignment import queries
from portal.alignment.models import ActionItem, Decision, Meeting
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.pagination import Page
from portal.kernel.reporting import Period, ReportFilters, Sort
from portal.reports.queries.consumption import consumption_headline
from portal.reports.queries.content_usage import content_usage, totals
from portal.reports.queries.deal_stages import stage_funnel
from portal.reports.queries.gaps import unused_assets
from portal.reports.queries.search_gaps import search_gaps
from portal.reports.queries.searches import misses_total
from workflows.feedback.models import FieldFeedback
from workflows.feedback.rules import visible_feedback
from workflows.glossary.models import GlossaryTerm, GlossaryTermVersion

LISTED = 5  # rows per list of the pack; each links to its report for the rest


@dataclass(frozen=True)
class PackContext:
    meeting: Meeting
    on: date  # the occurrence
    period: Period
    previous: Period
    reader: User
    chosen_range: bool = False  # the reader chose the dates instead of the occurrence's

    @property
    def filters(self) -> ReportFilters:
        return ReportFilters(self.period)


@dataclass(frozen=True)
class Headline:
    """A headline number: ``count(period)`` for the pack's period and the one before."""

    label: str
    count: Callable[[Period], int]
    help: str = ""
    report: str = ""  # the report's slug that lists it, if one does


@dataclass
class Figure:
    label: str
    value: int
    previous: int
    help: str = ""
    report: str = ""

    @property
    def change(self) -> int:
        return self.value - self.previous


def _usage_total(key: str) -> Callable[[Period], int]:
    return lambda period: totals(ReportFilters(period)).get(key, 0)


HEADLINES: list[Headline] = [
    Headline("Assets used", _usage_total("assets"),
             "Assets viewed, downloaded, shared or used in a deal", "content-usage"),
    Headline("Reps using content", queries.reps_using_content,
             "Reps who downloaded, shared or used an asset in a deal", "rep-adoption"),
    Headline("Deals content was used in", _usage_total("used_in_deal"),
             "Assets attached to deals by reps or the CRM", "content-usage"),
    Headline("Assets published", queries.assets_published, "First published in the period"),
    Headline("Deals won", queries.deals_won, "Won deals with a close date in the period"),
    Headline("Searches that found nothing", lambda period: misses_total(ReportFilters(period)),
             "Searches on the search page with no result", "search-gaps"),
]  # fmt: skip


def headline_figures(context: PackContext) -> list[Figure]:
    return [
        Figure(h.label, h.count(context.period), h.count(context.previous), h.help, h.report)
        for h in HEADLINES
    ]


@dataclass
class Listing:
    """The first rows of a list and how many there are in all."""

    rows: list
    total: int


def consumption(context: PackContext):
    """Sales' consumption of marketing content in the period, as the reports' dashboard
    shows it: the share of active reps who used it, of live assets used, and by week."""
    return consumption_headline(context.filters)


def funnel(context: PackContext):
    """The deal stages report's funnel for the period: per buyer stage, the deals that
    reached it and how many moved on, were won or lost."""
    return stage_funnel(context.filters)


def content(context: PackContext) -> dict[str, Listing]:
    """The assets the most reps used (those the reader may open: a draft its co-authors
    read counts too), and live assets nobody used, in the period."""
    top = content_usage(context.filters, Sort("reps"), 1, LISTED)
    ids = [row.asset_id for row in top.items]
    shown = set(
        db.session.scalars(
            visible_assets(context.reader).where(Asset.id.in_(ids)).with_only_columns(Asset.id)
        )
    )
    unused = unused_assets(context.filters, Sort("published_at", descending=False), 1, LISTED)
    return {
        "top": Listing([row for row in top.items if row.asset_id in shown], top.total),
        "unused": Listing(list(unused.items), unused.total),
    }


def gaps(context: PackContext) -> Listing:
    """The queries searched most in the period without a result anyone opened."""
    found = search_gaps(context.filters, Sort("searches"), 1, LISTED)
    return Listing(list(found.items), found.total)


def feedback(context: PackContext) -> Listing:
    """Field feedback sent in the period that the reader may see, newest first."""
    period = context.period
    query = visible_feedback(context.reader).where(
        FieldFeedback.created_at >= period.start, FieldFeedback.created_at < period.end
    )
    rows = db.session.scalars(
        query.options(selectinload(FieldFeedback.author))
        .order_by(FieldFeedback.created_at.desc(), FieldFeedback.id.desc())
        .limit(LISTED)
    )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return Listing(list(rows), total)


@dataclass
class GlossaryChange:
    term: GlossaryTerm
    what: str  # "Proposed", "Reworded (version 2)", "Agreed"
    at: Any


def glossary(context: PackContext) -> Listing:
    """Terms proposed, reworded or agreed in the period, newest first."""
    period = context.period
    versions = db.session.scalars(
        select(GlossaryTermVersion)
        .where(
            GlossaryTermVersion.created_at >= period.start,
            GlossaryTermVersion.created_at < period.end,
        )
        .options(selectinload(GlossaryTermVersion.term))
    )
    agreed = db.session.scalars(
        select(GlossaryTerm).where(
            GlossaryTerm.agreed_at >= period.start, GlossaryTerm.agreed_at < period.end
        )
    )
    changes = [
        GlossaryChange(
            v.term, "Proposed" if v.number == 1 else f"Reworded (version {v.number})", v.created_at
        )
        for v in versions
    ] + [GlossaryChange(term, "Agreed", term.agreed_at) for term in agreed]
    changes.sort(key=lambda change: (change.at, change.term.id), reverse=True)
    return Listing(changes[: LISTED * 2], len(changes))


@dataclass
class Minutes:
    """An occurrence's action items (open from before, done since the last one) and what
    it recorded."""

    still_open: Page
    done: Page
    decisions: list[Decision]
    recorded: list[ActionItem]


def minutes(context: PackContext) -> Minutes:
    decisions, recorded = queries.recorded_at(context.meeting, context.on)
    return Minutes(
        queries.open_at(context.meeting, context.on, context.period),
        queries.done_in(context.meeting, context.period),
        decisions,
        recorded,
    )


@dataclass(frozen=True)
class PackSection:
    key: str
    title: str
    template: str
    load: Callable[[PackContext], Any]


# In the order the pack shows them.
SECTIONS: list[PackSection] = [
    PackSection("headlines", "Headline numbers", "alignment/_headlines.html", headline_figures),
    PackSection("funnel", "Stage funnel", "alignment/_funnel.html", funnel),
    PackSection("consumption", "Content consumption", "alignment/_consumption.html", consumption),
    PackSection("content", "Top and unused content", "alignment/_content.html", content),
    PackSection("gaps", "Search gaps", "alignment/_gaps.html", gaps),
    PackSection("feedback", "New field feedback", "alignment/_feedback.html", feedback),
    PackSection("glossary", "Glossary changes", "alignment/_glossary.html", glossary),
    PackSection("actions", "Action items", "alignment/_actions.html", minutes),
]


@dataclass
class Pack:
    context: PackContext
    sections: list[tuple[PackSection, Any]] = field(default_factory=list)

    def data(self, key: str) -> Any:
        return next(data for section, data in self.sections if section.key == key)


def build_pack(context: PackContext) -> Pack:
    """Every section's data for ``context``, in order."""
    return Pack(context, [(section, section.load(context)) for section in SECTIONS])


def summary(pack: Pack) -> str:
    """One line for the leaders' notification: the open action items first (a long line is
    cut at its end), then each headline with its change, e.g. "Assets used 12 (+3)"."""
    still_open = pack.data("actions").still_open.total
    parts = [f"{still_open} open action item{'' if still_open == 1 else 's'}"]
    parts += [f"{f.label} {f.value} ({f.change:+d})" for f in pack.data("headlines")]
    return " · ".join(parts)
