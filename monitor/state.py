"""Health: what a source's results add up to over time.

One check says what it saw (a :class:`~checks.model.Verdict`); health says what we
believe about the source after every check so far. :func:`advance` folds one check into
a :class:`SourceHealth` and says whether that was a transition worth recording. It is
pure: the time of the check is an argument, nothing is read from a clock or a database.

Checks fall into three classes:

* **good**: ``ok``, ``moved``.
* **failing**: every verdict in :data:`checks.model.FAILING_VERDICTS` (``broken``,
  ``soft_404``, ``claim_missing``, ...). Failing checks count toward *dead*. Some are
  **hard** (:func:`is_hard`): 404, 410, a name that does not resolve, a soft 404, a
  missing claim. Those say "gone" with little doubt and confirm faster.
* **uncertain**: ``blocked``, ``transient``. They never count toward *dead*.

The states are ``unknown`` (never checked), ``healthy``, ``suspect`` (failing, not
yet confirmed), ``dead`` (confirmed) and ``recovered`` (was dead, works again).

Rules (thresholds from :class:`HealthPolicy`; defaults in brackets):

1. **Dead** needs a failing streak long enough by count *and* by time, like
   InternetArchiveBot: at least ``dead_after_checks`` [3] failing checks whose span,
   first failure to the latest, is at least ``dead_after_days`` [3]; or, faster, at
   least ``hard_dead_after_checks`` [2] hard failures over ``hard_dead_after_days`` [1]
   (from the first hard failure of the streak, not from softer failures before it).
   Spans are compared with ``span_slack_hours`` [1] of slack so that a daily run
   starting a few seconds early does not turn "three days" into four.
2. The first failing check of a healthy, recovered or unknown source makes it
   **suspect** (unless rule 1 already holds with thresholds of one).
3. A good check breaks the failing streak: the next failure starts counting afresh.
   A source that alternates failing and good checks therefore never becomes dead.
4. Going up takes several good checks in a row: ``recover_after_checks`` [2] take a
   suspect source back to **healthy** and a dead one to **recovered**; a recovered
   source becomes **healthy** after ``healthy_after_checks`` [3] more good checks and at
   least ``healthy_after_days`` [7] in the recovered state. One good check between
   failures does not flip a suspect source back, so a flapping source yields one
   ``healthy -> suspect`` event and then silence, not an event per check.
5. A failing check while recovered goes back to **suspect**, not straight to dead:
   the failing streak starts again.
6. Uncertain checks neither start nor break a failing streak, nor a good streak. A run
   of ``suspect_after_uncertain`` [3] of them in a row makes a healthy source suspect
   (something is wrong, though we cannot tell what); never dead. 0 turns that off.
7. Nothing changes for a check in an *inconclusive run* (our own network was down), or
   for a check older than the newest one already folded in.
8. A *snoozed* source keeps its health (the result is still stored). Its failing and
   uncertain checks count for nothing: the outage is known. Its good checks change no
   health either, but they end the failing streak and count toward the good one, so a
   source that came back during the snooze is not confirmed dead by the first failure
   after it, on the strength of failures from before it.
9. A check of a URL other than the one last folded in (the registry's URL was changed)
   starts the evidence afresh: the failures and successes seen at the old URL say
   nothing about the new one. The check is judged as the first check of a new source;
   the event, if any, goes from the health the source had. But a source that was down
   and fails at its new URL too stays down (its trouble goes on, since when it began is
   kept): only the evidence toward the next step starts afresh. While snoozed, the
   evidence is dropped and the health kept.

Every change of state yields one :class:`HealthEvent`, the first check of a source
included (``unknown -> healthy``), so a timeline can be drawn from the events alone.
Consumers that notify people will usually skip the ``unknown -> healthy`` ones (see
:attr:`HealthEvent.first_sight`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from checks.model import FAILING_VERDICTS, CheckResult, ErrorKind, Verdict
from checks.verdict import GONE_STATUSES


class Health(enum.StrEnum):
    """A source's state over time."""

    UNKNOWN = "unknown"
    HEALTHY = "healthy"
    SUSPECT = "suspect"
    DEAD = "dead"
    RECOVERED = "recovered"

    @property
    def is_up(self) -> bool:
        """Healthy or recovered: the source was last believed to work."""
        return self in (Health.HEALTHY, Health.RECOVERED)

    @property
    def is_down(self) -> bool:
        """Suspect or dead: the source is in a failing episode."""
        return self in (Health.SUSPECT, Health.DEAD)


class CheckClass(enum.StrEnum):
    """What one verdict means for health."""

    GOOD = "good"
    FAILING = "failing"
    UNCERTAIN = "uncertain"


GOOD_VERDICTS = frozenset({Verdict.OK, Verdict.MOVED})
UNCERTAIN_VERDICTS = frozenset({Verdict.BLOCKED, Verdict.TRANSIENT})
HARD_VERDICTS = frozenset({Verdict.SOFT_404, Verdict.CLAIM_MISSING})


def classify(verdict: Verdict) -> CheckClass:
    """Good, failing or uncertain."""
    if verdict in GOOD_VERDICTS:
        return CheckClass.GOOD
    if verdict in FAILING_VERDICTS:
        return CheckClass.FAILING
    return CheckClass.UNCERTAIN


def is_hard_failure(verdict: Verdict, status: int | None, error_kind: ErrorKind | None) -> bool:
    """Whether a failing check says "gone" with little doubt (see :func:`is_hard`)."""
    if verdict in HARD_VERDICTS:
        return True
    if verdict is not Verdict.BROKEN:
        return False
    # ErrorKind.DNS is only given when the name does not exist; a resolver that did
    # not answer is classified as OTHER at the HTTP edge.
    return status in GONE_STATUSES or error_kind is ErrorKind.DNS


def is_hard(result: CheckResult) -> bool:
    """A 404 or 410, a name that does not resolve, a soft 404, or a missing claim."""
    return is_hard_failure(result.verdict, result.status, result.error_kind)


@dataclass(frozen=True)
class HealthPolicy:
    """Thresholds of the health rules (module docstring)."""

    dead_after_checks: int = 3
    dead_after_days: float = 3.0
    hard_dead_after_checks: int = 2
    hard_dead_after_days: float = 1.0
    recover_after_checks: int = 2
    healthy_after_checks: int = 3
    healthy_after_days: float = 7.0
    suspect_after_uncertain: int = 3
    span_slack_hours: float = 1.0

    def __post_init__(self) -> None:
        counts = {
            "dead_after_checks": self.dead_after_checks,
            "hard_dead_after_checks": self.hard_dead_after_checks,
            "recover_after_checks": self.recover_after_checks,
        }
        for name, value in counts.items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        others = {
            "dead_after_days": self.dead_after_days,
            "hard_dead_after_days": self.hard_dead_after_days,
            "healthy_after_checks": self.healthy_after_checks,
            "healthy_after_days": self.healthy_after_days,
            "suspect_after_uncertain": self.suspect_after_uncertain,
            "span_slack_hours": self.span_slack_hours,
        }
        for name, number in others.items():
            if number < 0:
                raise ValueError(f"{name} must not be negative, not {number}")

    def spans(self, span: timedelta, days: float) -> bool:
        """Whether ``span`` reaches ``days``, with the slack."""
        return span + timedelta(hours=self.span_slack_hours) >= timedelta(days=days)


@dataclass(frozen=True)
class SourceHealth:
    """Everything :func:`advance` needs to remember about one source between checks."""

    source_id: str
    health: Health = Health.UNKNOWN
    # When the source entered its current health.
    since: datetime | None = None
    # Start of the current trouble: the first non-good check after the last good one,
    # kept through a suspect or dead episode until the source is up again.
    failing_since: datetime | None = None
    # Failing checks in the current failing streak (uncertain ones not counted), how
    # many of them were hard, and when the streak began.
    failures: int = 0
    hard_failures: int = 0
    first_failure_at: datetime | None = None
    last_success_at: datetime | None = None
    last_checked_at: datetime | None = None
    # Good checks in a row toward the next step up; reset by a failing check and
    # whenever the health changes.
    good_streak: int = 0
    # Uncertain checks in a row.
    uncertain_streak: int = 0
    # When the first hard failure of the current failing streak came: hard failures
    # confirm a source dead over their own span, not over that of softer ones before
    # them. None for a state stored before it was kept (then the streak's start).
    first_hard_failure_at: datetime | None = None


@dataclass(frozen=True)
class HealthEvent:
    """One change of a source's health."""

    source_id: str
    at: datetime
    previous: Health
    health: Health
    reason: str

    @property
    def first_sight(self) -> bool:
        """The source's first check found it working: recorded, not news."""
        return self.previous is Health.UNKNOWN and self.health is Health.HEALTHY


def advance(
    state: SourceHealth,
    verdict: Verdict,
    checked_at: datetime,
    policy: HealthPolicy,
    *,
    hard: bool,
    inconclusive_run: bool = False,
    snoozed: bool = False,
    new_url: bool = False,
) -> tuple[SourceHealth, HealthEvent | None]:
    """Fold one check into ``state``: the new state, and the event if health changed.

    ``hard`` says whether a failing check is a hard one (:func:`is_hard`); it is ignored
    for other verdicts. ``new_url``: the check is of another URL than the checks
    folded in before it (rule 9).
    """
    if inconclusive_run:
        return state, None
    if state.last_checked_at is not None and checked_at < state.last_checked_at:
        return state, None
    if new_url:
        if snoozed:
            return _while_snoozed(readdressed(state), verdict, checked_at, policy), None
        if not (state.health.is_down and classify(verdict) is CheckClass.FAILING):
            return _first_at_new_url(state, verdict, checked_at, policy, hard=hard)
        # Still failing: not news, whatever the address. A dead source stays dead, and a
        # suspect one is confirmed by failures at the new URL alone.
        state = readdressed(state)
    if snoozed:
        return _while_snoozed(state, verdict, checked_at, policy), None
    kind = classify(verdict)
    if kind is CheckClass.GOOD:
        new, reason = _good(state, checked_at, policy)
    elif kind is CheckClass.FAILING:
        new, reason = _failing(state, verdict, checked_at, policy, hard=hard)
    else:
        new, reason = _uncertain(state, verdict, checked_at, policy)
    if new.health is state.health:
        return new, None
    new = replace(new, since=checked_at, good_streak=0)
    assert reason is not None
    event = HealthEvent(state.source_id, checked_at, state.health, new.health, reason)
    return new, event


def readdressed(state: SourceHealth) -> SourceHealth:
    """``state`` without the evidence gathered at the source's old URL: the health and
    since when are kept (and, while the source is down, when the trouble began)."""
    return SourceHealth(
        state.source_id,
        state.health,
        since=state.since,
        failing_since=state.failing_since if state.health.is_down else None,
        last_checked_at=state.last_checked_at,
    )


def _first_at_new_url(
    state: SourceHealth, verdict: Verdict, at: datetime, policy: HealthPolicy, *, hard: bool
) -> tuple[SourceHealth, HealthEvent | None]:
    fresh, first = advance(SourceHealth(state.source_id), verdict, at, policy, hard=hard)
    if fresh.health is state.health:
        return replace(fresh, since=state.since), None
    reason = first.reason if first is not None else f"{verdict.value}: not conclusive yet"
    event = HealthEvent(state.source_id, at, state.health, fresh.health, f"URL changed; {reason}")
    return replace(fresh, since=at), event


def _while_snoozed(
    state: SourceHealth, verdict: Verdict, at: datetime, policy: HealthPolicy
) -> SourceHealth:
    if classify(verdict) is not CheckClass.GOOD:
        return state
    # Health waits for the snooze to end; the evidence that the trouble is over does not.
    new, _ = _good(state, at, policy)
    return replace(
        new,
        health=state.health,
        since=state.since,
        failing_since=state.failing_since if state.health.is_down else None,
    )


def advance_result(
    state: SourceHealth,
    result: CheckResult,
    policy: HealthPolicy,
    *,
    inconclusive_run: bool = False,
    snoozed: bool = False,
) -> tuple[SourceHealth, HealthEvent | None]:
    """:func:`advance` with the verdict, time and hardness taken from a result."""
    return advance(
        state,
        result.verdict,
        result.checked_at,
        policy,
        hard=is_hard(result),
        inconclusive_run=inconclusive_run,
        snoozed=snoozed,
    )


def _good(s: SourceHealth, at: datetime, p: HealthPolicy) -> tuple[SourceHealth, str | None]:
    streak = s.good_streak + 1
    new = replace(
        s,
        last_checked_at=at,
        last_success_at=at,
        failures=0,
        hard_failures=0,
        first_failure_at=None,
        first_hard_failure_at=None,
        uncertain_streak=0,
        good_streak=streak,
    )
    up = replace(new, failing_since=None)
    if s.health is Health.UNKNOWN:
        return replace(up, health=Health.HEALTHY), "first check succeeded"
    if s.health is Health.HEALTHY:
        return up, None
    if s.health is Health.RECOVERED:
        stayed = at - s.since if s.since is not None else timedelta(0)
        if streak >= p.healthy_after_checks and p.spans(stayed, p.healthy_after_days):
            return replace(up, health=Health.HEALTHY), (
                f"{_checks(streak, 'good check')} in a row over {_days(stayed)} since recovering"
            )
        return up, None
    if streak < p.recover_after_checks:
        # A suspect or dead source stays so until good checks come in a row.
        return new, None
    target = Health.HEALTHY if s.health is Health.SUSPECT else Health.RECOVERED
    return replace(up, health=target), f"{_checks(streak, 'good check')} in a row"


def _failing(
    s: SourceHealth, verdict: Verdict, at: datetime, p: HealthPolicy, *, hard: bool
) -> tuple[SourceHealth, str | None]:
    new = replace(
        s,
        last_checked_at=at,
        failures=s.failures + 1,
        hard_failures=s.hard_failures + (1 if hard else 0),
        first_failure_at=s.first_failure_at or at,
        first_hard_failure_at=_first_hard_failure(s) or (at if hard else None),
        failing_since=s.failing_since or at,
        good_streak=0,
        uncertain_streak=0,
    )
    if s.health is Health.DEAD:
        return new, None
    dead = _dead_rule(new, at, p)
    if dead is not None:
        return replace(new, health=Health.DEAD), f"{verdict.value}: {dead}"
    if s.health is Health.SUSPECT:
        return new, None
    kind = "hard failure" if hard else "failure"
    return replace(new, health=Health.SUSPECT), f"{verdict.value}: first {kind}"


def _first_hard_failure(s: SourceHealth) -> datetime | None:
    """When the streak's first hard failure came; for a state stored before that was
    kept, the streak's start if it had any."""
    if s.first_hard_failure_at is not None or not s.hard_failures:
        return s.first_hard_failure_at
    return s.first_failure_at


def _dead_rule(s: SourceHealth, at: datetime, p: HealthPolicy) -> str | None:
    assert s.first_failure_at is not None
    span = at - s.first_failure_at
    hard_span = at - (_first_hard_failure(s) or s.first_failure_at)
    if s.hard_failures >= p.hard_dead_after_checks and p.spans(hard_span, p.hard_dead_after_days):
        return f"{_checks(s.hard_failures, 'hard failure')} over {_days(hard_span)}"
    if s.failures >= p.dead_after_checks and p.spans(span, p.dead_after_days):
        return f"{_checks(s.failures, 'failing check')} over {_days(span)}"
    return None


def _uncertain(
    s: SourceHealth, verdict: Verdict, at: datetime, p: HealthPolicy
) -> tuple[SourceHealth, str | None]:
    streak = s.uncertain_streak + 1
    new = replace(
        s, last_checked_at=at, uncertain_streak=streak, failing_since=s.failing_since or at
    )
    limit = p.suspect_after_uncertain
    if s.health.is_down or limit == 0 or streak < limit:
        return new, None
    return replace(new, health=Health.SUSPECT), (
        f"{verdict.value}: {_checks(streak, 'inconclusive check')} in a row"
    )


def _checks(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _days(span: timedelta) -> str:
    days = span.total_seconds() / 86400
    return f"{days:.1f} day{'' if days == 1 else 's'}"
