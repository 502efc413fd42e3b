"""A run's batched result writes against one-by-one writes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checks.model import ArchiveFallback, ArchiveStatus, CheckResult, ErrorKind, Verdict
from monitor.store import Store
from monitor.store.schema import ResultRow
from tests.store.helpers import at, result, sync

IDS = ["a", "b", "c", "d"]


def varied(day: float) -> list[CheckResult]:
    return [
        result("a", Verdict.OK, day).replace(fingerprint="f1", bytes_read=512, etag='"e"'),
        result("b", Verdict.BROKEN, day, error_kind=ErrorKind.DNS, elapsed_ms=None),
        result("c", Verdict.MOVED, day).replace(
            final_url="https://c.example.org/new", extra={"similarity": 0.5}
        ),
        result("d", Verdict.BROKEN, day, status=404).replace(
            archive=ArchiveFallback(
                ArchiveStatus.VERIFIED, url="https://archive.example/x", captured_at=at(-3)
            )
        ),
    ]


def stored_columns(store: Store, ids: list[int]) -> list[dict[str, Any]]:
    """Every column of the given results but the id and the run."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(ResultRow.__table__).where(ResultRow.id.in_(ids)).order_by(ResultRow.id)
        )
        return [
            {k: v for k, v in row._mapping.items() if k not in ("id", "run_id")} for row in rows
        ]


def test_a_batch_writes_the_columns_a_single_write_does(store: Store) -> None:
    sync(store, *IDS)
    one_by_one = store.start_run(at(0), len(IDS))
    single = [store.save_result(one_by_one, r) for r in varied(0)]
    batched = store.start_run(at(0), len(IDS))
    many = store.save_results(batched, [(r, None) for r in varied(0)])
    assert stored_columns(store, many) == stored_columns(store, single)
    assert [s.result for s in store.results_for_run(batched)] == varied(0)


def test_ids_rise_across_single_and_batched_writes(store: Store) -> None:
    sync(store, *IDS)
    written: list[int] = []
    for day in range(3):
        run_id = store.start_run(at(day), len(IDS))
        written.append(store.save_result(run_id, result("a", Verdict.OK, day)))
        items = [(result(sid, Verdict.OK, day), at(day + 1)) for sid in IDS[1:]]
        batch = store.save_results(run_id, items)
        assert [s.id for s in store.results_for_run(run_id)] == [written[-1], *batch]
        assert [s.result.source_id for s in store.results_for_run(run_id)] == IDS
        written += batch
    assert written == sorted(set(written)), "distinct and rising"
    assert store.latest_results()["d"].id == written[-1]


def test_a_refused_batch_writes_nothing(store: Store) -> None:
    sync(store, *IDS)
    run_id = store.start_run(at(0), len(IDS))
    store.save_results(run_id, [(result("a", Verdict.OK, 0), at(1))])
    twice = [(result("b", Verdict.OK, 0), at(1)), (result("a", Verdict.OK, 0), at(1))]
    with pytest.raises(IntegrityError):
        store.save_results(run_id, twice)
    assert [s.result.source_id for s in store.results_for_run(run_id)] == ["a"]
    assert store.due_sources(["b"], at(0) + timedelta(hours=1)) == ["b"]
    [later] = store.save_results(run_id, [(result("b", Verdict.OK, 0), at(1))])
    assert store.latest_results()["b"].id == later
