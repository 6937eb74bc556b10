"""Demo ghost-written posts for ``seed-demo``: the reps' voice profiles, one of Riley's
posts already published, one waiting for Riley's review and a draft for Marcus.

Seeding only flushes; the CLI command commits. Posts are matched by (rep, ghost-writer,
first title), so a second run creates nothing.
"""

from datetime import timedelta
from inspect import cleandoc

from sqlalchemy import select, update

from portal.kernel.extensions import db
from portal.kernel.models import User, utcnow
from portal.kernel.notifications import Notification
from workflows.posts import services as posts
from workflows.posts.machine import transition
from workflows.posts.models import GhostPost, GhostPostRevision

VOICE = {
    "rep@example.com": (
        "Plain and direct; short sentences. Starts with a customer moment, not a statistic. "
        "Never says 'synergy' or 'game-changer'. Signs off with a question to the reader.",
        "month-end close, corporate cards, retail finance teams, ERP integrations",
    ),
    "rep2@example.com": (
        "Warm, a little dry humour, likes numbers that a CFO can check.",
        "procurement, bill pay, manufacturing",
    ),
}

PUBLISHED_BODY = """
Last Friday a finance lead at a 40-store retailer told me her team used to lose the first
week of every month to receipts.

This month they closed in three days. Nothing heroic: card spend is coded at the till,
receipts are matched from the phone, and the ERP sync runs every night.

If you want the long version, the [retail case study](https://fernhill.example/retail) has
the numbers.

What is the one step of your close you would delete tomorrow?
"""
PUBLISHED_EDIT = (
    "Nothing heroic: card spend is coded at the till,",
    "No big-bang project: card spend is coded when it happens,",
)

WAITING_BODY = """
Most spend policies are written once and read never.

The teams I work with that get this right do three things:

- they put the policy **inside** the card, so an out-of-policy purchase simply declines;
- they keep the exceptions list short and public;
- they review it every quarter with the people who spend.

Where does your policy live today: in a PDF, or at the point of purchase?
"""

DRAFT_BODY = """
Three-way matching sounds like accounting homework. For a plant buying parts from 200
suppliers it is the difference between paying on time and paying twice.

Here is what changed when one of our manufacturing customers moved matching out of email.
"""


def seed_posts(users: dict[str, User]) -> int:
    """Create the demo posts that do not exist yet; returns how many were created."""
    for email, (tone, topics) in VOICE.items():
        if posts.voice_profile(users[email]) is None:
            posts.save_voice_profile(users[email], tone, topics)
    existing = _existing_posts()
    riley, marcus = users["rep@example.com"], users["rep2@example.com"]
    priya, jonas = users["marketer@example.com"], users["marketer2@example.com"]
    created = 0
    plan = [
        (riley, priya, "Closing the month in three days", _published),
        (riley, priya, "Spend policy belongs at the point of purchase", _waiting),
        (marcus, jonas, "Three-way matching without the homework", _draft),
    ]
    for rep, writer, title, build in plan:
        if (rep.id, writer.id, title) not in existing:
            build(rep, writer, title)
            created += 1
    return created


def _existing_posts() -> set[tuple[int, int, str]]:
    rows = db.session.execute(
        select(GhostPost.rep_id, GhostPost.ghostwriter_id, GhostPostRevision.title)
        .join(GhostPostRevision, GhostPostRevision.post_id == GhostPost.id)
        .where(GhostPostRevision.number == 1)
    )
    return {(rep_id, writer_id, title) for rep_id, writer_id, title in rows}


def _unwrapped(text: str) -> str:
    """Paragraphs on one line each, as people type them into an editor; list items stay
    one per line. The source here is wrapped only to keep its lines short."""
    blocks = cleandoc(text).split("\n\n")
    return "\n\n".join(
        block if block.startswith("- ") else " ".join(block.split("\n")) for block in blocks
    )


def _create(rep: User, writer: User, title: str, body: str, days: int, topic: str):
    data = posts.PostInput(
        title=title,
        body=_unwrapped(body),
        channel="linkedin",
        rep=rep.email,
        topic=topic,
        due_on=utcnow().date() + timedelta(days=days),
    )
    return posts.create_post(writer, data)


def _published(rep: User, writer: User, title: str) -> None:
    post = _create(rep, writer, title, PUBLISHED_BODY, 10, "Month-end close")
    transition(post, writer, "send_to_rep")
    old, new = PUBLISHED_EDIT
    posts.revise_post(post, rep, post.latest_revision_id, title, post.body.replace(old, new))
    transition(post, rep, "approve")
    url = "https://www.linkedin.com/posts/riley-chen_closing-the-month-in-three-days"
    transition(post, rep, "mark_published", url=url)
    # Old news: its notifications are read.
    db.session.execute(
        update(Notification)
        .where(Notification.link == f"/posts/{post.id}", Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def _waiting(rep: User, writer: User, title: str) -> None:
    post = _create(rep, writer, title, WAITING_BODY, 3, "Spend policy")
    transition(post, writer, "send_to_rep")


def _draft(rep: User, writer: User, title: str) -> None:
    _create(rep, writer, title, DRAFT_BODY, 1, "Procurement")
