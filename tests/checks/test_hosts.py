"""Run-wide host politeness: slots, spacing, backoff and the once-per-run memo."""

from __future__ import annotations

import threading

import pytest

from checks.hosts import (
    ERROR_BURST,
    ERROR_WINDOW,
    MAX_ADAPTIVE_S,
    SERVER_ERROR_PAUSE_S,
    HostPaused,
    HostPolicy,
)
from tests.checks.conftest import FakeTime


def test_slots_limit_concurrent_requests_per_host() -> None:
    policy = HostPolicy(per_host=2)
    release = threading.Event()
    inside = threading.Semaphore(0)
    entered: list[str] = []

    def worker(name: str, host: str) -> None:
        with policy.slot(host):
            entered.append(name)
            inside.release()
            release.wait(5)

    threads = [threading.Thread(target=worker, args=(f"a{i}", "a.example")) for i in range(3)]
    threads.append(threading.Thread(target=worker, args=("b0", "b.example")))
    for t in threads:
        t.start()
    for _ in range(3):  # two for a.example, one for b.example
        assert inside.acquire(timeout=5)
    assert not inside.acquire(timeout=0.2)  # the third a.example request waits
    assert sorted(entered) in (["a0", "a1", "b0"], ["a0", "a2", "b0"], ["a1", "a2", "b0"])
    release.set()
    assert inside.acquire(timeout=5)
    for t in threads:
        t.join(5)
    assert len(entered) == 4


def test_spacing_between_request_starts_uses_the_injected_clock() -> None:
    time = FakeTime()
    policy = HostPolicy(per_host=4, min_interval_s=1.5, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        with policy.slot("a.example"):
            pass
    with policy.slot("other.example"):
        pass
    assert time.sleeps == [1.5, 1.5]


def test_host_names_are_case_insensitive() -> None:
    time = FakeTime()
    policy = HostPolicy(min_interval_s=2.0, clock=time.clock, sleep=time.sleep)
    with policy.slot("A.example"):
        pass
    with policy.slot("a.EXAMPLE"):
        pass
    assert time.sleeps == [2.0]


def test_penalise_pauses_the_host_and_grows_until_rewarded() -> None:
    time = FakeTime()
    policy = HostPolicy(clock=time.clock, sleep=time.sleep)
    assert policy.penalise("a.example", 1.0) == 1.0
    assert policy.penalise("a.example", 1.0) == 2.0
    assert policy.penalise("a.example", 0.5) == 4.0
    assert policy.wait_s("a.example") == pytest.approx(4.0)
    assert policy.wait_s("b.example") == 0.0
    with policy.slot("a.example"):
        pass
    assert time.sleeps == [pytest.approx(4.0)]
    policy.reward("a.example")
    assert policy.penalise("a.example", 0.5) == 0.5


def test_adaptive_pause_is_bounded_but_a_long_retry_after_is_not() -> None:
    time = FakeTime()
    policy = HostPolicy(clock=time.clock, sleep=time.sleep)
    pause = 0.0
    for _ in range(20):
        pause = policy.penalise("a.example", 1.0)
    assert pause == MAX_ADAPTIVE_S
    assert policy.penalise("a.example", 300.0) == 300.0


def test_probe_once_computes_once_for_concurrent_callers() -> None:
    policy = HostPolicy()
    calls: list[int] = []
    started = threading.Event()
    finish = threading.Event()
    results: list[str] = []

    def compute() -> str:
        calls.append(1)
        started.set()
        finish.wait(5)
        return "probe-result"

    def caller() -> None:
        results.append(policy.probe_once("catch-all http://a.example/dir/", compute))

    threads = [threading.Thread(target=caller) for _ in range(6)]
    for t in threads:
        t.start()
    assert started.wait(5)
    finish.set()
    for t in threads:
        t.join(5)
    assert calls == [1]
    assert results == ["probe-result"] * 6
    assert policy.probe_once("catch-all http://a.example/dir/", lambda: "again") == "probe-result"
    assert policy.probe_once("catch-all http://a.example/other/", lambda: "other") == "other"


def test_probe_once_does_not_remember_a_failure() -> None:
    policy = HostPolicy()

    def boom() -> str:
        raise RuntimeError("probe failed")

    with pytest.raises(RuntimeError):
        policy.probe_once("k", boom)
    assert policy.probe_once("k", lambda: "second try") == "second try"


def test_per_host_must_be_positive() -> None:
    with pytest.raises(ValueError, match="per_host"):
        HostPolicy(per_host=0)


def test_one_broken_page_does_not_slow_its_host() -> None:
    time = FakeTime()
    policy = HostPolicy(clock=time.clock, sleep=time.sleep)
    for _ in range(3):  # a page answering 500 to its first try and both retries
        policy.slow_down("a.example")
        for _ in range(5):
            policy.reward("a.example")  # the host's other pages answer between them
    assert policy.wait_s("a.example") == 0.0


def test_a_burst_of_server_errors_slows_the_host_for_every_thread() -> None:
    time = FakeTime()
    policy = HostPolicy(clock=time.clock, sleep=time.sleep)
    for _ in range(ERROR_BURST - 1):
        policy.slow_down("a.example")
        policy.reward("a.example")
    assert policy.wait_s("a.example") == 0.0
    policy.slow_down("a.example")
    assert policy.wait_s("a.example") == pytest.approx(SERVER_ERROR_PAUSE_S)
    assert policy.wait_s("b.example") == 0.0
    time.now += SERVER_ERROR_PAUSE_S
    # Errors older than the window no longer count.
    for _ in range(ERROR_WINDOW):
        policy.reward("a.example")
    policy.slow_down("a.example")
    assert policy.wait_s("a.example") == 0.0


def test_a_pause_longer_than_the_caller_may_wait_is_refused_not_slept() -> None:
    time = FakeTime()
    policy = HostPolicy(clock=time.clock, sleep=time.sleep)
    policy.penalise("a.example", 3600.0)
    with pytest.raises(HostPaused) as refused, policy.slot("a.example", max_wait_s=60.0):
        pass
    assert refused.value.seconds == pytest.approx(3600.0)
    assert time.sleeps == []
    with policy.slot("a.example", max_wait_s=4000.0):  # a caller that may wait, waits
        pass
    assert time.sleeps == [pytest.approx(3600.0)]


def test_a_long_pause_is_refused_without_waiting_for_a_slot() -> None:
    time = FakeTime()
    policy = HostPolicy(per_host=1, clock=time.clock, sleep=time.sleep)
    with policy.slot("a.example"):  # the host's only slot is taken
        policy.penalise("a.example", 3600.0)
        # Waiting for the slot first would block for as long as the other request runs.
        with pytest.raises(HostPaused), policy.slot("a.example", max_wait_s=60.0):
            pass
