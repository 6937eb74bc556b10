"""Asset services: create, revise and read assets. Services flush; callers commit."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import select

from content.files.storage import file_store
from content.files.uploads import store_upload
from content.library.models import (
    Asset,
    AssetRevision,
    Audience,
    ContentType,
    Industry,
    Persona,
    Stage,
    StoredFile,
    Tag,
)
from portal.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    stale_revision,
)
from portal.kernel.extensions import db
from portal.kernel.machine import claim_row
from portal.kernel.models import User
from portal.kernel.permissions import can, get_visible

TITLE_MAX = 200
SUMMARY_MAX = 1000
BODY_MAX = 200_000
NOTE_MAX = 300
AUDIENCE_INVALID = "Choose external (buyers may see it) or internal only."
TITLE_MISSING = "Give the asset a title."
STAGES_MISSING = "Choose at least one buyer stage so reps can find the asset."
BODY_MISSING = "Write a body or upload a file (or both)."
_revised: list[Callable[[Asset, Any, AssetRevision], None]] = []
_audience_changed: list[Callable[[Asset, Any], None]] = []


@dataclass
class AssetInput:
    """What an author submits; taxonomy is already resolved to rows."""

    title: str
    summary: str = ""
    body: str = ""
    content_type: ContentType | None = None
    stages: list[Stage] = field(default_factory=list)
    personas: list[Persona] = field(default_factory=list)
    industries: list[Industry] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    review_by: date | None = None
    expires_on: date | None = None
    note: str = ""
    # None: a new asset takes its content type's default, a revision keeps the asset's.
    audience: str | None = None


@dataclass
class Upload:
    stream: BinaryIO
    filename: str


def validate_input(data: AssetInput, has_file: bool) -> None:
    """Refuse input that would make a useless or broken asset."""
    errors = {}
    data.title = (data.title or "").strip()
    data.summary = (data.summary or "").strip()
    data.body = data.body or ""
    data.note = (data.note or "").strip()
    if not data.title:
        errors["title"] = TITLE_MISSING
    elif len(data.title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if len(data.summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep the summary under {SUMMARY_MAX} characters."
    if len(data.body) > BODY_MAX:
        errors["body"] = f"Keep the body under {BODY_MAX:,} characters."
    if len(data.note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    if data.audience is not None and data.audience not in set(Audience):
        errors["audience"] = AUDIENCE_INVALID
    if not data.stages:
        errors["stages"] = STAGES_MISSING
    if not data.body.strip() and not has_file:
        errors["body"] = BODY_MISSING
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)


def _apply_taxonomy(asset: Asset, data: AssetInput) -> None:
    asset.content_type = data.content_type
    asset.stages = list(data.stages)
    asset.personas = list(data.personas)
    asset.industries = list(data.industries)
    asset.tags = list(data.tags)
    asset.review_by = data.review_by
    asset.expires_on = data.expires_on


def create_asset(owner: User, data: AssetInput, upload: Upload | None = None) -> Asset:
    """Create a draft asset with its first revision, owned by ``owner``."""
    if not can(owner, "create_asset"):
        raise PermissionDenied("Only marketers create assets.")
    validate_input(data, has_file=upload is not None)
    stored = store_upload(upload.stream, upload.filename, owner) if upload else None
    asset = Asset(owner=owner, status="draft", audience=data.audience or default_audience(data))
    _apply_taxonomy(asset, data)
    db.session.add(asset)
    db.session.flush()
    revision = AssetRevision(
        asset=asset,
        number=1,
        title=data.title,
        summary=data.summary,
        body=data.body,
        file=stored,
        author=owner,
        note=data.note or "First version",
        audience=asset.audience,
    )
    db.session.add(revision)
    db.session.flush()
    asset.latest_revision = revision
    db.session.flush()
    return asset


def default_audience(data: AssetInput) -> str:
    """The audience a new asset starts with: its content type's default, else external."""
    content_type = data.content_type
    return content_type.default_audience if content_type else Audience.EXTERNAL


def on_audience_change(callback: Callable[[Asset, Any], None]) -> Callable:
    """Register ``callback(asset, actor)``, called in the saving transaction when a
    revision changes the asset's audience (``asset.audience`` is the new one). Share links
    stop when an asset turns internal; the library knows nothing of them."""
    if callback not in _audience_changed:
        _audience_changed.append(callback)
    return callback


def on_revise(callback: Callable[[Asset, Any, AssetRevision], None]) -> Callable:
    """Register ``callback(asset, author, revision)``, called in the saving transaction
    after every new revision. The review workflow moves the asset's state with it (an
    edit after sign-off needs signing off again); content knows nothing of workflows.
    """
    if callback not in _revised:
        _revised.append(callback)
    return callback


def revise_asset(
    asset: Asset,
    author,
    base_revision_id: int | None,
    data: AssetInput,
    upload: Upload | None = None,
    remove_file: bool = False,
) -> AssetRevision:
    """Save an edit as a new revision on top of ``base_revision_id``.

    The save is refused with a Conflict when someone else saved since the editor opened
    the form; the check and the claim are one atomic UPDATE so two editors cannot both win.
    """
    if not can(author, "edit", asset):
        raise PermissionDenied("You cannot edit this asset.")
    latest = asset.latest_revision
    keeps_file = latest is not None and latest.file_id is not None and not remove_file
    validate_input(data, has_file=upload is not None or keeps_file)
    if base_revision_id is None:
        raise ValidationFailed(
            "Say which revision the edit is based on.",
            {"base_revision": "Say which revision the edit is based on."},
        )
    # The file is stored before the claim below, so no write lock is held while a large
    # upload is written to disk.
    stored = store_upload(upload.stream, upload.filename, author) if upload else None
    _claim(asset, base_revision_id, stored)
    db.session.refresh(asset)
    previous = asset.latest_revision
    assert previous is not None, "an asset is created with its first revision"
    revision = AssetRevision(
        asset=asset,
        number=previous.number + 1,
        title=data.title,
        summary=data.summary,
        body=data.body,
        file=stored if stored else (previous.file if keeps_file else None),
        author=author,
        note=data.note,
        audience=data.audience or asset.audience,
    )
    db.session.add(revision)
    db.session.flush()
    _apply_taxonomy(asset, data)
    changed_audience = revision.audience != asset.audience
    asset.audience = revision.audience
    asset.latest_revision = revision
    db.session.flush()
    if changed_audience:
        for changed in _audience_changed:
            changed(asset, author)
    for callback in _revised:
        callback(asset, author, revision)
    return revision


def _claim(asset: Asset, base_revision_id: int, stored: StoredFile | None) -> None:
    """Claim the asset for a new revision on top of ``base_revision_id`` in one atomic
    UPDATE; a Conflict (and the stored file removed) when someone saved since, or
    archived it."""
    claimed = claim_row(
        asset, Asset.latest_revision_id == base_revision_id, Asset.status != "archived"
    )
    if not claimed:
        if stored is not None:
            file_store().delete(stored.storage_name)
        db.session.refresh(asset)
        if asset.status == "archived":
            raise Conflict("The asset was archived while you were editing; restore it first.")
        raise stale_revision()


def get_visible_asset(user: User, asset_id: int, loads: Sequence = ()) -> Asset:
    """The asset if this user may know it exists; otherwise NotFound (never a 403).
    ``loads`` are loader options for what the caller reads of it next."""
    return get_visible(user, Asset, asset_id, "No such asset.", loads)


def shown_revision(asset: Asset, user: User) -> AssetRevision | None:
    """Authors and collaborators see the latest revision; everyone else sees what is live."""
    if can(user, "view_latest", asset):
        return asset.latest_revision
    return asset.live_revision


def get_revision(asset: Asset, user: User, number: int) -> AssetRevision:
    """A specific revision; readers who cannot see drafts only reach the live one."""
    revision = db.session.scalar(
        select(AssetRevision).where(
            AssetRevision.asset_id == asset.id, AssetRevision.number == number
        )
    )
    if revision is None:
        raise NotFound("No such revision.")
    if not can(user, "view_latest", asset) and revision.id != asset.live_revision_id:
        raise NotFound("No such revision.")
    return revision
