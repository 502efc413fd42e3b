"""What the dashboard reads from the store about each source's past.

Health, health events, snoozes and uptime come from the store and
:mod:`monitor.history`; the points of the timeline, content drift and the change of
verdict since the previous check are read here from the stored results, streamed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.content.drift import VERSION as FINGERPRINT_VERSION
from checks.content.drift import similarity as fingerprint_similarity
from checks.model import Verdict
from monitor import history as past
from monitor.history import HealthSpan
from monitor.state import Health, HealthEvent
from monitor.store import Store, StoredResult
from monitor.store.health import snooze_targets

UPTIME_DAYS = 30
# Results drawn on a source's timeline; older ones still count toward health and uptime.
TIMELINE_LIMIT = 500
DRIFT_LIMIT = 50
# Fingerprints whose sketch estimates how much of the text changed.
_SKETCHED = f"{FINGERPRINT_VERSION}:"


@dataclass(frozen=True)
class Point:
    """One stored result, as the timeline and the results table show it."""

    result_id: int
    run_id: int | None
    at: datetime
    verdict: Verdict
    status: int | None
    elapsed_ms: float | None
    reason: str
    fingerprint: str | None
    inconclusive_run: bool


@dataclass(frozen=True)
class DriftEvent:
    """The content changed between two consecutive results."""

    at: datetime
    result_id: int
    previous_at: datetime
    # Share of the text kept, in [0, 1]; None when it cannot be estimated.
    similarity: float | None


@dataclass(frozen=True)
class Notice:
    """A notification sent (or queued) about the source."""

    at: datetime | None
    channel: str
    recipient: str
    summary: str


@dataclass(frozen=True)
class Facts:
    """The per-source figures of one dashboard row."""

    health: Health
    since: datetime | None
    failing_since: datetime | None
    snoozed_until: datetime | None
    uptime: float | None
    last_elapsed_ms: float | None
    latest_verdict: Verdict | None
    previous_verdict: Verdict | None

    @property
    def changed(self) -> bool:
        """The newest result's verdict differs from the one before it."""
        return self.previous_verdict is not None and self.previous_verdict != self.latest_verdict


@dataclass(frozen=True)
class SourceHistory:
    """Everything a source's page shows about its past."""

    facts: Facts
    checks: int
    points: tuple[Point, ...]  # the newest TIMELINE_LIMIT, oldest first
    spans: tuple[HealthSpan, ...]  # health over time, oldest first
    drift: tuple[DriftEvent, ...]  # the newest DRIFT_LIMIT, oldest first
    events: tuple[HealthEvent, ...]
    notifications: tuple[Notice, ...] | None  # None: the store records none


def inconclusive_runs(store: Store) -> frozenset[int]:
    """Ids of runs the monitor judged inconclusive (its own network was down)."""
    return frozenset(run.id for run in store.runs() if run.inconclusive)


def source_history(
    store: Store,
    source_id: str,
    url: str,
    now: datetime,
    *,
    skipped_runs: frozenset[int] | None = None,
    limit: int = TIMELINE_LIMIT,
    facts: Facts | None = None,
) -> SourceHistory:
    """One source's past: its results read in one streamed pass, health from the store.

    ``facts``, when the caller already has them for many sources at once (see
    :func:`index_facts`), spare the per-source queries for health, snoozes and uptime.
    """
    skipped = inconclusive_runs(store) if skipped_runs is None else skipped_runs
    points: deque[Point] = deque(maxlen=limit)
    drift: deque[DriftEvent] = deque(maxlen=DRIFT_LIMIT)
    before: StoredResult | None = None
    previous: Verdict | None = None
    count = 0
    for stored in store.history(source_id):
        count += 1
        points.append(to_point(stored, skipped))
        if before is not None:
            previous = before.result.verdict
            event = drift_between(before, stored)
            if event is not None:
                drift.append(event)
        before = stored
    if facts is None:
        state = store.health(source_id)
        targets = set(snooze_targets(source_id, url))
        snoozed = [z.until for z in store.snoozes(now) if z.target in targets]
        facts = Facts(
            health=state.health,
            since=state.since,
            failing_since=state.failing_since,
            snoozed_until=max(snoozed, default=None),
            uptime=past.uptime(store, source_id, now, UPTIME_DAYS) if count else None,
            last_elapsed_ms=before.result.elapsed_ms if before else None,
            latest_verdict=before.result.verdict if before else None,
            previous_verdict=previous,
        )
    events = tuple(store.events(source_id))
    return SourceHistory(
        facts=facts,
        checks=count,
        points=tuple(points),
        spans=tuple(past.spans_of(events)),
        drift=tuple(drift),
        events=events,
        notifications=notifications(store, source_id),
    )


def index_facts(store: Store, source_ids: Sequence[str], now: datetime) -> dict[str, Facts]:
    """The row figures of the given sources that have been checked."""
    wanted = set(source_ids)
    latest = store.latest_results(sorted(wanted))
    facts = {}
    for summary in past.summaries(store, now, UPTIME_DAYS):
        newest = latest.get(summary.source_id)
        if summary.source_id not in wanted or newest is None:
            continue
        previous = store.previous_result(summary.source_id, before_id=newest.id)
        facts[summary.source_id] = Facts(
            health=summary.health,
            since=summary.since,
            failing_since=summary.failing_since,
            snoozed_until=summary.snoozed_until,
            uptime=summary.uptime,
            last_elapsed_ms=newest.result.elapsed_ms,
            latest_verdict=newest.result.verdict,
            previous_verdict=previous.result.verdict if previous else None,
        )
    return facts


def notifications(store: Store, source_id: str) -> tuple[Notice, ...] | None:
    """Notifications the store recorded about the source, or None when it keeps none."""
    reader = getattr(store, "notifications", None)
    if not callable(reader):
        return None
    return tuple(_notice(item) for item in reader(source_id))


def _notice(item: Any) -> Notice:
    def first(*names: str) -> Any:
        return next((getattr(item, n) for n in names if getattr(item, n, None) is not None), None)

    at = first("sent_at", "at", "created_at")
    return Notice(
        at=at if isinstance(at, datetime) else None,
        channel=str(first("channel", "kind") or "notification"),
        recipient=str(first("recipient", "owner", "owner_id") or ""),
        summary=str(first("subject", "summary", "reason", "status") or ""),
    )


def to_point(stored: StoredResult, skipped_runs: frozenset[int] = frozenset()) -> Point:
    result = stored.result
    return Point(
        result_id=stored.id,
        run_id=stored.run_id,
        at=result.checked_at,
        verdict=result.verdict,
        status=result.status,
        elapsed_ms=result.elapsed_ms,
        reason=result.reason,
        fingerprint=result.fingerprint,
        inconclusive_run=stored.run_id in skipped_runs,
    )


def drift_between(before: StoredResult, after: StoredResult) -> DriftEvent | None:
    """A drift event when both results have a fingerprint and they differ.

    The similarity is the one the check recorded (``extra["similarity"]``) when it did,
    else an estimate from the two fingerprints.
    """
    old, new = before.result.fingerprint, after.result.fingerprint
    if not old or not new or old == new:
        return None
    recorded = after.result.extra.get("similarity")
    score = float(recorded) if isinstance(recorded, int | float) else None
    if score is None and old.startswith(_SKETCHED) and new.startswith(_SKETCHED):
        score = fingerprint_similarity(old, new)
    return DriftEvent(after.result.checked_at, after.id, before.result.checked_at, score)
