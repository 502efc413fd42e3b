"""Handing out URLs to workers by host: turns, per-host limits, paused hosts skipped."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from checks.hosts import HostPolicy
from checks.model import CheckSettings, CheckTarget, Verdict
from monitor.dispatch import HostQueues
from monitor.run import Checker
from tests.monitor.loopback import QuietHandler, serving


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def targets(*urls: str) -> list[CheckTarget]:
    return [CheckTarget(url=u) for u in urls]


def free(_host: str) -> float:
    return 0.0


def take_all(queues: HostQueues) -> list[str]:
    taken = []
    while True:
        target, _wait = queues.take(free)
        if target is None:
            return taken
        taken.append(target.url)


def test_hosts_take_turns_and_keep_plan_order() -> None:
    plan = targets("http://a/1", "http://a/2", "http://a/3", "http://b/1", "http://B/2")
    queues = HostQueues(plan, per_host=5)
    assert take_all(queues) == [
        "http://a/1",
        "http://b/1",
        "http://a/2",
        "http://B/2",
        "http://a/3",
    ]
    assert queues.waiting == 0


def test_a_host_at_its_limit_waits_until_a_check_is_done() -> None:
    plan = targets("http://a/1", "http://a/2", "http://a/3", "http://b/1")
    queues = HostQueues(plan, per_host=2)
    assert take_all(queues) == ["http://a/1", "http://b/1", "http://a/2"]
    assert queues.take(free) == (None, None), "a is at its limit, b has nothing left"
    queues.done(plan[3])  # b's check does not free a slot of a
    assert queues.take(free) == (None, None)
    queues.done(plan[0])
    assert take_all(queues) == ["http://a/3"]
    assert queues.waiting == 0


def test_a_paused_host_is_skipped_until_its_pause_ends() -> None:
    clock = Clock()
    pauses = {"a": 2.0}

    def wait_s(host: str) -> float:
        return pauses.get(host, 0.0)

    plan = targets("http://a/1", "http://b/1", "http://b/2", "http://a/2")
    queues = HostQueues(plan, per_host=4, clock=clock)
    taken, _wait = queues.take(wait_s)
    assert taken is not None and taken.url == "http://b/1"
    taken, _wait = queues.take(wait_s)
    assert taken is not None and taken.url == "http://b/2"
    assert queues.take(wait_s) == (None, 2.0), "only a is left, paused for 2 s"
    clock.now += 1.5
    assert queues.take(wait_s) == (None, 0.5)
    clock.now += 0.5
    pauses.clear()
    assert [t.url for t in (queues.take(wait_s)[0], queues.take(wait_s)[0]) if t] == [
        "http://a/1",
        "http://a/2",
    ]
    assert queues.waiting == 0


def test_a_host_asked_again_after_its_pause_if_it_is_still_paused() -> None:
    clock = Clock()
    queues = HostQueues(targets("http://a/1"), per_host=1, clock=clock)
    assert queues.take(lambda _h: 1.0) == (None, 1.0)
    clock.now += 1.0
    assert queues.take(lambda _h: 3.0) == (None, 3.0), "the host extended its pause"
    clock.now += 3.0
    target, _ = queues.take(free)
    assert target is not None and target.url == "http://a/1"


# --- the checker's workers, against real servers on loopback ---------------------------


class _Site(QuietHandler):
    def do_GET(self) -> None:
        if "/closed/" in self.path:
            # The host asks every client to come back in an hour.
            self.send_response(429)
            self.send_header("Retry-After", "3600")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.endswith("/busy"):
            # The host asks every client to hold off for two seconds: longer than the
            # other host's pages take, even on a machine busy with other work.
            self.send_response(429)
            self.send_header("Retry-After", "2")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_page(200, b"<html><main><p>a page</p></main></html>")


@pytest.fixture
def two_hosts() -> Iterator[list[str]]:
    with serving(_Site) as bases:
        yield bases


def test_a_paused_host_does_not_hold_the_workers_other_hosts_need(
    two_hosts: list[str],
) -> None:
    slow, fast = two_hosts
    # The paused host's URLs come first in the plan: handed out in plan order, they
    # would take every worker and wait out the pause while the other host's queue.
    plan = targets(f"{slow}/a/busy", *[f"{slow}/a/{i}" for i in range(4)])
    plan += targets(*[f"{fast}/b/{i}" for i in range(6)])
    settings = CheckSettings(allow_private=True, retries=1, timeout_s=5)
    checker = Checker(settings, concurrency=2, per_host=2)
    order = [r.url for r in checker.check_all(plan)]
    assert sorted(order) == sorted(t.url for t in plan)
    fast_done = max(order.index(u) for u in order if u.startswith(fast))
    slow_pages = [order.index(u) for u in order if u.startswith(slow) and u[-1].isdigit()]
    assert fast_done < max(slow_pages), "the other host finished while this one was paused"


def test_request_permits_bound_requests_over_every_host() -> None:
    policy = HostPolicy(per_host=2, total=1)
    inside: list[str] = []
    most = 0
    lock = threading.Lock()
    release = threading.Event()

    def worker(host: str) -> None:
        nonlocal most
        with policy.slot(host):
            with lock:
                inside.append(host)
                most = max(most, len(inside))
            release.wait(0.2)
            with lock:
                inside.remove(host)

    threads = [threading.Thread(target=worker, args=(h,)) for h in ("a", "b", "a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert most == 1


def test_a_host_paused_for_longer_than_a_check_may_last_is_not_waited_for(
    two_hosts: list[str],
) -> None:
    closed, fine = two_hosts
    plan = targets(*[f"{closed}/closed/{i}" for i in range(4)], f"{fine}/b/1")
    settings = CheckSettings(allow_private=True, timeout_s=5, deadline_s=10)
    results = {r.url: r for r in Checker(settings, concurrency=2, per_host=1).check_all(plan)}
    assert sorted(results) == sorted(t.url for t in plan)
    assert results[f"{fine}/b/1"].status == 200
    # Inconclusive: the host refused for now, and nobody waited an hour for it.
    refused = [results[f"{closed}/closed/{i}"] for i in range(4)]
    assert refused[0].verdict is Verdict.BLOCKED
    for result in refused[1:]:
        assert result.verdict is Verdict.BLOCKED or (
            result.verdict is Verdict.TRANSIENT and result.reason.startswith("not tried")
        ), result.reason


def test_queues_hand_out_a_host_paused_beyond_the_longest_wait() -> None:
    queues = HostQueues(targets("http://a/1", "http://a/2"), per_host=5, max_wait_s=60)
    first, _ = queues.take(lambda _h: 3600.0)
    second, _ = queues.take(lambda _h: 3600.0)
    assert [first.url if first else None, second.url if second else None] == [
        "http://a/1",
        "http://a/2",
    ]
