"""What the dashboard reads from the store about each source's past.

Health, health events, snoozes and uptime come from the store and
:mod:`monitor.history`; the points of the timeline, content drift and the change of
verdict since the previous check are read here from the stored results, streamed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import attrgetter

from checks.content.drift import VERSION as FINGERPRINT_VERSION
from checks.content.drift import similarity as fingerprint_similarity
from checks.model import Verdict
from monitor import history as past
from monitor.history import HealthSpan
from monitor.state import Health, HealthEvent
from monitor.store import NoticeRecord, ResultBrief, Store
from monitor.store.health import snooze_targets

UPTIME_DAYS = 30
# Results drawn on a source's timeline; older ones still count toward health and uptime.
TIMELINE_LIMIT = 500
DRIFT_LIMIT = 50
# Sources whose results are read with one query: bounds memory and bound parameters.
HISTORY_CHUNK = 500
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
    found = source_histories(
        store,
        [(source_id, url)],
        now,
        skipped_runs=skipped_runs,
        limit=limit,
        facts={source_id: facts} if facts is not None else None,
    )
    return next(history for _sid, history in found)


def source_histories(
    store: Store,
    sources: Sequence[tuple[str, str]],
    now: datetime,
    *,
    skipped_runs: frozenset[int] | None = None,
    limit: int = TIMELINE_LIMIT,
    facts: Mapping[str, Facts] | None = None,
) -> Iterator[tuple[str, SourceHistory]]:
    """The past of many sources (id, url), read a chunk of sources at a time in a few
    streamed queries rather than several per source; in no particular order. ``facts``
    as for :func:`source_history`; sources it lacks get theirs one by one."""
    skipped = inconclusive_runs(store) if skipped_runs is None else skipped_runs
    for start in range(0, len(sources), HISTORY_CHUNK):
        chunk = dict(sources[start : start + HISTORY_CHUNK])
        yield from _chunk_histories(store, chunk, now, skipped, limit, facts or {})


def _chunk_histories(
    store: Store,
    urls: Mapping[str, str],
    now: datetime,
    skipped: frozenset[int],
    limit: int,
    facts: Mapping[str, Facts],
) -> Iterator[tuple[str, SourceHistory]]:
    ids = list(urls)
    events = store.events_of(ids)
    notices = store.notices_of(ids)

    def history(source_id: str, results: Iterable[ResultBrief]) -> SourceHistory:
        return _history(
            store,
            source_id,
            urls[source_id],
            now,
            results,
            tuple(events.get(source_id, ())),
            notices.get(source_id, ()),
            skipped=skipped,
            limit=limit,
            facts=facts.get(source_id),
        )

    unseen = dict.fromkeys(ids)
    for source_id, results in groupby(store.result_briefs(ids), key=attrgetter("source_id")):
        unseen.pop(source_id, None)
        yield source_id, history(source_id, results)
    for source_id in unseen:
        yield source_id, history(source_id, ())


def _history(
    store: Store,
    source_id: str,
    url: str,
    now: datetime,
    results: Iterable[ResultBrief],
    events: tuple[HealthEvent, ...],
    notices: Iterable[NoticeRecord],
    *,
    skipped: frozenset[int],
    limit: int,
    facts: Facts | None,
) -> SourceHistory:
    points: deque[Point] = deque(maxlen=limit)
    drift: deque[DriftEvent] = deque(maxlen=DRIFT_LIMIT)
    before: ResultBrief | None = None
    previous: Verdict | None = None
    count = 0
    for brief in results:
        count += 1
        points.append(to_point(brief, skipped))
        if before is not None:
            previous = before.verdict
            event = drift_between(before, brief)
            if event is not None:
                drift.append(event)
        before = brief
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
            last_elapsed_ms=before.elapsed_ms if before else None,
            latest_verdict=before.verdict if before else None,
            previous_verdict=previous,
        )
    return SourceHistory(
        facts=facts,
        checks=count,
        points=tuple(points),
        spans=tuple(past.spans_of(events)),
        drift=tuple(drift),
        events=events,
        notifications=tuple(_notice(n) for n in notices),
    )


# Up to this many sources, index_facts asks the store for them by id.
FEW_SOURCES = 1000


def index_facts(store: Store, source_ids: Sequence[str], now: datetime) -> dict[str, Facts]:
    """The row figures of the given sources that have been checked."""
    wanted = set(source_ids)
    # A few sources (a batch of pages written during a run) are asked for by id; for
    # many, one pass over every source costs less than the lists of ids.
    few = sorted(wanted) if len(wanted) <= FEW_SOURCES else None
    newest = store.newest_briefs(few, count=2)
    facts = {}
    for summary in past.summaries(store, now, UPTIME_DAYS, source_ids=few):
        recent = newest.get(summary.source_id)
        if summary.source_id not in wanted or not recent:
            continue
        facts[summary.source_id] = Facts(
            health=summary.health,
            since=summary.since,
            failing_since=summary.failing_since,
            snoozed_until=summary.snoozed_until,
            uptime=summary.uptime,
            last_elapsed_ms=recent[0].elapsed_ms,
            latest_verdict=recent[0].verdict,
            previous_verdict=recent[1].verdict if len(recent) > 1 else None,
        )
    return facts


def _notice(record: NoticeRecord) -> Notice:
    return Notice(
        at=record.sent_at,
        channel=record.channel or "notification",
        recipient=record.recipient or record.owner,
        summary=record.subject or "",
    )


def to_point(brief: ResultBrief, skipped_runs: frozenset[int] = frozenset()) -> Point:
    return Point(
        result_id=brief.id,
        run_id=brief.run_id,
        at=brief.checked_at,
        verdict=brief.verdict,
        status=brief.status,
        elapsed_ms=brief.elapsed_ms,
        reason=brief.reason,
        fingerprint=brief.fingerprint,
        inconclusive_run=brief.run_id in skipped_runs,
    )


def drift_between(before: ResultBrief, after: ResultBrief) -> DriftEvent | None:
    """A drift event when both results have a fingerprint and they differ.

    The similarity is the one the check recorded when it did, else an estimate from the
    two fingerprints.
    """
    old, new = before.fingerprint, after.fingerprint
    if not old or not new or old == new:
        return None
    score = after.similarity
    if score is None and old.startswith(_SKETCHED) and new.startswith(_SKETCHED):
        score = fingerprint_similarity(old, new)
    return DriftEvent(after.checked_at, after.id, before.checked_at, score)
