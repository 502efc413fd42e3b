"""Token bucket, run budget and 429 / 5xx handling, with a fake clock."""

from __future__ import annotations

import threading

import pytest
import requests
import responses

from checks.archive.ratelimit import (
    BUDGET_EXHAUSTED,
    ArchiveLimiter,
    ArchiveUnavailable,
    BudgetExhausted,
    Family,
    TokenBucket,
)
from checks.http.retryafter import retry_after_s
from tests.archive.conftest import FakeClock

URL = "https://archive.example/cdx/search/cdx"


def limiter(
    clock: FakeClock,
    *,
    requests_per_minute: float = 60.0,
    replay_requests_per_minute: float = 120.0,
    run_budget: int = 200,
    max_retries: int = 2,
    max_wait_s: float = 120.0,
) -> ArchiveLimiter:
    return ArchiveLimiter(
        requests_per_minute=requests_per_minute,
        replay_requests_per_minute=replay_requests_per_minute,
        run_budget=run_budget,
        max_retries=max_retries,
        max_wait_s=max_wait_s,
        default_retry_after_s=30.0,
        clock=clock,
        sleep=clock.sleep,
    )


def test_bucket_spaces_requests_at_the_rate(clock: FakeClock) -> None:
    bucket = TokenBucket(30, clock=clock, sleep=clock.sleep)

    waits = [bucket.acquire() for _ in range(4)]

    assert waits == [0.0, 2.0, 2.0, 2.0]
    assert clock.now == pytest.approx(1006.0)


def test_bucket_allows_a_burst_then_the_rate(clock: FakeClock) -> None:
    bucket = TokenBucket(60, burst=3, clock=clock, sleep=clock.sleep)

    waits = [bucket.acquire() for _ in range(5)]

    assert waits == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_bucket_refills_while_idle_but_not_beyond_burst(clock: FakeClock) -> None:
    bucket = TokenBucket(60, burst=2, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.acquire()
    clock.now += 100

    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 1.0]


def test_pause_holds_back_the_next_tokens(clock: FakeClock) -> None:
    bucket = TokenBucket(60, burst=5, clock=clock, sleep=clock.sleep)
    bucket.pause(10)

    assert bucket.acquire() == pytest.approx(10.0)
    assert bucket.acquire() == pytest.approx(1.0)


def test_bucket_refuses_a_wait_longer_than_allowed(clock: FakeClock) -> None:
    bucket = TokenBucket(60, clock=clock, sleep=clock.sleep)
    bucket.pause(600)

    with pytest.raises(ArchiveUnavailable):
        bucket.acquire(max_wait=120)
    assert clock.sleeps == []
    # The refused reservation was handed back.
    clock.now += 600
    assert bucket.acquire() == 0.0


def test_bucket_queues_concurrent_callers() -> None:
    lock = threading.Lock()
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        with lock:
            slept.append(seconds)

    bucket = TokenBucket(60, clock=lambda: now[0], sleep=sleep)
    threads = [threading.Thread(target=bucket.acquire) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Each caller reserved its own slot: 0 s, 1 s, ... 7 s from the same instant.
    assert sorted(slept) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0", 0.0),
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
        ("soon", None),
        ("inf", None),
        (None, None),
    ],
)
def test_retry_after_forms(header: str | None, seconds: float | None) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 10, 21, 7, 28, tzinfo=UTC)
    assert retry_after_s(header, now) == seconds


@responses.activate(assert_all_requests_are_fired=True)
def test_429_pauses_and_retries(clock: FakeClock) -> None:
    responses.get(URL, status=429, headers={"Retry-After": "4"})
    responses.get(URL, json=[])
    gate = limiter(clock)

    with requests.Session() as session:
        response = gate.request(session, "GET", URL, family=Family.LOOKUP)

    assert response.status_code == 200
    assert gate.rate_limited == 1
    assert gate.requests_sent == 2
    assert clock.sleeps == [pytest.approx(4.0)]


@responses.activate(assert_all_requests_are_fired=True)
def test_429_without_retry_after_waits_the_default(clock: FakeClock) -> None:
    responses.get(URL, status=429)
    responses.get(URL, json=[])
    gate = limiter(clock)

    with requests.Session() as session:
        gate.request(session, "GET", URL, family=Family.LOOKUP)

    assert clock.sleeps == [pytest.approx(30.0)]


@responses.activate(assert_all_requests_are_fired=True)
def test_429_beyond_retries_raises_and_keeps_the_host_paused(clock: FakeClock) -> None:
    for _ in range(3):
        responses.get(URL, status=429, headers={"Retry-After": "1"})
    gate = limiter(clock, max_retries=2)

    with requests.Session() as session, pytest.raises(ArchiveUnavailable) as caught:
        gate.request(session, "GET", URL, family=Family.LOOKUP)

    assert caught.value.reason == "archive rate limited (HTTP 429)"
    assert gate.rate_limited == 3


@responses.activate(assert_all_requests_are_fired=True)
def test_retry_after_longer_than_max_wait_fails_fast(clock: FakeClock) -> None:
    responses.get(URL, status=429, headers={"Retry-After": "3600"})
    gate = limiter(clock, max_wait_s=120.0)

    with requests.Session() as session:
        with pytest.raises(ArchiveUnavailable):
            gate.request(session, "GET", URL, family=Family.LOOKUP)
        # Other requests to the same host fail fast too instead of hammering it.
        with pytest.raises(ArchiveUnavailable):
            gate.request(session, "GET", URL, family=Family.LOOKUP)

    assert clock.sleeps == []
    assert gate.requests_sent == 1  # the second was refused before it was counted or sent
    assert len(responses.calls) == 1


@responses.activate(assert_all_requests_are_fired=True)
def test_archived_429_is_content_not_throttling(clock: FakeClock) -> None:
    replay = "https://archive.example/web/2020id_/https://x.example/"
    responses.get(replay, status=429, headers={"Memento-Datetime": "Wed, 01 Jan 2020 00:00:00 GMT"})
    gate = limiter(clock)

    with requests.Session() as session:
        response = gate.request(session, "GET", replay, family=Family.REPLAY)

    assert response.status_code == 429
    assert gate.rate_limited == 0


@responses.activate(assert_all_requests_are_fired=True)
def test_5xx_is_retried_then_reported(clock: FakeClock) -> None:
    responses.get(URL, status=503)
    responses.get(URL, status=502)
    gate = limiter(clock, max_retries=1)

    with requests.Session() as session, pytest.raises(ArchiveUnavailable) as caught:
        gate.request(session, "GET", URL, family=Family.LOOKUP)

    assert caught.value.reason == "archive answered HTTP 502"
    assert clock.sleeps == [1.0]


@responses.activate(assert_all_requests_are_fired=True)
def test_connection_error_is_unavailable(clock: FakeClock) -> None:
    responses.get(URL, body=requests.ConnectionError("refused"))
    gate = limiter(clock, max_retries=0)

    with requests.Session() as session, pytest.raises(ArchiveUnavailable) as caught:
        gate.request(session, "GET", URL, family=Family.LOOKUP)

    assert caught.value.reason == "archive unreachable: ConnectionError"


@responses.activate(assert_all_requests_are_fired=True)
def test_budget_counts_every_request_and_then_refuses(clock: FakeClock) -> None:
    responses.get(URL, json=[])
    responses.get(URL, json=[])
    gate = limiter(clock, run_budget=2)

    with requests.Session() as session:
        gate.request(session, "GET", URL, family=Family.LOOKUP)
        gate.request(session, "GET", URL, family=Family.REPLAY)
        assert gate.budget_left == 0
        with pytest.raises(BudgetExhausted) as caught:
            gate.request(session, "GET", URL, family=Family.LOOKUP)

    assert caught.value.reason == BUDGET_EXHAUSTED


@responses.activate(assert_all_requests_are_fired=True)
def test_families_and_hosts_have_separate_buckets(clock: FakeClock) -> None:
    other = "https://other.example/cdx"
    responses.get(URL, json=[])
    responses.get(other, json=[])
    responses.get(URL, json=[])
    gate = limiter(clock, requests_per_minute=1.0, replay_requests_per_minute=600.0)

    with requests.Session() as session:
        gate.request(session, "GET", URL, family=Family.LOOKUP)
        gate.request(session, "GET", other, family=Family.LOOKUP)
        gate.request(session, "GET", URL, family=Family.REPLAY)

    assert clock.sleeps == []


def test_unreachable_archive_is_not_asked_again_in_the_same_run() -> None:
    import requests as _requests

    from checks.archive.ratelimit import ArchiveLimiter, ArchiveUnavailable, Family

    class Refusing(_requests.Session):
        calls = 0

        def request(self, *args: object, **kwargs: object) -> _requests.Response:  # type: ignore[override]
            Refusing.calls += 1
            raise _requests.ConnectionError("refused")

    sleeps: list[float] = []
    limiter = ArchiveLimiter(requests_per_minute=6000, max_retries=2, sleep=sleeps.append)
    session = Refusing()
    with pytest.raises(ArchiveUnavailable):
        limiter.request(session, "GET", "http://archive.test/cdx?a", family=Family.LOOKUP)
    assert Refusing.calls == 1  # refused: retrying seconds later would change nothing
    with pytest.raises(ArchiveUnavailable, match="not asked again"):
        limiter.request(session, "GET", "http://archive.test/other?b", family=Family.LOOKUP)
    assert Refusing.calls == 1


def test_requests_queued_for_an_unreachable_host_are_released() -> None:
    import threading
    import time

    import requests as _requests

    from checks.archive.ratelimit import ArchiveLimiter, ArchiveUnavailable, Family

    class Refusing(_requests.Session):
        def request(self, *args: object, **kwargs: object) -> _requests.Response:  # type: ignore[override]
            raise _requests.ConnectionError("refused")

    # One request a minute: without the release, the queued ones would wait a minute each.
    limiter = ArchiveLimiter(requests_per_minute=1, max_wait_s=600)
    outcomes: list[str] = []

    def ask(n: int) -> None:
        try:
            limiter.request(Refusing(), "GET", f"http://archive.test/cdx?{n}", family=Family.LOOKUP)
        except ArchiveUnavailable as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 4
    assert time.monotonic() - started < 30
