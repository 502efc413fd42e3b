"""Grouped queries behind history and the dashboard: counts in SQL, rows streamed.

Raw results and daily rollups never overlap (a result is deleted in the transaction
that rolls it up), so their counts add. A window's start falls inside a day; rollups
are whole days, so a window over rollups may take in up to one day more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, Integer, case, false, func, select, true
from sqlalchemy.orm import Session

from checks.model import FAILING_VERDICTS, Verdict
from monitor.state import GOOD_VERDICTS, Health
from monitor.store.health import is_snoozed, load_snoozes, snooze_targets
from monitor.store.records import CheckPoint, Rollup, SourceSummary
from monitor.store.schema import (
    ResultRollupRow,
    ResultRow,
    RunRow,
    SourceHealthRow,
    SourceRow,
)

_GOOD = [v.value for v in GOOD_VERDICTS]
_FAILING = [v.value for v in FAILING_VERDICTS]


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``: the time given to rollup-only facts."""
    return datetime.combine(day, time(), tzinfo=UTC)


def _conclusive() -> ColumnElement[bool]:
    # Results of a run judged inconclusive say nothing about their sources.
    return func.coalesce(RunRow.inconclusive, false()) == false()


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def outcome_counts(s: Session, source_id: str, start: datetime, end: datetime) -> tuple[int, int]:
    """Good and failing checks of conclusive runs in ``[start, end]``, raw and rolled up."""
    raw = s.execute(
        select(
            _count_if(ResultRow.verdict.in_(_GOOD)),
            _count_if(ResultRow.verdict.in_(_FAILING)),
        )
        .outerjoin(RunRow, RunRow.id == ResultRow.run_id)
        .where(
            ResultRow.source_id == source_id,
            ResultRow.checked_at >= start,
            ResultRow.checked_at <= end,
            _conclusive(),
        )
    ).one()
    rolled = s.execute(
        select(
            func.coalesce(func.sum(ResultRollupRow.good), 0),
            func.coalesce(func.sum(ResultRollupRow.failing), 0),
        ).where(
            ResultRollupRow.source_id == source_id,
            ResultRollupRow.day >= start.astimezone(UTC).date(),
            ResultRollupRow.day <= end.astimezone(UTC).date(),
        )
    ).one()
    return int(raw[0]) + int(rolled[0]), int(raw[1]) + int(rolled[1])


def last_success_at(s: Session, source_id: str) -> datetime | None:
    """The newest good check; a day's start when only rollups remember one."""
    raw = s.scalar(
        select(func.max(ResultRow.checked_at)).where(
            ResultRow.source_id == source_id, ResultRow.verdict.in_(_GOOD)
        )
    )
    if raw is not None:
        return _utc(raw)
    day = s.scalar(
        select(func.max(ResultRollupRow.day)).where(
            ResultRollupRow.source_id == source_id, ResultRollupRow.good > 0
        )
    )
    return day_start(_as_date(day)) if day is not None else None


def first_failure_after(s: Session, source_id: str, after: datetime | None) -> datetime | None:
    """The oldest failing check of a conclusive run after ``after`` (or ever)."""
    raw_query = (
        select(func.min(ResultRow.checked_at))
        .outerjoin(RunRow, RunRow.id == ResultRow.run_id)
        .where(
            ResultRow.source_id == source_id,
            ResultRow.verdict.in_(_FAILING),
            _conclusive(),
        )
    )
    rolled_query = select(func.min(ResultRollupRow.day)).where(
        ResultRollupRow.source_id == source_id, ResultRollupRow.failing > 0
    )
    if after is not None:
        raw_query = raw_query.where(ResultRow.checked_at > after)
        # The day of ``after`` itself is ambiguous in a rollup: its failures may have
        # come before the success. Only later days count.
        rolled_query = rolled_query.where(ResultRollupRow.day > after.astimezone(UTC).date())
    raw = s.scalar(raw_query)
    day = s.scalar(rolled_query)
    found = [_utc(raw)] if raw is not None else []
    if day is not None:
        found.append(day_start(_as_date(day)))
    return min(found) if found else None


def checks(s: Session, source_id: str, since: datetime | None, batch: int) -> Iterator[CheckPoint]:
    """A source's raw results, oldest first, as chart points."""
    query = (
        select(
            ResultRow.id,
            ResultRow.checked_at,
            ResultRow.verdict,
            ResultRow.status,
            ResultRow.elapsed_ms,
            func.coalesce(RunRow.inconclusive, false()),
        )
        .outerjoin(RunRow, RunRow.id == ResultRow.run_id)
        .where(ResultRow.source_id == source_id)
        .order_by(ResultRow.checked_at, ResultRow.id)
        .execution_options(yield_per=batch)
    )
    if since is not None:
        query = query.where(ResultRow.checked_at >= since)
    for rid, checked_at, verdict, status, elapsed, inconclusive in s.execute(query):
        point = CheckPoint(
            rid, _utc(checked_at), Verdict(verdict), status, elapsed, bool(inconclusive)
        )
        yield point


def rollups(s: Session, source_id: str, since: date | None, batch: int) -> Iterator[Rollup]:
    """A source's daily rollups, oldest first."""
    query = (
        select(ResultRollupRow)
        .where(ResultRollupRow.source_id == source_id)
        .order_by(ResultRollupRow.day)
        .execution_options(yield_per=batch)
    )
    if since is not None:
        query = query.where(ResultRollupRow.day >= since)
    for row in s.scalars(query):
        yield Rollup(
            source_id=row.source_id,
            day=_as_date(row.day),
            checks=row.checks,
            good=row.good,
            failing=row.failing,
            verdicts={str(k): int(v) for k, v in row.verdicts.items()},
            elapsed_ms_sum=row.elapsed_ms_sum,
            timed=row.timed,
        )


def summaries(
    s: Session,
    start: datetime,
    now: datetime,
    batch: int,
    source_ids: Sequence[str] | None = None,
) -> Iterator[SourceSummary]:
    """One summary per known source (or per one of ``source_ids``: each is bound three
    times, so at most a few thousand), by id, with uptime over ``[start, now]``."""
    raw = (
        select(
            ResultRow.source_id.label("source_id"),
            _count_if(ResultRow.verdict.in_(_GOOD)).label("good"),
            _count_if(ResultRow.verdict.in_(_FAILING)).label("failing"),
        )
        .outerjoin(RunRow, RunRow.id == ResultRow.run_id)
        .where(
            ResultRow.checked_at >= start,
            ResultRow.checked_at <= now,
            ResultRow.source_id.is_not(None),
            _conclusive(),
        )
        .where(true() if source_ids is None else ResultRow.source_id.in_(source_ids))
        .group_by(ResultRow.source_id)
        .subquery()
    )
    rolled = (
        select(
            ResultRollupRow.source_id.label("source_id"),
            func.sum(ResultRollupRow.good).label("good"),
            func.sum(ResultRollupRow.failing).label("failing"),
        )
        .where(
            ResultRollupRow.day >= start.astimezone(UTC).date(),
            ResultRollupRow.day <= now.astimezone(UTC).date(),
            true() if source_ids is None else ResultRollupRow.source_id.in_(source_ids),
        )
        .group_by(ResultRollupRow.source_id)
        .subquery()
    )
    query = (
        select(
            SourceRow.id,
            SourceRow.url,
            SourceRow.title,
            SourceRow.owner,
            SourceRow.removed_at,
            SourceHealthRow.health,
            SourceHealthRow.since,
            SourceHealthRow.failing_since,
            SourceHealthRow.last_success_at,
            ResultRow.verdict,
            ResultRow.checked_at,
            ResultRow.status,
            ResultRow.elapsed_ms,
            func.coalesce(raw.c.good, 0) + func.coalesce(rolled.c.good, 0),
            func.coalesce(raw.c.failing, 0) + func.coalesce(rolled.c.failing, 0),
        )
        .outerjoin(SourceHealthRow, SourceHealthRow.source_id == SourceRow.id)
        .outerjoin(ResultRow, ResultRow.id == SourceRow.last_result_id)
        .outerjoin(raw, raw.c.source_id == SourceRow.id)
        .outerjoin(rolled, rolled.c.source_id == SourceRow.id)
        .where(true() if source_ids is None else SourceRow.id.in_(source_ids))
        .order_by(SourceRow.id)
        .execution_options(yield_per=batch)
    )
    snoozes = {target: until for target, until in load_snoozes(s).items() if until > now}
    for row in s.execute(query):
        (sid, url, title, owner, removed_at, health, since, failing_since, last_ok) = row[:9]
        verdict, checked_at, status, elapsed, good, failing = row[9:]
        good, failing = int(good or 0), int(failing or 0)
        yield SourceSummary(
            source_id=sid,
            url=url,
            title=title,
            owner=owner,
            removed=removed_at is not None,
            health=Health(health) if health else Health.UNKNOWN,
            since=_aware(since),
            failing_since=_aware(failing_since),
            last_success_at=_aware(last_ok),
            latest_verdict=Verdict(verdict) if verdict else None,
            latest_checked_at=_aware(checked_at),
            latest_status=status,
            last_elapsed_ms=elapsed,
            uptime=good / (good + failing) if good + failing else None,
            snoozed_until=_snoozed_until(snoozes, sid, url, now),
        )


def _snoozed_until(
    snoozes: dict[str, datetime], source_id: str, url: str, now: datetime
) -> datetime | None:
    if not snoozes or not is_snoozed(snoozes, source_id, url, now):
        return None
    return max(snoozes[t] for t in snooze_targets(source_id, url) if t in snoozes)


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _utc(value: datetime) -> datetime:
    # Aggregates may come back without the column's type on some backends; make sure
    # of the zone either way.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_date(value: date | str) -> date:
    # SQLite hands aggregates of DATE columns back as text.
    return value if isinstance(value, date) else date.fromisoformat(value)
