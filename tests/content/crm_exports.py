"""Builders of CRM opportunity exports (CSV bytes) for the deal import tests."""

import csv
import io

HEADER = (
    "Opportunity ID", "Opportunity Name", "Account Name", "Amount", "Stage", "Close Date",
    "Owner Email",
)  # fmt: skip


def export(rows, header=HEADER, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A CSV file with ``header`` and ``rows`` (tuples in the header's order)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def opportunity(number: int, owner: str = "rep@example.com", **changes) -> tuple:
    """A valid row in HEADER's order; ``changes`` replace cells by column name."""
    cells = {
        "id": f"006{number:07d}",
        "name": f"Renewal {number}",
        "account": f"Account {number % 7}",
        "amount": f"{number * 100}.50",
        "stage": "Needs Analysis",
        "close_date": "2026-06-30",
        "owner": owner,
    }
    cells.update(changes)
    return tuple(cells.values())
