"""Report formats behind one small interface: ``render(status) -> str`` and
``write(status, out)``, the second for files (see :mod:`monitor.reports.formats.base`).

Each format reads the status document of :mod:`monitor.reports.status`; none of them
looks at the store or performs a check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TextIO

from monitor.gate.policy import GatePolicy

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


def formats_for(
    policy: GatePolicy | None = None, documents: Sequence[str] | None = None, root: str = ""
) -> dict[str, ReportFormat]:
    """Every format by name; those holding the gate's findings (JUnit, SARIF) judge
    them under ``policy`` (the default one unless given), for the citations of
    ``documents`` (ids or paths; all when None), as the gate does. ``root``: the
    registry's folder from the top of its repository, where SARIF locations start."""
    return {
        f.name: f
        for f in (
            JsonFormat(),
            MarkdownFormat(),
            JUnitFormat(policy, documents),
            SarifFormat(policy, documents, root),
            CsvFormat(),
        )
    }


# Under the default policy; the same names and files as formats_for gives.
FORMATS: dict[str, ReportFormat] = formats_for()

__all__ = ["FORMATS", "ReportFormat", "formats_for"]
