"""The gate's job summary: GitHub-flavoured Markdown for ``$GITHUB_STEP_SUMMARY``.

Annotations show only the worst few findings; the summary lists every failing and
warning citation, with the archived copy or the new address to cite instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.gate.policy import GateFinding, GateOutcome, Severity
from monitor.reports.formats import markdown_text as md

# A step summary over 1 MiB is not shown at all; this many rows stays far below that.
MAX_ROWS = 500
_MAX_CELL = 300

_MARKS = {Severity.FAIL: "❌ fail", Severity.WARN: "⚠️ warn", Severity.PASS: "✅ pass"}


def _cell(value: object) -> str:
    """Make a value safe inside a Markdown table cell, and short."""
    return md.text(value, _MAX_CELL)


def _link(label: str, url: str | None) -> str:
    return md.link(md.one_line(label, _MAX_CELL), url, in_table=True)


def _where(finding: GateFinding) -> str:
    if finding.path is None:
        return "registry (cited nowhere)"
    where = f"{finding.path}:{finding.line}" if finding.line else finding.path
    return md.code(where, in_table=True)


def _instead(finding: GateFinding, source: Mapping[str, Any] | None) -> str:
    if finding.archive_url:
        return _link("archived copy", finding.archive_url)
    if source is not None and finding.verdict == "moved":
        target = source.get("suggested_url") or source.get("final_url")
        if target:
            return _link("new address", target)
    return ""


def _headline(outcome: GateOutcome) -> str:
    if outcome.failed:
        return "## ❌ Citation gate failed"
    if outcome.counts[Severity.WARN]:
        return "## ⚠️ Citation gate passed with warnings"
    return "## ✅ Citation gate passed"


def job_summary(outcome: GateOutcome, status: Mapping[str, Any]) -> str:
    """Markdown for the job summary: counts, then every failing and warning citation."""
    run = status.get("run") or {}
    totals = status.get("totals") or {}
    lines = [_headline(outcome), ""]
    origin = f"Status generated {status.get('generated_at', 'at an unknown time')}"
    if run:
        origin += f" from run {run.get('id')} ({run.get('status')})"
    if totals:
        origin += (
            f": {totals.get('sources', 0)} sources, {totals.get('checked', 0)} checked, "
            f"{totals.get('failing', 0)} failing"
        )
    lines += [origin + ".", ""]
    if run.get("inconclusive"):
        lines += [
            "> **Inconclusive run:** the monitor's own network looked down, so failures "
            f"may not be the sources' fault. {_cell(run.get('note'))}".rstrip(),
            "",
        ]
    lines += ["| Result | Citations |", "|---|---:|"]
    worst_first = sorted(Severity, key=lambda s: s.rank)
    lines += [f"| {_MARKS[s]} | {outcome.counts[s]} |" for s in worst_first]

    flagged = [f for f in outcome.findings if f.severity is not Severity.PASS]
    if not flagged:
        return "\n".join([*lines, "", "Every citation passed."]) + "\n"
    by_id = {s.get("id"): s for s in status.get("sources", ()) if s.get("id")}
    by_url = {s.get("url"): s for s in status.get("sources", ())}
    lines += [
        "",
        "### Failing and warning citations",
        "",
        "| Result | Where | Source | Verdict | Why | Cite instead |",
        "|---|---|---|---|---|---|",
    ]
    for finding in flagged[:MAX_ROWS]:
        source = by_id.get(finding.source_id) or by_url.get(finding.url)
        lines.append(
            f"| {_MARKS[finding.severity]} | {_where(finding)} "
            f"| {_link(finding.source_id or finding.url, finding.url)} "
            f"| {_cell(finding.rule or finding.verdict)} | {_cell(finding.reason)} "
            f"| {_instead(finding, source)} |"
        )
    if len(flagged) > MAX_ROWS:
        lines += [
            "",
            f"{len(flagged) - MAX_ROWS} more not shown; see the full report in status.md.",
        ]
    return "\n".join(lines) + "\n"
