"""What the field heard this week, for marketers and marketing leaders: every piece of
field feedback sent in the week, whatever it is about, grouped by kind and stage, with
how much feedback is open now and the oldest that nobody has answered.

Open feedback is new or acknowledged (not yet acted on), as it stands now; unanswered is
open feedback without a reply. Marketing's own assets' feedback also has its own section;
this one is the week's whole picture, including general and campaign feedback.
"""

from collections import defaultdict
from urllib.parse import urlencode

from sqlalchemy import func, select

from content.library.models import Stage
from portal.digest.contents import DigestItem, DigestSection
from portal.digest.weeks import Week
from portal.kernel.extensions import db
from portal.kernel.models import Role, User
from workflows.feedback.models import FEEDBACK_KINDS, FeedbackStatus, FieldFeedback

GROUPS_SHOWN = 10
QUOTES_PER_GROUP = 5
QUOTE_MAX = 280
OPEN = (FeedbackStatus.NEW, FeedbackStatus.ACKNOWLEDGED)
NO_STAGE = "No stage"


def hears_field_notes(user: User) -> bool:
    """Marketers, and leaders and admins of the marketing department, read the week's
    field notes."""
    if user.role == Role.MARKETER:
        return True
    return user.role in (Role.LEADER, Role.ADMIN) and user.department == "marketing"


def _quote(text: str) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= QUOTE_MAX else line[: QUOTE_MAX - 1].rstrip() + "…"


def _week_feedback(week: Week) -> list:
    """The week's feedback as (kind, stage name, stage slug, status, text, author) rows,
    the newest first."""
    period = week.period
    query = (
        select(
            FieldFeedback.kind,
            Stage.name,
            Stage.slug,
            FieldFeedback.status,
            FieldFeedback.text,
            User.name,
        )
        .outerjoin(Stage, Stage.id == FieldFeedback.stage_id)
        .join(User, User.id == FieldFeedback.author_id)
        .where(FieldFeedback.created_at >= period.start, FieldFeedback.created_at < period.end)
        .order_by(FieldFeedback.created_at.desc(), FieldFeedback.id.desc())
    )
    return list(db.session.execute(query))


def _group_link(kind: str, stage_slug: str | None) -> str:
    args = {"status": "all", "kind": kind, **({"stage": stage_slug} if stage_slug else {})}
    return f"/feedback?{urlencode(args)}"


def _groups(rows: list) -> list[DigestItem]:
    """One item per (kind, stage), the largest groups first, then in the forms' order
    of kinds: the count, how many are open, and the newest pieces quoted."""
    grouped: dict[tuple, list] = defaultdict(list)
    for row in rows:
        grouped[(row[0], row[1], row[2])].append(row)
    kind_order = list(FEEDBACK_KINDS)

    def order(key: tuple) -> tuple:
        kind, stage, _slug = key
        position = kind_order.index(kind) if kind in kind_order else len(kind_order)
        return (-len(grouped[key]), position, stage or "")

    items = []
    for key in sorted(grouped, key=order):
        kind, stage, slug = key
        pieces = grouped[key]
        still_open = sum(piece[3] in OPEN for piece in pieces)
        count = "1 piece" if len(pieces) == 1 else f"{len(pieces)} pieces"
        items.append(
            DigestItem(
                title=f"{FEEDBACK_KINDS.get(kind, kind)} · {stage or NO_STAGE}",
                link=_group_link(kind, slug),
                detail=f"{count}, {still_open} still open",
                quotes=[f"{_quote(piece[4])} ({piece[5]})" for piece in pieces[:QUOTES_PER_GROUP]],
            )
        )
    return items


def _oldest_unanswered() -> DigestItem | None:
    """The oldest open feedback without a reply, whenever it was sent."""
    oldest = db.session.scalar(
        select(FieldFeedback)
        .where(FieldFeedback.status.in_(OPEN), FieldFeedback.reply == "")
        .order_by(FieldFeedback.created_at, FieldFeedback.id)
        .limit(1)
    )
    if oldest is None:
        return None
    kind = FEEDBACK_KINDS.get(oldest.kind, oldest.kind)
    return DigestItem(
        title=f"Oldest unanswered: {kind.lower()} from {oldest.author.name}",
        link=f"/feedback/{oldest.id}",
        detail=f"Sent {oldest.created_at:%-d %b %Y}, still without a reply",
        quotes=[_quote(oldest.text)],
    )


def field_notes(week: Week) -> DigestSection:
    """The week's field feedback grouped by kind and stage, for marketing, then the
    oldest feedback nobody has answered yet."""
    rows = _week_feedback(week)
    groups = _groups(rows)
    oldest = _oldest_unanswered()
    shown = groups[:GROUPS_SHOWN] + ([oldest] if oldest else [])
    is_open = FieldFeedback.status.in_(OPEN)
    open_count = db.session.scalar(select(func.count(FieldFeedback.id)).where(is_open)) or 0
    return DigestSection(
        "What the field heard",
        shown,
        len(rows),
        ("piece of field feedback", "pieces of field feedback"),
        note=f"Every piece of feedback sent this week, by kind and stage. "
        f"{open_count} open now (new or acknowledged).",
        more_link="/feedback?status=all",
        listed=len(groups) + (1 if oldest else 0),
    )
