"""``status.csv``: one row per source, for spreadsheets.

Columns are fixed and only ever appended to. Cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a
leading ``'``: cited pages and their error texts come from the web.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from monitor.reports.formats.base import RenderedFormat, without_surrogates

COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "verdict",
    "failing",
    "status",
    "reason",
    "checked_at",
    "final_url",
    "suggested_url",
    "archive_status",
    "archive_url",
    "owner",
    "cited_at",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell's text, neutralised if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def row(source: Mapping[str, Any]) -> dict[str, str]:
    """One source's row, keyed by column."""
    archive = source.get("archive") or {}
    cited = "; ".join(f"{c['document']}:{c['line']}" for c in source.get("citations") or [])
    values: dict[str, object] = {
        "id": source.get("id"),
        "url": source.get("url"),
        "verdict": source.get("verdict"),
        "failing": bool(source.get("failing")),
        "status": source.get("status"),
        "reason": source.get("reason"),
        "checked_at": source.get("checked_at"),
        "final_url": source.get("final_url"),
        "suggested_url": source.get("suggested_url"),
        "archive_status": archive.get("status"),
        "archive_url": archive.get("url"),
        "owner": source.get("owner"),
        "cited_at": cited,
    }
    return {column: safe_cell(values[column]) for column in COLUMNS}


class CsvFormat(RenderedFormat):
    name = "csv"
    filename = "status.csv"

    def render(self, status: Mapping[str, Any]) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for source in status.get("sources", ()):
            writer.writerow(row(source))
        # A lone surrogate (a broken PDF font map) cannot be written as UTF-8.
        return without_surrogates(out.getvalue())
