"""The health state machine, driven check by check over simulated days."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from checks.model import CheckResult, ErrorKind, Verdict
from monitor.state import (
    CheckClass,
    Health,
    HealthEvent,
    HealthPolicy,
    SourceHealth,
    advance,
    advance_result,
    classify,
    is_hard,
)

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
POLICY = HealthPolicy()


@dataclass
class Source:
    """One source fed checks at simulated times; remembers every event."""

    policy: HealthPolicy = POLICY
    state: SourceHealth = field(default_factory=lambda: SourceHealth("s1"))
    events: list[HealthEvent] = field(default_factory=list)

    def check(
        self,
        verdict: Verdict,
        days: float,
        *,
        hard: bool = False,
        inconclusive_run: bool = False,
        snoozed: bool = False,
    ) -> Health:
        self.state, event = advance(
            self.state,
            verdict,
            T0 + timedelta(days=days),
            self.policy,
            hard=hard,
            inconclusive_run=inconclusive_run,
            snoozed=snoozed,
        )
        if event is not None:
            self.events.append(event)
        return self.state.health

    def transitions(self) -> list[tuple[Health, Health]]:
        return [(e.previous, e.health) for e in self.events]


def healthy_source(policy: HealthPolicy = POLICY) -> Source:
    source = Source(policy)
    source.check(Verdict.OK, 0)
    assert source.state.health is Health.HEALTHY
    return source


def test_first_good_check_makes_a_new_source_healthy_with_a_first_sight_event() -> None:
    source = Source()
    assert source.state.health is Health.UNKNOWN
    assert source.check(Verdict.MOVED, 0) is Health.HEALTHY
    [event] = source.events
    assert event.first_sight and event.previous is Health.UNKNOWN and event.at == T0
    assert source.state.since == T0 and source.state.last_success_at == T0


def test_soft_failures_need_three_checks_over_three_days() -> None:
    source = healthy_source()
    assert source.check(Verdict.BROKEN, 1) is Health.SUSPECT  # refused, not hard
    assert source.check(Verdict.BROKEN, 2) is Health.SUSPECT
    # Three failing checks, but spanning only one day.
    assert source.check(Verdict.BROKEN, 2.5) is Health.SUSPECT
    assert source.state.failures == 3
    assert source.check(Verdict.TLS_ERROR, 4) is Health.DEAD
    assert source.transitions() == [
        (Health.UNKNOWN, Health.HEALTHY),
        (Health.HEALTHY, Health.SUSPECT),
        (Health.SUSPECT, Health.DEAD),
    ]
    dead = source.events[-1]
    assert dead.at == T0 + timedelta(days=4)
    assert "4 failing checks over 3.0 days" in dead.reason
    assert source.state.failing_since == T0 + timedelta(days=1)
    assert source.state.since == T0 + timedelta(days=4)


def test_many_soft_failures_in_one_day_are_not_enough() -> None:
    source = healthy_source()
    for hour in range(20):
        source.check(Verdict.TYPE_MISMATCH, 1 + hour / 24)
    assert source.state.health is Health.SUSPECT
    assert source.state.failures == 20


def test_hard_failures_confirm_after_two_checks_a_day_apart() -> None:
    source = healthy_source()
    assert source.check(Verdict.BROKEN, 1, hard=True) is Health.SUSPECT
    assert source.check(Verdict.BROKEN, 1.5, hard=True) is Health.SUSPECT  # only half a day
    assert source.check(Verdict.SOFT_404, 2, hard=True) is Health.DEAD
    assert "hard failure" in source.events[-1].reason


def test_hard_failures_confirm_over_their_own_span_not_that_of_softer_ones() -> None:
    """Refused for most of a day, then a 404 twice in six hours: the site came back
    wrongly set up, which a day of 404s would confirm; six hours do not."""
    source = healthy_source()
    assert source.check(Verdict.BROKEN, 1, hard=False) is Health.SUSPECT
    assert source.check(Verdict.BROKEN, 1.75, hard=True) is Health.SUSPECT
    assert source.check(Verdict.BROKEN, 2, hard=True) is Health.SUSPECT
    assert source.check(Verdict.BROKEN, 2.75, hard=True) is Health.DEAD
    assert source.events[-1].reason.endswith("3 hard failures over 1.0 day")


def test_a_stored_state_without_its_first_hard_failure_is_judged_from_the_streak() -> None:
    # As stored before the first hard failure was kept: the streak's start stands in.
    source = healthy_source()
    source.check(Verdict.BROKEN, 1, hard=True)
    source.state = replace(source.state, first_hard_failure_at=None)
    assert source.check(Verdict.BROKEN, 2, hard=True) is Health.DEAD


def test_a_daily_run_that_starts_a_little_early_still_counts_as_three_days() -> None:
    source = healthy_source()
    early = timedelta(seconds=5) / timedelta(days=1)
    for day in (1, 2, 3):
        source.check(Verdict.ANCHOR_MISSING, day)
    assert source.check(Verdict.ANCHOR_MISSING, 4 - early) is Health.DEAD


def test_span_slack_can_be_turned_off() -> None:
    source = healthy_source(HealthPolicy(span_slack_hours=0))
    early = timedelta(seconds=5) / timedelta(days=1)
    for day in (1, 2, 3):
        source.check(Verdict.ANCHOR_MISSING, day)
    assert source.check(Verdict.ANCHOR_MISSING, 4 - early) is Health.SUSPECT


@pytest.mark.parametrize("verdict", [Verdict.BLOCKED, Verdict.TRANSIENT])
def test_blocked_and_transient_never_make_a_source_dead(verdict: Verdict) -> None:
    source = healthy_source()
    for day in range(1, 61):
        source.check(verdict, day)
    assert source.state.health is Health.SUSPECT
    assert source.state.failures == 0
    assert source.transitions()[1:] == [(Health.HEALTHY, Health.SUSPECT)]
    assert "3 inconclusive checks in a row" in source.events[-1].reason
    assert source.state.failing_since == T0 + timedelta(days=1)


def test_a_few_inconclusive_checks_leave_a_healthy_source_healthy() -> None:
    source = healthy_source()
    for day in range(1, 31):
        # Two timeouts, then a success: never three in a row.
        source.check(Verdict.TRANSIENT if day % 3 else Verdict.OK, day)
    assert source.state.health is Health.HEALTHY
    assert len(source.events) == 1


def test_inconclusive_checks_can_be_kept_from_making_a_source_suspect() -> None:
    source = healthy_source(HealthPolicy(suspect_after_uncertain=0))
    for day in range(1, 11):
        source.check(Verdict.BLOCKED, day)
    assert source.state.health is Health.HEALTHY


def test_uncertain_checks_neither_break_nor_extend_a_failing_streak() -> None:
    source = healthy_source()
    source.check(Verdict.BROKEN, 1)
    source.check(Verdict.TRANSIENT, 2)
    source.check(Verdict.BROKEN, 3)
    assert source.state.failures == 2 and source.state.health is Health.SUSPECT
    source.check(Verdict.BLOCKED, 3.5)
    assert source.check(Verdict.BROKEN, 4) is Health.DEAD


def test_a_flapping_source_stays_suspect_and_never_dies() -> None:
    source = healthy_source()
    for day in range(1, 41):
        source.check(Verdict.BROKEN if day % 2 else Verdict.OK, day, hard=bool(day % 2))
    assert source.state.health is Health.SUSPECT
    # One event for forty alternating checks: no healthy/suspect flip-flop.
    assert source.transitions()[1:] == [(Health.HEALTHY, Health.SUSPECT)]


def test_a_suspect_source_returns_to_healthy_after_two_good_checks_in_a_row() -> None:
    source = healthy_source()
    source.check(Verdict.BROKEN, 1)
    assert source.check(Verdict.OK, 2) is Health.SUSPECT
    assert source.state.failing_since == T0 + timedelta(days=1)
    assert source.check(Verdict.OK, 3) is Health.HEALTHY
    assert source.transitions()[-1] == (Health.SUSPECT, Health.HEALTHY)
    assert source.state.failing_since is None
    assert source.state.failures == 0 and source.state.first_failure_at is None


def test_a_good_check_restarts_the_failing_streak() -> None:
    source = healthy_source()
    source.check(Verdict.BROKEN, 1)
    source.check(Verdict.BROKEN, 2)
    source.check(Verdict.OK, 3)
    source.check(Verdict.BROKEN, 4)
    source.check(Verdict.BROKEN, 5)
    source.check(Verdict.BROKEN, 6)
    assert source.state.health is Health.SUSPECT
    assert source.state.first_failure_at == T0 + timedelta(days=4)
    assert source.check(Verdict.BROKEN, 7) is Health.DEAD


def dead_source() -> Source:
    source = healthy_source()
    for day in (1, 2):
        source.check(Verdict.BROKEN, day, hard=True)
    assert source.state.health is Health.DEAD
    return source


def test_a_dead_source_recovers_after_two_good_checks_and_is_healthy_a_week_later() -> None:
    source = dead_source()
    assert source.check(Verdict.OK, 3) is Health.DEAD
    assert source.check(Verdict.BROKEN, 4, hard=True) is Health.DEAD  # streak broken
    assert source.check(Verdict.OK, 5) is Health.DEAD
    assert source.check(Verdict.OK, 6) is Health.RECOVERED
    assert source.state.since == T0 + timedelta(days=6)
    assert source.state.failing_since is None
    # Three more good checks are not enough before a week has passed ...
    for day in (7, 8, 9, 10):
        assert source.check(Verdict.OK, day) is Health.RECOVERED
    # ... a week and three good checks are.
    assert source.check(Verdict.OK, 13) is Health.HEALTHY
    assert source.transitions()[-3:] == [
        (Health.SUSPECT, Health.DEAD),
        (Health.DEAD, Health.RECOVERED),
        (Health.RECOVERED, Health.HEALTHY),
    ]


def test_a_failure_while_recovered_goes_back_to_suspect_not_dead() -> None:
    source = dead_source()
    source.check(Verdict.OK, 3)
    source.check(Verdict.OK, 4)
    assert source.state.health is Health.RECOVERED
    assert source.check(Verdict.BROKEN, 5, hard=True) is Health.SUSPECT
    assert source.state.failures == 1
    assert source.state.first_failure_at == T0 + timedelta(days=5)
    assert source.check(Verdict.BROKEN, 6, hard=True) is Health.DEAD


def test_a_failure_while_recovered_goes_straight_to_dead_when_the_rule_holds() -> None:
    policy = HealthPolicy(hard_dead_after_checks=1, hard_dead_after_days=0)
    source = healthy_source(policy)
    assert source.check(Verdict.BROKEN, 1, hard=True) is Health.DEAD
    source.check(Verdict.OK, 2)
    assert source.check(Verdict.OK, 3) is Health.RECOVERED
    assert source.check(Verdict.BROKEN, 4, hard=True) is Health.DEAD
    assert source.transitions()[-1] == (Health.RECOVERED, Health.DEAD)


def test_an_inconclusive_run_changes_nothing() -> None:
    source = healthy_source()
    source.check(Verdict.BROKEN, 1)
    before = source.state
    for day in (2, 3, 4, 5):
        assert source.check(Verdict.BROKEN, day, hard=True, inconclusive_run=True) is (
            Health.SUSPECT
        )
    assert source.state == before
    assert source.check(Verdict.OK, 6, inconclusive_run=True) is Health.SUSPECT
    assert source.state == before


def test_a_snoozed_source_keeps_its_health_until_the_snooze_ends() -> None:
    source = healthy_source()
    before = source.state
    for day in range(1, 10):
        source.check(Verdict.BROKEN, day, hard=True, snoozed=True)
    assert source.state == before
    assert len(source.events) == 1
    assert source.check(Verdict.BROKEN, 10, hard=True) is Health.SUSPECT


def test_a_check_older_than_the_last_one_is_ignored() -> None:
    source = healthy_source()
    source.check(Verdict.OK, 5)
    before = source.state
    assert source.check(Verdict.BROKEN, 4, hard=True) is Health.HEALTHY
    assert source.state == before


def test_a_new_source_that_never_worked_becomes_suspect_then_dead() -> None:
    source = Source()
    assert source.check(Verdict.BROKEN, 0, hard=True) is Health.SUSPECT
    assert source.check(Verdict.BROKEN, 1, hard=True) is Health.DEAD
    assert source.transitions() == [
        (Health.UNKNOWN, Health.SUSPECT),
        (Health.SUSPECT, Health.DEAD),
    ]
    assert not source.events[0].first_sight


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


@pytest.mark.parametrize(
    ("result", "hard"),
    [
        (CheckResult("u", Verdict.BROKEN, "", at(0), status=404), True),
        (CheckResult("u", Verdict.BROKEN, "", at(0), status=410), True),
        (CheckResult("u", Verdict.BROKEN, "", at(0), error_kind=ErrorKind.DNS), True),
        (CheckResult("u", Verdict.SOFT_404, "", at(0), status=200), True),
        (CheckResult("u", Verdict.CLAIM_MISSING, "", at(0), status=200), True),
        (CheckResult("u", Verdict.BROKEN, "", at(0), error_kind=ErrorKind.REFUSED), False),
        (CheckResult("u", Verdict.BROKEN, "", at(0), error_kind=ErrorKind.REDIRECT_LOOP), False),
        (CheckResult("u", Verdict.TLS_ERROR, "", at(0), error_kind=ErrorKind.TLS), False),
        (CheckResult("u", Verdict.ANCHOR_MISSING, "", at(0), status=200), False),
        (CheckResult("u", Verdict.TRANSIENT, "", at(0), status=503), False),
        (CheckResult("u", Verdict.BLOCKED, "", at(0), status=403), False),
        (CheckResult("u", Verdict.TRANSIENT, "", at(0), error_kind=ErrorKind.OTHER), False),
    ],
)
def test_hard_failures(result: CheckResult, hard: bool) -> None:
    assert is_hard(result) is hard


def test_advance_result_takes_verdict_time_and_hardness_from_the_result() -> None:
    state = SourceHealth("s1")
    for day in (0, 1):
        result = CheckResult("u", Verdict.BROKEN, "", at(day), source_id="s1", status=404)
        state, event = advance_result(state, result, POLICY)
    assert state.health is Health.DEAD and state.hard_failures == 2
    assert event is not None and event.at == at(1)


def test_every_verdict_has_a_class() -> None:
    assert {v: classify(v) for v in (Verdict.OK, Verdict.MOVED)} == {
        Verdict.OK: CheckClass.GOOD,
        Verdict.MOVED: CheckClass.GOOD,
    }
    assert classify(Verdict.INVALID) is CheckClass.FAILING
    assert classify(Verdict.BLOCKED) is CheckClass.UNCERTAIN
    assert {classify(v) for v in Verdict} == set(CheckClass)


@pytest.mark.parametrize(
    "changes",
    [{"dead_after_checks": 0}, {"recover_after_checks": 0}, {"dead_after_days": -1.0}],
)
def test_policy_rejects_nonsense(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        HealthPolicy(**changes)  # type: ignore[arg-type]
