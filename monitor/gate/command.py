"""The gate as a command: check (or reuse) what the documents cite, then judge it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.gate.annotations import annotation_commands
from monitor.gate.policy import GateOutcome, GatePolicy, Severity, evaluate
from monitor.gate.summary import job_summary
from monitor.registry import parse_duration
from monitor.reports.formats.base import without_surrogates

if TYPE_CHECKING:
    from monitor.workspace import Workspace

STYLE = {Severity.FAIL: "bold red", Severity.WARN: "yellow", Severity.PASS: "green"}


@dataclass(frozen=True)
class GateRun:
    status: dict[str, Any]
    outcome: GateOutcome
    policy: GatePolicy
    checked: int


def run_gate(
    workspace: Workspace,
    documents: Sequence[str],
    *,
    max_age: str | None,
    out: Console,
    environ: dict[str, str] | None = None,
) -> GateRun:
    """Check the cited sources that have no fresh enough result, then apply the policy."""
    from monitor.run import run_sources

    env = dict(os.environ) if environ is None else environ
    registry = workspace.registry
    policy = GatePolicy.from_settings(registry.settings.policy)
    report = workspace.scan_report
    wanted = set(documents) or {d.id for d in registry.documents}
    cited = {
        source_id
        for source_id, citations in report.citations_by_source().items()
        if any(c.document in wanted for c in citations)
    }
    sources = [s for s in registry.sources if s.id in cited]
    store = workspace.store()
    now = workspace.now()
    store.sync_sources(((s.id, s.url, s.title, s.owner) for s in registry.sources), now)
    if max_age is not None:
        oldest = now - parse_duration(max_age)
        latest = store.latest_results([s.id for s in sources])
        sources = [
            s for s in sources if s.id not in latest or latest[s.id].result.checked_at < oldest
        ]
    if sources:
        run_sources(
            registry,
            store,
            sources,
            settings=workspace.check_settings(),
            after_check=workspace.after_check(),
        )
    status = workspace.status()
    workspace.write_reports(status)
    unregistered = [
        (c.document, c.line, c.url) for c in report.unregistered_links if c.document in wanted
    ]
    outcome = evaluate(status, policy, unregistered=unregistered, documents=sorted(wanted), now=now)
    out.print(findings_table(outcome))
    verdict = "FAILED" if outcome.failed else "passed"
    out.print(
        f"Gate {verdict}: {outcome.counts.get(Severity.FAIL, 0)} failing, "
        f"{outcome.counts.get(Severity.WARN, 0)} warning, "
        f"{outcome.counts.get(Severity.PASS, 0)} passing citations "
        f"({len(sources)} checked now).",
        style=STYLE[Severity.FAIL if outcome.failed else Severity.PASS],
    )
    if env.get("GITHUB_ACTIONS") == "true":
        shown = from_repository_root(outcome, workspace.base_dir, env.get("GITHUB_WORKSPACE"))
        # Workflow commands must reach the runner on standard output.
        for line in annotation_commands(shown):
            print(line)
        summary_path = env.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            with Path(summary_path).open("a", encoding="utf-8") as summary:
                summary.write(job_summary(shown, status))
    return GateRun(status=status, outcome=outcome, policy=policy, checked=len(sources))


def from_repository_root(outcome: GateOutcome, base: Path, root: str | None) -> GateOutcome:
    """``outcome`` with each document path (relative to the registry's folder, ``base``)
    made relative to the checked-out repository, ``root``: Actions places an annotation
    by a path from there, and a registry kept below it would otherwise point nowhere."""
    if not root:
        return outcome
    top = Path(root).resolve()

    def moved(path: str) -> str:
        try:
            return (base / path).resolve().relative_to(top).as_posix()
        except ValueError:  # outside the repository: left as it was
            return path

    findings = tuple(replace(f, path=moved(f.path)) if f.path else f for f in outcome.findings)
    return replace(outcome, findings=findings)


def findings_table(outcome: GateOutcome) -> Table:
    table = Table(title="Citations", expand=False)
    table.add_column("Gate")
    table.add_column("Where")
    table.add_column("Verdict")
    table.add_column("URL", overflow="fold")
    table.add_column("Why", overflow="fold")
    for f in outcome.findings:
        where = f"{f.document}:{f.line}" if f.document and f.line else (f.document or "registry")
        table.add_row(
            Text(f.severity.value, style=STYLE[f.severity]),
            where,
            f.verdict or "",
            Text(without_surrogates(f.url or "")),
            Text(without_surrogates(f.message)),
        )
    return table


__all__ = ["GateRun", "findings_table", "from_repository_root", "run_gate"]
