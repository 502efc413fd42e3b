"""status.csv: one row per source, stable columns, no formulas."""

from __future__ import annotations

import csv
import io

import pytest

from monitor.reports.formats import FORMATS
from monitor.reports.formats.csv_format import COLUMNS, CsvFormat
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import ARCHIVE_URL, T, archive, source


def parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def test_registered_as_a_report_format() -> None:
    fmt = FORMATS["csv"]
    assert (fmt.name, fmt.filename) == ("csv", "status.csv")


def test_rows_and_columns(make_status: MakeStatus) -> None:
    status = make_status(
        source(
            "gone",
            "http://gone.example/r.pdf",
            "broken",
            reason="404 Not Found\nreally",
            status=404,
            archive=archive(),
            cited=[("sheet", 12), ("other", 3)],
        ),
        source(
            "moved",
            "http://m.example/",
            "moved",
            final_url="https://m.example/",
            suggested_url="https://m.example/",
            status=200,
            owner=None,
        ),
        source("never", "https://n.example/", None, cited=[]),
    )
    header, rows = parse(CsvFormat().render(status))
    assert header == list(COLUMNS) == [
        "id", "url", "verdict", "failing", "status", "reason", "checked_at", "final_url",
        "suggested_url", "archive_status", "archive_url", "owner", "cited_at",
    ]  # fmt: skip
    assert [r["id"] for r in rows] == ["gone", "moved", "never"]
    gone, moved, never = rows
    assert gone == {
        "id": "gone",
        "url": "http://gone.example/r.pdf",
        "verdict": "broken",
        "failing": "true",
        "status": "404",
        "reason": "404 Not Found\nreally",
        "checked_at": T.isoformat(),
        "final_url": "",
        "suggested_url": "",
        "archive_status": "verified",
        "archive_url": ARCHIVE_URL,
        "owner": "web",
        "cited_at": "sheet:12; other:3",
    }
    assert (moved["failing"], moved["suggested_url"], moved["owner"]) == (
        "false",
        "https://m.example/",
        "",
    )
    assert (never["verdict"], never["checked_at"], never["cited_at"]) == ("", "", "")


@pytest.mark.parametrize(
    "evil",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\r=1"],
)
def test_formula_injection_is_neutralised(make_status: MakeStatus, evil: str) -> None:
    status = make_status(source("s", "https://a.example/", "broken", reason=evil, owner=evil))
    _, [row] = parse(CsvFormat().render(status))
    assert row["reason"] == "'" + evil
    assert row["owner"] == "'" + evil
    # Ordinary text is untouched.
    assert row["url"] == "https://a.example/"
    assert row["verdict"] == "broken"
