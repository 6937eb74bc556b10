"""Writing the export's files: into a ZIP archive for the portal's download, or into a
folder for the `export` command, each with a README.txt and a manifest.json naming every
file, its columns and its rows.

Rows go from each page of a query straight into the file being written: nothing holds
a whole table.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Select

from portal.export.field_tables import AUDIT_LOG, DEALS, FEEDBACK, GLOSSARY_HISTORY, ROOM_VISITS
from portal.export.library_tables import ASSETS, RATINGS, REVISIONS, SHARE_LINK_OPENS, USAGE_EVENTS
from portal.export.table import BATCH, Scope, Table, cell
from portal.kernel.csv_export import spreadsheet_row
from portal.kernel.models import utcnow

# In the order the archive lists them.
TABLES: tuple[Table, ...] = (
    ASSETS,
    REVISIONS,
    USAGE_EVENTS,
    RATINGS,
    DEALS,
    SHARE_LINK_OPENS,
    ROOM_VISITS,
    FEEDBACK,
    GLOSSARY_HISTORY,
    AUDIT_LOG,
)
README = "README.txt"
MANIFEST = "manifest.json"

# Opens a file of the export by name for writing text.
Opener = Callable[[str], AbstractContextManager[IO[str]]]
# Told the file being written, the rows written so far and the rows expected, over
# every file (rows added while the export runs may take it past the expected total).
Progress = Callable[[str, int, int], object]


@dataclass(frozen=True)
class Planned:
    """A file the reader gets: its table, their query and the rows it is expected to hold."""

    table: Table
    query: Select
    expected: int


@dataclass
class Summary:
    """What an export wrote: each file's rows, and when it started."""

    exported_at: datetime
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def plan(scope: Scope) -> list[Planned]:
    """The files ``scope``'s reader gets, with their expected rows (one count each)."""
    planned = []
    for table in TABLES:
        query = table.readable(scope)
        if query is not None:
            planned.append(Planned(table, query, table.count(query)))
    return planned


def file_names(scope: Scope) -> list[str]:
    """The CSV files the reader's archive holds, without counting anything."""
    return [table.name for table in TABLES if table.readable(scope) is not None]


def write_files(
    scope: Scope, opener: Opener, progress: Progress | None = None, batch: int = BATCH
) -> Summary:
    """Write every file the reader may read, then the README and manifest."""
    summary = Summary(utcnow())
    planned = plan(scope)
    expected = sum(item.expected for item in planned)
    done = 0
    for item in planned:
        if progress is not None:
            progress(item.table.name, done, max(expected, done))
        with opener(item.table.name) as stream:
            writer = csv.writer(stream)
            writer.writerow(item.table.columns)
            written = 0
            for rows in item.table.batches(scope, item.query, batch):
                writer.writerows(spreadsheet_row(row) for row in rows)
                written += len(rows)
                done += len(rows)
                if progress is not None:
                    progress(item.table.name, done, max(expected, done))
        summary.rows[item.table.name] = written
    _write_about(scope, opener, planned, summary)
    return summary


def _write_about(scope: Scope, opener: Opener, planned: list[Planned], summary: Summary) -> None:
    files = [
        {
            "name": item.table.name,
            "rows": summary.rows[item.table.name],
            "columns": list(item.table.columns),
            "about": item.table.about,
        }
        for item in planned
    ]
    reader = scope.user
    manifest = {
        "exported_at": cell(summary.exported_at),
        "exported_for": None
        if reader is None
        else {"user_id": reader.id, "email": reader.email, "role": reader.role},
        "files": files,
    }
    with opener(MANIFEST) as stream:
        json.dump(manifest, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    with opener(README) as stream:
        stream.write(readme_text(manifest))


def readme_text(manifest: dict) -> str:
    """The archive's README: what it is, how to read it, and each file with its rows and
    columns."""
    reader = manifest["exported_for"]
    who = (
        "the command line (every row)"
        if reader is None
        else f"{reader['email']} ({reader['role']}): the rows this account may read"
    )
    lines = [
        "Tandem data export",
        "",
        f"Exported at {manifest['exported_at']} for {who}.",
        "",
        "Each file is UTF-8 CSV with a header row. Times are ISO 8601 in UTC, dates",
        "YYYY-MM-DD. Every row carries ids, so files join: usage_events.asset_id is",
        "assets.asset_id, share_link_opens.deal_id is deals.deal_id, and so on. Text",
        "cells that begin with =, +, -, @ or a tab are prefixed with ' so that a",
        "spreadsheet shows them instead of running them. Files were read one after",
        "another while the portal was in use: a later file may name a row that is",
        "newer than an earlier file.",
        "",
    ]
    for item in manifest["files"]:
        rows = item["rows"]
        lines += [
            f"{item['name']}: {rows:,} row{'' if rows == 1 else 's'}",
            f"  {item['about']}",
            f"  Columns: {', '.join(item['columns'])}",
            "",
        ]
    return "\n".join(lines)


def write_zip(scope: Scope, target: IO[bytes], progress: Progress | None = None) -> Summary:
    """Write the reader's files into a ZIP archive on ``target``."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        @contextmanager
        def member(name: str) -> Iterator[IO[str]]:
            raw = archive.open(name, "w", force_zip64=True)
            with io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                yield text

        return write_files(scope, member, progress)


def write_folder(scope: Scope, folder: Path, progress: Progress | None = None) -> Summary:
    """Write the reader's files into ``folder`` (which exists)."""

    @contextmanager
    def member(name: str) -> Iterator[IO[str]]:
        with (folder / name).open("w", encoding="utf-8", newline="") as text:
            yield text

    return write_files(scope, member, progress)
