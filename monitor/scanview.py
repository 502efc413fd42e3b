"""The scan as tables for people (``run_monitor.py scan``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.scan import DocumentScan, ScanReport


def render_scan(console: Console, scans: Sequence[DocumentScan], report: ScanReport) -> None:
    citations = Table(title="Citations", expand=False)
    citations.add_column("Where")
    citations.add_column("Kind")
    citations.add_column("Footnote")
    citations.add_column("URL", overflow="fold")
    for scan in scans:
        for c in scan.citations:
            citations.add_row(f"{c.document}:{c.line}", c.kind.value, c.footnote or "", Text(c.url))
    console.print(citations)

    data = report.to_dict()
    bindings = data.get("footnote_bindings", [])
    if bindings:
        table = Table(title="Statistics tied to footnotes", expand=False)
        table.add_column("Where")
        table.add_column("Note")
        table.add_column("Statement", overflow="fold")
        table.add_column("Source", overflow="fold")
        for b in bindings:
            table.add_row(
                f"{b['document']}:{b['line']}",
                str(b["label"]),
                Text(str(b["sentence"])),
                Text(", ".join(b["urls"]) or "(note has no URL)"),
            )
        console.print(table)

    problems = Table(title="Registry and documents disagree", expand=False)
    problems.add_column("Where")
    problems.add_column("Problem")
    problems.add_column("Detail", overflow="fold")
    for item in data.get("unregistered_links", []):
        problems.add_row(_where(item), "link not in the registry", Text(str(item.get("url"))))
    for item in data.get("uncited_sources", []):
        problems.add_row(
            "registry", "source no document cites", Text(f"{item.get('id')}: {item.get('url')}")
        )
    for item in data.get("missing_notes", []):
        problems.add_row(
            _where(item), "footnote marker with no note", Text(f"[^{item.get('label')}]")
        )
    for item in data.get("unresolved_references", []):
        problems.add_row(_where(item), "reference without a URL", Text(str(item.get("text"))))
    for item in data.get("uncited_statistics", []):
        problems.add_row(
            _where(item), "statistic with no citation", Text(str(item.get("sentence")))
        )
    if problems.row_count:
        console.print(problems)
    else:
        console.print("The registry and the documents agree.")


def _where(item: dict[str, object]) -> str:
    line = item.get("line")
    return f"{item.get('document')}:{line}" if line else str(item.get("document"))
