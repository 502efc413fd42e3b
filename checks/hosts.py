"""Run-wide politeness per host, shared by every worker thread.

One :class:`HostPolicy` lives for one run. It limits how many requests go to a host at
once, spaces their starts, holds a host back after it answered 429/5xx or asked for a
pause (``Retry-After``), and remembers per-run facts about a host (such as its answer
to a catch-all probe) so they are computed once however many sources share the host.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

T = TypeVar("T")

# Consecutive penalties without a success double the pause, up to this bound; one
# success (reward) resets it. Retry-After values above it are still honoured.
MAX_ADAPTIVE_S = 60.0
# Server errors (or timeouts) in a burst slow the host down a little for every thread
# (it may be struggling) without stopping it. One broken page answering 500 to each of
# its attempts is not a burst: it must not stall the checks of its healthy neighbours.
# The failing request itself waits out its own backoff either way.
SERVER_ERROR_PAUSE_S = 0.2
# A burst: this many errors among the host's last ERROR_WINDOW answers.
ERROR_BURST = 4
ERROR_WINDOW = 20


@dataclass
class _HostState:
    slots: threading.BoundedSemaphore
    next_start: float = 0.0  # earliest start allowed by the spacing rule
    paused_until: float = 0.0  # set by penalise
    last_pause: float = 0.0  # grows while penalties come without a success
    # The host's latest answers, True for a server error or a timeout.
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=ERROR_WINDOW))


@dataclass
class _Memo:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None


class HostPaused(Exception):
    """The host asked for a pause longer than the caller may wait."""

    def __init__(self, host: str, seconds: float) -> None:
        super().__init__(f"{host} asked for a pause of {seconds:.0f} s")
        self.host = host
        self.seconds = seconds


class HostPolicy:
    """Per-host concurrency slots, spacing, adaptive backoff and a per-run memo.

    Thread-safe. ``clock`` and ``sleep`` are injectable so that waiting can be tested
    with a fake clock; every wait goes through ``sleep``.
    """

    def __init__(
        self,
        per_host: int = 2,
        min_interval_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        *,
        total: int | None = None,
    ) -> None:
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.per_host = per_host
        # Requests at once over every host (None: no limit beyond the callers' own).
        # Held only while a request is on the wire, not while a check waits to retry.
        self._requests = threading.BoundedSemaphore(total) if total else None
        self.min_interval_s = max(0.0, min_interval_s)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}
        self._memos: dict[str, _Memo] = {}

    def _state(self, host: str) -> _HostState:
        key = host.lower()
        # A known host needs no lock: entries are only ever added, and reading a dict
        # is atomic. Each request asks several times, from every thread.
        state = self._hosts.get(key)
        if state is not None:
            return state
        with self._lock:
            state = self._hosts.get(key)
            if state is None:
                state = _HostState(threading.BoundedSemaphore(self.per_host))
                self._hosts[key] = state
            return state

    @contextmanager
    def slot(self, host: str, max_wait_s: float | None = None) -> Iterator[None]:
        """Hold one of the host's concurrency slots for the duration of a request.

        Entering waits for a free slot, then until the host's spacing and any pause
        from :meth:`penalise` allow the next start, then (with ``total``) for one of the
        run's request permits. The start time is reserved under the lock, so concurrent
        callers are spaced without polling. A pause longer than ``max_wait_s`` raises
        :class:`HostPaused`, whether it was set before this caller came or while it
        waited for the slot: a request the host said it won't take is not queued.
        """
        state = self._state(host)
        if max_wait_s is not None and (paused := self.paused_s(host)) > max_wait_s:
            raise HostPaused(host, paused)
        state.slots.acquire()
        try:
            with self._lock:
                now = self.clock()
                if max_wait_s is not None and state.paused_until - now > max_wait_s:
                    raise HostPaused(host, state.paused_until - now)
                start = max(now, state.next_start, state.paused_until)
                state.next_start = start + self.min_interval_s
            if start > now:
                self.sleep(start - now)
            if self._requests is None:
                yield
            else:
                with self._requests:
                    yield
        finally:
            state.slots.release()

    def wait_s(self, host: str) -> float:
        """Seconds until the host would next let a request start (0 when free now)."""
        state = self._state(host)
        with self._lock:
            return max(0.0, state.next_start - self.clock(), state.paused_until - self.clock())

    def paused_s(self, host: str) -> float:
        """Seconds left of a pause set by :meth:`penalise` (0 when not paused)."""
        state = self._state(host)
        with self._lock:
            return max(0.0, state.paused_until - self.clock())

    def penalise(self, host: str, seconds: float) -> float:
        """Hold the host back after it refused or failed a request.

        The pause is at least ``seconds`` (e.g. a ``Retry-After``); while penalties
        come without a success in between, each pause is at least double the previous
        one (bounded by :data:`MAX_ADAPTIVE_S`), so that a struggling host sees fewer
        requests from every thread. Returns the pause applied, counted from now.
        """
        state = self._state(host)
        with self._lock:
            pause = max(0.0, seconds, min(MAX_ADAPTIVE_S, 2 * state.last_pause))
            state.last_pause = pause
            state.paused_until = max(state.paused_until, self.clock() + pause)
            return pause

    def slow_down(self, host: str, seconds: float = SERVER_ERROR_PAUSE_S) -> None:
        """Record a server error or a timeout; once they come in a burst (see
        :data:`ERROR_BURST`), a short host-wide pause that does not grow."""
        state = self._state(host)
        with self._lock:
            state.recent.append(True)
            if sum(state.recent) >= ERROR_BURST:
                state.paused_until = max(state.paused_until, self.clock() + seconds)

    def reward(self, host: str) -> None:
        """Forget earlier penalties after the host answered normally."""
        state = self._state(host)
        with self._lock:
            state.last_pause = 0.0
            state.recent.append(False)

    def probe_once(self, key: str, compute: Callable[[], T]) -> T:
        """The value of ``compute()`` for ``key``, computed once per run.

        Concurrent callers with the same key wait for the first one's result. If
        ``compute`` raises, nothing is remembered and the next caller computes again.
        """
        with self._lock:
            memo = self._memos.get(key)
            if memo is None:
                memo = _Memo()
                self._memos[key] = memo
        with memo.lock:
            if not memo.done:
                memo.value = compute()
                memo.done = True
            return cast(T, memo.value)
