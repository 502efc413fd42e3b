"""Politeness towards the archives: a token bucket per archive host and kind of request,
a run-wide request budget, and 429 / ``Retry-After`` handling.

The Internet Archive blocks an IP at its firewall for an hour when 429s are ignored for
more than a minute, so a 429 pauses every later request to that host, not only the one
that got it, and a pause longer than ``max_wait_s`` fails fast instead of sleeping.
"""

from __future__ import annotations

import copy
import enum
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from checks.archive.config import ArchiveConfig
from checks.http.retryafter import retry_after_s

BUDGET_EXHAUSTED = "archive request budget exhausted"

# Statuses that say "the archive is struggling", not "this is what was archived".
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


class ArchiveUnavailable(Exception):
    """The archive could not be asked: outage, throttling, timeout or spent budget."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ArchiveTimeout(ArchiveUnavailable):
    """The archive did not answer in time, even after the retries."""


class BudgetExhausted(ArchiveUnavailable):
    """The run-wide archive request budget is spent."""

    def __init__(self) -> None:
        super().__init__(BUDGET_EXHAUSTED)


class Family(enum.StrEnum):
    """Kinds of archive request, each with its own rate."""

    LOOKUP = "lookup"  # CDX, TimeMap, TimeGate, Availability
    REPLAY = "replay"  # fetching a capture
    SAVE = "save"  # Save Page Now submissions
    SAVE_STATUS = "save_status"  # Save Page Now job polls


class TokenBucket:
    """Thread-safe token bucket with reservations.

    ``acquire`` takes a token at once, possibly driving the balance negative, and then
    sleeps (outside the lock) until the token would have existed; concurrent callers
    therefore queue at the configured rate instead of stampeding when tokens refill.
    """

    def __init__(
        self,
        rate_per_minute: float,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._rate = rate_per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        # The balance is valid at this instant; during a pause it lies in the future
        # so that no tokens accrue while the archive asked us to stay away.
        self._as_of = clock()

    def acquire(self, max_wait: float | None = None) -> float:
        """Take one token, sleeping as long as needed; return the seconds slept.

        Raises :class:`ArchiveUnavailable` without sleeping when the wait would exceed
        ``max_wait``.
        """
        with self._lock:
            now = self._clock()
            if now > self._as_of:
                self._tokens = min(self._burst, self._tokens + (now - self._as_of) * self._rate)
                self._as_of = now
            self._tokens -= 1.0
            ready_at = self._as_of + max(0.0, -self._tokens) / self._rate
            wait = max(0.0, ready_at - now)
            if max_wait is not None and wait > max_wait:
                self._tokens += 1.0
                raise ArchiveUnavailable(
                    f"archive rate limit: next request allowed in {wait:.0f} s"
                )
        if wait > 0:
            self._sleep(wait)
        return wait

    def pause(self, seconds: float) -> None:
        """Hand out no token for ``seconds`` from now (a ``Retry-After``)."""
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            if until > self._as_of:
                # One request may go at the end of the pause, then the normal rate.
                self._tokens = min(self._tokens, 0.0) + 1.0
                self._as_of = until


class _Shared:
    """What every view of one run's limiter shares: the rates, 429 pauses and what
    was found down. Each view keeps its own budget."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.buckets: dict[tuple[Family, str], TokenBucket] = {}
        self.rate_limited = 0
        # Hosts or endpoints found failing in this run: asking again would only add waits.
        self.down: dict[str, str] = {}
        # Set when a host is found unreachable, waking requests queued for its turn.
        self.host_down: dict[str, threading.Event] = {}
        # Requests in a row that timed out, per host and per endpoint; an answer resets.
        self.timeouts: dict[str, int] = {}


class ArchiveLimiter:
    """Run-wide gate for every archive request: budget, rates, 429s and retries.

    One instance is shared by all threads of a run; :meth:`with_budget` gives a view
    with a budget of its own that shares everything else.
    """

    def __init__(
        self,
        *,
        requests_per_minute: float = 15.0,
        replay_requests_per_minute: float = 120.0,
        save_requests_per_minute: float = 5.0,
        save_status_requests_per_minute: float = 30.0,
        run_budget: int = 200,
        max_retries: int = 2,
        default_retry_after_s: float = 60.0,
        max_wait_s: float = 120.0,
        endpoint_timeouts_down: int = 2,
        host_timeouts_down: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rates = {
            Family.LOOKUP: requests_per_minute,
            Family.REPLAY: replay_requests_per_minute,
            Family.SAVE: save_requests_per_minute,
            Family.SAVE_STATUS: save_status_requests_per_minute,
        }
        self._budget = run_budget
        self._max_retries = max_retries
        self._default_retry_after = default_retry_after_s
        self._max_wait = max_wait_s
        self._endpoint_timeouts_down = endpoint_timeouts_down
        self._host_timeouts_down = host_timeouts_down
        self._clock = clock
        self._sleep = sleep
        self._shared = _Shared()
        self._lock = self._shared.lock
        self._sent = 0

    @classmethod
    def from_config(
        cls,
        config: ArchiveConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> ArchiveLimiter:
        """A limiter with the rates, budget and retry policy of ``config``."""
        return cls(
            requests_per_minute=config.requests_per_minute,
            replay_requests_per_minute=config.replay_requests_per_minute,
            save_requests_per_minute=config.save_requests_per_minute,
            save_status_requests_per_minute=config.save_status_requests_per_minute,
            run_budget=config.run_budget,
            max_retries=config.max_retries,
            default_retry_after_s=config.default_retry_after_s,
            max_wait_s=config.max_wait_s,
            clock=clock,
            sleep=sleep,
        )

    def with_budget(self, budget: int) -> ArchiveLimiter:
        """A view of this limiter spending from a budget of ``budget`` requests of its
        own, while sharing the rates, pauses and outages (the archive sees one client)."""
        view = copy.copy(self)
        view._budget = budget
        view._sent = 0
        return view

    @property
    def requests_sent(self) -> int:
        """Requests sent so far from this budget, retries included."""
        with self._lock:
            return self._sent

    @property
    def rate_limited(self) -> int:
        """429 answers received so far."""
        with self._lock:
            return self._shared.rate_limited

    @property
    def budget_left(self) -> int:
        """Requests still allowed in this run."""
        with self._lock:
            return max(0, self._budget - self._sent)

    def request(
        self,
        session: requests.Session,
        method: str,
        url: str,
        *,
        family: Family,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one archive request politely and return the response.

        Archived answers (those carrying ``Memento-Datetime``) are returned whatever
        their status: an archived 429 or 503 is content, not throttling. Raises
        :class:`ArchiveUnavailable` on connection failures, timeouts, 429s or 5xx beyond
        the retries, and :class:`BudgetExhausted` when the budget is spent. Only
        requests actually sent are charged to the budget.
        """
        bucket = self._bucket(family, url)
        host = _host(url)
        endpoint = _endpoint(url)
        self._raise_if_down(host, endpoint)
        last_reason = "archive request failed"
        outcome = _Failure.ERROR
        for attempt in range(self._max_retries + 1):
            self._spend()
            try:
                bucket.acquire(self._max_wait)
                self._raise_if_down(host, endpoint)  # found down while this one waited
            except ArchiveUnavailable:
                self._refund()
                raise
            try:
                response = session.request(method, url, **kwargs)
            except requests.Timeout as exc:
                last_reason = f"archive timed out: {type(exc).__name__}"
                outcome = _Failure.TIMEOUT
                self._backoff(attempt)
                continue
            except requests.RequestException as exc:
                # Refused or unresolvable: seconds later it will be the same.
                last_reason = f"archive unreachable: {type(exc).__name__}"
                outcome = _Failure.UNREACHABLE
                break
            outcome = _Failure.ERROR
            self._answered(host, endpoint)
            if is_memento(response):
                return response
            if response.status_code == 429:
                with self._lock:
                    self._shared.rate_limited += 1
                wait = retry_after_s(response.headers.get("Retry-After"), datetime.now(UTC))
                if wait is None:
                    wait = self._default_retry_after
                response.close()
                # Pause the whole host before deciding, so other threads back off too.
                bucket.pause(wait)
                last_reason = "archive rate limited (HTTP 429)"
                if wait > self._max_wait:
                    break
                continue
            if response.status_code in RETRYABLE_STATUSES:
                response.close()
                last_reason = f"archive answered HTTP {response.status_code}"
                self._backoff(attempt)
                continue
            return response
        self._failed(host, endpoint, outcome, last_reason)
        if outcome is _Failure.TIMEOUT:
            raise ArchiveTimeout(last_reason)
        raise ArchiveUnavailable(last_reason)

    def _raise_if_down(self, host: str, endpoint: str) -> None:
        with self._lock:
            down = self._shared.down.get(host) or self._shared.down.get(endpoint)
        if down is not None:
            raise ArchiveUnavailable(f"{down} (earlier in this run; not asked again)")

    def _answered(self, host: str, endpoint: str) -> None:
        with self._lock:
            self._shared.timeouts.pop(host, None)
            self._shared.timeouts.pop(endpoint, None)

    def _failed(self, host: str, endpoint: str, outcome: _Failure, reason: str) -> None:
        """Spare the archive (and the run) more of the same after the retries failed.

        An unreachable host is down as a whole. One query that timed out says little
        about the others (a URL with a huge index is slow to list), so timeouts take
        down an endpoint, then the host, only when they come in a row. An endpoint
        answering errors or 429s is skipped while the archive's others may still answer.
        """
        shared = self._shared
        with self._lock:
            if outcome is _Failure.UNREACHABLE:
                shared.down[host] = reason
                self._host_event(host).set()
            elif outcome is _Failure.TIMEOUT:
                in_row = shared.timeouts.get(host, 0) + 1
                shared.timeouts[host] = in_row
                at_endpoint = shared.timeouts.get(endpoint, 0) + 1
                shared.timeouts[endpoint] = at_endpoint
                if in_row >= self._host_timeouts_down:
                    shared.down[host] = reason
                    self._host_event(host).set()
                elif at_endpoint >= self._endpoint_timeouts_down:
                    shared.down[endpoint] = reason
            else:
                shared.down[endpoint] = reason

    def _spend(self) -> None:
        with self._lock:
            if self._sent >= self._budget:
                raise BudgetExhausted()
            self._sent += 1

    def _refund(self) -> None:
        with self._lock:
            self._sent -= 1

    def _backoff(self, attempt: int) -> None:
        if attempt < self._max_retries:
            self._sleep(min(self._max_wait, 2.0**attempt))

    def _host_event(self, host: str) -> threading.Event:
        # Call with self._lock held.
        event = self._shared.host_down.get(host)
        if event is None:
            event = self._shared.host_down[host] = threading.Event()
        return event

    def _waiter(self, host: str) -> Callable[[float], None]:
        """How a request queued for ``host`` waits: woken early if the host goes down."""
        if self._sleep is not time.sleep:
            return self._sleep  # an injected clock: tests stay deterministic
        with self._lock:
            event = self._host_event(host)

        def wait(seconds: float) -> None:
            event.wait(seconds)

        return wait

    def _bucket(self, family: Family, url: str) -> TokenBucket:
        host = _host(url)
        waiter = self._waiter(host)
        with self._lock:
            bucket = self._shared.buckets.get((family, host))
            if bucket is None:
                bucket = TokenBucket(self._rates[family], clock=self._clock, sleep=waiter)
                self._shared.buckets[(family, host)] = bucket
            return bucket


class _Failure(enum.Enum):
    """How a request failed after its retries, which decides what is marked down."""

    ERROR = "error"  # answered with 5xx or 429
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # refused, unresolvable, reset


def _host(url: str) -> str:
    return (urlsplit(url).netloc or url).lower()


def _endpoint(url: str) -> str:
    """The host and the first two path segments: one API of the archive (CDX, TimeMap)."""
    parts = urlsplit(url)
    segments = parts.path.split("/")[:3]
    return f"{parts.netloc.lower()}{'/'.join(segments)}"


def is_memento(response: requests.Response) -> bool:
    """A response is an archived copy iff it carries ``Memento-Datetime``."""
    return "Memento-Datetime" in response.headers
