"""Content library models: taxonomy, assets, immutable revisions and stored files."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from content.library.markdown import plain_text
from portal.kernel.extensions import Entity, Model
from portal.kernel.models import User, utcnow
from portal.kernel.sql import link_table, one_of


class AssetStatus(StrEnum):
    """Where an asset is in review; workflows.review.machine moves it between them."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class CollaboratorRole(StrEnum):
    AUTHOR = "author"
    REVIEWER = "reviewer"


class FileKind(StrEnum):
    """What an uploaded file is, decided by its bytes (content.files.uploads)."""

    PDF = "pdf"
    PPTX = "pptx"
    DOCX = "docx"
    PNG = "png"
    JPEG = "jpeg"


class ExtractionStatus(StrEnum):
    """A stored file's text waits to be read (PENDING) until a reader claims it (READING);
    content.files.reading then records one of the outcomes of content.files.extraction,
    whose STATUSES are the last four."""

    PENDING = "pending"
    READING = "reading"
    EXTRACTED = "extracted"
    EMPTY = "empty"
    FAILED = "failed"
    SKIPPED = "skipped"


class Audience(StrEnum):
    """Who may see an asset: EXTERNAL assets may be shared with buyers, INTERNAL ones
    (battlecards, objection handling, demo scripts) are for reps and marketers only."""

    EXTERNAL = "external"
    INTERNAL = "internal"


class PreviewStatus(StrEnum):
    """A stored file's page images: waiting to be made (PENDING) until a renderer claims
    it (RENDERING), then READY or FAILED (the file stays a download, with the reason in
    ``preview_note``). ABSENT marks files stored before previews existed, until
    ``previews rebuild`` makes theirs."""

    PENDING = "pending"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"
    ABSENT = "absent"


ASSET_STATUSES = tuple(AssetStatus)
COLLABORATOR_ROLES = tuple(CollaboratorRole)


class TaxonomyTerm:
    """Fields shared by every taxonomy table; terms are referred to by slug in the API."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug}>"


class Stage(TaxonomyTerm, Model):
    """A buyer-journey stage; ``position`` orders the board's columns."""

    __tablename__ = "stages"
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(300), default="")


class Persona(TaxonomyTerm, Model):
    __tablename__ = "personas"


class Industry(TaxonomyTerm, Model):
    __tablename__ = "industries"


class ContentType(TaxonomyTerm, Model):
    """A kind of asset; ``default_audience`` is the audience a new asset of this type
    starts with."""

    __tablename__ = "content_types"
    __table_args__ = (one_of("default_audience", Audience),)

    default_audience: Mapped[str] = mapped_column(String(20), default=Audience.EXTERNAL)


class Tag(TaxonomyTerm, Model):
    __tablename__ = "tags"


asset_stages = link_table("asset_stages", "asset_id", "assets", "stage_id", "stages")
asset_personas = link_table("asset_personas", "asset_id", "assets", "persona_id", "personas")
asset_industries = link_table("asset_industries", "asset_id", "assets", "industry_id", "industries")
asset_tags = link_table("asset_tags", "asset_id", "assets", "tag_id", "tags")


EXTRACTION_PENDING = ExtractionStatus.PENDING
EXTRACTION_READING = ExtractionStatus.READING


class StoredFile(Entity):
    """An uploaded file kept under a generated name; the original name is for downloads."""

    __tablename__ = "stored_files"
    __table_args__ = (
        one_of("kind", FileKind),
        one_of("extraction_status", ExtractionStatus),
        one_of("preview_status", PreviewStatus),
    )

    original_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Filled by content.files.reading for search; the note tells authors why text is missing.
    # Deferred: it can run to megabytes and only the search index reads it.
    extracted_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    # Indexed because every indexer pass looks for files waiting to be read.
    extraction_status: Mapped[str] = mapped_column(
        String(20), default=EXTRACTION_PENDING, index=True
    )
    extraction_note: Mapped[str] = mapped_column(String(300), default="")
    # When a reader claimed the file; a claim too old to be alive may be taken again.
    extraction_claimed_at: Mapped[datetime | None]
    # Page images and a first-page thumbnail, stored beside the file (content.files.previews).
    preview_status: Mapped[str] = mapped_column(
        String(20), default=PreviewStatus.PENDING, index=True
    )
    preview_pages: Mapped[int] = mapped_column(default=0)
    preview_note: Mapped[str] = mapped_column(String(300), default="")
    preview_claimed_at: Mapped[datetime | None]

    @property
    def has_preview(self) -> bool:
        """Page images are ready to show."""
        return self.preview_status == PreviewStatus.READY and self.preview_pages > 0

    @property
    def text_waiting(self) -> bool:
        """The text is still to be read: pages say "Reading the file…" meanwhile."""
        return self.extraction_status in (EXTRACTION_PENDING, EXTRACTION_READING)

    @property
    def previewable(self) -> bool:
        """Browsers show PDFs and images inline; Office files are downloaded."""
        return self.kind in {FileKind.PDF, FileKind.PNG, FileKind.JPEG}


class Asset(Entity):
    """A sales asset. Its content lives in revisions: ``latest_revision`` is what authors
    work on, ``live_revision`` is what reps see, so editing never takes an asset offline."""

    __tablename__ = "assets"
    __table_args__ = (one_of("status", AssetStatus), one_of("audience", Audience))

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    content_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_types.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(30), default=AssetStatus.DRAFT, index=True)
    # A property of the asset, not of a revision: it applies as soon as it is saved, so
    # an asset made internal stops being shared at once (content.usage.share_links).
    # Indexed for the library's audience filter.
    audience: Mapped[str] = mapped_column(String(20), default=Audience.EXTERNAL, index=True)
    review_by: Mapped[date | None]
    # A hard end: from the day after, reps no longer see the asset (authors still do).
    expires_on: Mapped[date | None]
    live_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset_revisions.id", use_alter=True, name="fk_assets_live_revision")
    )
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset_revisions.id", use_alter=True, name="fk_assets_latest_revision")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    archived_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship()
    content_type: Mapped[ContentType | None] = relationship()
    stages: Mapped[list[Stage]] = relationship(secondary=asset_stages, order_by=Stage.position)
    personas: Mapped[list[Persona]] = relationship(secondary=asset_personas, order_by=Persona.name)
    industries: Mapped[list[Industry]] = relationship(
        secondary=asset_industries, order_by=Industry.name
    )
    tags: Mapped[list[Tag]] = relationship(secondary=asset_tags, order_by=Tag.name)
    live_revision: Mapped["AssetRevision | None"] = relationship(
        foreign_keys=[live_revision_id], post_update=True
    )
    latest_revision: Mapped["AssetRevision | None"] = relationship(
        foreign_keys=[latest_revision_id], post_update=True
    )
    revisions: Mapped[list["AssetRevision"]] = relationship(
        back_populates="asset",
        foreign_keys="AssetRevision.asset_id",
        order_by="AssetRevision.number.desc()",
        cascade="all, delete-orphan",
    )
    collaborators: Mapped[list["AssetCollaborator"]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetCollaborator.id"
    )

    def collaborator_role(self, user: User) -> str | None:
        """ "author" or "reviewer" when ``user`` was invited to this asset, else None."""
        user_id = getattr(user, "id", None)
        return next((c.role for c in self.collaborators if c.user_id == user_id), None)

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < utcnow().date()

    @property
    def is_live(self) -> bool:
        """Reps can see it: a revision has been published, the asset is not archived and
        has not passed its expiry date."""
        return (
            self.live_revision_id is not None
            and self.status != AssetStatus.ARCHIVED
            and not self.expired
        )

    @classmethod
    def live_clause(cls, today: date | None = None):
        """``is_live`` as a SQL condition, for list queries."""
        today = today or utcnow().date()
        return and_(
            cls.live_revision_id.is_not(None),
            cls.status != AssetStatus.ARCHIVED,
            or_(cls.expires_on.is_(None), cls.expires_on >= today),
        )

    @property
    def needs_review(self) -> bool:
        """Live but past its review-by date: the owner should check it is still right."""
        return self.is_live and self.review_by is not None and self.review_by < utcnow().date()

    @property
    def internal(self) -> bool:
        """For reps and marketers only: never shared with buyers."""
        return self.audience == Audience.INTERNAL

    @property
    def has_unpublished_changes(self) -> bool:
        return self.live_revision_id is not None and (
            self.live_revision_id != self.latest_revision_id
        )


class AssetCollaborator(Entity):
    """Someone the owner invited to co-author or review an asset, from either team."""

    __tablename__ = "asset_collaborators"
    __table_args__ = (UniqueConstraint("asset_id", "user_id"), one_of("role", CollaboratorRole))

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="collaborators")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class AssetRevision(Entity):
    """An immutable snapshot of an asset's words and file; every edit adds one."""

    __tablename__ = "asset_revisions"
    __table_args__ = (UniqueConstraint("asset_id", "number"), one_of("audience", Audience))

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The body's words without Markdown, derived once since revisions never change:
    # rendering Markdown was a third of the cost of indexing an asset.
    body_text: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    # The asset's audience when this revision was saved: the asset's own column rules,
    # this one lets the diff show reviewers that a save changed it.
    audience: Mapped[str] = mapped_column(String(20), default=Audience.EXTERNAL)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="revisions", foreign_keys=[asset_id])
    file: Mapped[StoredFile | None] = relationship()
    author: Mapped[User] = relationship()

    @validates("body")
    def _derive_body_text(self, _key: str, body: str | None) -> str | None:
        self.body_text = plain_text(body)
        return body


TAXONOMIES: dict[str, type[TaxonomyTerm]] = {
    "stages": Stage,
    "personas": Persona,
    "industries": Industry,
    "content-types": ContentType,
    "tags": Tag,
}
