"""Batched result writes and bulk reads, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checks.model import CheckResult, Verdict
from monitor.state import Health
from monitor.store import Store

T = datetime(2026, 2, 1, 12, tzinfo=UTC)


def result(source_id: str, **changes: object) -> CheckResult:
    base = CheckResult(
        url=f"http://{source_id}.example/",
        verdict=Verdict.OK,
        reason="200 OK",
        checked_at=T,
        source_id=source_id,
        status=200,
        etag=f'"{source_id}"',
    )
    return base.replace(**changes)


def test_a_batch_is_written_in_order_with_source_state(store: Store) -> None:
    ids = [f"s{i}" for i in range(5)]
    store.sync_sources(((sid, f"http://{sid}.example/", None, None) for sid in ids), T)
    run_id = store.start_run(T, planned=5)
    items = [(result(sid), T + timedelta(days=1)) for sid in ids]
    items[1] = (result("s1", not_modified=True, etag=None), None)
    written = store.save_results(run_id, items)
    assert len(written) == 5 and written == sorted(written)
    stored = store.results_for_run(run_id)
    assert [r.id for r in stored] == written
    assert [r.result.source_id for r in stored] == ids
    memories = store.memories_of(ids)
    assert (memories["s0"].etag, memories["s0"].last_modified) == ('"s0"', None)
    assert (memories["s1"].etag, memories["s1"].last_modified) == (None, None), (
        "a 304 keeps the previous validators"
    )
    assert store.due_sources(ids, T + timedelta(hours=1)) == ["s1"], "no due time given: still due"
    assert store.latest_results()["s3"].id == written[3]


def test_bulk_health_read_covers_unknown_sources(store: Store) -> None:
    healths = store.healths(["never", "checked"])
    assert healths["never"].health is Health.UNKNOWN
    assert set(healths) == {"never", "checked"}
