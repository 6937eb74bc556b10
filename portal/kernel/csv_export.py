"""CSV downloads that open safely in a spreadsheet."""

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

_FORMULA_STARTS = {"=", "+", "-", "@", "\t", "\r"}


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    return f"'{text}" if text[:1] in _FORMULA_STARTS else text


def spreadsheet_row(row: Iterable) -> list:
    """A CSV row whose text cells are spreadsheet-safe; numbers are left as they are."""
    return [spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[list]) -> Response:
    """A CSV download; text cells are made spreadsheet-safe, numbers are left as they are."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(spreadsheet_row(row))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
