"""Report formats behind one small interface: ``render(status) -> str`` and
``write(status, out)``, the second for files (see :mod:`monitor.reports.formats.base`).

Each format reads the status document of :mod:`monitor.reports.status`; none of them
looks at the store or performs a check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TextIO

from monitor.reports.formats.csv_format import CsvFormat
from monitor.reports.formats.json_format import JsonFormat
from monitor.reports.formats.junit import JUnitFormat
from monitor.reports.formats.markdown import MarkdownFormat
from monitor.reports.formats.sarif import SarifFormat


class ReportFormat(Protocol):
    name: str
    filename: str

    def render(self, status: Mapping[str, Any]) -> str: ...

    def write(self, status: Mapping[str, Any], out: TextIO) -> None: ...


FORMATS: dict[str, ReportFormat] = {
    f.name: f for f in (JsonFormat(), MarkdownFormat(), JUnitFormat(), SarifFormat(), CsvFormat())
}

__all__ = ["FORMATS", "ReportFormat"]
