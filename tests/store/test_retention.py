"""Old results become daily rollups; counts survive, rows go."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checks.model import Verdict
from monitor import history
from monitor.store import Rollup, Store
from tests.store.helpers import at, result, run, sync


def fill(store: Store) -> None:
    """Two sources, two runs a day for four days, one run inconclusive."""
    sync(store, "a", "b")
    for day in range(4):
        for hour, verdict in ((0.0, Verdict.OK), (0.5, Verdict.BROKEN)):
            when = day + hour
            run(
                store,
                when,
                [
                    result("a", verdict, when, elapsed_ms=100.0 * (day + 1)),
                    result("b", Verdict.BLOCKED, when, status=403, elapsed_ms=None),
                ],
                inconclusive=(day == 1 and hour == 0.5),
            )


def test_retention_rolls_up_and_deletes_old_results(store: Store) -> None:
    fill(store)
    assert store.count_results() == 16
    before = history.uptime(store, "a", at(4), days=30)
    deleted = store.apply_retention(at(4), keep_days=2)
    # Days 0 and 1 go, for both sources: 8 results.
    assert deleted == 8
    assert store.count_results() == 8
    assert list(store.rollups("a")) == [
        Rollup("a", at(0).date(), 2, 1, 1, {"broken": 1, "ok": 1}, 200.0, 2),
        # The broken check of day 1 was in an inconclusive run: counted, not judged.
        Rollup("a", at(1).date(), 2, 1, 0, {"broken": 1, "ok": 1}, 400.0, 2),
    ]
    assert [r.mean_elapsed_ms for r in store.rollups("a")] == [100.0, 200.0]
    [b0, b1] = store.rollups("b")
    assert (b0.checks, b0.good, b0.failing, b0.timed, b0.mean_elapsed_ms) == (2, 0, 0, 0, None)
    assert b1.verdicts == {"blocked": 2}
    # Uptime reads rollups and raw results together, so it does not change.
    assert history.uptime(store, "a", at(4), days=30) == before == 4 / 7


def test_each_sources_newest_result_is_kept_however_old(store: Store) -> None:
    sync(store, "a", "old")
    run(store, 0, [result("old", Verdict.OK, 0), result("a", Verdict.OK, 0)])
    run(store, 1, [result("old", Verdict.BROKEN, 1, status=404), result("a", Verdict.OK, 1)])
    run(store, 50, [result("a", Verdict.OK, 50)])
    assert store.apply_retention(at(60), keep_days=30) == 3
    latest = store.latest_results()
    assert latest["old"].result.checked_at == at(1)
    assert latest["a"].result.checked_at == at(50)
    assert [r.checks for r in store.rollups("old")] == [1]


def test_retention_twice_over_a_split_day_adds_to_the_rollup(store: Store) -> None:
    sync(store, "a")
    run(store, 0.1, [result("a", Verdict.OK, 0.1, elapsed_ms=10.0)])
    run(store, 0.6, [result("a", Verdict.BROKEN, 0.6, status=404, elapsed_ms=30.0)])
    run(store, 5, [result("a", Verdict.OK, 5)])
    # The first pass cuts through day 0; the second takes the rest of it.
    assert store.apply_retention(at(0.3) + timedelta(days=2), keep_days=2) == 1
    # Meanwhile the day is half rollup, half raw results, and reads as one day.
    [day0, _] = history.daily(store, "a")
    assert (day0.day, day0.checks, day0.good, day0.failing, day0.mean_elapsed_ms) == (
        at(0).date(),
        2,
        1,
        1,
        20.0,
    )
    assert store.apply_retention(at(5), keep_days=2) == 1
    assert list(store.rollups("a")) == [
        Rollup("a", at(0).date(), 2, 1, 1, {"broken": 1, "ok": 1}, 40.0, 2)
    ]
    assert store.count_results() == 1


def test_nothing_old_enough_means_nothing_deleted(store: Store) -> None:
    fill(store)
    assert store.apply_retention(at(4), keep_days=30) == 0
    assert store.count_results() == 16
    assert list(store.rollups("a")) == []


def test_keep_days_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError):
        store.apply_retention(at(4), keep_days=0)
