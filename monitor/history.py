"""A source's past, for the dashboard and reports: spans of health, outages, uptime.

Everything here reads the store and streams: a query holds one source's events or one
day's counts at a time, never every result. Results older than the retention period
survive as daily rollups (:meth:`Store.apply_retention`), so facts that reach back that
far are known to the day, not to the second.

Uptime is the share of good checks (``ok``, ``moved``) among the *conclusive* ones:
checks that were ``blocked`` or ``transient``, or taken in a run where the monitor's
own network was down, say nothing about the source and are left out, so a source that
refuses robots is not shown as down.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from monitor.state import CheckClass, Health, HealthEvent, classify
from monitor.store import Store
from monitor.store.records import SourceSummary

UPTIME_DAYS = (7, 30, 365)

__all__ = [
    "UPTIME_DAYS",
    "DayStats",
    "HealthSpan",
    "Outage",
    "SourceSummary",
    "daily",
    "first_failure",
    "last_success",
    "outages",
    "summaries",
    "time_to_recovery",
    "timeline",
    "uptime",
]


@dataclass(frozen=True)
class HealthSpan:
    """A stretch of time in one health; ``end`` is None for the current one."""

    health: Health
    start: datetime
    end: datetime | None
    reason: str

    def duration(self, now: datetime) -> timedelta:
        return (self.end or now) - self.start


@dataclass(frozen=True)
class Outage:
    """From a source going suspect or dead until it was up again (``end`` None: still down)."""

    start: datetime
    end: datetime | None
    reached_dead: bool

    @property
    def duration(self) -> timedelta | None:
        return None if self.end is None else self.end - self.start


@dataclass(frozen=True)
class DayStats:
    """One UTC day of a source's checks, from rollups or raw results."""

    day: date
    checks: int
    good: int
    failing: int
    elapsed_ms_sum: float = 0.0
    timed: int = 0

    @property
    def mean_elapsed_ms(self) -> float | None:
        return self.elapsed_ms_sum / self.timed if self.timed else None


def timeline(store: Store, source_id: str, since: datetime | None = None) -> Iterator[HealthSpan]:
    """The source's health as consecutive spans, oldest first.

    Spans start at the source's first check (its first event). With ``since``, spans
    that ended before it are skipped and the one running at ``since`` starts there.
    """
    return spans_of(store.iter_events(source_id), since)


def spans_of(events: Iterable[HealthEvent], since: datetime | None = None) -> Iterator[HealthSpan]:
    """:func:`timeline` from a source's events already read, oldest first."""
    current: HealthEvent | None = None
    for event in events:
        if current is not None:
            span = _span(current, event.at, since)
            if span is not None:
                yield span
        current = event
    if current is not None:
        span = _span(current, None, since)
        if span is not None:
            yield span


def _span(event: HealthEvent, end: datetime | None, since: datetime | None) -> HealthSpan | None:
    if since is not None and end is not None and end <= since:
        return None
    start = max(event.at, since) if since is not None else event.at
    return HealthSpan(event.health, start, end, event.reason)


def outages(store: Store, source_id: str, since: datetime | None = None) -> Iterator[Outage]:
    """Each time the source went down (suspect or dead) and, if it did, came back up.

    With ``since``, only outages that began from then on are given.
    """
    return _outages(store.iter_events(source_id, since))


def _outages(events: Iterable[HealthEvent]) -> Iterator[Outage]:
    start: datetime | None = None
    dead = False
    for event in events:
        if event.health.is_down and not event.previous.is_down:
            start, dead = event.at, event.health is Health.DEAD
        elif start is not None and event.health is Health.DEAD:
            dead = True
        elif start is not None and event.health.is_up:
            yield Outage(start, event.at, dead)
            start, dead = None, False
    if start is not None:
        yield Outage(start, None, dead)


def time_to_recovery(
    store: Store, source_id: str, since: datetime | None = None, *, dead_only: bool = False
) -> list[timedelta]:
    """How long each finished outage lasted, oldest first (only dead ones if asked)."""
    return [
        outage.duration
        for outage in outages(store, source_id, since)
        if outage.duration is not None and (outage.reached_dead or not dead_only)
    ]


def uptime(store: Store, source_id: str, now: datetime, days: float) -> float | None:
    """Share of good checks among the conclusive ones over the last ``days``; None if none."""
    good, failing = store.outcome_counts(source_id, now - timedelta(days=days), now)
    return good / (good + failing) if good + failing else None


def last_success(store: Store, source_id: str) -> datetime | None:
    """When the source last passed a check (to the day, once only a rollup knows)."""
    return store.last_success_at(source_id)


def first_failure(store: Store, source_id: str) -> datetime | None:
    """When the current failing streak began: the first failing check since the last
    success. None when the source has not failed since (or ever)."""
    return store.first_failure_after(source_id, last_success(store, source_id))


def daily(store: Store, source_id: str, since: date | None = None) -> Iterator[DayStats]:
    """Per-day counts and mean response time, oldest first, rollups then raw results."""
    start = datetime.combine(since, datetime.min.time(), tzinfo=UTC) if since else None
    rolled = (
        DayStats(r.day, r.checks, r.good, r.failing, r.elapsed_ms_sum, r.timed)
        for r in store.rollups(source_id, since)
    )
    merged: DayStats | None = None
    for day in itertools.chain(rolled, _raw_days(store, source_id, start)):
        if merged is not None and merged.day == day.day:
            merged = _add(merged, day)
            continue
        if merged is not None:
            yield merged
        merged = day
    if merged is not None:
        yield merged


def _raw_days(store: Store, source_id: str, since: datetime | None) -> Iterator[DayStats]:
    day: date | None = None
    checks = good = failing = timed = 0
    elapsed = 0.0
    for point in store.checks(source_id, since):
        on = point.checked_at.astimezone(UTC).date()
        if on != day:
            if day is not None:
                yield DayStats(day, checks, good, failing, elapsed, timed)
            day, checks, good, failing, timed, elapsed = on, 0, 0, 0, 0, 0.0
        checks += 1
        if not point.inconclusive_run:
            kind = classify(point.verdict)
            good += kind is CheckClass.GOOD
            failing += kind is CheckClass.FAILING
        if point.elapsed_ms is not None:
            elapsed += point.elapsed_ms
            timed += 1
    if day is not None:
        yield DayStats(day, checks, good, failing, elapsed, timed)


def _add(a: DayStats, b: DayStats) -> DayStats:
    return DayStats(
        a.day,
        a.checks + b.checks,
        a.good + b.good,
        a.failing + b.failing,
        a.elapsed_ms_sum + b.elapsed_ms_sum,
        a.timed + b.timed,
    )


def summaries(
    store: Store, now: datetime, days: float = 30, *, source_ids: Sequence[str] | None = None
) -> Iterator[SourceSummary]:
    """One summary per known source (or per one of ``source_ids``), by id: health,
    latest check, uptime over ``days``."""
    return store.summaries(now, now - timedelta(days=days), source_ids=source_ids)
