"""Reading a CRM opportunity export: bytes → text → header → rows of named cells.

Whatever is wrong with the file as a whole (not text, too large, required columns
missing) is refused here with a ValidationFailed, before any row is looked at; what is
wrong with one row is the planner's business (content.crm.imports).
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from portal.kernel.errors import ValidationFailed

EXTENSIONS = (".csv", ".tsv", ".txt")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}

# Each column the import reads, its label in messages, and the headers that mean it
# (compared after _header_key: case, spaces and punctuation do not matter).
COLUMNS = {
    "external_id": (
        "Opportunity ID",
        {"opportunity id", "opportunityid", "id", "external id", "crm id", "deal id", "record id"},
    ),
    "name": ("Opportunity Name", {"opportunity name", "name", "deal name"}),
    "account": ("Account Name", {"account name", "accountname", "account", "company"}),
    "amount": ("Amount", {"amount", "opportunity amount", "deal amount", "value"}),
    "stage": ("Stage", {"stage", "stage name", "stagename", "opportunity stage", "deal stage"}),
    "close_date": ("Close Date", {"close date", "closedate", "expected close date"}),
    "owner_email": (
        "Owner Email",
        {"owner email", "opportunity owner email", "owner e mail", "deal owner email"},
    ),
    "status": ("Status", {"status", "deal status", "opportunity status"}),
}
REQUIRED = ("external_id", "name", "account", "stage", "owner_email")
LABELS = {column: label for column, (label, _aliases) in COLUMNS.items()}

NOT_TEXT = (
    "This is not a text CSV file. Export the opportunities from your CRM as CSV "
    "(UTF-8 if it asks) and upload that file."
)
SPREADSHEET = (
    "This looks like an Excel workbook, not a CSV file. Open it and save it as "
    "“CSV UTF-8”, then upload that file."
)
WINDOWS_1252_WARNING = (
    "The file is not UTF-8, so it was read as Windows-1252 (what Excel saves by default). "
    "Check that accented names below look right; if not, save the export as “CSV UTF-8”."
)
# Control characters never occur in a CRM export's text; tab, CR and LF do.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class CsvRow:
    line: int  # where the record starts in the file; the header is line 1
    cells: dict[str, str]  # column (see COLUMNS) → trimmed text; absent columns are ""
    problem: str = ""  # set when the record itself is malformed


@dataclass
class CsvFile:
    encoding: str
    delimiter: str
    rows: list[CsvRow]
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]


def _refuse(message: str) -> NoReturn:
    raise ValidationFailed(message, {"file": message})


def check_filename(filename: str) -> None:
    """A CRM export is saved as .csv (or .tsv/.txt for tab-separated text)."""
    if Path(filename or "").suffix.lower() not in EXTENSIONS:
        _refuse("Upload the export as a .csv file (a .tsv or .txt text file also works).")


def check_size(size: int, limit: int) -> None:
    if size == 0:
        _refuse("The file is empty.")
    if size > limit:
        megabytes = limit // (1024 * 1024)
        shown = f"{megabytes} MB" if megabytes else f"{max(1, limit // 1024)} KB"
        _refuse(f"The file is larger than the {shown} limit.")


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and how it was read: UTF-8 (with or without a BOM), UTF-16 with a
    BOM, else Windows-1252 when every byte is defined there; anything else is refused."""
    if raw.startswith(b"PK\x03\x04"):
        _refuse(SPREADSHEET)
    try:
        if raw.startswith(codecs.BOM_UTF8):
            text, encoding = raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, encoding = raw.decode("utf-16"), "UTF-16"
        elif b"\x00" in raw:
            _refuse(NOT_TEXT)
        else:
            text, encoding = _utf8_or_windows_1252(raw)
    except UnicodeDecodeError:
        _refuse(NOT_TEXT)
    if _CONTROL.search(text):
        _refuse(NOT_TEXT)
    return text, encoding


def _utf8_or_windows_1252(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        # Python's cp1252 refuses the five undefined bytes, so binary rarely passes.
        return raw.decode("cp1252"), "Windows-1252"


def _header_key(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", header.casefold()).strip()


_ALIASES = {alias: column for column, (_label, aliases) in COLUMNS.items() for alias in aliases}


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (European Excel) or tab: whichever the header line uses most."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=lambda delimiter: (header.count(delimiter), delimiter == ","))


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """(column → position, headers the import ignores); refuses a file without the
    required columns or with two headers meaning the same column."""
    positions: dict[str, int] = {}
    ignored = []
    for position, title in enumerate(header):
        column = _ALIASES.get(_header_key(title))
        if column is None:
            if title.strip():
                ignored.append(title.strip())
        elif column in positions:
            first = header[positions[column]].strip()
            _refuse(
                f"The columns “{first}” and “{title.strip()}” both read as {LABELS[column]}; "
                "remove one of them."
            )
        else:
            positions[column] = position
    missing = [LABELS[column] for column in REQUIRED if column not in positions]
    if missing:
        _refuse(
            f"The file lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. The first line must name the columns, e.g. "
            f"{', '.join(LABELS[column] for column in COLUMNS)}."
        )
    return positions, ignored


def read_export(raw: bytes, limit: int) -> CsvFile:
    """Decode and parse an export; each record becomes a CsvRow with its line number."""
    check_size(len(raw), limit)
    text, encoding = decode(raw)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
        if header is None:
            _refuse("The file has no header line naming its columns.")
        positions, ignored = map_header(header)
        rows = _rows(reader, positions, len(header))
    except csv.Error as error:
        _refuse(f"Line {reader.line_num} could not be read as CSV ({error}). Nothing was read.")
    if not rows:
        _refuse("The file names its columns but has no opportunities below them.")
    warnings = [WINDOWS_1252_WARNING] if encoding == "Windows-1252" else []
    return CsvFile(encoding, delimiter, rows, ignored, warnings)


def _rows(reader, positions: dict[str, int], width: int) -> list[CsvRow]:
    rows = []
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        while len(cells) > width and not cells[-1].strip():
            cells.pop()  # trailing empty cells, as some tools write them
        if not any(cell.strip() for cell in cells):
            continue  # a blank line between records
        named = {
            column: cells[position].strip() if position < len(cells) else ""
            for column, position in positions.items()
        }
        problem = ""
        if len(cells) > width:
            problem = (
                f"The line has {len(cells)} cells but the header has {width}: a value "
                "probably contains an unquoted delimiter."
            )
        rows.append(CsvRow(start, named, problem))
    return rows
