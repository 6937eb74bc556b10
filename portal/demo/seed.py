"""Demo data for ``flask --app portal seed-demo``.

The demo tells one story: Fernhill, a fictional spend-management platform (corporate
cards, expenses, bill pay and procurement), whose marketers publish sales assets for its
reps. Competitors (Spendora, Ledgerloop, Cobaltpay) and customers are fictional too.

The assets are spread so that every default buyer stage, persona, industry, content type
and tag has several live assets, which keeps every filter, board column and report in the
demo populated. Seeding only flushes; the CLI command commits.
"""

import io
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from inspect import cleandoc
from pathlib import Path

from sqlalchemy import func, select, update

from content.library.models import Asset, AssetRevision, ContentType, Industry, Persona, Stage, Tag
from content.library.services import AssetInput, Upload, create_asset, revise_asset
from content.taxonomy import services as taxonomy
from portal.accounts import services as accounts
from portal.demo.campaigns import seed_campaigns
from portal.demo.collections import seed_collections
from portal.demo.data import DEMO_ASSETS, DEMO_USERS, DemoAsset, DemoRevision
from portal.demo.digest import seed_digest
from portal.demo.feedback import seed_feedback
from portal.demo.glossary import seed_glossary
from portal.demo.meetings import seed_meetings
from portal.demo.pdfs import pdf_from_objects
from portal.demo.posts import seed_posts
from portal.demo.rooms import seed_rooms
from portal.demo.usage import seed_usage
from portal.kernel.extensions import db
from portal.kernel.models import User, find_user, utcnow
from portal.kernel.notifications import Notification
from workflows.review import collaborators
from workflows.review.machine import transition

# The documented sign-in for demo users (see the CLI help), not a secret.
DEFAULT_PASSWORD = "tandem-demo"  # noqa: S105

DEMO_ASSET_COUNT = len(DEMO_ASSETS)
SALES_REVIEWER = "leader@example.com"
MARKETING_REVIEWER = "marketing-lead@example.com"
COUNT_NAMES = (
    "users_created",
    "assets_created",
    "assets_published",
    "revisions_created",
    "files_attached",
    "posts_created",
    "deals_created",
    "usage_events",
    "feedback_created",
    "campaigns_created",
    "campaign_reads_created",
    "collections_created",
    "collection_items_created",
    "paths_assigned",
    "glossary_terms_created",
    "glossary_signoffs_created",
    "digest_feedback_created",
    "meetings_created",
    "action_items_created",
)


def seed_demo(
    password: str = DEFAULT_PASSWORD, progress: Callable[[int], object] | None = None
) -> dict:
    """Create demo users, the default taxonomy, published demo assets, a few
    ghost-written posts, the reps' deals with their ratings and usage, field feedback,
    campaign briefs, onboarding paths and glossary terms. Idempotent.

    Users are matched by email and assets by (owner, title of their first revision), so a
    second run creates nothing and never changes existing passwords or content.
    ``progress`` is called with 1 after each demo asset. Only flushes; the caller commits.
    """
    counts = dict.fromkeys(COUNT_NAMES, 0)
    users = _seed_users(password, counts)
    taxonomy.ensure_defaults()
    existing = _existing_assets()
    # The leaders of both teams sign off the demo library (dual sign-off).
    reviewers = [users[SALES_REVIEWER], users[MARKETING_REVIEWER]]
    today = datetime.now(UTC).date()
    # The published library first: its review history is old news, so its notifications
    # are marked read; the drafts' notifications (a review waiting for a rep) stay new.
    order = sorted(enumerate(DEMO_ASSETS), key=lambda pair: not pair[1].published)
    history_from = _last_notification_id()
    for position, demo in order:
        if not demo.published:
            _mark_history_read(history_from)
        owner = users[demo.owner]
        if (owner.id, demo.title) not in existing:
            _seed_asset(demo, owner, reviewers, _review_date(demo, position, today), counts)
        if progress is not None:
            progress(1)
    counts["posts_created"] = seed_posts(users)
    counts.update(seed_usage(users))
    counts.update(seed_rooms(users))
    # The alignment loop: field feedback, campaign briefs, onboarding paths, the glossary,
    # a reply in last week's digest and the weekly meeting of sales and marketing.
    seeds = (
        seed_feedback, seed_campaigns, seed_collections, seed_glossary, seed_digest, seed_meetings,
    )  # fmt: skip
    for seed in seeds:
        counts.update(seed(users))
    return counts


def _last_notification_id() -> int:
    return db.session.scalar(select(func.max(Notification.id))) or 0


def _mark_history_read(after_id: int) -> None:
    """Mark read the notifications this run created so far (never anyone's real ones:
    running the seed again on a portal in use must not clear people's bells)."""
    db.session.flush()
    db.session.execute(
        update(Notification)
        .where(Notification.id > after_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def _seed_users(password: str, counts: dict[str, int]) -> dict[str, User]:
    users = {}
    for email, name, role, department in DEMO_USERS:
        user = find_user(email)
        if user is None:
            user = accounts.create_user(email, name, role, password, department)
            counts["users_created"] += 1
        users[email] = user
    db.session.flush()
    return users


def _existing_assets() -> set[tuple[int, str]]:
    """(owner id, first revision title) of every asset already in the database."""
    rows = db.session.execute(
        select(Asset.owner_id, AssetRevision.title)
        .join(AssetRevision, AssetRevision.asset_id == Asset.id)
        .where(AssetRevision.number == 1)
    )
    return {(owner_id, title) for owner_id, title in rows}


def _review_date(demo: DemoAsset, position: int, today: date) -> date:
    # Spread the review dates over the coming months so the review calendar has a shape.
    days = demo.review_in if demo.review_in is not None else 30 + (position * 37) % 300
    return today + timedelta(days=days)


def sign_off_and_publish(asset: Asset, owner: User, reviewers: list[User]) -> None:
    """Take ``asset`` through review to published the way people would: the reviewers are
    invited (unless they already are), the owner submits, each reviewer approves and the
    owner publishes."""
    for reviewer in reviewers:
        if asset.collaborator_role(reviewer) != "reviewer":
            collaborators.invite(asset, owner, reviewer.email, "reviewer")
    transition(asset, owner, "submit")
    for reviewer in reviewers:
        transition(asset, reviewer, "approve")
    transition(asset, owner, "publish")


def _seed_asset(
    demo: DemoAsset, owner: User, reviewers: list[User], review_by: date, counts: dict[str, int]
) -> None:
    body = cleandoc(demo.body)
    upload = _demo_upload(demo, body) if demo.file else None
    data = _asset_input(demo, demo.title, demo.summary, body, review_by, "")
    asset = create_asset(owner, data, upload=upload)
    counts["assets_created"] += 1
    if upload is not None:
        counts["files_attached"] += 1
    if not demo.published:
        if demo.in_review_with:
            for email in demo.in_review_with:
                collaborators.invite(asset, owner, email, "reviewer")
            transition(asset, owner, "submit")
        return
    sign_off_and_publish(asset, owner, reviewers)
    counts["assets_published"] += 1
    if demo.revision is not None:
        title, summary, body = _apply_edits(demo.revision, demo.title, demo.summary, body)
        data = _asset_input(demo, title, summary, body, review_by, demo.revision.note)
        revise_asset(asset, owner, asset.latest_revision_id, data)
        sign_off_and_publish(asset, owner, reviewers)
        counts["revisions_created"] += 1


def _apply_edits(revision: DemoRevision, *texts: str) -> list[str]:
    edited = list(texts)
    for old, new in revision.edits:
        if not any(old in text for text in edited):
            raise ValueError(f"Demo revision edit does not match anything: {old!r}")
        edited = [text.replace(old, new) for text in edited]
    return edited


def _asset_input(
    demo: DemoAsset, title: str, summary: str, body: str, review_by: date, note: str
) -> AssetInput:
    return AssetInput(
        title=title,
        summary=summary,
        body=body,
        content_type=_terms(ContentType, demo.content_type, "content_type")[0],
        stages=_terms(Stage, demo.stages, "stages"),
        personas=_terms(Persona, demo.personas, "personas"),
        industries=_terms(Industry, demo.industries, "industries"),
        tags=_terms(Tag, demo.tags, "tags"),
        review_by=review_by,
        note=note,
    )


def _terms(model, slugs: str, field: str) -> list:
    # terms_by_slugs names any slug an admin has since deleted, instead of dropping it.
    return taxonomy.terms_by_slugs(model, slugs.split(), field) if slugs else []


# Generated attachments: small but real files, so previews, downloads and text
# extraction have something to work on.


def _demo_upload(demo: DemoAsset, body: str) -> Upload:
    assert demo.file is not None, "only an asset with a file is uploaded"
    builders = {".pdf": _pdf_bytes, ".docx": _docx_bytes, ".pptx": _pptx_bytes}
    build = builders[Path(demo.file).suffix]
    return Upload(stream=io.BytesIO(build(demo.title, demo.summary, body)), filename=demo.file)


def _plain_sections(body: str) -> list[tuple[str, list[str]]]:
    """The Markdown body as (heading, plain lines) pairs, for office documents."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for raw in body.splitlines():
        line = raw.strip().replace("**", "").replace("[ ] ", "")
        if line.startswith("#"):
            sections.append((line.lstrip("# "), []))
        elif line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if any(cell.strip("-") for cell in cells):
                sections[-1][1].append(" - ".join(cell for cell in cells if cell))
        elif line:
            sections[-1][1].append(line.lstrip("-> ").strip())
    return [(heading, lines) for heading, lines in sections if heading or lines]


def _pdf_bytes(title: str, summary: str, body: str) -> bytes:
    """A one-page PDF written by hand: Helvetica text, byte-exact xref table."""
    lines = [title, ""] + textwrap.wrap(summary, 85) + [""]
    for heading, section in _plain_sections(body):
        lines += [heading.upper()] if heading else []
        lines += [wrapped for line in section for wrapped in textwrap.wrap(line, 90)]
    # The built-in fonts only cover Latin-1; the demo text is ASCII, this guards edits.
    lines = [line.encode("ascii", "replace").decode() for line in lines[:46]]
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    text = "\n".join(f"({line}) Tj T*" for line in escaped)
    content = f"BT /F1 11 Tf 14 TL 56 756 Td\n{text}\nET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    return pdf_from_objects(objects)


def _docx_bytes(title: str, summary: str, body: str) -> bytes:
    # python-docx and python-pptx are imported here, not with the module: every process
    # that loads the CLI imports this module, and only seeding writes these files.
    from docx import Document

    document = Document()
    document.add_heading(title, level=0)
    document.add_paragraph(summary)
    for heading, lines in _plain_sections(body):
        if heading:
            document.add_heading(heading, level=1)
        for line in lines:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pptx_bytes(title: str, summary: str, body: str) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = summary
    for heading, lines in _plain_sections(body):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading or title
        # A slide holds about eight bullets before text overflows the placeholder.
        slide.placeholders[1].text_frame.text = "\n".join(lines[:8])
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
