"""Builders for real upload files and snapshots of what the library holds."""

import functools
import io
import re
import zipfile
from pathlib import Path

import docx
import pptx
from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from content.library.models import Asset, AssetRevision, Stage, StoredFile
from portal.kernel.extensions import db
from tests.factories import reviewers
from workflows.review import collaborators
from workflows.review.machine import transition


def invite_reviewers(asset: Asset, owner) -> list:
    """Invite the sales and the marketing leader from ``reviewers()`` to review ``asset``
    (unless they already do), so the owner can submit it; commits. Returns them."""
    sign_off_by = reviewers()  # may commit: before the invitations, not amid them
    db.session.expire(asset)  # see what requests committed meanwhile
    for reviewer in sign_off_by:
        if asset.collaborator_role(reviewer) != "reviewer":
            collaborators.invite(asset, owner, reviewer.email, "reviewer")
    db.session.commit()
    return sign_off_by


def sign_off(asset: Asset, owner) -> None:
    """Take ``asset`` to approved, ready for its owner to publish: the reviewers are
    invited, the owner submits and both reviewers approve (dual sign-off); commits."""
    sign_off_by = invite_reviewers(asset, owner)
    transition(asset, owner, "submit")
    for reviewer in sign_off_by:
        transition(asset, reviewer, "approve")
    db.session.commit()
    assert asset.status == "approved"


def docx_bytes(text: str = "Tandem Word document") -> bytes:
    """A small, real Word document made with python-docx."""
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx_bytes(title: str = "Tandem deck") -> bytes:
    """A small, real one-slide PowerPoint deck made with python-pptx."""
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = title
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG") -> bytes:
    """A tiny real PNG or JPEG image."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


@functools.cache
def zip_bomb_docx() -> bytes:
    """Looks like a .docx, is a few KiB, and declares 64 MiB of zeros inside."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        with archive.open("word/media/zeros.bin", "w") as entry:
            chunk = bytes(1024 * 1024)
            for _ in range(64):
                entry.write(chunk)
    return out.getvalue()


def office_zip(names: list[str], payload: bytes = b"<x/>", compression=zipfile.ZIP_DEFLATED):
    """A zip holding ``names`` (each with ``payload``), to imitate Office files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name in names:
            archive.writestr(name, payload)
    return out.getvalue()


def counts() -> dict:
    """How many assets, revisions and stored files the database holds, and files on disk."""
    db.session.expire_all()
    return {
        "assets": db.session.scalar(select(func.count(Asset.id))),
        "revisions": db.session.scalar(select(func.count(AssetRevision.id))),
        "files": db.session.scalar(select(func.count(StoredFile.id))),
        "on_disk": sorted(
            str(p) for p in Path(current_app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()
        ),
    }


def stage_ids(*slugs: str) -> list[str]:
    """Form values (ids as strings) for the given stage slugs."""
    rows = db.session.scalars(select(Stage).where(Stage.slug.in_(slugs))).all()
    return [str(row.id) for row in rows]


def asset_form(title: str = "Battlecard vs Acme", **fields) -> dict:
    """Form data for the asset form with sensible defaults (awareness stage, a body)."""
    data = {
        "title": title,
        "summary": "How we win against Acme.",
        "body": "We integrate in **days**, not months.",
        "stages": stage_ids("awareness"),
    }
    data.update(fields)
    return data


def flashes(html: str) -> list[str]:
    """The flash messages shown on a page."""
    return re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', html, re.S)


def stage_headings(html: str) -> list[str]:
    """Ids of the board's stage sections, in page order."""
    return re.findall(r'<h2 id="stage-([\w-]+)"', html)


def stage_section(html: str, slug: str) -> str:
    """The HTML of one stage's section on the board."""
    return html.split(f'id="stage-{slug}"')[1].split("</section>")[0]


def stage_count(html: str, slug: str) -> int:
    """The asset count shown in a stage's heading on the board."""
    return int(re.search(r'class="count">(\d+)', stage_section(html, slug)).group(1))


def card_titles(html: str) -> list[str]:
    """Titles of the asset cards on a board or list page, in page order."""
    return re.findall(r'id="asset-\d+-title"[^>]*>\s*<a [^>]*>(.*?)</a>', html)
