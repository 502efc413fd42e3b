"""A run in which our own network is down is recognised as inconclusive."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from checks.model import CheckResult, ErrorKind, Verdict
from monitor.offline import OfflineTally, looks_offline

T = datetime(2026, 1, 1, tzinfo=UTC)


def failed(url: str, kind: ErrorKind = ErrorKind.DNS) -> CheckResult:
    return CheckResult(url=url, verdict=Verdict.BROKEN, reason="x", checked_at=T, error_kind=kind)


def answered(url: str, status: int = 200) -> CheckResult:
    verdict = Verdict.OK if status == 200 else Verdict.BROKEN
    return CheckResult(url=url, verdict=verdict, reason="x", checked_at=T, status=status)


def test_every_host_failing_to_resolve_is_offline() -> None:
    results = [failed(f"http://h{i}.example/") for i in range(6)]
    assert looks_offline(results)


def test_mixed_network_errors_count_too() -> None:
    kinds = [ErrorKind.DNS, ErrorKind.REFUSED, ErrorKind.CONNECT_TIMEOUT, ErrorKind.RESET]
    assert looks_offline([failed(f"http://h{i}.example/", k) for i, k in enumerate(kinds)])


def test_some_hosts_answering_is_not_offline() -> None:
    results = [failed(f"http://h{i}.example/") for i in range(3)]
    results += [answered(f"http://ok{i}.example/") for i in range(3)]
    assert not looks_offline(results)


def test_http_errors_are_answers_not_network_failures() -> None:
    assert not looks_offline([answered(f"http://h{i}.example/", 404) for i in range(5)])


def test_too_few_hosts_to_tell() -> None:
    assert not looks_offline([failed("http://a.example/x"), failed("http://b.example/y")])


def test_a_host_that_answered_once_is_reachable() -> None:
    results = [failed("http://a.example/1"), answered("http://a.example/2")]
    results += [failed(f"http://h{i}.example/") for i in range(3)]
    # 3 of 4 hosts failing is below the 80 % share.
    assert not looks_offline(results)


def test_a_run_is_settled_once_too_many_hosts_answered_to_be_offline() -> None:
    hosts = [f"h{i}.example" for i in range(10)]
    tally = OfflineTally(hosts)
    assert not tally.settled
    tally.add(answered("http://h0.example/"))
    tally.add(failed("http://h1.example/"))
    assert not tally.settled  # 9 of 10 hosts may still fail
    tally.add(answered("http://h2.example/"))
    assert not tally.settled  # 8 of 10 may still fail: the share that makes a run offline
    tally.add(answered("http://h3.example/", 404))
    assert tally.settled
    for host in hosts[4:]:
        tally.add(failed(f"http://{host}/"))
    assert not tally.offline


def test_a_host_reached_after_failing_counts_once() -> None:
    tally = OfflineTally([f"h{i}.example" for i in range(5)])
    tally.add(failed("http://h0.example/a"))
    tally.add(answered("http://h0.example/b"))
    tally.add(answered("http://h0.example/c"))
    assert not tally.settled  # one host of five reached: four may still fail


def test_a_run_of_too_few_hosts_to_tell_is_settled_from_the_start() -> None:
    assert OfflineTally(["a.example", "b.example"]).settled
    assert not OfflineTally(["a.example", "b.example", "c.example"]).settled


def test_a_settled_run_never_turns_out_offline() -> None:
    rng = random.Random(7)
    for _ in range(300):
        hosts = [f"h{i}.example" for i in range(rng.randint(1, 12))]
        results = [
            failed(f"http://{host}/{n}") if rng.random() < 0.85 else answered(f"http://{host}/{n}")
            for host in hosts
            for n in range(rng.randint(1, 3))
        ]
        rng.shuffle(results)
        if rng.random() < 0.3:
            del results[rng.randint(0, len(results)) :]  # a run cut short
        tally = OfflineTally(hosts)
        settled_at = None
        for position, result in enumerate(results):
            if settled_at is None and tally.settled:
                settled_at = position
            tally.add(result)
        assert tally.offline == looks_offline(results)
        if settled_at is not None:
            assert not tally.offline, (hosts, results[:settled_at])


def test_hosts_outside_the_plan_are_left_out() -> None:
    tally = OfflineTally(["a.example", "b.example", "c.example"])
    for host in ("x.example", "y.example", "z.example", "w.example"):
        tally.add(failed(f"http://{host}/"))
    tally.add(answered("http://a.example/"))
    assert tally.settled and not tally.offline


def test_without_the_plan_a_run_is_never_settled() -> None:
    tally = OfflineTally()
    for i in range(5):
        tally.add(answered(f"http://h{i}.example/"))
    assert not tally.settled
