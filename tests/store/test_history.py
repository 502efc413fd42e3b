"""History queries for the dashboard and reports, on both backends."""

from __future__ import annotations

from datetime import timedelta

from checks.model import Verdict
from monitor import history
from monitor.history import DayStats, HealthSpan, Outage
from monitor.state import Health, HealthPolicy
from monitor.store import Store
from tests.store.helpers import T0, at, result, run, sync

# The default thresholds: two hard failures a day apart make a source dead.
POLICY = HealthPolicy()


def story(store: Store) -> None:
    """Source "a": healthy, dead from day 2 to day 4, then recovered, healthy on day 12.

    Source "b" is healthy throughout and "c" is blocked every time.
    """
    sync(store, "a", "b", "c")
    plan = {
        0: Verdict.OK,
        1: Verdict.OK,
        2: Verdict.BROKEN,
        3: Verdict.BROKEN,
        4: Verdict.OK,
        5: Verdict.OK,
        8: Verdict.OK,
        10: Verdict.OK,
        12: Verdict.OK,
    }
    for day, verdict in plan.items():
        status = 404 if verdict is Verdict.BROKEN else 200
        run(
            store,
            day,
            [
                result("a", verdict, day, status=status, elapsed_ms=50.0 + day),
                result("b", Verdict.OK, day, elapsed_ms=20.0),
                result("c", Verdict.BLOCKED, day, status=403, elapsed_ms=None),
            ],
            policy=POLICY,
        )


def test_timeline_gives_consecutive_spans(store: Store) -> None:
    story(store)
    spans = list(history.timeline(store, "a"))
    assert [(s.health, s.start, s.end) for s in spans] == [
        (Health.HEALTHY, at(0), at(2)),
        (Health.SUSPECT, at(2), at(3)),
        (Health.DEAD, at(3), at(5)),
        (Health.RECOVERED, at(5), at(12)),
        (Health.HEALTHY, at(12), None),
    ]
    assert spans[2].duration(at(20)) == timedelta(days=2)
    assert spans[-1].duration(at(20)) == timedelta(days=8)


def test_timeline_since_clips_the_span_running_then(store: Store) -> None:
    story(store)
    spans = list(history.timeline(store, "a", since=at(4)))
    assert spans[0] == HealthSpan(Health.DEAD, at(4), at(5), spans[0].reason)
    assert [s.health for s in spans] == [Health.DEAD, Health.RECOVERED, Health.HEALTHY]
    assert list(history.timeline(store, "nobody")) == []


def test_outages_and_time_to_recovery(store: Store) -> None:
    story(store)
    assert list(history.outages(store, "a")) == [Outage(at(2), at(5), reached_dead=True)]
    assert history.time_to_recovery(store, "a") == [timedelta(days=3)]
    assert history.time_to_recovery(store, "b") == []
    # A new failing episode that has not ended is an open outage and has no duration.
    run(store, 13, [result("a", Verdict.BROKEN, 13, status=404)])
    *_, current = history.outages(store, "a")
    assert current == Outage(at(13), None, reached_dead=False) and current.duration is None
    assert history.time_to_recovery(store, "a", dead_only=True) == [timedelta(days=3)]


def test_uptime_counts_conclusive_checks_in_the_window(store: Store) -> None:
    story(store)
    assert history.uptime(store, "a", at(12), days=30) == 7 / 9
    # The last week: days 5, 8, 10, 12 all good.
    assert history.uptime(store, "a", at(12), days=7) == 1.0
    assert history.uptime(store, "a", at(3), days=1) == 0.0
    assert history.uptime(store, "b", at(12), days=365) == 1.0
    # Blocked every time: nothing conclusive, so no uptime at all.
    assert history.uptime(store, "c", at(12), days=30) is None
    assert history.uptime(store, "nobody", at(12), days=30) is None


def test_uptime_leaves_out_inconclusive_runs(store: Store) -> None:
    sync(store, "a")
    run(store, 0, [result("a", Verdict.OK, 0)])
    run(store, 1, [result("a", Verdict.BROKEN, 1, status=404)], inconclusive=True)
    assert history.uptime(store, "a", at(2), days=7) == 1.0


def test_first_failure_and_last_success(store: Store) -> None:
    story(store)
    assert history.last_success(store, "a") == at(12)
    assert history.first_failure(store, "a") is None
    run(store, 13, [result("a", Verdict.BROKEN, 13, status=404)])
    run(store, 14, [result("a", Verdict.TRANSIENT, 14, status=503)])
    run(store, 15, [result("a", Verdict.BROKEN, 15, status=404)])
    assert history.first_failure(store, "a") == at(13)
    assert history.last_success(store, "a") == at(12)
    assert history.last_success(store, "c") is None
    assert history.first_failure(store, "c") is None


def test_first_failure_and_last_success_reach_into_rollups(store: Store) -> None:
    sync(store, "a")
    run(store, 0, [result("a", Verdict.OK, 0)])
    for day in (1, 2, 40):
        run(store, day, [result("a", Verdict.BROKEN, day, status=404)])
    store.apply_retention(at(41), keep_days=30)
    assert store.count_results() == 1
    day_start = T0.replace(hour=0)
    # Only the day is known once the results are rolled up.
    assert history.last_success(store, "a") == day_start
    assert history.first_failure(store, "a") == day_start + timedelta(days=1)


def test_daily_merges_rollups_and_raw_results(store: Store) -> None:
    story(store)
    store.apply_retention(at(9), keep_days=5)
    days = list(history.daily(store, "a"))
    assert [d.day for d in days] == [at(d).date() for d in (0, 1, 2, 3, 4, 5, 8, 10, 12)]
    assert days[2] == DayStats(at(2).date(), 1, 0, 1, 52.0, 1)
    assert days[-1].mean_elapsed_ms == 62.0
    assert [d.good for d in days] == [1, 1, 0, 0, 1, 1, 1, 1, 1]
    since = list(history.daily(store, "a", since=at(5).date()))
    assert [d.day for d in since] == [at(d).date() for d in (5, 8, 10, 12)]


def sources_of_every_kind(store: Store) -> None:
    """The story, then a failure of ``a``, a snoozed ``c``, ``d`` never checked and
    ``b`` removed from the registry."""
    run(store, 13, [result("a", Verdict.BROKEN, 13, status=404, elapsed_ms=75.0)])
    store.snooze("host:c.example.org", at(20), "known bot wall")
    store.sync_sources(
        [
            ("a", "https://a.example.org/page", "A", "owner"),
            ("c", "https://c.example.org/page", "C", "owner"),
            ("d", "https://d.example.org/", None, None),
        ],
        at(13),
    )


def test_summaries_stream_one_line_per_source(store: Store) -> None:
    story(store)
    sources_of_every_kind(store)
    lines = {s.source_id: s for s in history.summaries(store, at(13))}
    assert sorted(lines) == ["a", "b", "c", "d"]
    a = lines["a"]
    assert (a.health, a.since, a.failing_since) == (Health.SUSPECT, at(13), at(13))
    assert (a.latest_verdict, a.latest_checked_at, a.latest_status) == (Verdict.BROKEN, at(13), 404)
    assert a.last_elapsed_ms == 75.0 and a.uptime == 7 / 10 and a.last_success_at == at(12)
    assert (a.url, a.title, a.owner, a.removed, a.snoozed_until) == (
        "https://a.example.org/page",
        "A",
        "owner",
        False,
        None,
    )
    assert lines["b"].removed and lines["b"].uptime == 1.0
    assert lines["c"].snoozed_until == at(20) and lines["c"].uptime is None
    d = lines["d"]
    assert (d.health, d.latest_verdict, d.uptime, d.latest_checked_at) == (
        Health.UNKNOWN,
        None,
        None,
        None,
    )
    # The window is the caller's: over half a day, only day 13's failure counts.
    assert {s.source_id: s.uptime for s in history.summaries(store, at(13), days=0.5)}["a"] == 0.0


def test_summaries_of_some_sources_are_theirs_in_the_whole_list(store: Store) -> None:
    # With rollups in the window, a snoozed source, one never checked and one removed.
    story(store)
    store.apply_retention(at(9), keep_days=5)
    sources_of_every_kind(store)
    every = {s.source_id: s for s in history.summaries(store, at(13))}
    assert every["b"].removed and every["c"].snoozed_until and every["d"].uptime is None
    for wanted in (["a"], ["b"], ["c"], ["d"], ["a", "c"], ["d", "nobody"], []):
        some = list(history.summaries(store, at(13), source_ids=wanted))
        assert [s.source_id for s in some] == sorted(set(wanted) & set(every))
        assert all(s == every[s.source_id] for s in some)
