"""Health, events and snoozes in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from checks.model import Verdict
from monitor.state import Health, HealthEvent, HealthPolicy, SourceHealth, advance_result
from monitor.store import Snooze, Store
from tests.store.helpers import at, result, run, sync


def test_a_source_never_folded_in_is_unknown(store: Store) -> None:
    assert store.health("nobody") == SourceHealth("nobody")


def test_health_round_trips_with_every_field(store: Store) -> None:
    state = SourceHealth(
        "s1",
        Health.SUSPECT,
        since=at(1),
        failing_since=at(0.5),
        failures=2,
        hard_failures=1,
        first_failure_at=at(0.75),
        last_success_at=at(0),
        last_checked_at=at(1),
        good_streak=0,
        uncertain_streak=1,
    )
    event = HealthEvent("s1", at(1), Health.HEALTHY, Health.SUSPECT, "broken: first failure")
    store.save_health("s1", state, event)
    assert store.health("s1") == state
    later = replace(state, health=Health.DEAD, since=at(4), failures=3)
    store.save_health("s1", later)
    assert store.health("s1") == later
    assert store.events() == [event]


def test_saving_another_sources_health_under_an_id_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.save_health("s2", SourceHealth("s1"))


def test_save_result_can_save_health_in_the_same_transaction(store: Store) -> None:
    sync(store, "s1")
    run_id = store.start_run(at(0), 1)
    checked = result("s1", Verdict.BROKEN, 0, status=404)
    state, event = advance_result(store.health("s1"), checked, HealthPolicy())
    result_id = store.save_result(run_id, checked, health=(state, event))
    assert store.health("s1") == state and state.health is Health.SUSPECT
    assert store.events(run_id=run_id) == [event]
    # The result and its health commit together: a refused result leaves health alone.
    again = result("s1", Verdict.OK, 0.5)
    with pytest.raises(IntegrityError):
        store.save_result(run_id, again, health=advance_result(state, again, HealthPolicy()))
    assert store.health("s1") == state
    assert result_id > 0


def test_update_health_folds_a_run_in_and_records_events(store: Store) -> None:
    sync(store, "a", "b", "c")
    run(store, 0, [result(s, Verdict.OK, 0) for s in "abc"])
    assert {s: store.health(s).health for s in "abc"} == dict.fromkeys("abc", Health.HEALTHY)
    second = run(
        store,
        1,
        [
            result("a", Verdict.OK, 1),
            result("b", Verdict.BROKEN, 1, status=404),
            result("c", Verdict.TRANSIENT, 1, status=503),
        ],
    )
    assert store.health("b").health is Health.SUSPECT
    assert store.health("c").health is Health.HEALTHY
    [event] = store.events(run_id=second)
    assert (event.source_id, event.previous, event.health) == ("b", Health.HEALTHY, Health.SUSPECT)
    run(store, 2, [result("b", Verdict.BROKEN, 2, status=404)])
    assert store.health("b").health is Health.DEAD
    assert [e.health for e in store.events("b")] == [Health.HEALTHY, Health.SUSPECT, Health.DEAD]
    assert [e.source_id for e in store.events(since=at(1))] == ["b", "b"]


def test_events_without_first_sights_leave_out_only_first_working_checks(store: Store) -> None:
    sync(store, "a", "b", "c")
    checked = [
        result("a", Verdict.OK, 0),
        result("b", Verdict.BROKEN, 0, status=404),
        result("c", Verdict.OK, 0),
    ]
    first = run(store, 0, checked)
    assert len(store.events(run_id=first)) == 3
    [news] = store.events(run_id=first, first_sights=False)
    assert (news.source_id, news.previous, news.health) == ("b", Health.UNKNOWN, Health.SUSPECT)
    second = run(store, 1, [result("a", Verdict.BROKEN, 1, status=404)])
    later = store.events(run_id=second, first_sights=False)
    assert [(e.source_id, e.previous, e.health) for e in later] == [
        ("a", Health.HEALTHY, Health.SUSPECT)
    ]
    assert all(not e.first_sight for e in store.events(first_sights=False))
    assert len(store.events(first_sights=False)) == len(store.events()) - 2


def test_update_health_is_idempotent_and_works_in_batches(store: Store) -> None:
    ids = [f"s{i:02}" for i in range(7)]
    sync(store, *ids)
    run_id = store.start_run(at(0), len(ids))
    for sid in ids:
        store.save_result(run_id, result(sid, Verdict.BROKEN, 0, status=404))
    store.finish_run(run_id, at(0))
    assert store.update_health(run_id, HealthPolicy(), inconclusive=False, batch=3) == 7
    assert store.update_health(run_id, HealthPolicy(), inconclusive=False, batch=3) == 0
    assert {store.health(s).failures for s in ids} == {1}
    assert len(store.events()) == 7


def test_an_inconclusive_run_changes_no_health(store: Store) -> None:
    sync(store, "s1")
    run(store, 0, [result("s1", Verdict.OK, 0)])
    before = store.health("s1")
    run(store, 1, [result("s1", Verdict.BROKEN, 1, status=404)], inconclusive=True)
    assert store.health("s1") == before
    assert store.count_results() == 2  # the result is kept all the same


def test_snoozes_by_source_and_by_host(store: Store) -> None:
    store.snooze("s1", at(5), "migration in progress")
    store.snooze("host:Example.ORG.", at(3))
    assert store.snoozes() == [
        Snooze("host:example.org", at(3), None),
        Snooze("s1", at(5), "migration in progress"),
    ]
    assert store.snoozed("s1", "https://other.example.net/", at(4))
    assert not store.snoozed("s1", "https://other.example.net/", at(5))
    assert store.snoozed("s2", "https://www.example.org/x", at(1))
    assert store.snoozed("s2", "https://example.org/x", at(1))
    assert not store.snoozed("s2", "https://notexample.org/x", at(1))
    assert not store.snoozed("s2", "https://www.example.org/x", at(3))
    assert store.snoozes(now=at(4)) == [Snooze("s1", at(5), "migration in progress")]
    store.snooze("s1", at(9))
    assert store.snoozes(now=at(6)) == [Snooze("s1", at(9), None)]
    assert store.unsnooze("s1") and not store.unsnooze("s1")
    with pytest.raises(ValueError):
        store.snooze("host:", at(1))


def test_a_snoozed_source_keeps_its_health_but_its_results(store: Store) -> None:
    sync(store, "s1", "s2")
    run(store, 0, [result("s1", Verdict.OK, 0), result("s2", Verdict.OK, 0)])
    store.snooze("host:s1.example.org", at(3), "site rebuild")
    for day in (1, 2):
        run(
            store,
            day,
            [
                result("s1", Verdict.BROKEN, day, status=404),
                result("s2", Verdict.BROKEN, day, status=404),
            ],
        )
    assert store.health("s1").health is Health.HEALTHY
    assert store.health("s2").health is Health.DEAD
    assert len(list(store.history("s1"))) == 3
    run(store, 3, [result("s1", Verdict.BROKEN, 3, status=404)])
    assert store.health("s1").health is Health.SUSPECT


def test_events_stream_in_time_order(store: Store) -> None:
    for day, (previous, health) in enumerate(
        [(Health.UNKNOWN, Health.HEALTHY), (Health.HEALTHY, Health.SUSPECT)]
    ):
        event = HealthEvent("s1", at(day), previous, health, "r")
        store.save_health("s1", SourceHealth("s1", health, since=at(day)), event)
    store.save_health(
        "s0",
        SourceHealth("s0", Health.HEALTHY),
        HealthEvent("s0", at(0.5), Health.UNKNOWN, Health.HEALTHY, "r"),
    )
    assert [(e.source_id, e.at) for e in store.iter_events(batch=1)] == [
        ("s1", at(0)),
        ("s0", at(0.5)),
        ("s1", at(1)),
    ]
    assert [e.at for e in store.events("s1", since=at(0) + timedelta(seconds=1))] == [at(1)]
