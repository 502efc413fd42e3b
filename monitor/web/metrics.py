"""Prometheus metrics from the store: bounded labels only (verdict, health, archive
status), never a URL or a source id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from checks.model import ArchiveStatus, Verdict
from monitor import history
from monitor.state import Health

if TYPE_CHECKING:
    from monitor.workspace import Workspace

PREFIX = "citation_monitor"
UNCHECKED = "unchecked"


class _Snapshot(Collector):
    """Metric families computed once, when the page is asked for."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return iter(self.families)


def families(workspace: Workspace, status: Mapping[str, Any], now: datetime) -> list[Metric]:
    """Every metric, from the status document and the store."""
    store = workspace.store()
    sources = status["sources"]

    by_verdict = GaugeMetricFamily(
        f"{PREFIX}_sources", "Sources by the verdict of their newest check.", labels=["verdict"]
    )
    verdicts = {v.value: 0 for v in Verdict} | {UNCHECKED: 0}
    for entry in sources:
        verdicts[entry.get("verdict") or UNCHECKED] += 1
    for verdict, count in verdicts.items():
        by_verdict.add_metric([verdict], count)

    failing = GaugeMetricFamily(f"{PREFIX}_sources_failing", "Sources whose newest check failed.")
    failing.add_metric([], sum(1 for e in sources if e.get("failing")))

    by_health = GaugeMetricFamily(
        f"{PREFIX}_sources_health", "Sources by health.", labels=["health"]
    )
    wanted = {str(e["id"]) for e in sources}
    healths = {h.value: 0 for h in Health}
    seen = 0
    for summary in history.summaries(store, now):
        if summary.source_id in wanted:
            healths[Health(summary.health).value] += 1
            seen += 1
    healths[Health.UNKNOWN.value] += len(wanted) - seen
    for health, count in healths.items():
        by_health.add_metric([health], count)

    archives = GaugeMetricFamily(
        f"{PREFIX}_archive_fallbacks",
        "Sources whose newest check looked for an archived copy, by the outcome.",
        labels=["status"],
    )
    outcomes = {s.value: 0 for s in ArchiveStatus}
    for entry in sources:
        archive = entry.get("archive") or {}
        if archive.get("status") in outcomes:
            outcomes[archive["status"]] += 1
    for outcome, count in outcomes.items():
        archives.add_metric([outcome], count)

    results = CounterMetricFamily(f"{PREFIX}_results", "Check results stored.")
    results.add_metric([], store.count_results())

    out: list[Metric] = [by_verdict, failing, by_health, archives, results]
    run = store.last_run(finished_only=True)
    if run is not None and run.finished_at is not None:
        finished = GaugeMetricFamily(
            f"{PREFIX}_last_run_timestamp_seconds", "When the newest finished run ended."
        )
        finished.add_metric([], run.finished_at.timestamp())
        duration = GaugeMetricFamily(
            f"{PREFIX}_last_run_duration_seconds", "How long the newest finished run took."
        )
        duration.add_metric([], (run.finished_at - run.started_at).total_seconds())
        inconclusive = GaugeMetricFamily(
            f"{PREFIX}_last_run_inconclusive",
            "1 when the newest finished run was inconclusive (the monitor's own network was down).",
        )
        inconclusive.add_metric([], 1 if run.inconclusive else 0)
        out += [finished, duration, inconclusive]
    return out


def metrics_text(workspace: Workspace, status: Mapping[str, Any], now: datetime) -> bytes:
    """The metrics in the Prometheus text format, from a registry built for this request."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(families(workspace, status, now)))
    return generate_latest(registry)
