"""Retention: old results become daily rollups, then go.

Each source's newest result is always kept, however old, because reports and the next
304 answer read it. Results without a source (ad-hoc checks) are dropped without a
rollup. Rolling up and deleting happen in one transaction, and rollups of a day are
added to, not replaced, so a day split across two retention passes is counted once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, func, select, text
from sqlalchemy.orm import Session

from checks.model import FAILING_VERDICTS
from monitor.state import GOOD_VERDICTS
from monitor.store.schema import ResultRollupRow, ResultRow, RunRow

# Raw results are kept this long unless configured otherwise; a year of uptime is
# read from rollups either way.
DEFAULT_KEEP_DAYS = 90

# The PostgreSQL advisory lock held while a pass runs: any number the database's other
# users do not take ("monitor retention", shortened to fit).
RETENTION_LOCK = 0x6D6F6E726574

_GOOD = frozenset(v.value for v in GOOD_VERDICTS)
_FAILING = frozenset(v.value for v in FAILING_VERDICTS)


@dataclass
class _Day:
    """Counts for one (source, day) while the results of that day stream past."""

    checks: int = 0
    good: int = 0
    failing: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    elapsed_ms_sum: float = 0.0
    timed: int = 0

    def add(self, verdict: str, elapsed_ms: float | None, inconclusive_run: bool) -> None:
        self.checks += 1
        self.verdicts[verdict] += 1
        if not inconclusive_run:
            self.good += verdict in _GOOD
            self.failing += verdict in _FAILING
        if elapsed_ms is not None:
            self.elapsed_ms_sum += elapsed_ms
            self.timed += 1


def expired(cutoff: datetime) -> ColumnElement[bool]:
    """Results older than ``cutoff`` except each source's newest."""
    newest = select(func.max(ResultRow.id)).group_by(ResultRow.source_id)
    return and_(ResultRow.checked_at < cutoff, ResultRow.id.not_in(newest))


def apply(s: Session, now: datetime, keep_days: float, *, batch: int = 1000) -> int:
    """Roll up and delete results older than ``keep_days`` before ``now``; the count deleted."""
    if keep_days <= 0:
        raise ValueError(f"keep_days must be positive, not {keep_days}")
    _one_pass_at_a_time(s)
    condition = expired(now - timedelta(days=keep_days))
    inconclusive = func.coalesce(RunRow.inconclusive, false())
    rows = s.execute(
        select(
            ResultRow.source_id,
            ResultRow.checked_at,
            ResultRow.verdict,
            ResultRow.elapsed_ms,
            inconclusive,
        )
        .outerjoin(RunRow, RunRow.id == ResultRow.run_id)
        .where(condition, ResultRow.source_id.is_not(None))
        .order_by(ResultRow.source_id, ResultRow.checked_at)
        .execution_options(yield_per=batch)
    )
    key: tuple[str, date] | None = None
    day = _Day()
    pending: dict[tuple[str, date], _Day] = {}
    for source_id, checked_at, verdict, elapsed_ms, in_inconclusive_run in rows:
        assert source_id is not None  # excluded by the query
        this = (source_id, checked_at.astimezone(UTC).date())
        if this != key:
            if key is not None:
                pending[key] = day
            key, day = this, _Day()
        day.add(verdict, elapsed_ms, bool(in_inconclusive_run))
        if len(pending) >= batch:
            _merge(s, pending)
            pending = {}
    if key is not None:
        pending[key] = day
    _merge(s, pending)
    deleted = s.execute(delete(ResultRow).where(condition))
    count: int = getattr(deleted, "rowcount", 0)
    return count


def _one_pass_at_a_time(s: Session) -> None:
    """Make a second pass (another process starting a run at the same moment) wait
    for this one and then read what it left: two passes reading the same old results
    each added them to the rollups. SQLite: the write lock, taken before the first
    read. PostgreSQL: an advisory lock for the transaction; each statement after it
    sees what the pass before committed."""
    connection = s.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RETENTION_LOCK})


def _merge(s: Session, days: dict[tuple[str, date], _Day]) -> None:
    if not days:
        return
    sources = {source_id for source_id, _ in days}
    earliest = min(d for _, d in days)
    existing = {
        (row.source_id, row.day): row
        for row in s.scalars(
            select(ResultRollupRow).where(
                ResultRollupRow.source_id.in_(sources), ResultRollupRow.day >= earliest
            )
        )
    }
    for (source_id, on), counts in days.items():
        row = existing.get((source_id, on))
        if row is None:
            s.add(
                ResultRollupRow(
                    source_id=source_id,
                    day=on,
                    checks=counts.checks,
                    good=counts.good,
                    failing=counts.failing,
                    verdicts=dict(counts.verdicts),
                    elapsed_ms_sum=counts.elapsed_ms_sum,
                    timed=counts.timed,
                )
            )
            continue
        merged: Counter[str] = Counter(row.verdicts)
        merged.update(counts.verdicts)
        row.checks += counts.checks
        row.good += counts.good
        row.failing += counts.failing
        row.verdicts = _plain(merged)
        row.elapsed_ms_sum += counts.elapsed_ms_sum
        row.timed += counts.timed
    s.flush()


def _plain(counts: Counter[str]) -> dict[str, Any]:
    return dict(sorted(counts.items()))
