"""Small builders shared by the store tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from checks.model import CheckResult, ErrorKind, Verdict
from monitor.state import HealthPolicy
from monitor.store import Store
from monitor.store.schema import RunRow

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def result(
    source_id: str,
    verdict: Verdict,
    days: float,
    *,
    url: str | None = None,
    status: int | None = None,
    elapsed_ms: float | None = 100.0,
    error_kind: ErrorKind | None = None,
) -> CheckResult:
    if status is None and verdict in (Verdict.OK, Verdict.MOVED):
        status = 200
    return CheckResult(
        url=url or f"https://{source_id}.example.org/page",
        verdict=verdict,
        reason=verdict.value,
        checked_at=at(days),
        source_id=source_id,
        status=status,
        elapsed_ms=elapsed_ms,
        error_kind=error_kind,
    )


def sync(store: Store, *source_ids: str) -> None:
    store.sync_sources(
        [(sid, f"https://{sid}.example.org/page", sid.upper(), "owner") for sid in source_ids],
        T0,
    )


def run(
    store: Store,
    days: float,
    results: Sequence[CheckResult],
    *,
    policy: HealthPolicy | None = None,
    inconclusive: bool = False,
) -> int:
    """Save a run's results, finish it and fold them into health."""
    run_id = store.start_run(at(days), planned=len(results))
    for one in results:
        store.save_result(run_id, one)
    store.finish_run(run_id, at(days) + timedelta(minutes=1), inconclusive=inconclusive)
    store.update_health(run_id, policy or HealthPolicy(), inconclusive=inconclusive)
    return run_id


def start_run_before_0005(engine: Engine, started_at: datetime, planned: int) -> int:
    """A run started with the columns the runs table had from 0001 to 0004: the
    store's own ``start_run`` writes columns added since."""
    with engine.begin() as connection:
        started = connection.execute(
            insert(RunRow).values(
                started_at=started_at, status="running", inconclusive=False, planned=planned
            )
        )
        return int(started.inserted_primary_key[0])
