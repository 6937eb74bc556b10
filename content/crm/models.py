"""CRM imports: how the CRM's opportunity stages map to buyer stages, and the record of
each opportunity export an admin uploaded (the file itself is kept in the store of
uploaded files)."""

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.library.models import Stage
from portal.kernel.extensions import Entity
from portal.kernel.models import User, utcnow
from portal.kernel.sql import one_of

IMPORT_SOURCES = ("web", "cli")


class ImportStatus(StrEnum):
    """PREVIEWED: nothing written yet; IMPORTING: a large file being written by the
    ``deals.import`` job; IMPORTED: done, the counts are the import's."""

    PREVIEWED = "previewed"
    IMPORTING = "importing"
    IMPORTED = "imported"


IMPORT_STATUSES = tuple(ImportStatus)
CRM_STAGE_MAX = 100


class CrmStageMapping(Entity):
    """A stage label of the CRM ("Needs Analysis") and the buyer stage it means."""

    __tablename__ = "crm_stage_mappings"

    # As the admin typed it, for display.
    crm_stage: Mapped[str] = mapped_column(String(CRM_STAGE_MAX))
    # Lower-cased with spaces collapsed, so "Closed  Won" and "closed won" are one stage;
    # unique, so two admins adding the same label at once get one row (an upsert).
    key: Mapped[str] = mapped_column(String(CRM_STAGE_MAX), unique=True)
    # Deleting a buyer stage removes its mappings: rows with that CRM stage are then
    # refused by the import until someone maps it again.
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    stage: Mapped[Stage] = relationship()


class DealImport(Entity):
    """One uploaded CRM export: previewed first, imported at most once.

    The counts are the preview's until the import runs, then what the import did.
    """

    __tablename__ = "deal_imports"
    __table_args__ = (one_of("status", ImportStatus),)

    original_name: Mapped[str] = mapped_column(String(200))
    # A generated name: nothing the uploader typed reaches the file system.
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    # How the bytes were read: "UTF-8", "UTF-16" or "Windows-1252".
    encoding: Mapped[str] = mapped_column(String(20))
    # None when run from the command line.
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(10), default="web")
    status: Mapped[str] = mapped_column(String(12), default="previewed")
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    # [{"line": 7, "external_id": "006…", "reason": "…"}, …]
    rejects_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    imported_at: Mapped[datetime | None]

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def imported(self) -> bool:
        return self.status == ImportStatus.IMPORTED

    @property
    def importing(self) -> bool:
        return self.status == ImportStatus.IMPORTING

    @property
    def rejects(self) -> list[dict]:
        return json.loads(self.rejects_json or "[]")
