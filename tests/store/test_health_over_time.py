"""Health over weeks of real use: registry URLs that change, snoozes that end."""

from __future__ import annotations

from checks.model import ErrorKind, Verdict
from monitor.state import Health, HealthPolicy, SourceHealth, advance
from monitor.store import Store
from tests.store.helpers import T0, at, result, run

OLD = "https://www.example.org/reports/2019/annual.pdf"
NEW = "https://www.example.org/sites/default/files/annual-report-2019.pdf"


def cite(store: Store, url: str, days: float) -> None:
    store.sync_sources([("report", url, "Annual report", "owner")], at(days))


def test_a_new_url_does_not_inherit_the_failing_streak_of_the_old_one(store: Store) -> None:
    cite(store, OLD, 0)
    run(store, 0, [result("report", Verdict.OK, 0, url=OLD)])
    for day in (1, 2, 3):
        run(
            store,
            day,
            [result("report", Verdict.BROKEN, day, url=OLD, error_kind=ErrorKind.REFUSED)],
        )
    assert store.health("report").health is Health.SUSPECT
    # The owner points the citation at the report's new address, which is down today.
    cite(store, NEW, 3.5)
    run(store, 4, [result("report", Verdict.BROKEN, 4, url=NEW, status=404)])
    health = store.health("report")
    assert health.health is Health.SUSPECT, "one failure of the new URL is no evidence"
    assert (health.failures, health.hard_failures) == (1, 1)
    assert health.first_failure_at == at(4)
    # Still suspect, as since the first failure at the old URL: the trouble goes on.
    assert health.failing_since == at(1)
    assert store.events("report", at(4)) == []
    run(store, 5, [result("report", Verdict.BROKEN, 5, url=NEW, status=404)])
    assert store.health("report").health is Health.DEAD


def test_a_dead_source_whose_url_is_fixed_is_healthy_at_its_first_good_check(
    store: Store,
) -> None:
    cite(store, OLD, 0)
    run(store, 0, [result("report", Verdict.OK, 0, url=OLD)])
    for day in (1, 2):
        run(store, day, [result("report", Verdict.BROKEN, day, url=OLD, status=404)])
    assert store.health("report").health is Health.DEAD
    cite(store, NEW, 2.5)
    run(store, 3, [result("report", Verdict.OK, 3, url=NEW)])
    health = store.health("report")
    assert health.health is Health.HEALTHY
    assert health.failing_since is None and health.last_success_at == at(3)
    [event] = store.events("report", at(3))
    assert (event.previous, event.health) == (Health.DEAD, Health.HEALTHY)
    assert not event.first_sight, "the owner is told the source works again"
    assert event.reason.startswith("URL changed")


def test_the_same_url_keeps_its_evidence(store: Store) -> None:
    cite(store, OLD, 0)
    run(store, 0, [result("report", Verdict.OK, 0, url=OLD)])
    run(store, 1, [result("report", Verdict.BROKEN, 1, url=OLD, status=404)])
    cite(store, OLD, 1.5)  # title or owner edited, URL as it was
    run(store, 2, [result("report", Verdict.BROKEN, 2, url=OLD, status=404)])
    assert store.health("report").health is Health.DEAD


def test_a_url_changed_during_a_snooze_drops_the_old_evidence(store: Store) -> None:
    cite(store, OLD, 0)
    run(store, 0, [result("report", Verdict.OK, 0, url=OLD)])
    run(store, 1, [result("report", Verdict.BROKEN, 1, url=OLD, status=404)])
    store.snooze("report", at(3))
    cite(store, NEW, 1.5)
    run(store, 2, [result("report", Verdict.BROKEN, 2, url=NEW, status=404)])
    held = store.health("report")
    assert held.health is Health.SUSPECT and held.failures == 0
    run(store, 4, [result("report", Verdict.BROKEN, 4, url=NEW, status=404)])
    assert store.health("report").health is Health.SUSPECT


def test_good_checks_during_a_snooze_end_the_failing_streak(store: Store) -> None:
    cite(store, OLD, 0)
    run(store, 0, [result("report", Verdict.OK, 0, url=OLD)])
    run(store, 1, [result("report", Verdict.BROKEN, 1, url=OLD, status=404)])
    # A known outage: the publisher is moving servers this week.
    store.snooze("report", at(8.5))
    for day in range(2, 9):
        run(store, day, [result("report", Verdict.OK, day, url=OLD)])
    held = store.health("report")
    assert held.health is Health.SUSPECT, "health waits for the snooze to end"
    assert held.failures == 0 and held.last_success_at == at(8)
    # One bad answer right after the snooze is a first failure, not a confirmation.
    run(store, 9, [result("report", Verdict.BROKEN, 9, url=OLD, status=404)])
    assert store.health("report").health is Health.SUSPECT
    assert [e.health for e in store.events("report", at(2))] == []


def test_failures_during_a_snooze_still_count_for_nothing() -> None:
    policy = HealthPolicy()
    state = SourceHealth("s", Health.HEALTHY, since=T0, last_checked_at=T0)
    for day in (1, 2, 3, 4):
        state, event = advance(state, Verdict.BROKEN, at(day), policy, hard=True, snoozed=True)
        assert event is None
    state, _ = advance(state, Verdict.OK, at(5), policy, hard=False, snoozed=True)
    assert state.health is Health.HEALTHY and state.failures == 0
    state, event = advance(state, Verdict.BROKEN, at(6), policy, hard=True)
    assert state.health is Health.SUSPECT and event is not None


def test_a_new_url_that_answers_inconclusively_is_unknown_from_then() -> None:
    policy = HealthPolicy()
    dead = SourceHealth("s", Health.DEAD, since=at(2), failing_since=at(1), last_checked_at=at(2))
    state, event = advance(dead, Verdict.BLOCKED, at(3), policy, hard=False, new_url=True)
    assert state.health is Health.UNKNOWN and state.since == at(3)
    assert event is not None and (event.previous, event.health) == (Health.DEAD, Health.UNKNOWN)
    assert state.failing_since == at(3) and state.failures == 0
