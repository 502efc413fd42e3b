"""A run in which our own network is down is recognised as inconclusive."""

from __future__ import annotations

from datetime import UTC, datetime

from checks.model import CheckResult, ErrorKind, Verdict
from monitor.offline import looks_offline

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
