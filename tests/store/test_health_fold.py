"""Folding a run's results into health: the pure fold, and the store on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, UniqueConstraint, select

from checks.model import ErrorKind, Verdict
from monitor.state import Health, HealthEvent, HealthPolicy, SourceHealth, advance_result
from monitor.store import Store, db
from monitor.store import health as health_module
from monitor.store.health import Folded, StoredCheck, fold
from monitor.store.schema import Base, HealthEventRow, SourceHealthRow
from tests.store.helpers import at, result, run, sync

POLICY = HealthPolicy()


def check(
    result_id: int,
    source_id: str,
    verdict: Verdict,
    days: float,
    *,
    status: int | None = None,
    error_kind: ErrorKind | None = None,
) -> StoredCheck:
    return StoredCheck(
        result_id,
        source_id,
        f"https://{source_id}.example.org/page",
        at(days),
        verdict,
        status,
        error_kind,
    )


def healthy(source_id: str, result_id: int | None) -> Folded:
    return Folded(
        SourceHealth(source_id, Health.HEALTHY, since=at(0), last_checked_at=at(0)), result_id
    )


# --- the pure fold ------------------------------------------------------------------


def test_later_checks_of_a_source_fold_onto_the_earlier_ones() -> None:
    checks = [
        check(11, "a", Verdict.BROKEN, 1, status=404),
        check(12, "b", Verdict.OK, 1, status=200),
        check(13, "a", Verdict.BROKEN, 2, status=410),
    ]
    folded, events = fold(checks, {"a": healthy("a", 10)}, POLICY, {})
    assert folded["a"].result_id == 13
    assert folded["a"].state.health is Health.DEAD
    assert folded["a"].state.failures == 2 and folded["a"].state.hard_failures == 2
    assert [(e.event.source_id, e.event.previous, e.event.health, e.result_id) for e in events] == [
        ("a", Health.HEALTHY, Health.SUSPECT, 11),
        ("b", Health.UNKNOWN, Health.HEALTHY, 12),
        ("a", Health.SUSPECT, Health.DEAD, 13),
    ]


def test_checks_already_folded_in_are_skipped() -> None:
    current = {"a": healthy("a", 20), "b": healthy("b", None)}
    checks = [
        check(19, "a", Verdict.BROKEN, 1, status=404),
        check(20, "a", Verdict.BROKEN, 1, status=404),
        check(21, "b", Verdict.BROKEN, 1, status=404),
    ]
    folded, events = fold(checks, current, POLICY, {})
    assert "a" not in folded, "results up to the one recorded are not folded again"
    assert folded["b"].state.health is Health.SUSPECT, "no recorded result: nothing is skipped"
    assert [e.result_id for e in events] == [21]


def test_a_snoozed_source_keeps_its_state_but_records_the_result() -> None:
    snoozes = {"host:example.org": at(5)}
    folded, events = fold(
        [check(30, "a", Verdict.BROKEN, 1, status=404), check(31, "a", Verdict.BROKEN, 6)],
        {"a": healthy("a", 29)},
        POLICY,
        snoozes,
    )
    assert [(e.result_id, e.event.previous, e.event.health, e.event.at) for e in events] == [
        (31, Health.HEALTHY, Health.SUSPECT, at(6))
    ]
    assert folded["a"].state.failures == 1, "the snoozed check was not counted"
    alone, none = fold(
        [check(30, "a", Verdict.BROKEN, 1)], {"a": healthy("a", 29)}, POLICY, snoozes
    )
    assert alone == {"a": Folded(healthy("a", 29).state, 30)} and none == []


# --- the store, on SQLite and PostgreSQL ------------------------------------------------


def event_rows(store: Store) -> list[tuple[str, str, int | None, int | None]]:
    with store.engine.connect() as connection:
        query = select(
            HealthEventRow.source_id,
            HealthEventRow.health,
            HealthEventRow.run_id,
            HealthEventRow.result_id,
        ).order_by(HealthEventRow.id)
        return [(r[0], r[1], r[2], r[3]) for r in connection.execute(query)]


def folded_result_id(store: Store, source_id: str) -> int | None:
    with store.engine.connect() as connection:
        query = select(SourceHealthRow.result_id).where(SourceHealthRow.source_id == source_id)
        found: int | None = connection.execute(query).scalar_one()
        return found


def test_events_carry_the_run_and_the_result(store: Store) -> None:
    sync(store, "a", "b")
    first = run(store, 0, [result("a", Verdict.OK, 0), result("b", Verdict.OK, 0)])
    second = run(store, 1, [result("a", Verdict.BROKEN, 1, status=404), result("b", Verdict.OK, 1)])
    ids = {s.result.source_id: s.id for s in store.results_for_run(second)}
    first_ids = {s.result.source_id: s.id for s in store.results_for_run(first)}
    assert event_rows(store) == [
        ("a", "healthy", first, first_ids["a"]),
        ("b", "healthy", first, first_ids["b"]),
        ("a", "suspect", second, ids["a"]),
    ]
    assert folded_result_id(store, "b") == ids["b"]


def test_a_repeat_call_skips_results_already_folded_in(store: Store) -> None:
    sync(store, "a", "b")
    run(store, 0, [result("a", Verdict.OK, 0), result("b", Verdict.OK, 0)])
    run_id = store.start_run(at(1), 2)
    # "a" is folded in as its result is saved; "b" only when the run is folded in.
    broken = result("a", Verdict.BROKEN, 1, status=404)
    store.save_result(run_id, broken, health=advance_result(store.health("a"), broken, POLICY))
    store.save_result(run_id, result("b", Verdict.BROKEN, 1, status=404))
    before = store.health("a")
    assert store.update_health(run_id, POLICY, inconclusive=False) == 1
    assert store.health("a") == before and before.failures == 1
    assert store.health("b").failures == 1
    after = store.healths(["a", "b"])
    assert store.update_health(run_id, POLICY, inconclusive=False, batch=1) == 0
    assert store.healths(["a", "b"]) == after
    assert [(source, health) for source, health, _, _ in event_rows(store)] == [
        ("a", "healthy"),
        ("b", "healthy"),
        ("a", "suspect"),
        ("b", "suspect"),
    ]


def test_a_snoozed_source_is_unchanged_but_its_result_is_recorded(store: Store) -> None:
    sync(store, "a", "b")
    run(store, 0, [result("a", Verdict.OK, 0), result("b", Verdict.OK, 0)])
    before = store.health("a")
    store.snooze("a", at(5))
    second = run(store, 1, [result("a", Verdict.BROKEN, 1, status=404), result("b", Verdict.OK, 1)])
    assert store.health("a") == before
    assert store.events(run_id=second) == []
    [stored_a] = [s for s in store.results_for_run(second) if s.result.source_id == "a"]
    assert folded_result_id(store, "a") == stored_a.id
    assert store.health("b").last_checked_at == at(1)


def test_health_rows_are_read_in_chunks(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health_module, "_CHUNK", 2)
    ids = [f"s{i}" for i in range(5)]
    sync(store, *ids)
    run(store, 0, [result(sid, Verdict.OK, 0) for sid in ids])
    run(store, 1, [result(sid, Verdict.BROKEN, 1, status=404) for sid in ids])
    assert {store.health(sid).health for sid in ids} == {Health.SUSPECT}
    assert len(store.events(since=at(1))) == 5


@pytest.fixture(params=("sqlite", "postgresql"))
def loose_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store whose results table allows several results of one source in one run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'loose.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        copy = table.to_metadata(metadata)
        for constraint in list(copy.constraints):
            if isinstance(constraint, UniqueConstraint):
                copy.constraints.discard(constraint)
    engine = db.make_engine(url)
    metadata.create_all(engine)
    store = Store(engine)
    try:
        yield store
    finally:
        store.close()


@pytest.mark.parametrize("batch", [1, 500])
def test_several_results_of_a_source_in_one_run_fold_in_order(
    loose_store: Store, batch: int
) -> None:
    store = loose_store
    sync(store, "a", "b")
    run(store, 0, [result("a", Verdict.OK, 0), result("b", Verdict.OK, 0)])
    run_id = store.start_run(at(1), 4)
    checks = [
        result("a", Verdict.BROKEN, 1, status=404),
        result("b", Verdict.OK, 1),
        result("a", Verdict.BROKEN, 2, status=404),
        result("a", Verdict.OK, 3),
    ]
    ids = store.save_results(run_id, [(one, None) for one in checks])
    assert store.update_health(run_id, POLICY, inconclusive=False, batch=batch) == 2
    state = store.health("a")
    assert state.health is Health.DEAD, "one good check does not lift a dead source"
    assert (state.good_streak, state.last_success_at, state.last_checked_at) == (1, at(3), at(3))
    assert folded_result_id(store, "a") == ids[3]
    assert store.events(run_id=run_id) == [
        HealthEvent("a", at(1), Health.HEALTHY, Health.SUSPECT, "broken: first hard failure"),
        HealthEvent(
            "a", at(2), Health.SUSPECT, Health.DEAD, "broken: 2 hard failures over 1.0 day"
        ),
    ]
    assert [row[2:] for row in event_rows(store)[2:]] == [(run_id, ids[0]), (run_id, ids[2])]
