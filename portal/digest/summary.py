"""What a person's weekly digest says, in their role's terms.

Reps hear of new assets in the stages of their open deals, posts waiting for them and
replies to their feedback; marketers of feedback and ratings on their assets and of
requests waiting for marketing; leaders and admins get the week's headline numbers of
every report and the week's content consumption, every week. Marketers and marketing's
leaders and admins also read what the field heard: every piece of the week's feedback,
grouped (``portal.digest.field_notes``). The page and both emails render the
:class:`Digest` composed here, so they cannot disagree.

A week runs Monday to Sunday in the portal's time zone (TANDEM_TIMEZONE). Items that
happened "in the week" count by when they happened; lists of things waiting (posts,
requests, campaigns to read) are as they stand now.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from content.deals.models import Deal
from content.deals.services import format_money
from content.library.models import Asset, asset_stages
from content.library.rules import visible_assets
from content.library.services import shown_revision
from content.usage.models import Rating
from portal.digest.consumption import consumption_section
from portal.digest.contents import Digest, DigestItem, DigestSection
from portal.digest.field_notes import field_notes, hears_field_notes
from portal.digest.weeks import Week
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from portal.kernel.reporting import ReportFilters, local_today
from portal.reports.registry import Headline, in_order
from workflows.audit.models import WorkflowEvent
from workflows.campaigns.models import Campaign, CampaignRead
from workflows.feedback.models import FEEDBACK_KINDS, FieldFeedback
from workflows.posts.models import GhostPost
from workflows.requests.models import ContentRequest

# A section lists this many items and links to the full list for the rest.
MAX_ITEMS = 10
QUOTE_MAX = 280
COMMENTS_SHOWN = 3


def compose(user: User, week: Week, shared: dict | None = None) -> Digest:
    """The digest ``user`` gets for ``week``, in their role's terms.

    The leaders' sections and the field notes are the same for every reader of the week;
    a run over every recipient passes one ``shared`` dict, so each is read once instead of
    once per reader (the consumption figures alone read the week's events twice)."""
    shared = {} if shared is None else shared

    def once(key: str, build: Callable[[Week], Any]) -> Any:
        if key not in shared:
            shared[key] = build(week)
        return shared[key]

    if user.is_rep:
        sections = _rep_sections(user, week)
    elif user.role == Role.MARKETER:
        sections = _marketer_sections(user, week)
    else:
        sections = [*once("leaders", _leader_sections), once("consumption", consumption_section)]
    if hears_field_notes(user):
        sections.append(once("field notes", field_notes))
    return Digest(user, week, sections)


def _section(
    heading: str,
    query: Select,
    item: Callable[[Any], DigestItem],
    noun: tuple[str, str],
    note: str = "",
    more_link: str = "",
) -> DigestSection:
    """A section listing the first MAX_ITEMS rows of ``query``, each as ``item`` words it,
    and counting all its rows."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = [item(row) for row in db.session.scalars(query.limit(MAX_ITEMS))]
    return DigestSection(heading, items, total or 0, noun, note, more_link)


def _quote(text: str) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= QUOTE_MAX else line[: QUOTE_MAX - 1].rstrip() + "…"


def _kind(feedback: FieldFeedback) -> str:
    return FEEDBACK_KINDS.get(feedback.kind, feedback.kind)


def _in_week(column, week: Week) -> list:
    period = week.period
    return [column >= period.start, column < period.end]


# ---- reps --------------------------------------------------------------------------------


def _rep_sections(rep: User, week: Week) -> list[DigestSection]:
    return [
        _new_assets(rep, week),
        _posts_awaiting(rep),
        _feedback_replies(rep, week),
        _campaigns_to_read(rep),
    ]


def _deal_stage_ids(rep: User) -> list[int]:
    query = select(Deal.stage_id).where(
        Deal.owner_id == rep.id, Deal.status == "open", Deal.stage_id.is_not(None)
    )
    return list(db.session.scalars(query.distinct()))


def _new_assets(rep: User, week: Week) -> DigestSection:
    """Assets that first went live in the week, in the stages of the rep's open deals."""
    # An update republishes an asset; only its first publication makes it new.
    first_live = (
        select(
            WorkflowEvent.subject_id.label("asset_id"),
            func.min(WorkflowEvent.created_at).label("at"),
        )
        .where(WorkflowEvent.subject_type == "asset", WorkflowEvent.action == "publish")
        .group_by(WorkflowEvent.subject_id)
        .subquery()
    )
    went_live = func.coalesce(first_live.c.at, Asset.published_at)
    query = (
        visible_assets(rep)
        .outerjoin(first_live, first_live.c.asset_id == Asset.id)
        .where(Asset.live_clause(local_today()), *_in_week(went_live, week))
        .options(selectinload(Asset.stages), selectinload(Asset.live_revision))
        .order_by(went_live, Asset.id)
    )
    stage_ids = _deal_stage_ids(rep)
    if stage_ids:
        in_stages = select(asset_stages.c.asset_id).where(asset_stages.c.stage_id.in_(stage_ids))
        query = query.where(Asset.id.in_(in_stages))
        note = "In the stages of your open deals."
    else:
        note = "You have no open deals with a stage, so this covers every stage."

    def item(asset: Asset) -> DigestItem:
        stages = ", ".join(stage.name for stage in asset.stages)
        return DigestItem(_shown_title(asset, rep), f"/assets/{asset.id}", stages)

    return _section(
        "New in the library", query, item, ("new asset", "new assets"), note, "/library"
    )


def _posts_awaiting(rep: User) -> DigestSection:
    query = (
        select(GhostPost)
        .where(GhostPost.rep_id == rep.id, GhostPost.status == "with_rep")
        .options(selectinload(GhostPost.ghostwriter), selectinload(GhostPost.latest_revision))
        .order_by(GhostPost.due_on.is_(None), GhostPost.due_on, GhostPost.id)
    )
    return _section(
        "Posts waiting for you",
        query,
        _post_item,
        ("post waiting for you", "posts waiting for you"),
        more_link="/posts",
    )


def _post_item(post: GhostPost) -> DigestItem:
    detail = f"{post.channel_label} post from {post.ghostwriter.name}"
    if post.due_on is not None:
        detail += f", due {post.due_on:%-d %b %Y}"
    return DigestItem(post.title, f"/posts/{post.id}", detail)


def _feedback_item(feedback: FieldFeedback, title: str, detail: str, quoted: str) -> DigestItem:
    """One piece of feedback in a section, linked to its page, quoting ``quoted``."""
    return DigestItem(title, f"/feedback/{feedback.id}", detail, quotes=[_quote(quoted)])


def _feedback_replies(rep: User, week: Week) -> DigestSection:
    query = (
        select(FieldFeedback)
        .where(
            FieldFeedback.author_id == rep.id,
            FieldFeedback.reply != "",
            *_in_week(FieldFeedback.replied_at, week),
        )
        .options(selectinload(FieldFeedback.handled_by))
        .order_by(FieldFeedback.replied_at, FieldFeedback.id)
    )

    def item(feedback: FieldFeedback) -> DigestItem:
        who = feedback.handled_by.name if feedback.handled_by else "Marketing"
        title = f"{_kind(feedback)}: {_quote(feedback.text)}"
        return _feedback_item(feedback, title, f"{who} replied", feedback.reply)

    return _section("Replies to your feedback", query, item, ("reply to your feedback", "replies"))


def _campaigns_to_read(rep: User) -> DigestSection:
    today = local_today()
    read = select(CampaignRead.campaign_id).where(CampaignRead.user_id == rep.id)
    query = (
        select(Campaign)
        .where(
            Campaign.status == "published",
            Campaign.starts_on <= today,
            Campaign.ends_on >= today,
            Campaign.id.not_in(read),
        )
        .order_by(Campaign.ends_on, Campaign.id)
    )

    def item(campaign: Campaign) -> DigestItem:
        runs = f"Runs until {campaign.ends_on:%-d %b %Y}"
        return DigestItem(campaign.name, f"/campaigns/{campaign.id}", runs)

    return _section(
        "Campaign briefs to read", query, item, ("campaign brief to read", "campaign briefs")
    )


# ---- marketers ---------------------------------------------------------------------------


def _marketer_sections(marketer: User, week: Week) -> list[DigestSection]:
    return [
        _feedback_on_assets(marketer, week),
        _ratings_of_assets(marketer, week),
        _requests_waiting(),
    ]


def _feedback_on_assets(marketer: User, week: Week) -> DigestSection:
    owned = select(Asset.id).where(Asset.owner_id == marketer.id)
    query = (
        select(FieldFeedback)
        .where(FieldFeedback.asset_id.in_(owned), *_in_week(FieldFeedback.created_at, week))
        .options(
            selectinload(FieldFeedback.author),
            selectinload(FieldFeedback.asset).selectinload(Asset.latest_revision),
        )
        .order_by(FieldFeedback.created_at, FieldFeedback.id)
    )

    def item(feedback: FieldFeedback) -> DigestItem:
        revision = feedback.asset.latest_revision if feedback.asset else None
        assert revision is not None, "the query keeps feedback on the marketer's assets"
        title = f"{_kind(feedback)} on “{revision.title}”"
        return _feedback_item(feedback, title, f"From {feedback.author.name}", feedback.text)

    return _section(
        "Feedback on your assets", query, item, ("piece of feedback", "pieces of feedback")
    )


def _ratings_of_assets(marketer: User, week: Week) -> DigestSection:
    """Ratings given or changed in the week, one item per asset, best rated first."""
    rated = (
        select(
            Rating.asset_id,
            func.count(Rating.id).label("count"),
            func.avg(Rating.stars).label("average"),
        )
        .join(Asset, Asset.id == Rating.asset_id)
        .where(Asset.owner_id == marketer.id, *_in_week(Rating.updated_at, week))
        .group_by(Rating.asset_id)
    )
    rows = db.session.execute(rated.order_by(func.avg(Rating.stars).desc(), Rating.asset_id)).all()
    items = []
    for asset_id, count, average in rows[:MAX_ITEMS]:
        asset = db.session.get(Asset, asset_id)
        comments = db.session.scalars(
            select(Rating.comment)
            .where(
                Rating.asset_id == asset_id,
                Rating.comment != "",
                *_in_week(Rating.updated_at, week),
            )
            .order_by(Rating.updated_at.desc(), Rating.id.desc())
            .limit(COMMENTS_SHOWN)
        )
        ratings = "1 rating" if count == 1 else f"{count} ratings"
        assert asset is not None, "its ratings were just read"
        assert asset.latest_revision is not None, "an asset is created with its first revision"
        items.append(
            DigestItem(
                title=asset.latest_revision.title,
                link=f"/assets/{asset_id}",
                detail=f"{ratings}, average {float(average):.1f} of 5 stars",
                quotes=[_quote(comment) for comment in comments],
            )
        )
    return DigestSection(
        "Ratings of your assets", items, len(rows), ("rated asset", "rated assets")
    )


def _requests_waiting() -> DigestSection:
    """Open requests nobody in marketing has taken on yet, as they stand now."""
    query = (
        select(ContentRequest)
        .where(ContentRequest.status == "open")
        .options(selectinload(ContentRequest.requester), selectinload(ContentRequest.stage))
        .order_by(ContentRequest.due_on.is_(None), ContentRequest.due_on, ContentRequest.id)
    )
    return _section(
        "Requests waiting for marketing",
        query,
        _request_item,
        ("request waiting", "requests waiting"),
        more_link="/requests?status=open",
    )


def _request_item(content_request: ContentRequest) -> DigestItem:
    detail = f"Asked by {content_request.requester.name} on {content_request.created_at:%-d %b}"
    if content_request.stage is not None:
        detail += f" for {content_request.stage.name}"
    if content_request.due_on is not None:
        detail += f", needed by {content_request.due_on:%-d %b %Y}"
    return DigestItem(content_request.headline, f"/requests/{content_request.id}", detail)


# ---- leaders and admins ------------------------------------------------------------------


def _leader_sections(week: Week) -> list[DigestSection]:
    filters = ReportFilters(week.period)
    period = f"from={week.monday.isoformat()}&to={week.sunday.isoformat()}"
    items = []
    for spec in in_order():
        numbers = " · ".join(f"{h.label}: {headline_text(h)}" for h in spec.headlines(filters))
        items.append(DigestItem(spec.title, f"/reports/{spec.slug}?{period}", numbers))
    # Some headlines are standing figures (stages without content, reps using none), so
    # a week is never without numbers: a quiet week is itself news to a leader.
    section = DigestSection("The week in numbers", items, len(items), ("report", "reports"))
    section.label = "the week in numbers"
    return [section]


def _shown_title(asset: Asset, user: User) -> str:
    revision = shown_revision(asset, user)
    assert revision is not None, "the digest lists live assets"
    return revision.title


def headline_text(headline: Headline) -> str:
    """A headline figure as the dashboard shows it."""
    value = headline.value
    if value is None:
        return "—"
    if headline.kind == "money":
        return format_money(value)
    if headline.kind == "percent" and isinstance(value, int | float | Decimal):
        return f"{value * 100:.0f} %"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)
