"""The ghost-writing report's figures recomputed in plain Python from the raw posts, to
compare with what the database aggregates (definitions: portal.reports.queries.ghostwriting)."""

import statistics
from collections import defaultdict

from sqlalchemy import select

from portal.kernel.extensions import db
from portal.kernel.reporting import Period
from tests.reports.recompute import in_period
from workflows.posts.models import CHANNELS, POST_STATUSES, GhostPost

ANSWERED = {"approved", "published", "declined"}
STEPS = {
    "drafted": "created_at",
    "sent": "first_sent_at",
    "approved": "approved_at",
    "published": "published_at",
    "declined": "declined_at",
}


def load_posts() -> list[GhostPost]:
    return list(db.session.scalars(select(GhostPost)))


def _when(post: GhostPost, period: Period, step: str) -> bool:
    moment = getattr(post, STEPS[step])
    return moment is not None and in_period(moment, period)


def figures(posts: list[GhostPost], period: Period) -> dict:
    """One row's figures from the posts of its rep or channel (any of their posts)."""
    sent = [post for post in posts if _when(post, period, "sent")]
    answered = [post.seconds_with_rep for post in sent if post.status in ANSWERED]
    words = sum(post.word_count for post in sent)
    row = {step: sum(_when(post, period, step) for post in posts) for step in STEPS}
    return row | {
        "with_rep": sum(post.status == "with_rep" for post in sent),
        "average_rounds": sum(post.rounds for post in sent) / len(sent) if sent else None,
        "rep_edit_share": sum(post.rep_word_count for post in sent) / words if words else None,
        "median_days": statistics.median(answered) / 86_400 if answered else None,
    }


def by(posts: list[GhostPost], period: Period, key: str) -> dict[object, dict]:
    """Figures per rep (``key="rep_id"``) or channel, for the groups with any step in the
    period."""
    groups = defaultdict(list)
    for post in posts:
        groups[getattr(post, key)].append(post)
    rows = {group: figures(members, period) for group, members in groups.items()}
    return {group: row for group, row in rows.items() if any(row[step] for step in STEPS)}


def published_by_rep(posts: list[GhostPost], period: Period) -> dict[int, dict]:
    rows: dict[int, dict] = {}
    for post in posts:
        if _when(post, period, "published"):
            row = rows.setdefault(post.rep_id, dict.fromkeys([*CHANNELS, "total"], 0))
            row[post.channel] += 1
            row["total"] += 1
    return rows


def drafted_by_status(posts: list[GhostPost], period: Period) -> dict[str, int]:
    drafted = [post.status for post in posts if _when(post, period, "drafted")]
    return {status: drafted.count(status) for status in POST_STATUSES}


def totals(posts: list[GhostPost], period: Period) -> dict:
    everyone = figures(posts, period)
    return {"published": everyone["published"], "median_days": everyone["median_days"]}
